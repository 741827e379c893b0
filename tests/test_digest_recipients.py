"""A recipient the server refused gets the changes it missed with the next digest
(issue #16, item 13): what was sent is recorded per recipient."""

from __future__ import annotations

import email
import email.policy
import json
import threading

import pytest
from aiosmtpd.controller import Controller

from tests.test_digest import HOST, free_port, parts, seed_basic, write_config


class Picky:
    """aiosmtpd handler that refuses the addresses in ``refuse`` at RCPT TO."""

    def __init__(self) -> None:
        self.refuse: set[str] = set()
        self.received: dict[str, list[email.message.EmailMessage]] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received.setdefault(address, []).append(message)
        return "250 OK"


@pytest.fixture
def picky():
    handler = Picky()
    controller = Controller(handler, hostname=HOST, port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def test_a_refused_recipient_gets_what_it_missed_next_time(tmp_path, scan, picky):
    write_config(tmp_path, picky.port, to='ops@example.com", "cx@example.com')
    seed = seed_basic(tmp_path)
    picky.refuse = {"cx@example.com"}
    first = scan("digest")
    assert first.returncode == 3, first.stderr
    assert "refused cx@example.com: 550 5.1.1 mailbox unavailable" in first.stderr
    assert "cx@example.com gets these changes with the next digest" in first.stderr
    assert list(picky.received) == ["ops@example.com"]
    [ops_first] = picky.received["ops@example.com"]
    assert "NEW SYSTEMIC GRIEVANCES (1)" in parts(ops_first)["text/plain"]

    picky.refuse = set()
    seed.post(11, "fay", "The lamp arrived with a cracked shade and no reply from support")
    second = scan("digest")
    assert second.returncode == 0, second.stderr
    ops = parts(picky.received["ops@example.com"][1])["text/plain"]
    [cx] = [parts(m)["text/plain"] for m in picky.received["cx@example.com"]]
    assert "NEW SYSTEMIC" not in ops and "cracked shade" in ops  # ops had #7 already
    assert "NEW SYSTEMIC GRIEVANCES (1)" in cx and "#7 [new]  3 people" in cx  # what cx missed ...
    assert "cracked shade" in cx  # ... and what is new for everyone
    sent = seed.sent_digests()
    assert [json.loads(d["recipients"]) for d in sent] == [
        ["ops@example.com"],
        ["ops@example.com"],
        ["cx@example.com"],
    ]

    third = scan("digest", "--skip-empty")
    assert third.returncode == 0 and "nothing sent" in third.stdout
    assert [len(v) for v in picky.received.values()] == [2, 1]

    # Both have caught up: one message to both again, not one each every night.
    seed.post(12, "gus", "The kettle lid snapped off on the second day of use")
    assert scan("digest").returncode == 0
    assert json.loads(seed.sent_digests()[-1]["recipients"]) == [
        "ops@example.com",
        "cx@example.com",
    ]
    assert [len(v) for v in picky.received.values()] == [3, 2]
    assert picky.received["ops@example.com"][2] is picky.received["cx@example.com"][1]


def test_which_digest_each_recipient_is_compared_with():
    from scanner.digest.history import SentDigest, base_for, by_base

    refused = {"cx@example.com": "550 no"}
    history = [  # newest first
        SentDigest(4, "d4", {"n": 4}, ["ops@example.com"], refused),
        SentDigest(3, "d3", {"n": 3}, ["ops@example.com"], {"new@example.com": "550 no"}),
        SentDigest(2, "d2", {"n": 2}, ["cx@example.com"]),
        SentDigest(1, "d1", {"n": 1}, ["ops@example.com", "cx@example.com"]),
    ]
    assert base_for(history, "ops@example.com").id == 4  # got the last one
    assert base_for(history, "cx@example.com").id == 2  # its last accepted
    assert base_for(history, "new@example.com").id == 2  # refused first time: what d3 compared with
    assert base_for(history, "else@example.com").id == 4  # never mentioned: the last one sent
    assert base_for([], "ops@example.com") is None
    groups = by_base(history, ["ops@example.com", "cx@example.com", "new@example.com"])
    assert [(b.id, g) for b, g in groups] == [
        (4, ["ops@example.com"]),
        (2, ["cx@example.com", "new@example.com"]),
    ]
    # Sent apart one night, they reported the same: one base, the latest.
    night = [
        SentDigest(6, "d6", {"as_of": "03:00:02", "n": 5}, ["cx@example.com"]),
        SentDigest(5, "d5", {"as_of": "03:00:01", "n": 5}, ["ops@example.com"]),
        *history,
    ]
    groups = by_base(night, ["ops@example.com", "cx@example.com"])
    assert [(b.id, g) for b, g in groups] == [(6, ["ops@example.com", "cx@example.com"])]
