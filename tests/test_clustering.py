"""``scan cluster`` against a real SQLite file: stable ids, incremental = rebuild."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from rapidfuzz import fuzz

from scanner.cli import cli
from scanner.clustering.run import run
from scanner.clustering.settings import load_params
from scanner.grouping import sorted_key
from scanner.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "grouping"


def _labelled() -> list[tuple[str, str]]:
    groups = json.loads((FIXTURES / "labelled.json").read_text(encoding="utf-8"))["groups"]
    return [(name, text) for name, texts in groups.items() for text in texts]


def _rows(items: list[tuple[str, str]], start: int = 0, company: str = "Acme", **extra) -> list:
    return [
        {
            "id": f"{company}:{start + k}",
            "company": company,
            "source": "import",
            "external_id": f"{company}:{start + k}",
            "origin": "import",
            "text": text,
            "is_grievance": 1,
            **extra,
        }
        for k, (_, text) in enumerate(items)
    ]


def _members(path: Path) -> dict[str, int]:
    with Store(path) as s:
        return dict(s.db.execute("SELECT mention_id, cluster_id FROM cluster_members"))


def _clusters(path: Path) -> list[tuple]:
    with Store(path) as s:
        return s.db.execute(
            "SELECT id, company, representative_id, size, merged_into, categories "
            "FROM clusters ORDER BY id"
        ).fetchall()


def _partition(members: dict[str, int]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for m, c in members.items():
        groups.setdefault(c, set()).add(m)
    return {frozenset(g) for g in groups.values()}


def test_labelled_groups_become_clusters(tmp_path: Path) -> None:
    items = _labelled()
    with Store(tmp_path / "scan.db") as store:
        store.upsert_mentions(_rows(items))
        store.upsert_mentions(
            [{**_rows([("x", "not a grievance at all")], 900)[0], "is_grievance": 0}]
        )
        result = run(store)
        assert result.new_grievances == len(items)
        assert result.clusters_created == result.total_clusters == len({n for n, _ in items})
        run_row = store.db.execute("SELECT kind, status, items FROM runs").fetchall()
        assert run_row == [("cluster", "ok", len(items))]
    members = _members(tmp_path / "scan.db")
    assert "Acme:900" not in members
    by_name: dict[str, set[int]] = {}
    for k, (name, _) in enumerate(items):
        by_name.setdefault(name, set()).add(members[f"Acme:{k}"])
    assert all(len(ids) == 1 for ids in by_name.values())
    assert len({min(ids) for ids in by_name.values()}) == len(by_name)
    for cid, _, rep, size, merged, _ in _clusters(tmp_path / "scan.db"):
        assert members[rep] == cid and merged is None
        assert size == sum(1 for c in members.values() if c == cid)


def test_each_company_is_grouped_separately(tmp_path: Path) -> None:
    items = _labelled()[:5]
    with Store(tmp_path / "scan.db") as store:
        store.upsert_mentions(_rows(items, company="Acme") + _rows(items, company="Globex"))
        run(store)
        run(store, company="Globex", rebuild=True)
    clusters = _clusters(tmp_path / "scan.db")
    assert sorted(c[1] for c in clusters) == ["Acme", "Globex"]


def test_incremental_equals_rebuild_and_ids_never_change(tmp_path: Path) -> None:
    items = _labelled()
    nights = [items[0::3], items[1::3], items[2::3]]
    night_db = tmp_path / "nightly.db"
    seen: dict[str, int] = {}
    start = 0
    with Store(night_db) as store:
        for night in nights:
            store.upsert_mentions(_rows(night, start))
            start += len(night)
            result = run(store)
            assert result.rebuilt == []
            members = dict(store.db.execute("SELECT mention_id, cluster_id FROM cluster_members"))
            assert all(members[m] == c for m, c in seen.items()), "a cluster id changed"
            seen = members
        again = run(store)
        assert (again.new_grievances, again.clusters_created, again.merges) == (0, 0, 0)
    # the same data grouped at once, in a fresh database
    fresh_db = tmp_path / "fresh.db"
    with Store(fresh_db) as store:
        start = 0
        for night in nights:
            store.upsert_mentions(_rows(night, start))
            start += len(night)
        run(store, rebuild=True)
    assert _partition(_members(night_db)) == _partition(_members(fresh_db))
    assert [c[1:] for c in _clusters(night_db)] == [c[1:] for c in _clusters(fresh_db)]
    # and rebuilt in place: nothing moves, no id changes
    before_members, before_clusters = _members(night_db), _clusters(night_db)
    with Store(night_db) as store:
        rebuilt = run(store, rebuild=True)
    assert rebuilt.rebuilt == ["Acme"] and rebuilt.clusters_created == 0
    assert _members(night_db) == before_members
    assert _clusters(night_db) == before_clusters


# T1 and T2 restate BASE differently and are not near-duplicates of each other
# (they found two clusters); BASE and then NEAR join T1's cluster, its
# representative moves to the middle, close to T2: the two clusters merge.
BASE = (
    "the app logs me out every time i open the statements page and the support chat "
    "says it is a known issue with no date for a fix"
)
T1 = BASE.replace("logs me", "logs kicks").replace("support chat", "bot chat")
T1 = T1.replace("the statements", "my statements")
T2 = BASE.replace("a known", "a problem").replace("a fix", "repair fix")
T2 = T2.replace("no date", "zero date")
NEAR = BASE.replace("statements", "statement")


def test_merge_keeps_the_older_id_and_is_recorded(tmp_path: Path) -> None:
    params = load_params()
    assert fuzz.ratio(sorted_key(T1), sorted_key(T2)) < params.merge_threshold
    assert fuzz.ratio(sorted_key(T1), sorted_key(BASE)) >= params.threshold
    path = tmp_path / "scan.db"
    with Store(path) as store:
        store.upsert_mentions(_rows([("", T1), ("", T2), ("", BASE)]))
        run(store)
        before = _members(path)
        assert before["Acme:0"] == before["Acme:2"] != before["Acme:1"]
        store.upsert_mentions(_rows([("", NEAR)], 3))
        result = run(store)
        assert result.merges == 1 and result.clusters_created == 0
        merges = store.db.execute("SELECT from_cluster, into_cluster, run_id FROM cluster_merges")
        assert merges.fetchall() == [(before["Acme:1"], before["Acme:0"], result.run_id)]
    after = _members(path)
    assert set(after.values()) == {before["Acme:0"]}
    clusters = {c[0]: c for c in _clusters(path)}
    assert clusters[before["Acme:1"]][3:5] == (0, before["Acme:0"])
    assert clusters[before["Acme:0"]][3] == 4
    # a rebuild on the same data agrees
    shutil.copy(path, tmp_path / "copy.db")
    with Store(tmp_path / "copy.db") as store:
        run(store, rebuild=True)
    assert _members(tmp_path / "copy.db") == after


def test_edited_grievance_forces_a_rebuild_that_keeps_ids(tmp_path: Path) -> None:
    items = _labelled()
    path = tmp_path / "scan.db"
    with Store(path) as store:
        store.upsert_mentions(_rows(items))
        run(store)
        before = _members(path)
        edited = _rows(items)[0]
        edited["text"] = "Completely different: the shop charged a restocking fee nobody mentioned."
        store.upsert_mentions([edited])
        result = run(store)
        assert result.rebuilt == ["Acme"]
    after = _members(path)
    assert after["Acme:0"] != before["Acme:0"]
    assert all(after[m] == before[m] for m in before if m != "Acme:0")


def test_categories_are_the_union_of_members(tmp_path: Path) -> None:
    items = _labelled()[:5]  # one group of five
    rows = _rows(items)
    rows[0]["categories"] = ["refund"]
    rows[3]["categories"] = ["customer-service", "refund"]
    with Store(tmp_path / "scan.db") as store:
        store.upsert_mentions(rows)
        run(store)
    (cluster,) = _clusters(tmp_path / "scan.db")
    assert json.loads(cluster[5]) == ["customer-service", "refund"]


def test_a_failure_while_writing_leaves_the_previous_state(tmp_path: Path) -> None:
    path = tmp_path / "scan.db"
    items = _labelled()
    with Store(path) as store:
        store.upsert_mentions(_rows(items[:10]))
        run(store)
        before = (_members(path), _clusters(path))
        store.upsert_mentions(_rows(items[10:], 10))
        # A real SQLite failure in the middle of the writes (think: disk full).
        store.db.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON cluster_members WHEN NEW.mention_id = 'Acme:20' "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        with pytest.raises(sqlite3.DatabaseError, match="disk full"):
            run(store)
        status = store.db.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        assert status == ("failed",)
        assert store.db.execute("SELECT COUNT(*) FROM grouping_index").fetchone()[0] == 10
    assert (_members(path), _clusters(path)) == before
    with Store(path) as store:
        store.db.execute("DROP TRIGGER boom")
        assert run(store).new_grievances == len(items) - 10


def test_cli_prints_one_line_summary(tmp_path: Path) -> None:
    path = tmp_path / "scan.db"
    with Store(path) as store:
        store.upsert_mentions(_rows(_labelled()))
    result = CliRunner().invoke(cli, ["--db", str(path), "cluster"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    groups = len({name for name, _ in _labelled()})
    assert len(lines) == 1
    assert lines[0].startswith(f"{len(_labelled())} new grievances: {groups} clusters created")
    again = CliRunner().invoke(cli, ["--db", str(path), "cluster", "--company", "Acme"])
    assert again.output.startswith(
        f"0 new grievances: 0 clusters created, 0 grown, 0 merged; {groups}"
    )


def test_changed_rules_regroup_from_scratch(tmp_path: Path, monkeypatch) -> None:
    from scanner.rules import load_rules, rules_path

    path = tmp_path / "scan.db"
    with Store(path) as store:
        store.upsert_mentions(_rows(_labelled()))
        run(store)
    before = _members(path)
    rules = tmp_path / "rules"
    rules.mkdir()
    text = rules_path("grouping.toml").read_text(encoding="utf-8")
    (rules / "grouping.toml").write_text(text.replace("threshold = 85", "threshold = 90"))
    monkeypatch.setenv("SCAN_RULES_DIR", str(rules))
    load_rules.cache_clear()
    try:
        with Store(path) as store:
            result = run(store)
    finally:
        monkeypatch.undo()
        load_rules.cache_clear()
    assert result.rebuilt == ["Acme"]
    assert _members(path) == before  # these restatements are close enough either way


def test_progress_is_silent_when_stderr_is_not_a_terminal(tmp_path: Path, capsys) -> None:
    with Store(tmp_path / "scan.db") as store:
        store.upsert_mentions(_rows(_labelled()))
        result = run(store, progress=True)
    assert capsys.readouterr().err == ""
    assert set(result.stages) >= {"normalise", "pairs", "score", "cluster", "write"}


def test_a_bulk_insert_rebuilds_the_indexes_it_dropped(tmp_path: Path) -> None:
    """A first grouping drops a table's indexes around its inserts (faster at a
    million rows): they come back as they were, and a unique one still refuses
    a duplicate, failing the whole transaction."""
    from scanner.clustering.store import insert_many

    sql = (
        "INSERT INTO grouping_index (mention_id, company, seq, content_hash, bands) "
        "VALUES (?, ?, ?, ?, ?)"
    )
    with Store(tmp_path / "scan.db") as store:
        db = store.db
        schema = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'grouping_index' ORDER BY 1"
        before = db.execute(schema).fetchall()
        assert any("UNIQUE" in (s or "") for _, s in before)
        with db.atomic():
            insert_many(
                db,
                "grouping_index",
                sql,
                [(f"m{i}", "Acme", i, "h", b"") for i in range(5)],
                5,
                least=0,
            )
        assert db.execute(schema).fetchall() == before
        assert db.execute("SELECT COUNT(*) FROM grouping_index").fetchone()[0] == 5
        rows = [("a", "Acme", 1, "h", b""), ("b", "Acme", 1, "h", b"")]  # the same seq twice

        def replace_with_duplicates() -> None:
            with db.atomic():
                db.execute("DELETE FROM grouping_index")
                insert_many(db, "grouping_index", sql, rows, 2, least=0)

        with pytest.raises(sqlite3.IntegrityError):
            replace_with_duplicates()
        assert db.execute("SELECT COUNT(*) FROM grouping_index").fetchone()[0] == 5
        assert db.execute(schema).fetchall() == before


def test_posts_that_name_no_problem_never_make_a_cluster(tmp_path: Path) -> None:
    # Six people writing "bad" (two of them on a later night) are not one grievance;
    # three asking to remove the limit are, whether grouped at once or night by night.
    vague = [("v", t) for t in ["bad", "Bad.", "bad!!", "so bad", "Acme is bad", "very bad"]]
    limit = [("l", t) for t in ["remove the limit", "Remove the limit!", "remove the limits"]]
    nights = [vague[:4] + limit[:2], vague[4:] + limit[2:]]
    db = tmp_path / "scan.db"
    with Store(db) as store:
        start = 0
        for night in nights:
            store.upsert_mentions(_rows(night, start))
            start += len(night)
            run(store)
    members = _members(db)
    by_kind: dict[str, list[int]] = {"v": [], "l": []}
    for k, (kind, _) in enumerate(nights[0] + nights[1]):
        by_kind[kind].append(members[f"Acme:{k}"])
    assert len(set(by_kind["v"])) == len(vague)
    assert len(set(by_kind["l"])) == 1


def test_a_rebuild_counts_a_cluster_that_gained_a_post_as_grown(tmp_path: Path) -> None:
    # One post leaves its cluster (edited into another grievance) as a near-duplicate
    # joins it: the cluster's size is what it was, and it grew all the same.
    items = _labelled()
    path = tmp_path / "scan.db"
    with Store(path) as store:
        store.upsert_mentions(_rows(items))
        run(store)
        before = _members(path)
        edited = _rows(items)[0]
        edited["text"] = "Completely different: the shop charged a restocking fee nobody mentioned."
        joining = _rows([items[0]], start=len(items))[0]
        store.upsert_mentions([edited, joining])
        result = run(store)
        assert result.rebuilt == ["Acme"]
    after = _members(path)
    home = before["Acme:0"]
    assert after[joining["id"]] == home and after["Acme:0"] != home
    assert result.clusters_grown == 1
