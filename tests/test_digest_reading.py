"""The digest as a person reads it (issue #15, items 7-10): flags in view, each grievance
quoted once, order numbers left readable, a plain part that fits 80 columns, and an SMTP
error that names what is actually wrong."""

from __future__ import annotations

import email
import email.policy
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from rich.cells import cell_len

from scanner.digest.mask import PHONE_MASK, mask
from scanner.store import Store
from tests.test_digest import (  # noqa: F401 - smtp and certificate are fixtures
    HOST,
    NOW,
    Recorder,
    Seed,
    certificate,
    free_port,
    parts,
    seed_basic,
    smtp,
    write_config,
)

BOMB = "Worst bank ever, they froze my savings account for no reason, avoid at all costs"


def test_flags_are_in_both_parts_and_a_possible_review_bomb_is_in_the_subject(
    tmp_path,
    scan,
    smtp,  # noqa: F811
):
    write_config(tmp_path, smtp.port)
    seed = Seed(tmp_path / "scan.db")
    for i, account in enumerate(("acct_one", "acct_two", "acct_three")):
        seed.post(4, account, BOMB + "!" * i, days_ago=1 - i * 0.02)  # within an hour
    assert scan("digest").returncode == 0
    [message] = smtp.messages
    assert "1 possibly coordinated" in message["Subject"]
    text, html = parts(message)["text/plain"], parts(message)["text/html"]
    assert "#4 [new, coordinated]" in text
    assert "!! possibly coordinated: several accounts posted near-identical text" in text
    assert ">coordinated</span>" in html and "Possibly coordinated:" in html


def _one_cluster_issue_digest(tmp_path, clusters=(7,)):
    from scanner.config import load_config
    from scanner.digest.changes import grievance_sections, systemic_issues
    from scanner.digest.model import Digest
    from scanner.digest.rules import load_digest_rules
    from scanner.report.builder import build

    write_config(tmp_path, 25)
    seed = seed_basic(tmp_path)
    config = load_config(tmp_path / "scanner.toml")
    with Store(seed.path) as store:
        report = build(store, config, include_all=True)
        cluster = next(c for c in report.clusters if c.id == 7)
        report.issues = [
            SimpleNamespace(
                id=2,
                name="refund never arrived",
                verdict="systemic",
                people=3,
                mentions=3,
                phrases=["refund never"],
                clusters=list(clusters),
                flags=list(cluster.flags),
                members=cluster.members,
            ),
        ]
        rules = load_digest_rules()
        issues = systemic_issues(report, rules)
        sections = grievance_sections(store, report, None, rules, 30, issues=issues)
    return Digest(
        company="Acme",
        as_of=NOW,
        since=None,
        systemic_total=1,
        sections=sections,
        sources=[],
        spike=None,
        state={},
    ), cluster


def test_an_issue_of_one_grievance_quotes_it_once(tmp_path):
    from scanner.digest.html_part import render_html
    from scanner.digest.text_part import render_text

    digest, cluster = _one_cluster_issue_digest(tmp_path)
    text, html = render_text(digest), render_html(digest)
    assert "Issue 2: refund never arrived" in text and "grievances: #7" in text
    assert "#7 [new]" in text and "(quoted above, under Issue 2)" in text
    for body in (text, html):
        assert body.count("Refund never arrived after I returned") == 1
        for member in cluster.members:
            assert body.count(member.url) == 1, member.url
    assert "Quoted above, under Issue 2." in html


def test_a_big_issue_names_its_largest_grievances_not_all_of_them(tmp_path):
    # Hundreds of ids bury a mail: the ten largest (listed first) and where the rest are.
    from scanner.digest.html_part import render_html
    from scanner.digest.text_part import render_text

    many = [7, *range(100, 124)]
    digest, _ = _one_cluster_issue_digest(tmp_path, many)
    text, html = render_text(digest), render_html(digest)
    shown = ", ".join(f"#{c}" for c in many[:10])
    assert (
        " ".join(text.split()).count(f"grievances: {shown} and 15 more (scan report --issue 2)")
        == 1
    )
    assert f"Grievances: {shown} and 15 more (scan report --issue 2)" in html
    for body in (text, html):
        assert "#108" in body and "#109" not in body


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("They billed invoice 2026-114 twice", "invoice 2026-114"),
        ("order 1234567890 never arrived", "order 1234567890"),
        ("Ticket 555-1234 is still open", "Ticket 555-1234"),
        ("pedido 612 345 678 sin entregar", "pedido 612 345 678"),
        ("refund of 1,234,567 on 2026-11-07", "1,234,567 on 2026-11-07"),
        ("ref. no. 20261114 and order no 88123456", "20261114 and order no 88123456"),
    ],
)
def test_order_and_invoice_numbers_are_not_masked(text, kept):
    assert kept in mask(text)


@pytest.mark.parametrize(
    "text",
    [
        "Nobody calls back on +1 (555) 123-4567",
        "call me on 5551234",
        "they gave me 555-123-4567 and nobody answers",
        "my number is 020 7946 0958",
        "WhatsApp: 98765 43210",
        "llamé al 612 345 678 tres veces",
        "मेरा फ़ोन ९८७६५४३२१० है",
        "ring 555-1234 after six",
    ],
)
def test_phone_numbers_are_masked(text):
    masked = mask(text)
    assert PHONE_MASK in masked and not any(ch.isdigit() for ch in masked), masked


def test_the_digest_masks_the_phone_and_keeps_the_invoice(tmp_path, scan, smtp):  # noqa: F811
    write_config(tmp_path, smtp.port)
    seed = Seed(tmp_path / "scan.db")
    text = "Invoice 2026-114 charged twice; support at 555-123-4567 never answers"
    for who in ("ana", "bob", "chen"):
        seed.post(5, who, f"{text} ({who})")
    assert scan("digest").returncode == 0
    for body in parts(smtp.messages[0]).values():
        assert "Invoice 2026-114" in body and "555-123-4567" not in body and "[phone]" in body


LONG_URL = "https://reviews.example/trustpilot/" + "very-long-slug-" * 8 + "end"


def test_the_plain_part_fits_80_columns_and_keeps_every_link_whole(tmp_path, scan):
    write_config(tmp_path, 25)
    seed = Seed(tmp_path / "scan.db")
    texts = [
        "Refund never arrived after I returned the blender and support stopped answering "
        "my e-mails for three weeks, which is frankly unacceptable for a company this size",
        "返金がまだありません。サポートは三週間も返事をくれません。本当にひどい会社です。" * 2,
        "मेरे खाते से पैसे कट गए लेकिन ट्रांसफर नहीं हुआ। तीन दिन हो गए, पैसा वापस नहीं आया।",
    ]
    for cluster, body in enumerate(texts, start=1):
        for who in ("ana", "bob", "chen"):
            seed.post(
                cluster,
                f"{who}{cluster}",
                f"{body} {who}",
                url=f"{LONG_URL}-{who}{cluster}",
                source="a-source-with-a-rather-long-name",
            )
    seed.post(9, "dee", "short one", url="https://r.example/1")
    huge_source = "zendesk-export-customer-care-escalations-emea-2026-q4-priority-queue"
    seed.post(10, "eve", "long source", url="https://r.example/2", source=huge_source)
    done = scan("digest", "--out", "d.eml")
    assert done.returncode == 0, done.stderr
    message = email.message_from_bytes(
        (tmp_path / "d.eml").read_bytes(), policy=email.policy.default
    )
    text = message.get_body(("plain",)).get_content()
    for line in text.splitlines():
        alone = line.strip()
        if alone.startswith("https://") and " " not in alone:
            continue  # a link longer than a line is never broken: it must still open
        assert cell_len(line) <= 78, line
    for cluster in range(1, 4):
        for who in ("ana", "bob", "chen"):
            assert f"{LONG_URL}-{who}{cluster}\n" in text
    assert "- a-source-with-a-rather-long-name " in text
    assert "https://r.example/1" in text
    assert "- zendesk-export-customer-care-escalations-emea-2026-q4-prio" in text  # cut, with …


def _server_without_auth(**kwargs) -> Controller:
    controller = Controller(Recorder(), hostname=HOST, port=free_port(), **kwargs)
    controller.start()
    return controller


def test_a_login_against_a_server_without_auth_says_so(tmp_path, scan):
    controller = _server_without_auth()
    try:
        config = write_config(tmp_path, controller.port)
        config.write_text(config.read_text() + 'smtp_user = "scanbot"\n', encoding="utf-8")
        seed_basic(tmp_path)
        done = scan("digest", env={"SCAN_SMTP_PASSWORD": "pw"})
        assert done.returncode == 1
        assert "does not offer AUTH, so smtp_user 'scanbot' cannot log in" in done.stderr
        assert "remove smtp_user" in done.stderr
        assert "STARTTLS" not in done.stderr.split("cannot log in", 1)[0]  # not the old message
        assert 'set smtp_security = "tls" or "none"' not in done.stderr
    finally:
        controller.stop()


def test_starttls_asked_of_a_server_without_it_says_so(tmp_path, scan):
    controller = _server_without_auth()
    try:
        config = write_config(tmp_path, controller.port)
        config.write_text(config.read_text().replace('"none"', '"starttls"'), encoding="utf-8")
        seed_basic(tmp_path)
        done = scan("digest")
        assert done.returncode == 1 and "does not offer STARTTLS" in done.stderr
    finally:
        controller.stop()


def test_a_login_where_auth_comes_only_after_starttls_says_to_use_starttls(
    tmp_path,
    scan,
    certificate,  # noqa: F811
):
    import ssl

    from aiosmtpd.smtp import AuthResult

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    controller = _server_without_auth(
        tls_context=context,
        auth_require_tls=True,
        authenticator=lambda *args: AuthResult(success=True),
    )
    try:
        config = write_config(tmp_path, controller.port)
        config.write_text(config.read_text() + 'smtp_user = "scanbot"\n', encoding="utf-8")
        seed_basic(tmp_path)
        done = scan("digest", env={"SCAN_SMTP_PASSWORD": "pw"})
        assert done.returncode == 1
        assert "it offers STARTTLS" in done.stderr and 'smtp_security = "starttls"' in done.stderr
    finally:
        controller.stop()
