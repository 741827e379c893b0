"""Config: the documented keys load; unknown keys and wrong types are one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.config import load_config
from scanner.errors import ConfigError
from scanner.starter import STARTER

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[company]\nname = "A"\ncolour = "red"\n', "company.colour (line 3): unknown key"),
        ('db = 5\n[company]\nname = "A"\n', "db (line 1): expected a path"),
        (
            '[company]\nname = "A"\naliases = "A Corp"\n',
            "company.aliases (line 3): expected a list",
        ),
        (
            '[company]\nname = "A"\n[digest]\nsmtp_port = "25"\n',
            "digest.smtp_port (line 4): expected a port",
        ),
        (
            '[company]\nname = "A"\n[digest]\nsmtp_security = "ssl"\n',
            'expected "starttls", "tls" or "none"',
        ),
        ('[company]\nname = "A"\n[[sources]]\nname = "x"\nspider = "nope"\n', "sources[0].spider"),
        ("[company]\naliases = []\n", "company.name: missing"),
        ('[company\nname = "A"\n', "not valid TOML"),
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
        (SOURCE + "max_pages = 0\n", "sources[0].max_pages (line 6): expected at least 1 page"),
        (SOURCE + "max_pages = -5\n", "sources[0].max_pages (line 6): expected at least 1 page"),
        ('[company]\nname = "A"\n[crawl]\nmax_pages = 0\n', "crawl.max_pages (line 4)"),
        (SOURCE + "download_delay = -1\n", "download_delay (line 6): expected 0 seconds or more"),
        (SOURCE + "concurrency = 0\n", "sources[0].concurrency (line 6): expected at least 1"),
        (SOURCE + "max_minutes = 0\n", "sources[0].max_minutes (line 6): expected more than 0"),
        ('[company]\nname = "A"\n[crawl]\nmax_minutes = -1\n', "crawl.max_minutes (line 4)"),
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
