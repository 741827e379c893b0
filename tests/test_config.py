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


def test_init_writes_and_refuses_to_overwrite(scan, tmp_path):
    first = scan("init")
    assert first.returncode == 0 and (tmp_path / "scanner.toml").exists()
    second = scan("init")
    assert second.returncode == 1 and "--force" in second.stderr
