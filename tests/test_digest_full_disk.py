"""A digest the database cannot record is not sent (the e-mail twice otherwise).

The SMTP server is real (aiosmtpd on 127.0.0.1, ``tests/test_digest.py``), and so
is the full disk: a tmpfs filled until a few tens of kilobytes are left
(``tests/mounts.py``), enough to open the database but not always to write to it.
"""

from __future__ import annotations

import pytest

from tests.mounts import run_on_mount
from tests.test_digest import seed_basic, smtp, write_config  # noqa: F401 - a fixture


# From room to open the database but not to write it, to room for both; the
# bounds move a little with SQLite's version, so the test walks across them.
@pytest.mark.parametrize("free_kib", range(34, 50, 2))
def test_a_digest_is_sent_only_when_it_can_be_recorded(tmp_path, smtp, free_kib):  # noqa: F811
    """On a disk full enough to refuse the digest's record, the message went out,
    the record failed, and the error said to run the command again: every run
    mailed the same changes once more. Now nothing is sent then."""
    folder = tmp_path / "src"
    folder.mkdir()
    seed_basic(folder)
    write_config(folder, smtp.port)
    (ran,) = run_on_mount(
        tmp_path / "mnt",
        [["digest"]],
        free=free_kib * 1024,
        check_db="scan.db",
        query="SELECT COUNT(*) FROM digests WHERE sent_at IS NOT NULL",
        copy={"scan.db": folder / "scan.db", "scanner.toml": folder / "scanner.toml"},
    )
    assert ran.check == "ok 4", ran.check
    assert ran.rows == [[len(smtp.messages)]], (ran.stdout, ran.stderr)  # each sent is recorded
    if smtp.messages:
        assert ran.returncode == 0, ran.stderr
    else:
        assert ran.returncode == 1
        assert len(ran.stderr.splitlines()) == 1, ran.stderr
        assert "disk is full" in ran.stderr or "no space left" in ran.stderr, ran.stderr
        assert "Traceback" not in ran.stderr
