"""The installed entry point, run from a directory outside the repository."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from scanner import __version__
from scanner.cli import COMMANDS, cli
from scanner.store import Store
from scanner.text.safe import text_cells


def test_version_and_help(scan):
    assert scan("--version").stdout.strip().endswith(__version__)
    help_text = scan("--help").stdout
    for name in COMMANDS:
        assert name in help_text


def test_every_command_has_help_with_an_example():
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command.help and "Example:" in command.help, name


def test_every_help_fits_an_80_column_terminal(scan):
    """Click wraps paragraphs to the terminal but not a ``\\b`` block: the example of
    ``scan cron-line --help`` ran to 86 columns. Every command ``scan --help`` lists."""
    top = scan("--help", env={"COLUMNS": "80"}).stdout
    listed = re.findall(r"^  ([a-z][a-z-]*)  ", top.split("\nCommands:\n")[1], re.MULTILINE)
    assert listed == list(COMMANDS)
    for args in [["--help"]] + [[name, "--help"] for name in listed]:
        done = scan(*args, env={"COLUMNS": "80"})
        assert done.returncode == 0, (args, done.stderr)
        too_wide = [line for line in done.stdout.splitlines() if text_cells(line) > 80]
        assert not too_wide, (args, too_wide)


def test_end_to_end_from_outside_the_repo(scan, tmp_path):
    sample = tmp_path / "sample.jsonl"
    sample.write_text(
        json.dumps({"id": "s1", "text": "The refund never came", "author": "Ann"})
        + "\n"
        + json.dumps({"id": "s2", "text": "Delivery took a month", "author": "Bob"})
        + "\n",
        encoding="utf-8",
    )
    assert scan("--db", "x.db", "init").returncode == 0
    imported = scan("--db", "x.db", "import", "sample.jsonl")
    assert imported.returncode == 0, imported.stderr
    found = scan("--db", "x.db", "mentions", "--search", "refund")
    assert "s1" in found.stdout and "s2" not in found.stdout
    negative = scan("--db", "x.db", "mentions", "--limit", "-1")  # had listed everything
    assert negative.returncode == 2 and "-1 is not in the range x>=0" in negative.stderr
    stats = json.loads(scan("--db", "x.db", "stats", "--json").stdout)
    assert stats["mentions"] == 2 and stats["grievances"] == 2


def test_reading_commands_refuse_a_missing_database(scan, tmp_path):
    commands = (
        ["report"],
        ["mentions"],
        ["stats"],
        ["cluster"],
        ["issues"],
        ["digest", "--dry-run"],
        ["digest", "--out", "x.eml"],
    )
    for args in commands:
        result = scan("--db", "typo.db", *args)
        assert result.returncode == 1, args
        assert "typo.db: no such database" in result.stderr, args
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no database, no lock, no .eml


def test_nightly_refuses_to_run_with_nothing_configured(scan, tmp_path):
    """Issue #15: it printed "ok", exited 0 and left scan.db and a lock behind."""
    bare = scan("nightly")
    assert bare.returncode == 1 and "ok" not in bare.stdout
    assert list(tmp_path.iterdir()) == []  # no database, no lock
    Store(tmp_path / "scan.db").close()
    no_config = scan("nightly")
    assert no_config.returncode == 1 and "no config file" in no_config.stderr
    (tmp_path / "scanner.toml").write_text('[company]\nname = "Acme"\n', encoding="utf-8")
    empty = scan("nightly")
    assert empty.returncode == 1 and "nothing for scan nightly to do" in empty.stderr
    assert not list(tmp_path.glob("*.lock"))


def test_global_options_are_accepted_after_the_command_too(scan, tmp_path):
    sample = tmp_path / "one.jsonl"
    sample.write_text(json.dumps({"id": "a1", "text": "Refund never came"}) + "\n", "utf-8")
    assert scan("import", "one.jsonl", "--db", "x.db", "--create").returncode == 0
    assert (tmp_path / "x.db").is_file() and not (tmp_path / "scan.db").exists()
    after = scan("stats", "--json", "--db", "x.db", "-v")
    before = scan("--db", "x.db", "stats", "--json")
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout)["mentions"] == json.loads(before.stdout)["mentions"] == 1
    twice = scan("--db", "x.db", "stats", "--db", "y.db")
    assert twice.returncode == 2 and "--db given twice" in twice.stderr
    assert scan("--db", "x.db", "stats", "--db", "x.db").returncode == 0  # the same: fine
    env_then_option = scan("stats", "--db", "x.db", env={"SCAN_DB": "y.db"})
    assert env_then_option.returncode == 0, env_then_option.stderr  # the option wins


def test_an_unknown_company_or_source_is_a_usage_error(scan, tmp_path):
    sample = tmp_path / "one.jsonl"
    sample.write_text(json.dumps({"id": "a1", "text": "Refund never came"}) + "\n", "utf-8")
    assert scan("--create", "import", "one.jsonl").returncode == 0
    for command in ("cluster", "issues"):
        result = scan(command, "--company", "No Such Co")
        assert result.returncode == 2, (command, result.stdout)  # a usage error
        assert "no company named 'No Such Co'" in result.stderr, command
    crawl = scan("crawl", "--source", "nosuch")
    assert crawl.returncode == 2, crawl.stdout
    assert "no source named 'nosuch' (known: none configured)" in crawl.stderr


def test_a_company_dropped_from_the_config_is_refused_saying_its_posts_are_kept(scan, tmp_path):
    """A competitor taken out of the config keeps its mentions in the database; a
    report on it is refused (it is not watched), and the refusal says why and how
    to watch it again, rather than reading as a misspelt name."""
    rows = [{"id": "k1", "text": "Fees again", "company": "Kestrel Send"}]
    (tmp_path / "k.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    (tmp_path / "scanner.toml").write_text('[company]\nname = "Acme"\n', "utf-8")
    assert scan("--create", "import", "k.jsonl").returncode == 0
    for command in ("report", "issues", "cluster"):
        result = scan(command, "--company", "KESTREL send")
        assert result.returncode == 2, (command, result.stdout)
        assert "'Kestrel Send' is not watched (watched: Acme)" in result.stderr, command
        assert "name it under [[competitors]] (or as the [company])" in result.stderr, command
    typo = scan("report", "--company", "Kestrel")
    assert typo.returncode == 2 and "no company named 'Kestrel' (known: Acme)" in typo.stderr


def test_an_error_naming_what_the_database_holds_prints_no_control_sequence(scan, tmp_path):
    """A refusal lists the names stored, and a name stored by an older version, or
    written into the file by hand, may hold escape sequences: they set the window
    title, clear the screen or reverse the line when printed raw."""
    rows = [{"id": "a1", "text": "Refund never came", "source": "tickets"}]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert scan("--create", "import", "t.jsonl").returncode == 0
    hostile = "tickets\x1b]0;OWNED\x07\x1b[2J\u202e\x9b31m"
    with sqlite3.connect(tmp_path / "scan.db") as conn:
        conn.execute("UPDATE mentions SET source = ?", [hostile])
    refused = scan("mentions", "--source", "ticket")
    assert refused.returncode == 2
    assert "no source named 'ticket' (known: tickets" in refused.stderr
    assert not any(c in refused.stderr for c in "\x1b\x07\u202e\x9b"), repr(refused.stderr)


def test_mentions_refuses_a_name_it_does_not_know_and_reads_one_in_any_case(scan, tmp_path):
    rows = [
        {"id": "a1", "text": "Refund never came", "company": "Acme Bank", "source": "bbb"},
        {"id": "b1", "text": "Fees again", "company": "Rival Co", "source": "reddit"},
        {"id": "b2", "text": "Fees once more", "company": "RIVAL CO", "source": "reddit"},
    ]
    sample = tmp_path / "two.jsonl"
    sample.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert scan("--create", "import", "two.jsonl").returncode == 0
    typo = scan("mentions", "--source", "bbbb")
    assert typo.returncode == 2 and typo.stdout == ""
    assert "no source named 'bbbb' (known: bbb, reddit)" in typo.stderr
    nobody = scan("mentions", "--company", "Acme")
    assert nobody.returncode == 2 and "no company named 'Acme' (known: " in nobody.stderr
    assert "Acme Bank" in nobody.stderr and "Rival Co" in nobody.stderr
    # A company only the database holds (no config here), written in another case.
    found = scan("mentions", "--company", "rival co", "--format", "json")
    assert found.returncode == 0, found.stderr
    # Rows stored in another case are that company's too.
    assert sorted(json.loads(line)["id"] for line in found.stdout.splitlines()) == ["b1", "b2"]


def test_mentions_says_whose_each_post_is_when_it_lists_several_companies(scan, tmp_path):
    """With a competitor watched, a listing did not say whose each post was. The
    company is a column, cut to fit 80 columns and made safe for the terminal;
    under --company, or with one company stored, there is no column to read."""
    (tmp_path / "scanner.toml").write_text(
        '[company]\nname = "Acme"\n[[competitors]]\nname = "Orvella Pay International"\n'
        '[[competitors]]\nname = "東京銀行"\n',
        "utf-8",
    )
    rows = [
        {"id": "a1", "text": "Refund never came", "author": "Ann", "company": "Acme"},
        {"id": "o1", "text": "Fees again", "author": "Bob", "company": "Orvella Pay International"},
        {"id": "t1", "text": "Card blocked", "author": "Chie", "company": "東京銀行"},
        {"id": "x1", "text": "Hidden", "author": "Eve", "company": "Acme"},
    ]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert scan("--create", "import", "c.jsonl").returncode == 0
    with sqlite3.connect(tmp_path / "scan.db") as conn:  # written into the file by hand
        conn.execute("UPDATE mentions SET company = ? WHERE id = 'x1'", ["Ev\x1b[2Jil\u202e"])
    listed = scan("mentions", env={"COLUMNS": "80"})
    assert listed.returncode == 0, listed.stderr
    heads = {line.split()[-2]: line for line in listed.stdout.splitlines() if line[0] == "!"}
    assert sorted(heads) == ["a1", "o1", "t1", "x1"]
    assert heads["a1"].split("  ")[1] == "Acme"
    assert "Orvella Pay I…" in heads["o1"] and "東京銀行" in heads["t1"]
    assert "Evil" in heads["x1"]
    assert not any(c in listed.stdout for c in "\x1b\u202e"), repr(listed.stdout)
    assert all(text_cells(line) <= 80 for line in listed.stdout.splitlines())
    # the column is aligned: every id starts in the same terminal cell
    starts = {text_cells(line[: line.index(f"  {i}  ")]) for i, line in heads.items()}
    assert len(starts) == 1, heads
    ours = scan("mentions", "--company", "acme", env={"COLUMNS": "80"})
    assert ours.returncode == 0, ours.stderr
    assert [line.split("  ")[1] for line in ours.stdout.splitlines() if line[0] == "!"] == ["a1"]


def test_conflicting_options_are_usage_errors(scan, tmp_path):
    sample = tmp_path / "one.jsonl"
    sample.write_text(json.dumps({"id": "a1", "text": "Refund never came"}) + "\n", "utf-8")
    assert scan("--create", "import", "one.jsonl").returncode == 0
    for args, says in (
        (["report", "--since", "2026-01-01", "--days", "3"], "either --since or --days"),
        (["report", "--cluster", "1", "--issue", "1"], "either --cluster or --issue"),
        (["report", "--since", "2026-11-20", "--as-of", "2026-11-10"], "is after --as-of"),
        (["mentions", "--since", "last tuesday"], "expected a date as YYYY-MM-DD"),
    ):
        result = scan(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert says in result.stderr and "Usage:" in result.stderr, args


@pytest.mark.parametrize("command", ["crawl", "crawl-worker", "ingest"])
def test_a_redis_option_is_checked_as_the_configs_redis_is(scan, command):
    """``--redis`` had only its scheme checked: a port out of range or an IPv6 host
    left open ended ``scan crawl-worker`` in a traceback, where ``[crawl] redis``
    with the same URL is refused with its reason."""
    assert scan("init").returncode == 0
    for url, why in [
        ("redis://localhost:99999/0", "port out of range 0-65535"),
        ("redis://[::1/0", "Invalid IPv6 URL"),
    ]:
        done = scan(command, "--redis", url)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert (
            "Invalid value for '--redis': must be a Redis URL such as "
            f'redis://HOST:6379/0, got "{url}" ({why})'
        ) in done.stderr
    # a socket URL with no socket waited 30 s for no Redis
    done = scan(command, "--redis", "unix://")
    assert done.returncode == 2, done.stderr
    assert "a Redis socket URL with the socket's path" in done.stderr


@pytest.mark.parametrize("command", ["crawl", "crawl-worker", "ingest"])
def test_a_refused_redis_url_never_shows_its_password(scan, command, tmp_path):
    """The message quoted the URL as given, so a mistyped port printed the Redis
    password into the terminal or the cron mail; the config's ``[crawl] redis``
    is checked the same way."""
    assert scan("init").returncode == 0
    for given, shown in [
        ("redis://scan:p@ss-s3cret@localhost:99999/0", "redis://scan:***@localhost:99999/0"),
        ("redis://localhost:99999/0?password=s3cret", "redis://localhost:99999/0?password=***"),
        ("redis://us@er:s3cret@localhost:99999/0", "redis://us@er:***@localhost:99999/0"),
        ("redis://:s#3cret@localhost:99999/0", "redis://:***@localhost:99999/0"),
        # urllib's own reason quoted the password; a base64 one holds "/"
        ("redis://:s3cret#x@localhost:6379/0", "redis://:***@localhost:6379/0"),
        ("redis://:Zm9v/s3cret==@localhost:6379/0", "redis://:***@localhost:6379/0"),
    ]:
        done = scan(command, "--redis", given)
        assert done.returncode == 2, done.stderr
        assert "s3cret" not in done.stderr + done.stdout, given
        assert f'got "{shown}" (port ' in done.stderr, done.stderr
    url = "redis://scan:p@ss-s3cret@localhost:99999/0"
    config = tmp_path / "scanner.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[crawl]\n", f'[crawl]\nredis = "{url}"\n', 1), "utf-8")
    done = scan(command)
    assert done.returncode == 1, done.stderr  # a config with a mistake
    assert "s3cret" not in done.stderr + done.stdout
    assert "redis://scan:***@localhost:99999/0" in done.stderr


def test_mentions_shows_a_posts_title_before_its_text(scan, tmp_path):
    """An app-store review may say it all in its title: "scan mentions --search break"
    found the real review "Sucks say to take a break" over "M" and printed only "M",
    as if the search had matched nothing. Titles are shown as the report shows them:
    "title — text", none for a title the text opens with; cut to the terminal's width."""
    rows = [
        {"id": "r1", "title": "Sucks say to take a break", "text": "M", "rating": 1},
        {"id": "r2", "title": "Refund", "text": "Refund never came, still waiting"},
        {"id": "r3", "title": "Kein Geld " + "zurück " * 20, "text": "Nichts\x1b[2J passiert"},
    ]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert scan("--create", "import", "t.jsonl").returncode == 0
    found = scan("mentions", "--search", "break", env={"COLUMNS": "80"})
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[1].strip() == "Sucks say to take a break — M"
    listed = scan("mentions", env={"COLUMNS": "80"}).stdout.splitlines()
    pairs = zip(listed[::2], listed[1::2], strict=True)
    texts = {head.split()[-2]: body.strip() for head, body in pairs}
    assert texts["r2"] == "Refund never came, still waiting"  # the title it opens with, once
    assert texts["r3"].startswith("Kein Geld zurück") and texts["r3"].endswith("…")
    assert all(text_cells(line) <= 80 for line in listed) and "\x1b" not in "".join(listed)


def test_mentions_help_says_what_the_mark_before_a_date_means(scan):
    """A listing marks grievances with "!" before the date; nothing said so."""
    shown = scan("mentions", "--help", env={"COLUMNS": "80"})
    assert '"!" before the date marks a grievance' in " ".join(shown.stdout.split())


def test_a_mentions_csv_export_is_read_back_by_import_as_it_was_stored(scan, tmp_path):
    """The CSV listed a rating without its scale and said nothing of which posts are
    grievances: an analyst's export lost both, and imported again a 7 of 10 read as
    7 of 5 and a hand-marked grievance as whatever its rating made it."""
    rows = [
        {
            "id": "a1",
            "source": "box",
            "text": "Charged twice, no refund",
            "rating": 7,
            "rating_scale": 10,
            "author": "Ana",
            "published_at": "2026-03-01",
            "grievance": "no",
        },
        {
            "id": "a2",
            "source": "box",
            "text": "La app se cierra, nadie responde",
            "language": "es",
            "title": "Mal",
            "url": "https://x.example/2",
        },
        {
            "id": "a3",
            "source": "shop",
            "text": "Lovely staff",
            "rating": 5,
            "published_at": "2026-03-02T10:00:00+00:00",
        },
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert scan("--create", "import", "in.jsonl").returncode == 0
    export = scan("mentions", "--format", "csv", "--limit", "0")
    assert export.returncode == 0, export.stderr
    (tmp_path / "out.csv").write_text(export.stdout, "utf-8")
    done = scan("--db", "again.db", "--create", "import", "out.csv")
    assert done.returncode == 0, done.stderr
    fields = (
        "id, source, company, author, published_at, rating, rating_scale, language, "
        "is_grievance, url, title, text"
    )
    query = f"SELECT {fields} FROM mentions ORDER BY id"
    first = sqlite3.connect(tmp_path / "scan.db").execute(query).fetchall()
    second = sqlite3.connect(tmp_path / "again.db").execute(query).fetchall()
    assert second == first
    assert [r[8] for r in first] == [0, 1, 0]  # a1 marked no grievance by hand


def test_an_import_of_a_file_without_rows_says_so(scan, tmp_path):
    """A nightly import of an export that failed (an empty file, a header alone)
    printed "0 row(s) read" and nothing on stderr, so cron mailed no one."""
    (tmp_path / "empty.jsonl").write_text("\n\n", "utf-8")
    (tmp_path / "header.csv").write_text("id,text\n", "utf-8")
    (tmp_path / "one.csv").write_text("id,text\nr1,Refund never came\n", "utf-8")
    done = scan("--create", "import", "empty.jsonl", "header.csv", "one.csv")
    assert done.returncode == 0, done.stderr
    said = done.stderr.splitlines()
    assert said == [
        "empty.jsonl: no rows in it (an empty file, blank lines, or a CSV header alone)",
        "header.csv: no rows in it (an empty file, blank lines, or a CSV header alone)",
    ]
