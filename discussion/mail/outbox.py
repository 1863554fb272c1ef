"""E-mail that arrives exactly once: queued as rows with the event, sent by tasks, retried.

`mail.kinds.send(...)` (every kind of e-mail is registered there) calls `queue_email` in the
transaction of the event that causes the e-mail; the
row is unique on (event, recipient), so the same event never mails the same address twice.
`samtal.send_email` sends a queued row and marks it sent in one locked transaction, so a task
that runs twice sends once. Transient SMTP failures (connection refused, 4xx) are retried with
exponential back-off for SAMTAL_EMAIL_RETRY_FOR_SECONDS; permanent ones (5xx) are recorded and
shown to admins at /moderera/utkorg. Without SAMTAL_SMTP_HOST, e-mails become .eml files in
<instance>/outbox instead.
"""

from __future__ import annotations

import base64
import logging
import os
import smtplib
import ssl
from datetime import UTC, timedelta
from email import policy as email_policy
from email.headerregistry import Address as HeaderAddress
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from sqlalchemy import func, select

from .. import signing
from ..domains import header_safe, parse_address
from ..extensions import db
from ..jobs import SEND_EMAIL, backoff_schedule, enqueue, resend_stuck, sweep_cutoff
from ..models import EmailStatus, OutgoingEmail, utcnow
from .subscriptions import unsubscribe_link, unsubscribed

log = logging.getLogger(__name__)

SUBJECT_LIMIT = 250


def queue_email(
    *,
    event: str,
    recipient: str,
    kind: str,
    subject: str,
    template: str,
    to_reader: bool,
    **context: Any,
) -> OutgoingEmail | None:
    """Render and queue one e-mail for after the commit; None if it exists or may not be sent.

    `to_reader` marks e-mail to someone without an account: it carries the one-click unsubscribe
    link and headers, and is not sent at all to an address that unsubscribed.
    """
    address = parse_address(recipient)
    if address is None:
        log.warning("not sending %s: %r is not an address", event, recipient)
        return None
    if _exists(event, address.key) or (to_reader and unsubscribed(address.key)):
        return None
    unsubscribe_url = unsubscribe_link(address.key) if to_reader else None
    context |= {
        "unsubscribe_url": unsubscribe_url,
        "site_name": site_name(),
        # Every e-mail to a reader says where to see or erase what is held about them.
        "data_rights_url": signing.absolute_url("privacy.start") if to_reader else None,
    }
    row = OutgoingEmail(
        event=event,
        kind=kind,
        recipient=address.key,
        subject=header_safe(subject, SUBJECT_LIMIT),
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
        unsubscribe_url=unsubscribe_url,
        status=EmailStatus.QUEUED,
    )
    db.session.add(row)
    db.session.flush()
    enqueue(db.session, SEND_EMAIL, row.id)
    log.info("e-mail %s (%s) queued for %s", row.id, event, kind)
    return row


def _exists(event: str, recipient: str) -> bool:
    return (
        db.session.scalar(
            select(OutgoingEmail.id).where(
                OutgoingEmail.event == event, OutgoingEmail.recipient == recipient
            )
        )
        is not None
    )


def site_name() -> str:
    """The site's name as it may stand in a header and in e-mail text."""
    return header_safe(current_app.config["SAMTAL_SITE_NAME"], 80) or "Samtal"


# --- sending -----------------------------------------------------------------------------------


class PermanentFailure(Exception):
    """The e-mail cannot be sent as it is; retrying would not help."""


def deliver(outgoing_id: int) -> float | None:
    """Send one queued e-mail once; the seconds to wait before a retry, or None when settled."""
    row = db.session.get(OutgoingEmail, outgoing_id, with_for_update=True, populate_existing=True)
    if row is None or row.status != EmailStatus.QUEUED:
        db.session.rollback()
        return None
    row.attempts = (row.attempts or 0) + 1
    try:
        _transmit(row, build_message(row))
    except (PermanentFailure, smtplib.SMTPException, OSError, ValueError) as error:
        return _record_failure(row, error)
    row.status = EmailStatus.SENT
    row.sent_at = utcnow()
    row.last_error = None
    row.next_attempt_at = None
    db.session.commit()
    log.info("e-mail %s sent (%s)", outgoing_id, row.kind)
    return None


def _record_failure(row: OutgoingEmail, error: Exception) -> float | None:
    row.last_error = f"{type(error).__name__}: {error}"[:2000]
    delay = retry_delay(row.attempts) if is_transient(error) else None
    if delay is None:
        row.status = EmailStatus.FAILED
        row.next_attempt_at = None
        log.error("e-mail %s failed for good after %d attempts: %s", row.id, row.attempts, error)
    else:
        row.next_attempt_at = utcnow() + timedelta(seconds=delay)
        log.warning(
            "e-mail %s attempt %d failed, retry in %.0fs: %s", row.id, row.attempts, delay, error
        )
    db.session.commit()
    return delay


def is_transient(error: Exception) -> bool:
    """Worth retrying: the server was unreachable or answered 4xx; 5xx and bad input are final."""
    if isinstance(error, PermanentFailure | ValueError | smtplib.SMTPNotSupportedError):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return not 500 <= error.smtp_code < 600
    return not isinstance(error, ssl.SSLCertVerificationError)


def _schedule() -> list[float]:
    config = current_app.config
    return backoff_schedule(
        config["SAMTAL_EMAIL_RETRY_FIRST_SECONDS"], config["SAMTAL_EMAIL_RETRY_FOR_SECONDS"]
    )


def retry_delay(attempts: int) -> float | None:
    """The wait after the `attempts`-th failed attempt, or None once the back-off is spent."""
    waits = _schedule()
    return waits[attempts - 1] if 1 <= attempts <= len(waits) else None


def max_retries() -> int:
    return len(_schedule())


class _LinkHeader(UnstructuredHeader):
    """`List-Unsubscribe: <https://…>` as plain ASCII on one line, as RFC 2369 and 8058 want.

    Python's default folding turns a long unbreakable value into RFC 2047 encoded words,
    which mail clients do not read as a link.
    """

    def fold(self, *, policy):
        value = str(self)
        if not value.isascii() or len(value) > 990:
            return super().fold(policy=policy)
        return f"{self.name}: {value}{policy.linesep}"


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("list-unsubscribe", _LinkHeader)
MESSAGE_POLICY = email_policy.default.clone(header_factory=_HEADERS)


def build_message(row: OutgoingEmail) -> EmailMessage:
    """The MIME message: Swedish text and HTML parts in UTF-8, headers free of control chars."""
    sender = _sender()
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["Subject"] = header_safe(row.subject, SUBJECT_LIMIT)
    message["From"] = HeaderAddress(display_name=site_name(), addr_spec=sender)
    message["To"] = HeaderAddress(addr_spec=row.recipient)
    message["Date"] = format_datetime(row.created_at.replace(tzinfo=UTC))
    stamp = row.created_at.strftime("%Y%m%d%H%M%S")
    message["Message-ID"] = f"<samtal.{row.id}.{stamp}@{sender.rsplit('@', 1)[1]}>"
    message["Auto-Submitted"] = "auto-generated"
    if row.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(row.body_text, cte="quoted-printable")
    message.add_alternative(row.body_html, subtype="html", cte="quoted-printable")
    return message


def _sender() -> str:
    """SAMTAL_MAIL_SENDER, checked loosely: `samtal@localhost` is fine for a From line."""
    sender = current_app.config["SAMTAL_MAIL_SENDER"].strip()
    local, _, domain = sender.partition("@")
    if not local or not domain or "@" in domain or header_safe(sender, 254) != sender:
        raise PermanentFailure("SAMTAL_MAIL_SENDER is not an e-mail address")
    return sender


def _transmit(row: OutgoingEmail, message: EmailMessage) -> None:
    if current_app.config["SAMTAL_SMTP_HOST"]:
        _send_smtp(message)
    else:
        write_outbox(row, message)


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    security = config["SAMTAL_SMTP_SECURITY"]
    context = ssl.create_default_context(cafile=config["SAMTAL_SMTP_CA_FILE"] or None)
    host, port, timeout = (
        config["SAMTAL_SMTP_HOST"],
        config["SAMTAL_SMTP_PORT"],
        config["SAMTAL_SMTP_TIMEOUT_SECONDS"],
    )
    if security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=context)
        if config["SAMTAL_SMTP_USER"]:
            _login(smtp, config["SAMTAL_SMTP_USER"], config["SAMTAL_SMTP_PASSWORD"])
        smtp.send_message(message)


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib's login, which encodes credentials as ASCII; a password with å, ä or ö goes as
    UTF-8 in AUTH PLAIN instead (RFC 4616), which smtplib cannot send."""
    if (user + password).isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError("the server offers no AUTH PLAIN for a UTF-8 login")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, response = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, response)


# --- the outbox folder of the embedded default ---------------------------------------------------


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def outbox_path(row: OutgoingEmail) -> Path:
    return outbox_dir() / f"{row.id:06d}-{row.kind}.eml"


def write_outbox(row: OutgoingEmail, message: EmailMessage) -> None:
    """Write the message as an .eml file; same name on a second run, so never two copies."""
    path = outbox_path(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".eml.part")
    partial.write_bytes(message.as_bytes())
    os.replace(partial, path)


# --- nothing lost: re-sending rows stuck unsent --------------------------------------------------


def sweep_unsent() -> list[int]:
    """Send again e-mails still queued well after they were due, e.g. after a broker outage."""
    due = func.coalesce(OutgoingEmail.next_attempt_at, OutgoingEmail.created_at)
    ids = resend_stuck(
        SEND_EMAIL,
        OutgoingEmail.id,
        OutgoingEmail.status == EmailStatus.QUEUED,
        due <= sweep_cutoff(),
    )
    if ids:
        log.info("sweep re-sent %d e-mails", len(ids))
    return ids


def send_again(row: OutgoingEmail) -> None:
    """An admin's retry of a failed e-mail, e.g. after fixing the SMTP settings."""
    if row.status != EmailStatus.FAILED:
        return
    row.status = EmailStatus.QUEUED
    row.attempts = 0
    row.next_attempt_at = None
    enqueue(db.session, SEND_EMAIL, row.id)
