"""The schema, as an ordered list of forward migrations.

Every change to the schema is a new function appended here, never an edit of an
old one: a database made by any earlier version is brought forward by applying
the migrations it has not seen (sqlite-utils records them in
``_sqlite_migrations``). Feature code never runs ``ALTER``.
"""

from __future__ import annotations

import functools
import sqlite3
import unicodedata  # not text.clean.nfc: a migration must do what it did when it shipped
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlite_utils.migrations import Migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

migrations = Migrations("scan")


@migrations()
def m001_core(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE mentions (
            id TEXT PRIMARY KEY,          -- public name: <source>:<external id>, or the imported id
            company TEXT NOT NULL,        -- which watched company the post is about
            source TEXT NOT NULL,         -- configured source name ("import" for files)
            external_id TEXT NOT NULL,
            origin TEXT NOT NULL,         -- 'crawl' or 'import'
            url TEXT,
            author TEXT,
            title TEXT,
            text TEXT NOT NULL,
            rating REAL,
            rating_scale REAL,
            language TEXT,
            published_at TEXT,            -- ISO 8601, UTC
            fetched_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,   -- of title+text+author+rating: detects edits
            is_grievance INTEGER NOT NULL DEFAULT 0,
            categories TEXT NOT NULL DEFAULT '[]',   -- JSON list of category keys
            extra TEXT NOT NULL DEFAULT '{}',        -- JSON: site-specific facts
            first_seen_run INTEGER,
            last_seen_run INTEGER,
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX idx_mentions_source_external ON mentions(source, external_id);
        CREATE INDEX idx_mentions_company_published ON mentions(company, published_at);
        CREATE INDEX idx_mentions_grievance ON mentions(company, is_grievance, published_at);
        CREATE INDEX idx_mentions_first_seen ON mentions(first_seen_at);

        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,           -- crawl, import, cluster, issues, digest, nightly
            source TEXT,                  -- the source, for per-source crawl runs
            parent_id INTEGER,            -- the crawl/nightly run a per-source run belongs to
            started_at TEXT NOT NULL,
            finished_at TEXT,
            duration_s REAL,
            status TEXT NOT NULL DEFAULT 'running',  -- running, ok, partial, failed, blocked
            health TEXT,                  -- ok, failed, blocked, changed, silent, empty
            items INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0,
            requests INTEGER NOT NULL DEFAULT 0,
            stats TEXT NOT NULL DEFAULT '{}',   -- JSON: statuses, drop reasons, timings
            errors TEXT NOT NULL DEFAULT '[]',  -- JSON list of messages
            message TEXT
        );
        CREATE INDEX idx_runs_kind_source ON runs(kind, source, started_at);

        CREATE TABLE clusters (
            id INTEGER PRIMARY KEY,       -- stable from night to night: user-visible
            company TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            representative_id TEXT,       -- mentions.id of the member closest to the others
            size INTEGER NOT NULL DEFAULT 0,
            merged_into INTEGER,          -- set when this cluster was merged into an older one
            categories TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX idx_clusters_company ON clusters(company, merged_into);

        CREATE TABLE cluster_members (
            mention_id TEXT PRIMARY KEY REFERENCES mentions(id),
            cluster_id INTEGER NOT NULL REFERENCES clusters(id),
            added_at TEXT NOT NULL,
            run_id INTEGER
        );
        CREATE INDEX idx_cluster_members_cluster ON cluster_members(cluster_id);

        CREATE TABLE cluster_merges (
            id INTEGER PRIMARY KEY,
            from_cluster INTEGER NOT NULL,
            into_cluster INTEGER NOT NULL,
            merged_at TEXT NOT NULL,
            run_id INTEGER
        );

        CREATE TABLE issues (
            id INTEGER PRIMARY KEY,       -- stable from night to night: user-visible
            company TEXT NOT NULL,
            key TEXT NOT NULL,            -- canonical phrase: what keeps the id stable
            name TEXT NOT NULL,
            phrases TEXT NOT NULL DEFAULT '[]',
            pinned INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            retired_at TEXT
        );
        CREATE UNIQUE INDEX idx_issues_company_key ON issues(company, key);

        CREATE TABLE issue_members (
            issue_id INTEGER NOT NULL REFERENCES issues(id),
            mention_id TEXT NOT NULL REFERENCES mentions(id),
            phrase TEXT,
            PRIMARY KEY (issue_id, mention_id)
        );
        CREATE INDEX idx_issue_members_mention ON issue_members(mention_id);

        CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            sent_at TEXT,                 -- set only once the SMTP server accepted it
            recipients TEXT NOT NULL DEFAULT '[]',
            subject TEXT,
            message_id TEXT,
            state TEXT NOT NULL DEFAULT '{}'  -- JSON: what this digest reported
        );

        CREATE TABLE frontier (
            source TEXT NOT NULL,
            fingerprint TEXT NOT NULL,    -- request fingerprint
            url TEXT NOT NULL,
            request TEXT NOT NULL,        -- JSON: enough to rebuild the request
            added_run INTEGER,
            done INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (source, fingerprint)
        );
        CREATE INDEX idx_frontier_pending ON frontier(source, done);

        CREATE TABLE source_health (
            source TEXT PRIMARY KEY,
            state TEXT NOT NULL,          -- ok, failed, blocked, changed, silent, empty
            since TEXT NOT NULL,          -- when it entered this state
            last_run_id INTEGER,
            message TEXT
        );
        """
    )
    db.table("mentions").enable_fts(
        ["title", "text"], create_triggers=True, tokenize=fts_tokenizer()
    )


def fts_tokenizer() -> str:
    """unicode61 that folds case and Latin accents, with the combining marks of Indic
    and other abugida scripts as part of words.

    Plain unicode61 treats vowel signs and viramas (categories Mn/Mc) as separators,
    so "वापस" is indexed as "व" + "पस" and a search for "वा" finds it. Declaring the
    marks from U+0900 up as token characters keeps every such word whole, and
    ``remove_diacritics 2`` (which knows Latin letters only) leaves them alone while
    "zuverlassig" finds "zuverlässig". Greek accents and "ё" are widened at query
    time (``scanner.store.search``).
    """
    marks = "".join(
        chr(c) for c in range(0x0900, 0x2000) if unicodedata.category(chr(c)) in {"Mn", "Mc", "Me"}
    )
    return f"unicode61 remove_diacritics 2 tokenchars '{marks}'"


def apply(db: Database) -> None:
    """Bring the database forward to the current schema."""
    migrations.apply(db)


@functools.cache
def _known() -> tuple[str, ...]:
    """The names of our migrations, in order (sqlite-utils keeps its list private,
    so they are read as pending on an empty in-memory database, which reads nothing
    and writes nothing); once per process, as every opened store asks."""
    from sqlite_utils import Database

    return tuple(m.name for m in migrations.pending(Database(memory=True)))


def latest_version() -> int:
    """The schema version this code brings a database to: the number of migrations."""
    return len(_known())


def unknown(db: Database) -> list[str]:
    """Migrations this file has seen that this code does not have: it was made or
    brought forward by a newer scan, whose schema this version would misread."""
    known = set(_known())
    return [m.name for m in migrations.applied(db) if m.name not in known]


def schema_version(db: Database) -> int:
    """How many of our migrations this file has seen (the schema version)."""
    return len(migrations.applied(db))


@migrations()
def m002_grouping_index(db: Database) -> None:
    """What ``scan cluster`` keeps between nights so that adding tonight's
    grievances does not re-read a million old ones: each grouped grievance's
    arrival order (``seq``, fixed when first grouped), the content hash of the
    text that was grouped (an edit forces a rebuild) and its LSH band keys
    (little-endian uint64). ``grouping_state`` records, per company, the
    fingerprint of the rules the index was built with."""
    db.executescript(
        """
        CREATE TABLE grouping_index (
            mention_id TEXT PRIMARY KEY REFERENCES mentions(id),
            company TEXT NOT NULL,
            seq INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            bands BLOB NOT NULL
        );
        CREATE UNIQUE INDEX idx_grouping_index_company_seq ON grouping_index(company, seq);

        CREATE TABLE grouping_state (
            company TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m003_report_indexes(db: Database) -> None:
    """What keeps ``scan report`` under a second on a million mentions.

    The report's aggregates read every post of a period by company and date
    (published, else first seen); this index covers them (source, author,
    grievance flag, id) so the table itself is never read. The others let a
    cluster's members, a post's cluster, and a grievance's all-time count, first
    post and sources be read from indexes alone.
    """
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_mentions_company_when ON mentions(
            company, COALESCE(published_at, first_seen_at), is_grievance, source, author, id);
        CREATE INDEX IF NOT EXISTS idx_cluster_members_cluster_mention
            ON cluster_members(cluster_id, mention_id);
        CREATE INDEX IF NOT EXISTS idx_cluster_members_mention_cluster
            ON cluster_members(mention_id, cluster_id);
        CREATE INDEX IF NOT EXISTS idx_mentions_id_when
            ON mentions(id, COALESCE(published_at, first_seen_at), source);
        """
    )


@migrations()
def m004_fts_update_trigger_on_text_only(db: Database) -> None:
    """Re-index a post's full text only when its title or text is updated.

    sqlite-utils' ``mentions_au`` fires on ANY update, so a post seen again
    unchanged (only ``last_seen_run`` moves, thousands a night) was deleted from
    and re-added to the FTS index. ``AFTER UPDATE OF title, text`` fires only when
    an UPDATE sets one of those columns (an edit sets them all).
    """
    db.executescript(FTS_UPDATE_TRIGGER)


FTS_UPDATE_TRIGGER = """
DROP TRIGGER IF EXISTS mentions_au;
CREATE TRIGGER mentions_au AFTER UPDATE OF title, text ON mentions BEGIN
  INSERT INTO mentions_fts (mentions_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
  INSERT INTO mentions_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
"""


@migrations()
def m005_issue_members_when(db: Database) -> None:
    """Each issue member's date and source, so a report reads an issue by date.

    An issue can hold tens of thousands of posts; the report needs only those in
    the window (a range on ``(issue_id, at)``) plus all-time count, first post and
    sources, which the covering index answers without touching ``mentions``.
    ``at`` is the report's date: published, else first seen. A trigger keeps it
    right when a post's dates are updated between two issue runs.
    """
    db.executescript(
        """
        ALTER TABLE issue_members ADD COLUMN at TEXT;
        ALTER TABLE issue_members ADD COLUMN source TEXT;
        UPDATE issue_members SET
            at = (SELECT COALESCE(m.published_at, m.first_seen_at) FROM mentions m
                  WHERE m.id = issue_members.mention_id),
            source = (SELECT m.source FROM mentions m WHERE m.id = issue_members.mention_id);
        CREATE INDEX IF NOT EXISTS idx_issue_members_issue_at
            ON issue_members(issue_id, at, source);
        CREATE TRIGGER IF NOT EXISTS issue_members_when
            AFTER UPDATE OF published_at, first_seen_at ON mentions BEGIN
          UPDATE issue_members SET at = COALESCE(new.published_at, new.first_seen_at)
            WHERE mention_id = new.id;
        END;
        """
    )


@migrations()
def m006_search_ignores_latin_accents(db: Database) -> None:
    """Rebuild the full-text index with ``fts_tokenizer()``'s accent folding (issue #15).

    A database made before it indexed "zuverlässig" as itself, so "zuverlassig"
    found nothing. A new database already has the index this builds (m001 uses
    ``fts_tokenizer()``) and is left alone. Rebuilding reads every post once
    (``bench/search_migration.py``).
    """
    row = db.execute("SELECT sql FROM sqlite_master WHERE name = 'mentions_fts'").fetchone()
    if row is not None and "remove_diacritics 2" in row[0]:
        return
    # m004's trigger names the index unbracketed, so sqlite-utils would not drop it.
    db.execute("DROP TRIGGER IF EXISTS mentions_au")
    db.table("mentions").enable_fts(
        ["title", "text"], create_triggers=True, tokenize=fts_tokenizer(), replace=True
    )
    db.executescript(FTS_UPDATE_TRIGGER)  # as m004: re-index only when title or text change


@migrations()
def m007_privacy(db: Database) -> None:
    """What the database stores of who wrote each post (``[privacy] authors``).

    One row: the mode the stored authors are in (keep, hash, drop), the
    fingerprint of the key they were hashed with (``hash`` only), whether the
    file was compacted after the last rewrite, and when the mode last changed.
    A database without the row keeps names (every database made before this
    migration did).
    """
    db.executescript(
        """
        CREATE TABLE privacy (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            authors TEXT NOT NULL,        -- keep, hash or drop
            key_check TEXT,               -- scanner.privacy.key_check of the hashing key
            compacted INTEGER NOT NULL DEFAULT 1,  -- 0: old text may linger in free pages
            changed_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m008_runs_owner(db: Database) -> None:
    """Which process each run belongs to ("host:pid:start"), so that the next run
    can mark the runs of a killed process as killed (``scanner.store.runs``).

    Runs left ``running`` by an earlier version cannot say whose they are; one
    that started more than a day ago was killed, so it is marked so here.
    """
    db.executescript(
        """
        ALTER TABLE runs ADD COLUMN owner TEXT;
        UPDATE runs SET status = 'killed',
            message = 'the process ended without finishing this run'
          WHERE status = 'running' AND finished_at IS NULL
            AND started_at < strftime('%Y-%m-%dT%H:%M:%S', 'now', '-1 day');
        """
    )


@migrations()
def m009_digest_refusals(db: Database) -> None:
    """The recipients the server refused, per digest (JSON: address -> its answer),
    beside those that accepted it (``recipients``): a refused recipient's next
    digest reports the changes it missed (``scanner.digest.history``)."""
    db.execute("ALTER TABLE digests ADD COLUMN refused TEXT NOT NULL DEFAULT '{}'")


@migrations()
def m010_page_marks(db: Database) -> None:
    """What a stored post's own page looked like when it was last read (a Reddit
    thread's comment count): a page asked for again with another mark is fetched
    again, one with the same mark is not (``scanner.crawl.middlewares.incremental``).
    Written from the frontier entry of the page, in the batch that marks it done
    (``scanner.crawl.worker.commit``)."""
    db.execute(
        """CREATE TABLE page_marks (
            source TEXT NOT NULL,
            external_id TEXT NOT NULL,
            mark TEXT NOT NULL,
            PRIMARY KEY (source, external_id)
        )"""
    )


@migrations()
def m011_ids_in_nfc(db: Database) -> None:
    """Each post's ids in Unicode NFC, as they are stored from now on (``clean_id``),
    and every table that points at a post follows. An id stored decomposed ("e"
    and a combining accent) would otherwise never match again: importing the file
    once more would store the post a second time. Where the NFC form names another
    post already (both were stored before this), the two are left as they are:
    merging them would drop one's history. Reads every id once, keeping only the
    few to rename."""
    from scanner.store.rewrite import POINTERS

    conn = db.conn
    renames = [
        (old, new, unicodedata.normalize("NFC", external))
        for old, external in conn.execute("SELECT id, external_id FROM mentions")
        if (new := unicodedata.normalize("NFC", old)) != old
        or not unicodedata.is_normalized("NFC", external)
    ]
    for old, new, external in renames:
        try:
            conn.execute(
                "UPDATE mentions SET id = ?, external_id = ? WHERE id = ?", [new, external, old]
            )
        except sqlite3.IntegrityError:  # the NFC id or external id is another post's
            continue
        for table, column in POINTERS:
            conn.execute(
                f"UPDATE {table} SET {column} = ? WHERE {column} = ?",  # noqa: S608 - our names
                [new, old],
            )


#: Where a source is named, beside ``mentions`` (m012): a crawl's state.
_NAMED_BY_SOURCE = ("frontier", "source_health", "page_marks")
#: The grouping's index of a company, derived from its posts (m012).
_GROUPING = ("grouping_index", "grouping_state")


@migrations()
def m012_names_in_nfc(db: Database) -> None:
    """Each post's company, source and author in Unicode NFC, as they are stored
    from now on (``scanner.store.KEYS``): "Café" written with a combining accent
    in one import and with "é" in another had been two companies in the report,
    each with its own clusters. A post's content hash (which covers its author)
    is worked out again where it was worked out from what is stored, so the next
    import of the file finds it unchanged.

    A company's clusters and issues follow it (:func:`_join_company_forms`), ids
    kept. A source wholly stored decomposed is renamed wherever it is (a crawl's
    backlog and health, crawl runs); where its NFC name is there already, that
    table's rows under the other form are left. A post whose NFC source would give
    it the id of another (both forms were stored before m011) is left too. Reads
    every post once (its names only), then the texts of the few to change."""
    from scanner.store import content_hash

    conn = db.conn
    changes = []
    names = conn.execute("SELECT rowid, company, source, author FROM mentions")
    renamed = [
        (rowid, new)
        for rowid, *old in names
        if (new := [unicodedata.normalize("NFC", v) if v else v for v in old]) != old
    ]
    for rowid, new in renamed:  # the few to change: only their texts are read
        author, digest, title, text, rating, url = conn.execute(
            "SELECT author, content_hash, title, text, rating, url FROM mentions WHERE rowid = ?",
            [rowid],
        ).fetchone()
        old_row = {"title": title, "text": text, "author": author, "rating": rating, "url": url}
        if digest == content_hash(old_row):
            digest = content_hash({**old_row, "author": new[2]})
        changes.append((*new, digest, rowid))
    conn.executemany(
        "UPDATE OR IGNORE mentions SET company = ?, source = ?, author = ?, content_hash = ? "
        "WHERE rowid = ?",
        changes,
    )
    _join_company_forms(conn)
    _rename_names(conn, "source", _NAMED_BY_SOURCE, runs="kind = 'crawl'")
    if changes:  # an issue member's source is its post's (m005)
        conn.execute(
            "UPDATE issue_members SET source = m.source FROM mentions m "
            "WHERE m.id = issue_members.mention_id AND issue_members.source != m.source"
        )


def _join_company_forms(conn: sqlite3.Connection) -> None:
    """A company stored under a decomposed name joins its NFC form (m012): its
    clusters are the NFC company's, ids kept (a cluster's id is unique whoever owns
    it); its issues too, but for one whose key the NFC company has already, which is
    retired (``scan issues`` finds the theme again, one issue). Where both forms were
    grouped, the grouping index of both is dropped: it is derived from the posts,
    and the next ``scan cluster`` builds it again, matching the stored clusters so
    they keep their ids. Before, the decomposed company's clusters stayed live and
    empty beside new ones, counted by ``scan stats``."""
    tables = ("clusters", "issues", *_GROUPING)
    forms = {
        name
        for table in tables
        for (name,) in conn.execute(f"SELECT DISTINCT company FROM {table}")  # noqa: S608
        if name and unicodedata.normalize("NFC", name) != name
    }
    now = datetime.now(UTC).isoformat()
    for name in sorted(forms):
        new = unicodedata.normalize("NFC", name)
        conn.execute("UPDATE clusters SET company = ? WHERE company = ?", [new, name])
        conn.execute("UPDATE OR IGNORE issues SET company = ? WHERE company = ?", [new, name])
        conn.execute(
            "UPDATE issues SET retired_at = ? WHERE company = ? AND retired_at IS NULL",
            [now, name],
        )
        both = conn.execute(
            "SELECT 1 FROM grouping_state WHERE company = ? "
            "UNION ALL SELECT 1 FROM grouping_index WHERE company = ? LIMIT 1",
            [new, new],
        ).fetchone()
        for table in _GROUPING:
            if both:
                conn.execute(
                    f"DELETE FROM {table} WHERE company IN (?, ?)",  # noqa: S608 - our names
                    [name, new],
                )
            else:
                conn.execute(
                    f"UPDATE {table} SET company = ? WHERE company = ?",  # noqa: S608
                    [new, name],
                )


def _rename_names(
    conn: sqlite3.Connection, column: str, tables: tuple[str, ...], *, runs: str | None = None
) -> None:
    """Each name in ``column`` of ``tables`` (and of the ``runs`` matching that
    condition) in NFC, where its NFC form is new to that table (m012)."""
    where = {table: "" for table in tables}
    if runs:
        where["runs"] = f" AND {runs}"
    for table, only in where.items():
        names = conn.execute(f"SELECT DISTINCT {column} FROM {table}")  # noqa: S608 - our names
        held = {name for (name,) in names if name}
        for name in sorted(held):
            new = unicodedata.normalize("NFC", name)
            if new != name and new not in held:
                held.add(new)  # another form of it, met later, is left
                conn.execute(
                    f"UPDATE {table} SET {column} = ? WHERE {column} = ?{only}",  # noqa: S608
                    [new, name],
                )
