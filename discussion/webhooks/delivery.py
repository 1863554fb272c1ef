"""Sending a webhook delivery: once, signed, with back-off, and nothing lost.

`deliver` locks its row, sends the stored body and records the answer in one transaction, so a
task that runs twice (a retry, a redelivered message, the sweep) sends a row at most once after
it succeeded. Timeouts, connection errors, 5xx and 429 are retried with doubling waits
(SAMTAL_WEBHOOKS_RETRY_FIRST_SECONDS, up to SAMTAL_WEBHOOKS_MAX_ATTEMPTS attempts within
SAMTAL_WEBHOOKS_RETRY_FOR_SECONDS); any other answer (4xx, 3xx: redirects are not followed) and
an address that has become private are final. The connection goes to the very addresses that
were checked, so a DNS answer that changes in between cannot point it elsewhere.
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func

from ..extensions import db
from ..jobs import (
    DELIVER_WEBHOOK,
    MAX_RETRY_WAIT,
    backoff_schedule,
    enqueue,
    resend_stuck,
    sweep_cutoff,
)
from ..models import WebhookDelivery, WebhookStatus, utcnow
from . import addresses, signature
from .addresses import Target

log = logging.getLogger(__name__)

ANSWER_KEPT = 500  # characters of an endpoint's answer kept for the delivery log
ANSWER_READ = 4096
USER_AGENT = "Samtal-Webhooks/1"


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    retry_after: float | None = None


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to checked addresses only; Host still names the endpoint."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        self.sock = _connect(self.target, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to checked addresses only; the certificate is checked against the endpoint's name."""

    def __init__(self, target: Target, timeout: float):
        self.tls = tls_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self.tls)
        self.target = target

    def connect(self) -> None:
        self.sock = self.tls.wrap_socket(
            _connect(self.target, self.timeout), server_hostname=self.target.host
        )


def tls_context() -> ssl.SSLContext:
    """The system's certificate authorities; the certificate and its host name are checked."""
    return ssl.create_default_context()


def _connect(target: Target, timeout: float) -> socket.socket:
    """The first of the checked addresses that answers, as `socket.create_connection` does."""
    error: OSError | None = None
    for address in target.addresses:
        try:
            return socket.create_connection((address, target.port), timeout=timeout)
        except OSError as failed:
            error = failed
    raise error or OSError(f"no address for {target.host}")


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST the body; the answer's status and start. Raises OSError or HTTPException on failure."""
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(ANSWER_READ).decode("utf-8", "replace")
        return Answer(
            response.status, text[:ANSWER_KEPT], _seconds(response.getheader("Retry-After"))
        )
    finally:
        connection.close()


def _seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None  # an HTTP date: the back-off's own wait will do


# --- one attempt ---------------------------------------------------------------------------------


def deliver(delivery_id: int) -> float | None:
    """Send one queued delivery once; the seconds to wait before a retry, or None when settled."""
    row = db.session.get(WebhookDelivery, delivery_id, with_for_update=True, populate_existing=True)
    if row is None or row.status != WebhookStatus.QUEUED:
        db.session.rollback()
        return None
    endpoint = row.endpoint
    row.attempts = (row.attempts or 0) + 1
    row.last_attempt_at = utcnow()
    config = current_app.config
    try:
        with force_locale(config["SAMTAL_DEFAULT_LOCALE"]):
            if not endpoint.active:
                raise addresses.AddressRefused(_("Webhooken är avstängd."))
            target = addresses.check(
                endpoint.url, allow_private=config["SAMTAL_WEBHOOKS_ALLOW_PRIVATE"]
            )
    except addresses.AddressRefused as refused:
        return _settle(
            row, None, str(refused), transient=isinstance(refused, addresses.UnknownHost)
        )
    body = row.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Samtal-Event": row.event,
        "X-Samtal-Delivery": str(row.id),
        **signature.headers(endpoint.secret, int(time.time()), body),
    }
    try:
        answer = post(target, body, headers, config["SAMTAL_WEBHOOKS_TIMEOUT_SECONDS"])
    except ssl.SSLCertVerificationError as error:
        return _settle(row, None, f"{type(error).__name__}: {error}", transient=False)
    except (OSError, http.client.HTTPException) as error:  # timeouts are OSErrors too
        return _settle(row, None, f"{type(error).__name__}: {error}", transient=True)
    if 200 <= answer.status < 300:
        row.status = WebhookStatus.SENT
        row.sent_at = utcnow()
        row.last_status, row.last_response, row.next_attempt_at = answer.status, answer.text, None
        db.session.commit()
        log.info("webhook %s delivered (%s): %s", row.id, row.event, answer.status)
        return None
    transient = answer.status == 429 or answer.status >= 500
    return _settle(
        row, answer.status, answer.text, transient=transient, at_least=answer.retry_after
    )


def _settle(
    row: WebhookDelivery,
    status: int | None,
    text: str,
    *,
    transient: bool,
    at_least: float | None = None,
) -> float | None:
    """Record a failed attempt: schedule the retry, or mark the delivery failed for good."""
    row.last_status, row.last_response = status, text[:ANSWER_KEPT]
    delay = retry_delay(row.attempts) if transient else None
    if delay is None:
        row.status = WebhookStatus.FAILED
        row.next_attempt_at = None
        log.error("webhook %s failed after %d attempts: %s %s", row.id, row.attempts, status, text)
    else:
        if at_least is not None:
            delay = max(delay, min(at_least, MAX_RETRY_WAIT))
        row.next_attempt_at = utcnow() + timedelta(seconds=delay)
        log.warning("webhook %s attempt %d failed, retry in %.1fs", row.id, row.attempts, delay)
    db.session.commit()
    return delay


def _schedule() -> list[float]:
    config = current_app.config
    waits = backoff_schedule(
        config["SAMTAL_WEBHOOKS_RETRY_FIRST_SECONDS"], config["SAMTAL_WEBHOOKS_RETRY_FOR_SECONDS"]
    )
    return waits[: max(config["SAMTAL_WEBHOOKS_MAX_ATTEMPTS"] - 1, 0)]


def retry_delay(attempts: int) -> float | None:
    """The wait after the `attempts`-th failed attempt, or None once the back-off is spent."""
    waits = _schedule()
    return waits[attempts - 1] if 1 <= attempts <= len(waits) else None


def max_retries() -> int:
    return len(_schedule())


# --- nothing lost, and an admin's second try ---------------------------------------------------


def sweep_unsent() -> list[int]:
    """Send again deliveries still queued well after they were due, e.g. after a broker outage."""
    due = func.coalesce(WebhookDelivery.next_attempt_at, WebhookDelivery.created_at)
    ids = resend_stuck(
        DELIVER_WEBHOOK,
        WebhookDelivery.id,
        WebhookDelivery.status == WebhookStatus.QUEUED,
        due <= sweep_cutoff(),
    )
    if ids:
        log.info("sweep re-sent %d webhook deliveries", len(ids))
    return ids


def send_again(row: WebhookDelivery) -> None:
    """An admin's retry of a failed delivery, e.g. after the receiver was mended."""
    if row.status != WebhookStatus.FAILED:
        return
    row.status = WebhookStatus.QUEUED
    row.attempts = 0
    row.next_attempt_at = None
    enqueue(db.session, DELIVER_WEBHOOK, row.id)
