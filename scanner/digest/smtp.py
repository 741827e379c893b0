"""Handing a message to an SMTP server: STARTTLS, implicit TLS, or plain for a local relay.

The password comes only from ``SCAN_SMTP_PASSWORD`` (``Digest.password``): never
from the command line, where ``ps`` shows it, and never into a log or an error
message. Over a clear connection (``smtp_security = "none"``) it is sent only to
a server on this machine; AUTH PLAIN to any other would show it to the network.
A refusal is reported with the server's own answer, because that is
what the user needs to fix it ("550 5.1.1 no such user").
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr

from scanner.config import Digest as DigestConfig
from scanner.errors import ScanError

TIMEOUT_S = 60


class SendError(ScanError):
    """The server could not be reached or did not accept the message."""


def send(message: EmailMessage, settings: DigestConfig, to: list[str]) -> dict[str, str]:
    """Send; return the recipients the server refused (the rest accepted it).

    Raises :class:`SendError` when nothing was accepted.
    """
    host, port, security = settings.smtp_host, settings.smtp_port, settings.smtp_security
    where = f"{host}:{port} ({security})"
    password = settings.password
    if settings.smtp_user and not password:
        raise SendError(f"smtp_user is set but SCAN_SMTP_PASSWORD is not (sending to {where})")
    try:
        if security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=TIMEOUT_S, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=TIMEOUT_S)
        try:
            if security == "starttls":
                client.ehlo()
                if not client.has_extn("starttls"):
                    raise SendError(
                        f"{where} does not offer STARTTLS; set smtp_security = "
                        '"tls" if it takes TLS from the start, or "none" for a '
                        "local relay"
                    )
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if settings.smtp_user:
                client.ehlo_or_helo_if_needed()
                if not client.has_extn("auth"):
                    raise SendError(
                        _no_auth(where, settings.smtp_user, security, client.has_extn("starttls"))
                    )
                if security == "none" and not _on_this_machine(client):
                    raise SendError(
                        f"refusing to send the SMTP password in clear text to {host}:{port}, "
                        'which is not on this machine; set smtp_security = "starttls" or "tls"'
                    )
                client.login(settings.smtp_user, password or "")
            sender = parseaddr(settings.from_addr)[1] or settings.from_addr
            refused = client.send_message(message, from_addr=sender, to_addrs=to)
        finally:
            _quit(client)
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"{where} refused every recipient: {_refusals(exc.recipients)}") from exc
    except smtplib.SMTPResponseException as exc:
        raise SendError(
            f"{where} refused the message: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:  # what the server refused is in exc
        raise SendError(f"{where}: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"cannot send via {where}: {exc}") from exc
    return {addr: f"{code} {_text(text)}" for addr, (code, text) in refused.items()}


def _quit(client: smtplib.SMTP) -> None:
    """Say goodbye and close, whatever the server answers: once it has accepted the
    message, a QUIT it answers with 421 (or a connection it drops) is no refusal.
    ``with client`` raised for it, the digest was called refused and left unrecorded,
    and every later run mailed it again."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _no_auth(where: str, user: str, security: str, offers_starttls: bool) -> str:
    """What to change when smtp_user is set but the server offers no login."""
    if security == "none" and offers_starttls:
        fix = (
            "it offers STARTTLS, after which servers usually offer AUTH: set "
            'smtp_security = "starttls"'
        )
    else:
        fix = (
            "remove smtp_user if the server takes mail without a login, or use the port "
            "where it offers AUTH (often 587 with STARTTLS)"
        )
    return f"{where} does not offer AUTH, so smtp_user {user!r} cannot log in: {fix}"


def _on_this_machine(client: smtplib.SMTP) -> bool:
    """Whether the connected server is on a loopback address (a local relay).

    The address actually connected to decides, not the name in the config: a
    name can resolve anywhere.
    """
    try:
        if client.sock is None:  # not connected
            return False
        peer = ipaddress.ip_address(client.sock.getpeername()[0].split("%")[0])
    except (OSError, ValueError, AttributeError):
        return False
    mapped = getattr(peer, "ipv4_mapped", None)
    return (mapped or peer).is_loopback


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refusals(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr}: {code} {_text(text)}" for addr, (code, text) in recipients.items())
