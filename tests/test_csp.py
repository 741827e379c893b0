"""The HTML report, the comparison and the digest's HTML part carry a strict
Content-Security-Policy (issue #16, item 11): no scripts, no fetches of any kind,
inline styles only. The comparison page lacked it until its page shared the
report's frame (issue #17, item 6)."""

from __future__ import annotations

import email
import email.policy
from html.parser import HTMLParser

from tests.compare_support import AS_OF
from tests.conftest import run_scan
from tests.test_digest import parts, seed_basic, write_config


class Head(HTMLParser):
    """The CSP meta tag and what comes before it."""

    def __init__(self) -> None:
        super().__init__()
        self.policy: str | None = None
        self.before: list[str] = []  # tags seen before the policy
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag == "meta" and (found.get("http-equiv") or "").lower() == "content-security-policy":
            self.policy = self.policy or found.get("content")
        elif self.policy is None:
            self.before.append(tag)


def policy_of(page: str) -> Head:
    head = Head()
    head.feed(page)
    assert head.policy is not None, "no Content-Security-Policy meta tag"
    # It must come before anything it governs: only <html>, <head>, the charset may precede.
    assert head.before in (["html", "head", "meta"], ["html", "head", "meta", "meta"]), head.before
    directives = {d.split()[0]: d.split()[1:] for d in head.policy.split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]  # scripts, frames, images, fonts, fetches
    assert directives["style-src"] == ["'unsafe-inline'"]
    assert directives["base-uri"] == ["'none'"] and directives["form-action"] == ["'none'"]
    assert not any("script" in name for name in directives)
    assert not any(tag == "script" for tag, _ in head.tags)
    return head


def test_html_report_has_a_strict_policy(report_site):
    done = run_scan("report", "--format", "html", "--days", "3650", cwd=report_site)
    assert done.returncode == 0, done.stderr
    policy_of(done.stdout)


def test_digest_html_part_has_a_strict_policy(tmp_path, scan):
    write_config(tmp_path, 25)
    seed_basic(tmp_path)
    out = tmp_path / "today.eml"
    assert scan("digest", "--out", str(out)).returncode == 0
    message = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    policy_of(parts(message)["text/html"])


def test_compare_html_has_a_strict_policy(compare_site):
    done = run_scan("compare", "--as-of", AS_OF, "--format", "html", cwd=compare_site)
    assert done.returncode == 0, done.stderr
    assert "People per 100 mentions" in done.stdout
    policy_of(done.stdout)
