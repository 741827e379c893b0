"""Config: the documented keys load; unknown keys and wrong types are one clear line."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from scanner.config import load_config
from scanner.errors import ConfigError
from scanner.spidernames import spider_names
from scanner.starter import STARTER, toml_string

DOCUMENTED = """\
db = "data/scan.db"
[company]
name = "Acme"
aliases = ["Acme Corp", "acme.com"]
exclude = ["acme anvils museum"]
[[competitors]]
name = "Globex"
[[sources]]
name = "acme-trustpilot"
spider = "trustpilot"
url = "https://www.trustpilot.com/review/acme.com"
download_delay = 0.5
[digest]
to = ["ops@acme.example"]
from = "scan@acme.example"
smtp_host = "localhost"
smtp_port = 25
smtp_security = "none"
smtp_user = ""
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scanner.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_keys_load(tmp_path):
    config = load_config(write(tmp_path, DOCUMENTED))
    assert config.db == tmp_path / "data" / "scan.db"  # relative to the config file
    assert config.company.names == ["Acme", "Acme Corp", "acme.com"]
    assert config.competitors[0].name == "Globex"
    assert config.sources[0].spider_args()["url"].endswith("acme.com")
    assert config.digest.from_addr == "scan@acme.example"


def test_starter_config_loads_as_written(tmp_path):
    config = load_config(write(tmp_path, STARTER))
    assert config.company.name == "Acme"
    assert [s.name for s in config.sources] == ["acme-trustpilot"]
    assert not config.sources[0].enabled  # an example's page is never crawled


def test_a_crawl_with_every_source_off_says_which_and_how_to_turn_one_on(scan, tmp_path):
    assert scan("init").returncode == 0
    crawled = scan("crawl")
    assert crawled.returncode == 1
    assert "every source in scanner.toml is off (acme-trustpilot)" in crawled.stderr
    assert "remove `enabled = false`" in crawled.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[company]\nname = "A"\ncolour = "red"\n',
            "line 3: [company] `colour` is not a known key",
        ),
        ('db = 5\n[company]\nname = "A"\n', "line 1: `db` must be a path"),
        (
            '[company]\nname = "A"\naliases = "A Corp"\n',
            "line 3: [company] `aliases` must be a list of strings",
        ),
        (
            '[company]\nname = "A"\n[digest]\nsmtp_port = "25"\n',
            "line 4: [digest] `smtp_port` must be a whole number from 1 to 65535",
        ),
        (
            '[company]\nname = "A"\n[digest]\nsmtp_security = "ssl"\n',
            'line 4: [digest] `smtp_security` must be one of "starttls", "tls", "none", got "ssl"',
        ),
        (
            '[company]\nname = "A"\n[[sources]]\nname = "x"\nspider = "nope"\n',
            "line 5: [[sources]] 1 `spider` must be one of",
        ),
        ("[company]\naliases = []\n", "line 1: [company] `name` is missing"),
        ('[company\nname = "A"\n', "line 1: not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_line(scan, tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=None) as info:
        load_config(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value)
    result = scan("--config", str(path), "stats")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert expected in result.stderr


SOURCE = '[company]\nname = "A"\n[[sources]]\nname = "x"\nspider = "feed"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SOURCE + "max_pages = 0\n", "line 6: [[sources]] 1 `max_pages` must be at least 1 page"),
        (SOURCE + "max_pages = -5\n", "line 6: [[sources]] 1 `max_pages` must be at least 1 page"),
        (
            '[company]\nname = "A"\n[crawl]\nmax_pages = 0\n',
            "line 4: [crawl] `max_pages` must be at least 1 page",
        ),
        (
            SOURCE + "download_delay = -1\n",
            "line 6: [[sources]] 1 `download_delay` must be 0 seconds or more, got -1",
        ),
        (
            SOURCE + "concurrency = 0\n",
            "line 6: [[sources]] 1 `concurrency` must be at least 1 request",
        ),
        (
            SOURCE + "max_minutes = 0\n",
            "line 6: [[sources]] 1 `max_minutes` must be more than 0 minutes",
        ),
        (
            '[company]\nname = "A"\n[crawl]\nmax_minutes = -1\n',
            "line 4: [crawl] `max_minutes` must be more than 0 minutes, got -1",
        ),
    ],
)
def test_caps_and_delays_that_cannot_work_are_refused(tmp_path, text, expected):
    """0 pages is "no cap at all" to Scrapy, 0 requests in flight is a crawl that never
    fetches: the config check refuses them with one line, as it refuses a wrong type."""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert expected in str(info.value)


def test_a_time_budget_is_accepted_per_source_and_crawl_wide(tmp_path):
    config = load_config(write(tmp_path, SOURCE + "max_minutes = 2.5\n[crawl]\nmax_minutes = 20\n"))
    assert config.sources[0].max_minutes == 2.5
    assert config.crawl.max_minutes == 20
    assert load_config(write(tmp_path, SOURCE)).crawl.max_minutes == 30  # the default


def test_init_writes_and_refuses_to_overwrite(scan, tmp_path):
    first = scan("init")
    assert first.returncode == 0 and (tmp_path / "scanner.toml").exists()
    written = (tmp_path / "scanner.toml").read_text(encoding="utf-8")
    config = load_config(tmp_path / "scanner.toml")  # the starter is a valid config
    assert config.company.name == "Acme" and config.sources, written
    assert (tmp_path / "scan.db").exists() and "Created database scan.db" in first.stdout
    (tmp_path / "scanner.toml").write_text(written + "# my edits\n", encoding="utf-8")
    second = scan("init")
    assert second.returncode == 1 and "--force" in second.stderr
    assert (tmp_path / "scanner.toml").read_text(encoding="utf-8").endswith("# my edits\n")


def test_every_character_toml_allows_is_written_so_that_tomllib_reads_it_back():
    """``toml_string`` over every code point but the surrogates (which have no TOML or
    UTF-8 form): JSON's escaping had left DEL (U+007F) bare, which TOML refuses."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert tomllib.loads(f"v = {toml_string(every)}\n") == {"v": every}


def test_init_names_a_database_whose_name_holds_control_characters(scan, tmp_path):
    """``scan --db X init`` wrote DEL into the config bare: the next command said
    "scanner.toml line 5: not valid TOML: Illegal character '\\x7f'"."""
    name = 'a\x7fb\x1bc\td"e\\f.db'
    assert scan("--db", name, "init").returncode == 0
    assert load_config(tmp_path / "scanner.toml").db == tmp_path / name
    stats = scan("stats")
    assert stats.returncode == 0, stats.stderr


def test_init_refuses_a_database_name_no_utf8_config_can_hold(scan, tmp_path):
    """A file name in another encoding (bytes that are not UTF-8) crashed ``init`` in
    a traceback half-way through writing the config: the empty scanner.toml left
    behind was one ``init`` then refused to overwrite and every command refused to
    read. It is refused as a usage error, before anything is written."""
    import os

    done = scan("--db", os.fsdecode(b"a\x85b.db"), "init")
    assert done.returncode == 2, done.stderr
    assert "is not UTF-8 text" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
    assert scan("--db", "x.db", "init").returncode == 0
    assert load_config(tmp_path / "scanner.toml").db == tmp_path / "x.db"


def test_init_names_scan_db_where_the_database_name_came_from_it(scan, tmp_path):
    """A name set in SCAN_DB was refused as "--db b'a\\x85b.db' is not UTF-8 text",
    naming an option the user never typed; and a kept config naming another database
    said to "pass --db" to each command, where SCAN_DB already names it for them."""
    import os

    bad = {"SCAN_DB": os.fsdecode(b"a\x85b.db")}
    refused = scan("init", env=bad)
    assert refused.returncode == 2, refused.stderr
    assert "SCAN_DB b'a\\x85b.db' is not UTF-8 text" in refused.stderr, refused.stderr
    assert "--db" not in refused.stderr
    assert list(tmp_path.iterdir()) == []
    typed = scan("init", "--db", os.fsdecode(b"a\x85b.db"), env=bad)  # --db wins, and is named
    assert "Error: --db b'a\\x85b.db' is not UTF-8 text" in typed.stderr, typed.stderr

    assert scan("--db", "x.db", "init").returncode == 0
    kept = scan("init", env={"SCAN_DB": "y.db"})
    assert kept.returncode == 0, kept.stderr
    assert "It names the database x.db, not y.db: keep SCAN_DB set for each command" in " ".join(
        kept.stdout.split()
    )
    assert "--db" not in kept.stdout
    typed_kept = scan("init", "--db", "z.db", env={"SCAN_DB": "y.db"})
    assert "pass --db z.db to each command" in " ".join(typed_kept.stdout.split())


def test_init_force_writes_through_a_symlinked_config_keeping_its_permissions(scan, tmp_path):
    """A scanner.toml that is a link (to a dotfiles repository) was replaced by a
    plain file, its target left as it was; and a config readable by its owner alone
    became readable by all. The link's target is rewritten, with its mode kept."""
    import os
    import stat

    umask = os.umask(0)
    os.umask(umask)
    kept = 0o600 if 0o666 & ~umask != 0o600 else 0o640  # not what a new file gets
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "scan.toml"
    target.write_text('[company]\nname = "Old"\n', encoding="utf-8")
    target.chmod(kept)
    (tmp_path / "scanner.toml").symlink_to(Path("dotfiles") / "scan.toml")
    plain = write(tmp_path / "dotfiles", '[company]\nname = "Old"\n')
    plain.chmod(kept)

    assert scan("init", "--force").returncode == 0
    done = scan("--config", str(plain), "init", "--force")
    assert done.returncode == 0, done.stderr

    assert (tmp_path / "scanner.toml").is_symlink()
    assert target.read_text(encoding="utf-8") == STARTER
    assert load_config(tmp_path / "scanner.toml").company.name == "Acme"
    assert plain.read_text(encoding="utf-8") == STARTER
    assert stat.S_IMODE(target.stat().st_mode) == kept
    assert stat.S_IMODE(plain.stat().st_mode) == kept
    assert sorted(p.name for p in dotfiles.iterdir()) == ["scan.db", "scan.toml", "scanner.toml"]


def test_a_symlinked_configs_database_is_beside_the_link_for_init_and_later_commands(
    scan, tmp_path
):
    """``scan --db sub/acme.db init`` through a scanner.toml linked to a file in another
    folder wrote the name relative to the target's folder ("../../work/sub/acme.db"),
    which every later command read relative to the link's: "no such database". Both
    use the folder of the config as named (``config_folder``)."""
    work, deep = tmp_path / "work", tmp_path / "dotfiles" / "deep"
    (work / "sub").mkdir(parents=True)
    deep.mkdir(parents=True)
    (work / "scanner.toml").symlink_to(Path("..") / "dotfiles" / "deep" / "scanner.toml")

    made = scan("--db", "sub/acme.db", "init", cwd=work)
    assert made.returncode == 0, made.stderr
    assert 'db = "sub/acme.db"' in (deep / "scanner.toml").read_text(encoding="utf-8")
    assert load_config(work / "scanner.toml").db == work / "sub" / "acme.db"
    for cwd, args in ((work, ()), (tmp_path, ("--config", "work/scanner.toml"))):
        listed = scan(*args, "sources", cwd=cwd)
        assert listed.returncode == 0, listed.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.db")) == [
        Path("work/sub/acme.db")
    ]


EIGHT_TYPOS = """\
db = "scan.db"
colour = "red"
[company]
name = "Acme"
alias = ["Acme Corp"]
[[sources]]
name = "one"
spider = "trustpiolt"
url = "htp://bad url"
[[sources]]
name = "two"
spider = "feed"
url = "eventnet.de"
download_delay = -5
[digest]
smtp_port = "25"
[privacy]
authors = "hide"
"""


def test_eight_typos_are_eight_errors_in_one_run(scan, tmp_path):
    """Each problem on its own line, in file order, naming the file, line and key."""
    path = write(tmp_path, EIGHT_TYPOS)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).splitlines() == [
        f"{path} line {line}: {reason}"
        for line, reason in [
            (
                2,
                "`colour` is not a known key (known keys here: company, competitors, crawl, "
                "db, digest, privacy, sources)",
            ),
            (5, "[company] `alias` is not a known key (known keys here: aliases, exclude, name)"),
            (
                8,
                "[[sources]] 1 `spider` must be one of "
                + ", ".join(f'"{name}"' for name in spider_names())
                + ', got "trustpiolt"',
            ),
            (
                9,
                "[[sources]] 1 `url` must be a web address starting http:// or https://, "
                'got "htp://bad url"',
            ),
            (
                13,
                "[[sources]] 2 `url` must be a web address starting http:// or https://, "
                'got "eventnet.de"',
            ),
            (14, "[[sources]] 2 `download_delay` must be 0 seconds or more, got -5"),
            (16, '[digest] `smtp_port` must be a whole number from 1 to 65535, got a string "25"'),
            (18, '[privacy] `authors` must be one of "keep", "hash", "drop", got "hide"'),
        ]
    ]
    result = scan("--config", str(path), "stats")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if str(path) in line]) == 8


def test_a_duplicate_source_name_is_reported_where_it_is_repeated(tmp_path):
    text = (
        SOURCE
        + '[[sources]]\nname = "y"\nspider = "feed"\n\n[[sources]]\nname = "x"\nspider = "feed"\n'
    )
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert str(info.value).endswith(
        'line 11: [[sources]] 3 `name` "x" is already the name of [[sources]] 1'
    )


@pytest.mark.parametrize(
    "url",
    [
        "htp://bad url",
        "eventnet.de",
        "https://",
        "https://exa mple.com/",
        "ftp://x.org/",
        "http://[::1/",  # urllib raises: every command that read the config showed a traceback
        "http://127.0.0.1:abc/x",  # urllib raises only when the port is read: in the crawl
        "http://127.0.0.1:99999/x",
    ],
)
def test_a_source_url_must_be_a_web_address(tmp_path, url):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, SOURCE + f'url = "{url}"\n'))
    assert "line 6: [[sources]] 1 `url` must be a web address" in str(info.value)


def test_a_source_url_that_is_a_web_address_passes(tmp_path):
    text = SOURCE + 'url = "http://127.0.0.1:8080/feed.xml?q=a%20b"\n'
    assert load_config(write(tmp_path, text)).sources[0].url.endswith("a%20b")


def test_spider_names_come_from_the_spider_modules():
    """The names the config accepts are the names Scrapy's own loader finds."""
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    loader = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["scanner.spiders"]}))
    assert spider_names() == tuple(sorted(loader.list()))


@pytest.mark.parametrize(
    "url", ["redis://[::1:6379/0", "redis://host:port/0", "http://host:6379/0"]
)
def test_the_crawl_redis_must_be_a_redis_url(tmp_path, url):
    text = f'[company]\nname = "Acme"\n\n[crawl]\nredis = "{url}"\n'
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert "line 5: [crawl] `redis` must be a Redis URL such as redis://HOST:6379/0" in str(
        info.value
    )


def test_a_source_about_a_company_not_watched_is_refused_where_it_says_so(tmp_path):
    """The crawl fetched such a source's pages and dropped every post ("no company
    named 'Acmee'") with its health "ok"."""
    text = SOURCE + 'url = "http://127.0.0.1:8080/feed.xml"\ncompany = "Acmee"\n'
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert 'line 7: [[sources]] 1 `company` "Acmee" is not a watched company (watched: ' in str(
        info.value
    )
    fine = SOURCE + 'url = "http://127.0.0.1:8080/feed.xml"\ncompany = "a"\n'
    assert load_config(write(tmp_path, fine)).sources[0].company == "a"  # any case


def test_a_company_named_twice_in_any_case_is_refused(tmp_path):
    text = (
        '[company]\nname = "Acme"\n\n[[competitors]]\nname = "acme"\n\n'
        '[[competitors]]\nname = "Beta"\n\n[[competitors]]\nname = "BETA"\n'
    )
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    said = str(info.value)
    assert 'line 5: [[competitors]] 1 `name` "acme" is already the name of [company]' in said
    assert (
        'line 11: [[competitors]] 3 `name` "BETA" is already the name of [[competitors]] 2' in said
    )


def test_a_config_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    """It said "cannot read: 'utf-8' codec can't decode byte 0xe9 in position 19"."""
    path = tmp_path / "scanner.toml"
    path.write_bytes(b'[company]\nname = "Caf\xe9"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).endswith("line 2: not UTF-8 (byte 0xe9): re-save the file as UTF-8")
