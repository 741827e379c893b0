"""Issues in the database: discover per company, keep ids stable, assign members.

Issue ids are user-visible ("scan report --issue 7"), so a theme must keep its
row night after night even when its name changes ("age" one night, "age
verification" the next) or new grievances arrive. A discovered issue takes the
row whose ``key`` is one of its phrases, else the row whose stored phrases it
shares most; only a theme with none of its phrases on record gets a new row.
A theme no longer found is retired (``retired_at``), never deleted, and comes
back to the same id if it returns. Members are rewritten on every run, in the
same transaction as the issues.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from scanner.config import Config
from scanner.errors import StoreError
from scanner.issues.discover import Discovery, FoundIssue, Grievance, discover
from scanner.issues.lexicon import Lexicon, key_text, phrase_key
from scanner.issues.settings import IssueRules, load_issue_rules
from scanner.judge.people import person_key
from scanner.store import Store, utcnow
from scanner.text.clean import REPLY_PREFIX


@dataclass
class IssueSummary:
    id: int
    name: str
    people: int
    grievances: int
    phrases: list[str]
    pinned: bool
    new: bool


@dataclass
class CompanyIssues:
    company: str
    grievances: int
    background: str  # "mentions" or "built-in"
    issues: list[IssueSummary] = field(default_factory=list)
    retired: int = 0
    ignored: dict[str, int] = field(default_factory=dict)  # [[ignored]] phrase: left out


@dataclass
class IssueRunResult:
    run_id: int
    companies: list[CompanyIssues]
    warnings: list[str] = field(default_factory=list)  # rules that apply to no company


def run(
    store: Store, config: Config, *, company: str | None = None, rules: IssueRules | None = None
) -> IssueRunResult:
    """Discover and assign the issues of one company (or every watched company)."""
    rules = rules or load_issue_rules()
    targets = (
        [config.company_named(company, stored=store.companies)] if company else config.companies
    )
    names = config.names
    names_watched = [c.name for c in config.companies]
    run_id = store.start_run("issues")
    results = []
    try:
        for target in targets:
            results.append(_one(store, target.name, names, rules))
    except Exception as exc:  # the run row records every failure, then it propagates
        store.finish_run(run_id, status="failed", errors=[str(exc)])
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"{store.path}: cannot write issues: {exc}") from exc
        raise
    store.finish_run(
        run_id,
        status="ok",
        items=sum(r.grievances for r in results),
        new=sum(1 for r in results for i in r.issues if i.new),
        stats={
            r.company: {
                "issues": len(r.issues),
                "retired": r.retired,
                "grievances": r.grievances,
                "background": r.background,
                "ignored": r.ignored,
            }
            for r in results
        },
    )
    return IssueRunResult(run_id, results, rules.unwatched(names_watched))


def own_words(title: str, text: str) -> str:
    """What a person wrote: the title and the text, except a reply's title. The
    Reddit and Hacker News spiders (and many a mail export) store a reply's title
    as "Re: " and its thread's title, which every reply in the thread shares: left
    in, a thread of nine comments would be an issue named after its question."""
    if not title or title.startswith(REPLY_PREFIX):
        return text
    return f"{title}\n{text}"


def _one(store: Store, company: str, names: list[str], rules: IssueRules) -> CompanyIssues:
    db = store.db
    rows = db.execute(
        "SELECT id, source, author, COALESCE(title, ''), text, "
        "COALESCE(published_at, first_seen_at), language FROM mentions "
        "WHERE company = ? AND is_grievance = 1 ORDER BY id",
        [company],
    ).fetchall()
    grievances = [
        Grievance(mid, person_key(author, source, text), own_words(title, text), language)
        for mid, source, author, title, text, _, language in rows
    ]
    dated = {r[0]: (r[5], r[1]) for r in rows}
    background = [
        (own_words(title, text), language)
        for title, text, language in db.execute(
            "SELECT COALESCE(title, ''), text, language FROM mentions "
            "WHERE company = ? AND is_grievance = 0",
            [company],
        )
    ]
    lexicon = Lexicon(names=names)
    found = discover(
        grievances,
        background,
        lexicon=lexicon,
        params=rules.params,
        pinned=rules.pinned_for(company),
        ignored=rules.ignored_for(company),
    )
    with db.atomic():
        return _save(db, company, found, grievances, lexicon, dated)


def _save(
    db: Any,
    company: str,
    found: Discovery,
    grievances: list[Grievance],
    lexicon: Lexicon,
    dated: dict[str, tuple[str, str]],
) -> CompanyIssues:
    """Issues and members; each member keeps its post's date and source (``at``,
    ``source``) so a report can read an issue's window by index."""
    now = utcnow()
    existing = {
        row[0]: {
            "key": row[1],
            "phrases": set(_keys(row[2], lexicon)),
            "pinned": row[3],
            "retired": row[4],
        }
        for row in db.execute(
            "SELECT id, key, phrases, pinned, retired_at FROM issues WHERE company = ?", [company]
        )
    }
    by_key = {row["key"]: rid for rid, row in existing.items()}
    used: set[int] = set()
    out = CompanyIssues(company, len(grievances), found.background, ignored=found.ignored)
    for issue in found.issues:
        rid = _match(issue, existing, by_key, used)
        phrases = [issue.labels.get(k, " ".join(k)) for k in issue.phrases]
        if rid is None:
            key = key_text(issue.key)
            while key in by_key:
                key += "+"
            rid = db.execute(
                "INSERT INTO issues (company, key, name, phrases, pinned, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [company, key, issue.name, _json(phrases), int(issue.pinned), now, now],
            ).lastrowid
            by_key[key] = rid
            new = True
        else:
            db.execute(
                "UPDATE issues SET name = ?, phrases = ?, pinned = ?, updated_at = ?, "
                "retired_at = NULL WHERE id = ?",
                [issue.name, _json(phrases), int(issue.pinned), now, rid],
            )
            new = False
        used.add(rid)
        db.execute("DELETE FROM issue_members WHERE issue_id = ?", [rid])
        db.conn.executemany(
            "INSERT INTO issue_members (issue_id, mention_id, phrase, at, source) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (rid, grievances[i].id, issue.labels.get(k, " ".join(k)), *dated[grievances[i].id])
                for i, k in sorted(issue.members.items())
            ],
        )
        out.issues.append(
            IssueSummary(
                rid, issue.name, issue.people, len(issue.members), phrases, issue.pinned, new
            )
        )
    for rid, row in existing.items():
        if rid not in used:
            db.execute("DELETE FROM issue_members WHERE issue_id = ?", [rid])
            if row["retired"] is None:
                db.execute("UPDATE issues SET retired_at = ? WHERE id = ?", [now, rid])
                out.retired += 1
    return out


def _match(
    issue: FoundIssue, existing: dict[int, dict], by_key: dict[str, int], used: set[int]
) -> int | None:
    """The row this issue continues: same key, else most shared phrases (active first)."""
    if issue.pinned:
        rid = by_key.get(key_text(issue.key))
        return rid if rid is not None and rid not in used else None
    mine = {key_text(k) for k in issue.phrases}
    for text in [key_text(issue.key), *sorted(mine)]:
        rid = by_key.get(text)
        if rid is not None and rid not in used and not existing[rid]["pinned"]:
            return rid
    best = None
    for rid, row in existing.items():
        if rid in used or row["pinned"]:
            continue
        shared = len(mine & row["phrases"])
        if shared and (best is None or (shared, row["retired"] is None) > best[0]):
            best = ((shared, row["retired"] is None), rid)
    return best[1] if best else None


def _keys(phrases_json: str, lexicon: Lexicon) -> list[str]:
    try:
        phrases = json.loads(phrases_json or "[]")
    except ValueError:
        return []
    return [key_text(phrase_key(p, lexicon)) for p in phrases if isinstance(p, str)]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
