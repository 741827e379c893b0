"""The e-mailed digest, sent through a real SMTP server (aiosmtpd) on 127.0.0.1 by the
installed ``scan``, and read back with the ``email`` package."""

from __future__ import annotations

import email
import email.policy
import json
import re
import socket
import threading
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from scanner.store import Store

HOST = "127.0.0.1"
NOW = datetime.now(UTC).replace(microsecond=0)


# -- a real SMTP server ------------------------------------------------------------------
class Recorder:
    """aiosmtpd handler: keeps every accepted message; refuses while ``refuse`` is set."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: str | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        if self.refuse:
            return self.refuse
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    recorder = Recorder()
    controller = Controller(recorder, hostname=HOST, port=free_port())
    controller.start()
    recorder.port = controller.port
    yield recorder
    controller.stop()


# -- a database with grievances --------------------------------------------------------
def write_config(folder: Path, port: int, *, extra: str = "", to: str = "ops@example.com") -> Path:
    path = folder / "scanner.toml"
    recipients = f'["{to}"]' if to else "[]"
    path.write_text(
        f'db = "scan.db"\n[company]\nname = "Acme"\n{extra}\n'
        f'[digest]\nto = {recipients}\nfrom = "scan@example.com"\nsmtp_host = "{HOST}"\n'
        f'smtp_port = {port}\nsmtp_security = "none"\nsubject_prefix = "[scan]"\n',
        encoding="utf-8",
    )
    return path


class Seed:
    """Mentions and clusters written straight into a real database file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.n = 0

    def post(
        self,
        cluster: int,
        author: str,
        text: str,
        *,
        days_ago: float = 1,
        url: str | None = "auto",
        source: str = "trustpilot",
    ) -> str:
        self.n += 1
        mid = f"{source}:{self.n}"
        when = (NOW - timedelta(days=days_ago)).isoformat()
        if url == "auto":
            url = f"https://reviews.example/{source}/{self.n}"
        with Store(self.path) as store:
            store.upsert_mentions(
                [
                    {
                        "id": mid,
                        "company": "Acme",
                        "source": source,
                        "external_id": str(self.n),
                        "origin": "crawl",
                        "url": url,
                        "author": author,
                        "text": text,
                        "published_at": when,
                        "is_grievance": 1,
                    }
                ]
            )
            db = store.db
            if not db.execute("SELECT 1 FROM clusters WHERE id = ?", [cluster]).fetchone():
                db.execute(
                    "INSERT INTO clusters (id, company, created_at, updated_at, "
                    "representative_id, size) VALUES (?, 'Acme', ?, ?, ?, 0)",
                    [cluster, when, when, mid],
                )
            db.execute(
                "INSERT INTO cluster_members (mention_id, cluster_id, added_at) VALUES (?, ?, ?)",
                [mid, cluster, when],
            )
            db.execute("UPDATE clusters SET size = size + 1 WHERE id = ?", [cluster])
        return mid

    def health(self, source: str, state: str, message: str = "") -> None:
        with Store(self.path) as store:
            store.db.execute(
                "INSERT OR REPLACE INTO source_health (source, state, since, message) "
                "VALUES (?, ?, ?, ?)",
                [source, state, NOW.isoformat(), message],
            )

    def sent_digests(self) -> list[dict]:
        with Store(self.path) as store:
            rows = store.db.execute(
                "SELECT id, sent_at, recipients, subject, state FROM digests "
                "WHERE sent_at IS NOT NULL"
            )
            keys = ("id", "sent_at", "recipients", "subject", "state")
            return [dict(zip(keys, r, strict=True)) for r in rows]


REFUND = "Refund never arrived after I returned the blender, support stopped answering"


def seed_basic(tmp_path: Path) -> Seed:
    seed = Seed(tmp_path / "scan.db")
    for i, who in enumerate(["ana", "bob", "chen"]):
        seed.post(7, who, f"{REFUND} ({i})", days_ago=1 + i)
    seed.post(9, "dee", "The app logs me out every time I open the settings page", days_ago=2)
    return seed


def parts(message) -> dict[str, str]:
    return {p.get_content_type(): p.get_content() for p in message.iter_parts()}


class Links(HTMLParser):
    """Every tag, attribute and link text of an HTML part."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), ""

    def handle_data(self, data):
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._text))
            self._href = None


def html_of(message) -> Links:
    parser = Links()
    parser.feed(parts(message)["text/html"])
    return parser


# -- tests -------------------------------------------------------------------------------
def test_digest_reaches_a_real_smtp_server_with_both_parts(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed = seed_basic(tmp_path)
    result = scan("digest")
    assert result.returncode == 0, result.stderr
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["Subject"] == "[scan] Acme: 1 systemic grievance, 1 new"
    assert message.get_content_type() == "multipart/alternative"
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    assert smtp.envelopes[0] == ("scan@example.com", ["ops@example.com"])
    text = body["text/plain"]
    assert "NEW SYSTEMIC GRIEVANCES (1)" in text
    assert "#7 [new]  3 people, 3 posts; trustpilot" in text
    assert "NEW ISOLATED GRIEVANCES (1)" in text and "logs me out" in text
    # Links: the three posts of the systemic grievance, newest first, in both parts.
    expected = [f"https://reviews.example/trustpilot/{n}" for n in (1, 2, 3)]
    for url in expected:
        assert url in text
    hrefs = [href for href, _ in html_of(message).links]
    assert sorted(hrefs) == sorted([*expected, "https://reviews.example/trustpilot/4"])
    assert all(len(line) <= 78 for line in text.splitlines() if "https://" not in line)
    # Recorded only once accepted: one sent digest with the state it reported.
    [row] = seed.sent_digests()
    assert json.loads(row["recipients"]) == ["ops@example.com"]
    assert json.loads(row["state"])["clusters"]["7"] == {
        "verdict": "systemic",
        "people": 3,
        "mentions": 3,
        "last_seen": json.loads(row["state"])["clusters"]["7"]["last_seen"],
    }


def test_nothing_new_is_skipped_and_growth_is_reported_with_how_much(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed = seed_basic(tmp_path)
    assert scan("digest", "--skip-empty").returncode == 0
    again = scan("digest", "--skip-empty")
    assert again.returncode == 0, again.stderr
    assert "nothing sent" in again.stdout
    assert len(smtp.messages) == 1 and len(seed.sent_digests()) == 1
    seed.post(7, "eve", f"{REFUND} (eve)", days_ago=0.1)
    grown = scan("digest", "--skip-empty")
    assert grown.returncode == 0, grown.stderr
    assert len(smtp.messages) == 2
    message = smtp.messages[1]
    assert message["Subject"] == "[scan] Acme: 1 systemic grievance, 0 new"
    text = parts(message)["text/plain"]
    assert "SYSTEMIC GRIEVANCES THAT GREW (1)" in text
    assert "4 people (+1), 4 posts (+1)" in text
    assert "NEW ISOLATED" not in text  # reported last time, not again
    assert "(+1)" in parts(message)["text/html"]
    # the volume chart counts posts too, as the report does ("53 posts")
    assert "posts: = already reported, # new since the last digest" in text
    assert "Posts per grievance: grey already reported" in parts(message)["text/html"]
    assert "mention" not in text.casefold().replace("scan mentions", "")


def test_a_refused_message_is_left_for_the_next_digest(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed = seed_basic(tmp_path)
    smtp.refuse = "554 5.7.1 Rejected by policy"
    failed = scan("digest")
    assert failed.returncode == 1
    assert "554" in failed.stderr and "Rejected by policy" in failed.stderr
    assert seed.sent_digests() == [] and smtp.messages == []
    smtp.refuse = None
    sent = scan("digest", "--skip-empty")
    assert sent.returncode == 0, sent.stderr
    [message] = smtp.messages
    assert message["Subject"] == "[scan] Acme: 1 systemic grievance, 1 new"
    assert "#7" in parts(message)["text/plain"]
    assert len(seed.sent_digests()) == 1


def test_unreachable_server_fails_with_a_clear_error(tmp_path, scan):
    write_config(tmp_path, free_port())
    seed = seed_basic(tmp_path)
    result = scan("digest")
    assert result.returncode == 1
    assert f"cannot send via {HOST}" in result.stderr
    assert "Traceback" not in result.stderr
    assert seed.sent_digests() == []


def test_hostile_text_is_escaped_and_links_show_where_they_go(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed = Seed(tmp_path / "scan.db")
    hostile = [
        '<script>alert("x")</script> refund refused',
        '<img src=x onerror="alert(1)"> refund refused',
        '<a href="https://evil.example/">https://bank.example/login</a> refund refused',
    ]
    seed.post(3, "ana", hostile[0], url="javascript:alert(1)")
    seed.post(3, "bob", hostile[1], url="https://p\u0430ypal.example/review/2")  # Cyrillic а
    seed.post(3, "chen", hostile[2], url="https://reviews.example/ok/3")
    with Store(seed.path) as store:  # the representative is the one with the <a> tag
        store.db.execute("UPDATE clusters SET representative_id = 'trustpilot:3'")
    assert scan("digest").returncode == 0
    [message] = smtp.messages
    page = html_of(message)
    raw = parts(message)["text/html"]
    names = {tag for tag, _ in page.tags}
    assert names.isdisjoint({"script", "img", "iframe", "object", "embed", "link", "style"})
    assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")]
    assert "&lt;script&gt;" in raw or "&lt;a href" in raw
    hrefs = [href for href, _ in page.links]
    assert hrefs, "the safe links are still there"
    assert all(h.startswith("https://") for h in hrefs)  # javascript: was dropped
    assert not any("evil.example" in h for h in hrefs)
    for href, label in page.links:  # each link says the host it really goes to
        host = href.split("/")[2].encode("idna").decode()
        assert host in label
    assert "xn--" in raw  # the look-alike host is shown as what it is
    assert "bank.example/login" not in raw  # broken up so no client auto-links it
    assert "src=" not in raw.replace("&quot;", '"').split("<body", 1)[1].split("refund")[0]
    text = parts(message)["text/plain"]
    assert "javascript:" not in text.split("\n     - ")[-1]


def test_addresses_and_phone_numbers_are_masked(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed = Seed(tmp_path / "scan.db")
    text = "Nobody calls back on +1 (555) 123-4567, write to jane.doe@mail.example instead"
    for who in ("ana", "bob", "chen"):
        seed.post(5, who, text + f" ({who})")
    seed.post(6, "dee", "मेरा नंबर ९८७६५४३२१० है, रिफंड नहीं मिला")
    assert scan("digest", "--skip-empty").returncode == 0
    [message] = smtp.messages
    for body in parts(message).values():
        assert "555" not in body and "jane.doe" not in body and "९८७६५४३२१०" not in body
        assert "[phone]" in body and "[e-mail]" in body
        assert "रिफंड नहीं मिला" in body  # the words stay, Devanagari intact


def test_failed_source_is_announced_once_then_one_line_until_it_recovers(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed = seed_basic(tmp_path)
    seed.health("acme-forum", "failed", "12 x HTTP 500")
    seed.health("trustpilot", "ok")
    assert scan("digest").returncode == 0
    text = parts(smtp.messages[0])["text/plain"]
    assert "FAILED: acme-forum" in text and "12 x HTTP 500" in text
    assert "1 source failing" in smtp.messages[0]["Subject"]
    skipped = scan("digest", "--skip-empty")  # still failing, nothing else: nothing to say
    assert "nothing sent" in skipped.stdout and len(smtp.messages) == 1
    seed.post(7, "eve", f"{REFUND} (eve)", days_ago=0.1)
    assert scan("digest").returncode == 0
    text = parts(smtp.messages[1])["text/plain"]
    assert "Still down: acme-forum (failed since" in text
    assert "12 x HTTP 500" not in text and "FAILED:" not in text
    seed.health("acme-forum", "ok")
    assert scan("digest", "--skip-empty").returncode == 0
    assert "Recovered: acme-forum" in parts(smtp.messages[2])["text/plain"]


def test_a_source_no_longer_crawled_is_not_reported(tmp_path, scan, smtp):
    sources = "".join(
        f'[[sources]]\nname = "{name}"\nspider = "feed"\nurl = "http://{HOST}:9/feed"\n'
        f"enabled = {'true' if on else 'false'}\n"
        for name, on in (("acme-forum", True), ("old-forum", False))
    )
    write_config(tmp_path, smtp.port, extra=sources)
    seed = seed_basic(tmp_path)
    seed.health("acme-forum", "blocked", "403 challenge")
    seed.health("old-forum", "failed", "gone")
    seed.health("removed-forum", "failed", "gone too")
    assert scan("digest").returncode == 0
    text = parts(smtp.messages[0])["text/plain"]
    assert "BLOCKED: acme-forum" in text
    assert "old-forum" not in text and "removed-forum" not in text


def test_no_recipients_is_a_clear_error(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port, to="")
    seed = seed_basic(tmp_path)
    result = scan("digest")
    assert result.returncode == 1
    assert "no recipients: pass --to ADDR or set `to`" in result.stderr
    assert smtp.messages == [] and seed.sent_digests() == []


def leave(seed: Seed, mention_id: str) -> None:
    """The post leaves its cluster (edited into praise, regrouped elsewhere)."""
    with Store(seed.path) as store:
        store.db.execute("DELETE FROM cluster_members WHERE mention_id = ?", [mention_id])


def test_a_grievance_that_stops_being_systemic_is_news_once(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed = seed_basic(tmp_path)
    assert scan("digest").returncode == 0
    leave(seed, "trustpilot:1")  # three people become two: below the bar
    calmed = scan("digest", "--skip-empty")
    assert calmed.returncode == 0 and len(smtp.messages) == 2, calmed.stdout
    text = parts(smtp.messages[1])["text/plain"]
    assert "NO LONGER SYSTEMIC (1)" in text and "#7" in text, text
    assert "Nothing changed" not in text
    assert "No longer systemic" in parts(smtp.messages[1])["text/html"]
    assert "nothing sent" in scan("digest", "--skip-empty").stdout  # said once


def test_a_newcomer_is_news_when_another_post_left_the_same_night(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed = seed_basic(tmp_path)
    assert scan("digest").returncode == 0
    leave(seed, "trustpilot:1")
    seed.post(7, "eve", f"{REFUND} (eve)", days_ago=0.1)  # as many people and posts as before
    assert scan("digest", "--skip-empty").returncode == 0
    assert len(smtp.messages) == 2
    text = parts(smtp.messages[1])["text/plain"]
    assert "SYSTEMIC GRIEVANCES THAT GREW (1)" in text and "#7" in text, text


def test_back_after_a_quiet_spell(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed = Seed(tmp_path / "scan.db")
    for i, who in enumerate(["ana", "bob", "chen"]):
        seed.post(4, who, f"Charged twice for one order ({i})", days_ago=60 + i)
    assert scan("digest").returncode == 0
    seed.post(4, "dee", "Charged twice for one order again", days_ago=0.5)
    assert scan("digest", "--skip-empty").returncode == 0
    text = parts(smtp.messages[1])["text/plain"]
    assert "BACK AFTER A QUIET SPELL (1)" in text and "#4" in text
    assert "GREW" not in text


def test_dry_run_and_out_send_and_record_nothing(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed = seed_basic(tmp_path)
    shown = scan("digest", "--dry-run", "--to", "a@example.com", "--to", "b@example.com")
    assert shown.returncode == 0, shown.stderr
    assert "Subject: [scan] Acme: 1 systemic grievance, 1 new" in shown.stdout
    assert "To: a@example.com, b@example.com" in shown.stdout
    assert "----- text/plain -----" in shown.stdout and "----- text/html -----" in shown.stdout
    out = tmp_path / "today.eml"
    written = scan("digest", "--out", str(out))
    assert written.returncode == 0, written.stderr
    saved = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert set(parts(saved)) == {"text/plain", "text/html"}
    assert smtp.messages == [] and seed.sent_digests() == []


def test_a_first_digest_with_nothing_in_the_period_does_not_speak_of_a_last_one(
    tmp_path, scan, smtp
):
    """Every post older than the report's period (an import of last year's reviews):
    the first digest said "everything known so far", then "Nothing changed since the
    last digest", of a digest that never was."""
    write_config(tmp_path, smtp.port)
    old = (NOW - timedelta(days=400)).date().isoformat()
    rows = tmp_path / "reviews.jsonl"
    rows.write_text(
        json.dumps({"text": "Charged twice for one order", "rating": 1, "published_at": old}),
        encoding="utf-8",
    )
    assert scan("import", str(rows), "--create").returncode == 0
    shown = scan("digest", "--dry-run")
    assert shown.returncode == 0, shown.stderr
    assert "First digest" in shown.stdout
    assert "since the last digest" not in shown.stdout
    # not grouped yet: in no section, and the digest says so rather than "no grievance"
    assert shown.stdout.count("Nothing to report yet.") == 2
    said = "1 grievance is not grouped yet and left out of this digest: run scan cluster"
    assert said in " ".join(shown.stdout.split())
    assert scan("cluster").returncode == 0
    shown = scan("digest", "--dry-run")
    assert "not grouped yet" not in shown.stdout and "Charged twice" in shown.stdout


def test_a_post_whose_address_is_no_url_is_listed_without_a_link(scan, smtp, tmp_path):
    """One imported row with "http://[oops/review/1" (or a port that is no number)
    stopped every digest, and every nightly one, with a traceback from urllib."""
    write_config(tmp_path, smtp.port)
    rows = tmp_path / "reviews.jsonl"
    when = (NOW - timedelta(days=1)).isoformat()
    bad = ["http://[oops/review/1", "http://shop.example:99999/r/2", "https://shop.example/r/3"]
    rows.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"u{i}",
                    "author": f"p{i}",
                    "url": url,
                    "published_at": when,
                    "text": "They charged me twice and the refund never came",
                    "rating": 1,
                }
            )
            + "\n"
            for i, url in enumerate(bad)
        ),
        encoding="utf-8",
    )
    assert scan("import", str(rows), "--create").returncode == 0
    assert scan("cluster").returncode == 0
    shown = scan("digest", "--dry-run")
    assert shown.returncode == 0, shown.stderr
    assert "charged me twice" in shown.stdout
    assert "https://shop.example/r/3" in shown.stdout
    assert "oops" not in shown.stdout and "99999" not in shown.stdout


DIFFERENT = [
    "My card was declined at the supermarket twice",
    "The app logs me out every single morning",
    "Support never answered my email about the refund",
    "A transfer to my sister has been pending for a week",
    "The monthly statement shows the wrong opening balance",
    "I cannot change my PIN in the settings screen",
    "Cash withdrawals abroad cost far more than promised",
    "Two-factor codes arrive ten minutes late",
    "The exchange rate was worse than the one displayed",
    "My savings interest was paid four days late",
]


OLDER = [
    "Direct debit to the gym bounced although the balance was fine",
    "Virtual card numbers change without any notice",
    "The chat bot loops back to the main menu forever",
    "Customer service phone line closes at four in the afternoon",
    "Rounding on currency conversion always favours the bank",
    "Notifications arrive for payments I never made",
    "My address change form was rejected three times",
]


def test_what_a_section_leaves_out_is_listed_by_the_command_it_names(tmp_path, scan, smtp):
    """ "…and N more (scan report --all)" listed the last week's grievances: none, after
    an import of older reviews. The command starts where the digest does."""
    write_config(tmp_path, smtp.port)
    start = (NOW - timedelta(days=300)).date()
    rows = tmp_path / "reviews.jsonl"
    rows.write_text(
        "".join(
            json.dumps(
                {
                    "text": text,
                    "rating": 1,
                    "author": f"p{i}",
                    "published_at": (start + timedelta(days=i)).isoformat(),
                }
            )
            + "\n"
            for i, text in enumerate(DIFFERENT)
        ),
        encoding="utf-8",
    )
    assert scan("import", str(rows), "--create").returncode == 0
    assert scan("cluster").returncode == 0
    shown = scan("digest", "--dry-run").stdout
    command = re.search(r"more \((scan report --all --since [0-9-]+)\)", shown)
    assert command and command.group(1).endswith(start.isoformat()), shown
    listed = scan(*command.group(1).split()[1:], "--format", "json")
    assert len(json.loads(listed.stdout)["clusters"]) == len(DIFFERENT)
    # after a digest was sent: more old reviews, imported and grouped since, are news
    assert scan("digest").returncode == 0 and len(smtp.messages) == 1
    older = tmp_path / "older.jsonl"
    older.write_text(
        "".join(
            json.dumps(
                {
                    "text": text,
                    "rating": 1,
                    "author": f"q{i}",
                    "published_at": (start - timedelta(days=30 + i)).isoformat(),
                }
            )
            + "\n"
            for i, text in enumerate(OLDER)
        ),
        encoding="utf-8",
    )
    assert scan("import", str(older)).returncode == 0 and scan("cluster").returncode == 0
    shown = scan("digest", "--dry-run").stdout
    command = re.search(r"more \((scan report --all[^)]*)\)", shown)
    assert command, shown
    listed = scan(*command.group(1).split()[1:], "--format", "json")
    # every new grievance the section counted is in what the command lists
    total = int(re.search(r"NEW ISOLATED GRIEVANCES \((\d+)\)", shown).group(1))
    assert len(json.loads(listed.stdout)["clusters"]) >= total > 5


def test_a_grievance_older_than_the_window_is_listed_without_a_count_of_no_one(
    tmp_path, scan, smtp
):
    # A first digest lists everything known; people are counted inside the 90-day
    # window, so an imported review of last year had read "0 people, 1 mention".
    write_config(tmp_path, smtp.port)
    seed = seed_basic(tmp_path)
    seed.post(11, "eve", "The courier left my parcel in the rain last winter", days_ago=200)
    sent = scan("digest")
    assert sent.returncode == 0, sent.stderr
    text = parts(smtp.messages[0])["text/plain"]
    tagless = re.sub(r"<[^>]+>", " ", parts(smtp.messages[0])["text/html"])
    html = " ".join(unescape(tagless).split())
    old = next(line for line in text.splitlines() if line.strip().startswith("#11"))
    assert "1 post;" in old and "people" not in old, old
    assert "0 people" not in text and "0 people" not in html
    assert "#11 · 1 post" in html
    assert "3 people, 3 posts" in text  # a grievance inside the window keeps its count


def test_to_option_overrides_the_config(tmp_path, scan, smtp):
    write_config(tmp_path, smtp.port)
    seed_basic(tmp_path)
    assert scan("digest", "--to", "a@example.com", "--to", "b@example.com").returncode == 0
    assert smtp.envelopes[0][1] == ["a@example.com", "b@example.com"]


def test_password_comes_from_the_environment_only(tmp_path, scan):
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret-pw", handled=False)

    recorder = Recorder()
    controller = Controller(
        recorder,
        hostname=HOST,
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        write_config(tmp_path, controller.port)
        config = tmp_path / "scanner.toml"
        config.write_text(config.read_text() + 'smtp_user = "scanbot"\n')
        seed_basic(tmp_path)
        missing = scan("digest")
        assert missing.returncode == 1 and "SCAN_SMTP_PASSWORD is not" in missing.stderr
        wrong = scan("digest", env={"SCAN_SMTP_PASSWORD": "wrong-pw"})
        assert wrong.returncode == 1 and "535" in wrong.stderr
        assert "wrong-pw" not in wrong.stderr + wrong.stdout
        ok = scan("digest", env={"SCAN_SMTP_PASSWORD": "s3cret-pw"})
        assert ok.returncode == 0, ok.stderr
        assert "s3cret-pw" not in ok.stderr + ok.stdout
        assert seen[-1] == (b"scanbot", b"s3cret-pw") and len(recorder.messages) == 1
    finally:
        controller.stop()


def test_volume_spike_is_called_out_at_the_top(tmp_path):
    from scanner.config import load_config
    from scanner.digest.service import compose

    write_config(tmp_path, 25)
    seed = Seed(tmp_path / "scan.db")
    for day in range(1, 11):  # a baseline of two grievances a day
        seed.post(100 + day, f"p{day}a", f"late parcel number {day}", days_ago=day + 0.5)
        seed.post(200 + day, f"p{day}b", f"rude courier number {day}", days_ago=day + 0.5)
    config = load_config(tmp_path / "scanner.toml")
    with Store(seed.path) as store:
        assert compose(store, config).spike is None
    for i in range(12):
        seed.post(300 + i, f"q{i}", f"the site is down again, attempt {i}", days_ago=0.2)
    with Store(seed.path) as store:
        digest = compose(store, config)
    assert digest.spike is not None and digest.spike.today == 12 and digest.spike.mean == 2
    from scanner.digest.text_part import render_text

    text = render_text(digest)
    assert text.split("\n\n")[1].startswith("!! Complaint spike: 12 grievances")
    assert "complaint spike (12 in 24 h)" in digest.headline


def test_systemic_issues_lead_the_digest_when_the_report_has_them(tmp_path):
    from types import SimpleNamespace

    from scanner.config import load_config
    from scanner.digest.changes import grievance_sections, systemic_issues
    from scanner.digest.model import Digest
    from scanner.digest.rules import load_digest_rules
    from scanner.digest.text_part import render_text
    from scanner.report.builder import build

    write_config(tmp_path, 25)
    seed = seed_basic(tmp_path)
    config = load_config(tmp_path / "scanner.toml")
    with Store(seed.path) as store:
        report = build(store, config, include_all=True)
        examples = next(c for c in report.clusters if c.id == 7).members
        report.issues = [
            SimpleNamespace(
                id=2,
                name="refund never arrived",
                verdict="systemic",
                people=3,
                mentions=3,
                phrases=["refund never", "stopped answering"],
                weekly=[0, 1, 2],
                members=examples,
            ),
            SimpleNamespace(id=3, name="logout", verdict="isolated", people=1, mentions=1),
        ]
        rules = load_digest_rules()
        issues = systemic_issues(report, rules)
        sections = grievance_sections(store, report, None, rules, 30, issues=issues)
    assert sections[0].key == "issues" and [g.id for g in sections[0].items] == [2]
    issue = sections[0].items[0]
    assert issue.phrases == ["refund never", "stopped answering"] and len(issue.posts) == 3
    digest = Digest(
        company="Acme",
        as_of=NOW,
        since=None,
        systemic_total=1,
        sections=sections,
        sources=[],
        spike=None,
        state={},
    )
    text = render_text(digest)
    assert text.index("SYSTEMIC ISSUES (1)") < text.index("NEW SYSTEMIC GRIEVANCES (1)")
    assert "Issue 2: refund never arrived  3 people, 3 posts" in text
    assert 'phrases: "refund never", "stopped answering"' in text


def test_digest_waits_for_nothing_while_a_nightly_run_holds_the_lock(tmp_path, scan, smtp):
    from scanner.lock import held

    write_config(tmp_path, smtp.port)
    seed = seed_basic(tmp_path)
    with held(seed.path, "nightly"):
        busy = scan("digest")
    assert busy.returncode == 4
    assert "another scan run holds the lock (nightly, pid" in busy.stderr
    assert smtp.messages == [] and seed.sent_digests() == []
    assert scan("digest").returncode == 0 and len(smtp.messages) == 1


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted by the client via SSL_CERT_FILE."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_implicit_tls(tmp_path, scan, certificate, security):
    import ssl

    cert_file, key_file = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    recorder = Recorder()
    if security == "tls":
        controller = Controller(recorder, hostname=HOST, port=free_port(), ssl_context=context)
    else:
        controller = Controller(
            recorder, hostname=HOST, port=free_port(), tls_context=context, require_starttls=True
        )
    controller.start()
    try:
        config = write_config(tmp_path, controller.port)
        config.write_text(config.read_text().replace('"none"', f'"{security}"'))
        seed_basic(tmp_path)
        untrusted = scan("digest")  # the client checks the certificate
        assert untrusted.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr
        sent = scan("digest", env={"SSL_CERT_FILE": str(cert_file)})
        assert sent.returncode == 0, sent.stderr
        [message] = recorder.messages
        assert message["Subject"] == "[scan] Acme: 1 systemic grievance, 1 new"
    finally:
        controller.stop()


def test_an_issue_quotes_an_example_whose_link_is_the_first_under_it():
    from types import SimpleNamespace

    from scanner.digest.rules import load_digest_rules
    from scanner.digest.views import issue_view

    def post(pid: str, url: str | None, quote: str) -> SimpleNamespace:
        return SimpleNamespace(
            id=pid, url=url, quote=quote, text=quote, source="import", published_at="2026-11-01"
        )

    # The first example was imported without an address: its quote over the second's
    # link would send the reader to another post.
    examples = [
        post("a", None, "Crashes on launch"),
        post("b", "https://reviews.example/b", "The captcha never loads"),
        post("c", "https://reviews.example/c", "Wallet fails"),
    ]
    shown = issue_view({"id": 1, "name": "crashes", "examples": examples}, load_digest_rules())
    assert shown.quote.startswith("The captcha never loads")
    assert [p.url for p in shown.posts] == [
        "https://reviews.example/b",
        "https://reviews.example/c",
    ]


def test_a_digest_the_server_took_is_recorded_whatever_it_answers_to_quit(tmp_path, scan):
    """A server that answers QUIT with 421 (closing) after it accepted the message:
    the digest was called refused, left unrecorded, and every later run mailed the
    same changes again (found by review)."""
    from aiosmtpd.smtp import SMTP

    class RudeGoodbye(SMTP):
        async def smtp_QUIT(self, arg: str) -> None:  # noqa: N802 - aiosmtpd API
            await self.push("421 4.4.2 closing, bye")
            self.transport.close()

    class Rude(Controller):
        def factory(self):
            return RudeGoodbye(self.handler, **self.SMTP_kwargs)

    recorder = Recorder()
    controller = Rude(recorder, hostname=HOST, port=free_port())
    controller.start()
    try:
        write_config(tmp_path, controller.port)
        seed = seed_basic(tmp_path)
        first = scan("digest")
        assert first.returncode == 0, first.stderr
        assert len(recorder.messages) == 1 and len(seed.sent_digests()) == 1
        again = scan("digest", "--skip-empty")
        assert again.returncode == 0, again.stderr
        assert len(recorder.messages) == 1, "the same digest was mailed again"
    finally:
        controller.stop()
