"""``[privacy] authors``: names hashed or dropped in the store, counts kept, contacts masked.

Databases are real files; the CLI runs as a subprocess with the key in its
environment, as a user (or cron) would run it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scanner.errors import ConfigError
from scanner.privacy import KEY_ENV, PrivacyError
from scanner.store import Store, content_hash
from scanner.store.authors import enforce, recorded
from tests.conftest import run_scan
from tests.report_support import AS_OF, GROUPS

KEY = "0123456789abcdef" * 4
OTHER_KEY = "fedcba9876543210" * 4
NAMES = ["Ravi", "Maria", "Chen", "Priya", "acct_one", "acct_three"]


def _env(key: str | None = KEY) -> dict[str, str]:
    return {KEY_ENV: key} if key else {KEY_ENV: ""}


def _set_mode(config: Path, mode: str) -> None:
    text = config.read_text("utf-8").split("\n[privacy]")[0]
    config.write_text(f'{text}\n[privacy]\nauthors = "{mode}"\n', encoding="utf-8")


def _switch(tmp_path: Path, key: str | None = KEY) -> str:
    """A command that writes (here: importing the same posts again, which changes
    nothing else) brings the database to the config's mode; its note is returned.
    Reading commands never write, so they never switch."""
    done = run_scan("import", str(tmp_path / "posts.jsonl"), cwd=tmp_path, env=_env(key))
    assert done.returncode == 0, done.stderr
    return done.stderr


def _report(tmp_path: Path, *args: str, key: str | None = KEY) -> dict:
    done = run_scan(
        "report", "--format", "json", "--all", "--as-of", AS_OF, *args, cwd=tmp_path, env=_env(key)
    )
    assert done.returncode == 0, done.stderr
    return {"json": json.loads(done.stdout), "stderr": done.stderr}


def _people_by_members(report: dict) -> dict[frozenset[str], tuple[int, int, list[str]]]:
    """Each grievance (named by its member ids) -> (people, mentions, flags)."""
    out = {}
    for item in report["clusters"] + report["issues"]:
        ids = frozenset(m["id"] for m in item["members"])
        out[ids] = (item["people"], item["mentions"], sorted(item["flags"]))
    return out


def _file_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


def test_switching_to_hash_rewrites_in_place_and_people_counts_stay_equal(tmp_path, report_copy):
    config = report_copy  # the report database, copied into tmp_path
    assert run_scan("issues", cwd=tmp_path).returncode == 0
    db = tmp_path / "report.db"
    with sqlite3.connect(db) as conn:
        ids_before = sorted(r[0] for r in conn.execute("SELECT id FROM mentions"))
    before = _report(tmp_path)["json"]
    assert before["privacy"] == {"authors": "keep"}
    assert all(name.encode() in _file_bytes(db) for name in NAMES)

    _set_mode(config, "hash")
    assert "authors keep -> hash" in _switch(tmp_path)
    after = _report(tmp_path)
    assert after["json"]["privacy"] == {"authors": "hash"}
    # No post lost, and every grievance and issue counts the same people, mentions, flags.
    with sqlite3.connect(db) as conn:
        ids_after = sorted(r[0] for r in conn.execute("SELECT id FROM mentions"))
        authors = [r[0] for r in conn.execute("SELECT author FROM mentions")]
    assert ids_after == ids_before
    assert _people_by_members(after["json"]) == _people_by_members(before)
    assert all(a.startswith("anon-") for a in authors)
    # The cross-poster ("Ravi", "  @RAVI ") is one pseudonym on both sites.
    refund = {m["id"]: m["author"] for m in _members(after["json"], "R-1")}
    assert refund["R-1"] == refund["R-2"]
    # No stored name is left anywhere in the file (free pages and WAL included).
    data = _file_bytes(db)
    assert not [name for name in NAMES if name.encode() in data]
    # Grouping after the switch (the content changed: a rebuild) keeps the counts too.
    assert run_scan("cluster", cwd=tmp_path, env=_env()).returncode == 0
    regrouped = _report(tmp_path)["json"]
    assert _people_by_members(regrouped) == _people_by_members(before)
    # A second run switches nothing.
    assert "privacy:" not in _report(tmp_path)["stderr"]


def _members(report: dict, member_id: str) -> list[dict]:
    return next(
        c["members"] for c in report["clusters"] if member_id in {m["id"] for m in c["members"]}
    )


def test_hash_without_a_key_refuses_and_changes_nothing(tmp_path, report_copy):
    config = report_copy  # the report database, copied into tmp_path
    _set_mode(config, "hash")
    done = run_scan("report", cwd=tmp_path, env=_env(None))
    assert done.returncode == 1
    assert KEY_ENV in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    short = run_scan("import", str(tmp_path / "posts.jsonl"), cwd=tmp_path, env=_env("short"))
    assert short.returncode == 1 and "at least 32" in short.stderr
    with Store(tmp_path / "report.db") as store:
        assert recorded(store.db).mode == "keep"
        assert store.db.execute("SELECT author FROM mentions WHERE id = 'R-1'").fetchone() == (
            "Ravi",
        )


def test_nightly_without_the_key_refuses_before_it_crawls(tmp_path, report_copy):
    config = report_copy  # the report database, copied into tmp_path
    _set_mode(config, "hash")
    done = run_scan("nightly", cwd=tmp_path, env=_env(None))
    assert done.returncode == 1
    assert KEY_ENV in done.stderr and "nightly crawl" not in done.stdout
    with Store(tmp_path / "report.db") as store:
        assert recorded(store.db).mode == "keep"
        assert store.db.execute("SELECT COUNT(*) FROM runs WHERE kind = 'nightly'").fetchone() == (
            0,
        )


def test_a_database_hashed_with_one_key_refuses_another(tmp_path, report_copy):
    config = report_copy  # the report database, copied into tmp_path
    _set_mode(config, "hash")
    _switch(tmp_path)
    done = run_scan("import", str(tmp_path / "posts.jsonl"), cwd=tmp_path, env=_env(OTHER_KEY))
    assert done.returncode == 1
    assert "not the key this database" in done.stderr


def test_removing_the_privacy_table_never_brings_names_back(tmp_path, report_copy):
    config = report_copy  # the report database, copied into tmp_path
    _set_mode(config, "hash")
    _switch(tmp_path)
    config.write_text(config.read_text("utf-8").split("\n[privacy]")[0], encoding="utf-8")
    new = tmp_path / "new.jsonl"
    record = {"id": "N-1", "author": "Newcomer", "text": GROUPS["solo"][0]["text"]}
    new.write_text(json.dumps(record) + "\n", encoding="utf-8")
    done = run_scan("import", str(new), cwd=tmp_path, env=_env())
    assert done.returncode == 0, done.stderr
    assert "privacy:" not in done.stderr
    with Store(tmp_path / "report.db") as store:
        assert recorded(store.db).mode == "hash"
        (author,) = store.db.execute("SELECT author FROM mentions WHERE id = 'N-1'").fetchone()
    assert author.startswith("anon-")


def test_back_to_keep_says_what_it_cannot_undo(tmp_path, report_copy):
    config = report_copy  # the report database, copied into tmp_path
    _set_mode(config, "hash")
    _switch(tmp_path)
    _set_mode(config, "keep")
    note = _switch(tmp_path, key=None)
    assert "keep their pseudonyms" in note and "counted twice" in note


def test_drop_stores_no_author_and_the_report_says_each_post_is_a_person(tmp_path, report_copy):
    config = report_copy  # the report database, copied into tmp_path
    _set_mode(config, "drop")
    _switch(tmp_path, key=None)
    report = _report(tmp_path, key=None)["json"]
    assert report["privacy"] == {"authors": "drop"}
    with sqlite3.connect(tmp_path / "report.db") as conn:
        assert conn.execute(
            "SELECT COUNT(*) FROM mentions WHERE author IS NOT NULL"
        ).fetchone() == (0,)
    # The cross-poster now counts once per post.
    refund = next(c for c in report["clusters"] if "R-1" in {m["id"] for m in c["members"]})
    assert refund["people"] == refund["mentions"] == 4
    assert "authors stored  drop" in run_scan("stats", cwd=tmp_path).stdout
    for fmt in ("text", "markdown", "html"):
        done = run_scan("report", "--format", fmt, "--as-of", AS_OF, cwd=tmp_path)
        assert "every post counts as its own person" in " ".join(done.stdout.split()), fmt


# -- the store's one door, in process -------------------------------------------------------


def _row(pid: str, author: str | None, source: str = "reviews", **fields: object) -> dict:
    return {
        "id": pid,
        "company": "Acme",
        "source": source,
        "external_id": pid,
        "origin": "crawl",
        "author": author,
        "is_grievance": True,
        "text": "refund never came",
        **fields,
    }


def test_every_upsert_under_hash_stores_pseudonyms_and_masks_contacts(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with Store(tmp_path / "x.db") as store:
        enforce(store, "hash")
        raw = _row(
            "a",
            "Priya Venkat",
            title="Call me on +44 20 7946 0958",
            text="Refund never came; write to priya.v@example.com or 020 7946 0958",
            extra={"location": "Leeds, UK", "reply": "Mail help@acme.example"},
        )
        store.upsert_mentions([raw, _row("b", "@PRIYA  venkat", source="forum")])
        rows = {r["id"]: r for r in store.db["mentions"].rows}
        a, b = rows["a"], rows["b"]
        assert a["author"] == b["author"] and a["author"].startswith("anon-")
        assert a["title"] == "Call me on [phone]"
        assert a["text"] == "Refund never came; write to [e-mail] or [phone]"
        assert json.loads(a["extra"]) == {"reply": "Mail [e-mail]"}
        # The stored hash is not one a guessed name would reproduce next to the stored text.
        assert a["content_hash"] != content_hash({**raw, "text": a["text"], "title": a["title"]})
        # The same raw post again is unchanged; an edit is an update.
        again = store.upsert_mentions([raw])
        assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
        edited = store.upsert_mentions([{**raw, "text": "Refund came at last"}])
        assert edited.updated == 1
        # A different key is refused at the door, before anything is written.
        monkeypatch.setenv(KEY_ENV, OTHER_KEY)
        with pytest.raises(PrivacyError, match="not the key"):
            store.upsert_mentions([_row("c", "Someone")])
        assert store.db.execute("SELECT COUNT(*) FROM mentions").fetchone() == (2,)


def test_a_switch_that_fails_half_way_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    from scanner import privacy

    with Store(tmp_path / "x.db") as store:
        store.upsert_mentions([_row(f"p{i}", f"person {i}") for i in range(30)])
        calls = {"n": 0}
        real = privacy.AuthorPolicy.scrub

        def failing(self, row):  # a crash on the 20th post, mid-rewrite
            calls["n"] += 1
            if calls["n"] == 20:
                raise RuntimeError("disk pulled out")
            return real(self, row)

        monkeypatch.setattr(privacy.AuthorPolicy, "scrub", failing)
        with pytest.raises(RuntimeError):
            enforce(store, "drop")
        assert recorded(store.db).mode == "keep"
        names = [r[0] for r in store.db.execute("SELECT author FROM mentions ORDER BY rowid")]
        assert names == [f"person {i}" for i in range(30)]


def test_config_accepts_only_the_three_modes(tmp_path):
    from scanner.config import load_config

    path = tmp_path / "scanner.toml"
    path.write_text('[company]\nname = "A"\n[privacy]\nauthors = "blur"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r'line 4: \[privacy\] `authors` must be one of "keep"'):
        load_config(path)
    path.write_text('[company]\nname = "A"\n[privacy]\nauthors = "hash"\n', encoding="utf-8")
    assert load_config(path).privacy.authors == "hash"
    path.write_text('[company]\nname = "A"\n', encoding="utf-8")
    assert load_config(path).privacy.authors is None


@pytest.mark.parametrize("mode", ["hash", "drop"])
def test_imported_posts_named_by_a_hash_with_the_author_get_new_ids(tmp_path, mode):
    """A record without an id is named by a hash of source, author, date and text:
    next to the stored text that lets anyone test a guessed name. A switch renames
    such posts (and what points at them); re-importing the file adds nothing."""
    text = "Refund never came for order 5521, support silent, write to {}"
    records = [
        {
            "author": f"Person {i}",
            "text": text.format(f"p{i}@example.com"),
            "published_at": f"2026-11-0{1 + i % 2}T10:00:00+02:00",
        }
        for i in range(6)
    ]
    (tmp_path / "scanner.toml").write_text('db = "x.db"\n[company]\nname = "Acme"\n', "utf-8")
    source = tmp_path / "box.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    assert run_scan("--create", "import", str(source), cwd=tmp_path).returncode == 0
    assert run_scan("cluster", cwd=tmp_path).returncode == 0
    db = tmp_path / "x.db"
    with sqlite3.connect(db) as conn:
        old_ids = sorted(r[0] for r in conn.execute("SELECT id FROM mentions"))
    _set_mode(tmp_path / "scanner.toml", mode)
    switched = run_scan("import", str(source), cwd=tmp_path, env=_env())
    assert switched.returncode == 0, switched.stderr
    assert "6 imported posts without an id of their own have new ids" in switched.stderr
    assert "6 row(s) read: 0 new, 0 updated, 6 unchanged" in switched.stdout
    with sqlite3.connect(db) as conn:
        new_ids = sorted(r[0] for r in conn.execute("SELECT id FROM mentions"))
        members = sorted(r[0] for r in conn.execute("SELECT mention_id FROM cluster_members"))
        representatives = {r[0] for r in conn.execute("SELECT representative_id FROM clusters")}
    assert len(new_ids) == len(old_ids) == 6  # renamed, none lost, none added
    assert not set(new_ids) & set(old_ids)
    assert members == new_ids and representatives <= set(new_ids)
    data = _file_bytes(db)
    assert not [i for i in old_ids if i.split(":")[1].encode() in data]
    again = run_scan("import", str(source), cwd=tmp_path, env=_env())
    assert again.returncode == 0 and "privacy:" not in again.stderr
    assert "0 new, 0 updated, 6 unchanged" in again.stdout
    with sqlite3.connect(db) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT id FROM mentions")) == new_ids


def test_drop_keeps_records_that_differ_only_in_masked_contact_details(tmp_path):
    text = "Please call me back on {} about my refund"
    records = [
        {
            "author": "Anonymous",
            "text": text.format(f"020 7946 09{i:02d}"),
            "published_at": "2026-11-01",
        }
        for i in range(4)
    ]
    (tmp_path / "scanner.toml").write_text(
        'db = "x.db"\n[company]\nname = "Acme"\n[privacy]\nauthors = "drop"\n', "utf-8"
    )
    source = tmp_path / "box.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    first = run_scan("--create", "import", str(source), cwd=tmp_path)
    assert "4 new" in first.stdout, first.stdout + first.stderr
    again = run_scan("import", str(source), cwd=tmp_path)
    assert "0 new, 0 updated, 4 unchanged" in again.stdout
    with sqlite3.connect(tmp_path / "x.db") as conn:
        texts = {r[0] for r in conn.execute("SELECT text FROM mentions")}
    assert texts == {text.format("[phone]")}
