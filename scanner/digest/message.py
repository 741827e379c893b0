"""One multipart/alternative e-mail: the plain-text part first, the HTML part second.

Clients show the last alternative they can render, so terminal readers get the
text and everyone else the HTML. The subject carries the headline; header values
are stripped of line breaks so nothing from a config or a post can add a header.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from scanner.digest.html_part import render_html
from scanner.digest.model import Digest
from scanner.digest.text_part import render_text
from scanner.errors import ScanError
from scanner.text.safe import strip_controls


def _header(value: str) -> str:
    return " ".join(strip_controls(value, keep_newlines=False).split())


NO_RECIPIENTS = "no recipients: pass --to ADDR or set `to` in the [digest] config table"


def build_message(digest: Digest, *, sender: str, to: list[str], prefix: str) -> EmailMessage:
    if not to:
        raise ScanError(NO_RECIPIENTS)
    message = EmailMessage()
    subject = f"{digest.company}: {digest.headline}"
    message["Subject"] = _header(f"{prefix} {subject}" if prefix else subject)
    message["From"] = _header(sender)
    message["To"] = ", ".join(_header(a) for a in to)
    message["Date"] = formatdate(digest.as_of.timestamp(), localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2].strip(" >") or "localhost"
    message["Message-ID"] = make_msgid("scan-digest", domain=_header(domain))
    message["X-Scan-Digest"] = "1"
    # Quoted-printable: 7-bit safe through any relay, and still legible ASCII.
    message.set_content(render_text(digest), charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        render_html(digest), subtype="html", charset="utf-8", cte="quoted-printable"
    )
    return message


def readable(message: EmailMessage) -> str:
    """The headers and each part decoded, for ``--dry-run`` (``--out`` keeps the wire form)."""
    lines = [f"{name}: {value}" for name, value in message.items()]
    for part in message.iter_parts():
        lines += ["", f"----- {part.get_content_type()} -----", part.get_content().rstrip("\n")]
    return "\n".join(lines) + "\n"
