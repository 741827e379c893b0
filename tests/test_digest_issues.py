"""The digest's systemic issues are news when they are new or grew, as its grievances:
night after night it had listed every systemic issue again, even under "Nothing
changed", and an issue that turned systemic sent nothing under ``--skip-empty``.

Real parts: the labelled reviews of a made-up chat app imported into a SQLite file,
``scan cluster`` and ``scan issues`` as a nightly runs them, and the digest sent to
an SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from scanner.store import Store
from tests.test_digest import parts, smtp, write_config  # noqa: F401 - smtp: a fixture
from tests.test_issues import FIXTURE


def import_rows(scan, tmp_path, rows: list[dict]) -> None:
    now = datetime.now(UTC)
    lines = [
        json.dumps(
            {
                "id": r["id"],
                "author": r["author"],
                "text": r["text"],
                "grievance": r["grievance"],
                "published_at": (now - timedelta(days=r["days_ago"])).isoformat(),
            }
        )
        for r in rows
    ]
    (tmp_path / "rows.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in (["--create", "import", "rows.jsonl"], ["cluster"], ["issues"]):
        done = scan(*command)
        assert done.returncode == 0, done.stderr


def age_issue(tmp_path) -> tuple[int, str]:
    with Store(tmp_path / "scan.db") as store:
        return store.db.execute(
            "SELECT id, name FROM issues WHERE name LIKE '%age verification%'"
        ).fetchone()


def test_systemic_issues_are_listed_when_new_or_grown_and_counted_otherwise(
    tmp_path,
    scan,
    smtp,  # noqa: F811 - the fixture imported above
):
    write_config(tmp_path, smtp.port, extra='aliases = ["Chatterly app"]')
    config = (tmp_path / "scanner.toml").read_text(encoding="utf-8")
    (tmp_path / "scanner.toml").write_text(config.replace('"Acme"', '"Chatterly"'), "utf-8")
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    import_rows(scan, tmp_path, rows)
    assert scan("digest").returncode == 0
    first = parts(smtp.messages[0])["text/plain"]
    issue, name = age_issue(tmp_path)
    assert f"Issue {issue}: {name}" in first
    # The subject opens with the systemic issues: "0 systemic grievances" first read
    # as nothing to see.
    listed = sum(1 for line in first.splitlines() if line.lstrip().startswith("Issue "))
    subject = smtp.messages[0]["Subject"]
    assert subject.startswith(f"[scan] Chatterly: {listed} systemic issue"), subject

    quiet = scan("digest", "--skip-empty")
    assert quiet.returncode == 0 and "nothing sent" in quiet.stdout, quiet.stdout

    newcomers = [
        {
            "id": f"late:{i}",
            "author": f"newcomer{i}",
            "grievance": True,
            "days_ago": 0.1,
            "text": f"The age verification rejected my ID again, attempt {i}.",
        }
        for i in range(3)
    ]
    import_rows(scan, tmp_path, newcomers)
    assert scan("digest", "--skip-empty").returncode == 0
    assert len(smtp.messages) == 2
    grown = parts(smtp.messages[1])["text/plain"]
    listed = [line for line in grown.splitlines() if line.lstrip().startswith("Issue ")]
    assert len(listed) == 1 and f"Issue {issue}: {name}" in listed[0], grown
    assert "(+3)" in listed[0]
    assert "more systemic issue" in grown and "unchanged since the last digest" in grown
    assert "Nothing changed" not in grown


def test_a_digest_builds_each_issue_once(tmp_path, scan, monkeypatch):
    # Its section and the state it records both read the issues: each was masked,
    # quoted and cut twice per digest.
    from scanner.config import load_config
    from scanner.digest import changes
    from scanner.digest.service import compose

    write_config(tmp_path, 25)
    config = (tmp_path / "scanner.toml").read_text(encoding="utf-8")
    (tmp_path / "scanner.toml").write_text(config.replace('"Acme"', '"Chatterly"'), "utf-8")
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    import_rows(scan, tmp_path, rows)
    built: list[int] = []
    original = changes.issue_view

    def counted(issue, rules):
        built.append(issue.id)
        return original(issue, rules)

    monkeypatch.setattr(changes, "issue_view", counted)
    with Store(tmp_path / "scan.db") as store:
        digest = compose(store, load_config(tmp_path / "scanner.toml"))
    (listed,) = [s for s in digest.sections if s.key == "issues"]
    assert listed.items and set(digest.state["issues"]) == {str(i.id) for i in listed.items}
    assert sorted(built) == sorted(set(built)), built
