"""Every webhook event, and the one place each is recorded.

    comment.received       a new comment is stored (posting), before it is checked
    comment.published      a comment becomes visible, whatever approved it (lifecycle)
    comment.waiting        a comment goes to the queue's Väntar (lifecycle)
    comment.rejected       a comment is rejected, by a moderator or a ban (lifecycle)
    comment.spam           a comment goes to Skräp, by the filter or a moderator (lifecycle)
    report.threshold       readers' reports hid a comment: it waits in Anmälda (lifecycle)
    organisation.answered  the post's author is told an organisation answered (notifications)

Each is recorded in the transaction of what caused it: one delivery row per active endpoint
that subscribes to it, unique on (event id, endpoint), with its JSON body fixed there and then;
the delivery task is queued for after the commit. A rolled-back change sends nothing, and a
change made once is sent once, however often a task runs.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event as orm_event
from sqlalchemy import select

from .. import signing
from ..extensions import db
from ..jobs import DELIVER_WEBHOOK, enqueue
from ..models import (
    Comment,
    CommentState,
    ModerationDecision,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from ..times import iso_utc

log = logging.getLogger(__name__)

RECEIVED = "comment.received"
PUBLISHED = "comment.published"
WAITING = "comment.waiting"
REJECTED = "comment.rejected"
SPAM = "comment.spam"
REPORTED = "report.threshold"
ORGANISATION_ANSWERED = "organisation.answered"
TEST = "webhook.test"  # an admin's "send test"; no endpoint subscribes to it

EVENTS: dict[str, Any] = {
    RECEIVED: _l("En ny kommentar har kommit in"),
    PUBLISHED: _l("En kommentar har publicerats"),
    WAITING: _l("En kommentar väntar på granskning"),
    REJECTED: _l("En kommentar har avvisats"),
    SPAM: _l("En kommentar har hamnat i Skräp"),
    REPORTED: _l("Läsares anmälningar har dolt en kommentar"),
    ORGANISATION_ANSWERED: _l("En organisation har svarat"),
}

# The state a change ends in says which event it is (a change to the same state is none).
_STATE_EVENTS = {
    CommentState.APPROVED: PUBLISHED,
    CommentState.PENDING: WAITING,
    CommentState.REJECTED: REJECTED,
    CommentState.SPAM: SPAM,
}
# The queue's tab where each event's comment is found.
_QUEUE_TABS = {
    RECEIVED: "vantar",
    WAITING: "vantar",
    PUBLISHED: "godkanda",
    ORGANISATION_ANSWERED: "godkanda",
    REJECTED: "avvisade",
    SPAM: "skrap",
    REPORTED: "anmalda",
}
REPORTED_ACTION = "reported"  # the lifecycle action of a comment hidden by reports


def event_of_change(action: str, from_state: str, to_state: str) -> str | None:
    """The event a state change is, or None (held, deleted, back to received, no change)."""
    if from_state == to_state:
        return None
    if action == REPORTED_ACTION:
        return REPORTED
    return _STATE_EVENTS.get(CommentState(to_state))


# --- what the domains call ---------------------------------------------------------------------


def state_changed(comment: Comment, decision: ModerationDecision) -> None:
    """Called by `comments.lifecycle.change_state` for every change, with its audit entry."""
    event = event_of_change(decision.action, decision.from_state, decision.to_state)
    endpoints = subscribers(event) if event is not None else []
    if endpoints:
        db.session.flush()  # the audit entry's id is the event's
        _record(endpoints, event, f"{event}:{decision.id}", comment)


def comment_received(comment: Comment) -> None:
    """Called by `comments.posting.post_comment` once the new comment has its id."""
    _record(subscribers(RECEIVED), RECEIVED, f"{RECEIVED}:{comment.id}", comment)


def organisation_answered(comment: Comment) -> None:
    """Called where the post's author is told of an organisation's answer (once per comment)."""
    event_id = f"{ORGANISATION_ANSWERED}:{comment.id}"
    _record(subscribers(ORGANISATION_ANSWERED), ORGANISATION_ANSWERED, event_id, comment)


def send_test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """An admin's test: a delivery like any other, with no comment, to this endpoint alone."""
    event_id = f"{TEST}:{uuid.uuid4().hex}"
    return _add_delivery(endpoint, TEST, event_id, lambda: payload(TEST, event_id, None))


# --- recording ----------------------------------------------------------------------------------


# The active endpoints are read at most every few seconds per app, not once per event, so that
# posting a comment costs no query for them. A change to an endpoint made in this process is
# seen at once; one made in another process within ENDPOINTS_FRESH_SECONDS.
ENDPOINTS_FRESH_SECONDS = 5.0
_KNOWN = "samtal.webhook_endpoints"


@dataclass(frozen=True)
class Subscriber:
    """What recording a delivery needs of an active endpoint."""

    id: int
    events: frozenset[str]
    slack: bool


def subscribers(event: str) -> list[Subscriber]:
    """The active endpoints that asked for `event`."""
    known = current_app.extensions.get(_KNOWN)
    now = time.monotonic()
    if known is None or known[0] <= now:
        rows = db.session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events, WebhookEndpoint.slack)
            .where(WebhookEndpoint.active.is_(True))
            .order_by(WebhookEndpoint.id)
        )
        endpoints = tuple(
            Subscriber(id, frozenset(events or ()), bool(slack)) for id, events, slack in rows
        )
        known = current_app.extensions[_KNOWN] = (now + ENDPOINTS_FRESH_SECONDS, endpoints)
    return [endpoint for endpoint in known[1] if event in endpoint.events]


def forget_endpoints(*_: object) -> None:
    """Read the active endpoints again at the next event (an endpoint was written)."""
    current_app.extensions.pop(_KNOWN, None)


def init_app() -> None:
    """Forget the known endpoints whenever one is added, changed or removed in this process."""
    for change in ("after_insert", "after_update", "after_delete"):
        if not orm_event.contains(WebhookEndpoint, change, forget_endpoints):
            orm_event.listen(WebhookEndpoint, change, forget_endpoints)


def _record(endpoints: list[Subscriber], event: str, event_id: str, comment: Comment) -> None:
    built: dict[str, Any] = {}

    def body() -> dict[str, Any]:  # built once, for the first endpoint that needs it
        if not built:
            built.update(payload(event, event_id, comment))
        return built

    for endpoint in endpoints:
        _add_delivery(endpoint, event, event_id, body)


def _add_delivery(
    endpoint: Subscriber | WebhookEndpoint,
    event: str,
    event_id: str,
    body: Callable[[], dict[str, Any]],
) -> WebhookDelivery | None:
    exists = db.session.scalar(
        select(WebhookDelivery.id).where(
            WebhookDelivery.event_id == event_id, WebhookDelivery.endpoint_id == endpoint.id
        )
    )
    if exists is not None:
        return None
    content = body()
    if endpoint.slack:
        content = {"text": slack_text(content)}
    row = WebhookDelivery(
        endpoint_id=endpoint.id,
        event=event,
        event_id=event_id,
        body=json.dumps(content, ensure_ascii=False, separators=(",", ":")),
    )
    db.session.add(row)
    db.session.flush()
    enqueue(db.session, DELIVER_WEBHOOK, row.id)
    log.info("webhook %s (%s) queued for endpoint %s", row.id, event, endpoint.id)
    return row


# --- the body ----------------------------------------------------------------------------------


def payload(event: str, event_id: str, comment: Comment | None) -> dict[str, Any]:
    """The JSON an endpoint gets: the event, the comment's public fields and links.

    Never an e-mail address, an IP hash or the spam filter's workings.
    """
    tab = _QUEUE_TABS.get(event)
    links = {"queue": signing.absolute_url("moderation.queue", **({"flik": tab} if tab else {}))}
    content: dict[str, Any] = {
        "event": event,
        "id": event_id,
        "time": iso_utc(utcnow()),
        "comment": None,
        "links": links,
    }
    if comment is not None:
        content["comment"] = public_fields(comment)
        links["comment"] = signing.absolute_url(
            "reader.post", slug=comment.post.slug, _anchor=f"kommentar-{comment.id}"
        )
    return content


def public_fields(comment: Comment) -> dict[str, Any]:
    organisation = comment.organisation
    return {
        "id": comment.id,
        "state": str(comment.state),
        "author_name": comment.author_name,
        "text": comment.body_raw,
        "html": comment.body_html,  # sanitised; None until the worker processed it
        "created_at": iso_utc(comment.created_at),
        "parent_id": comment.parent_id,
        "staff": comment.is_staff,
        "organisation": (
            {"name": organisation.name, "badge": organisation.badge} if organisation else None
        ),
        "reports": comment.report_count or 0,
        "post": {"slug": comment.post.slug, "title": comment.post.title},
        "question": {"id": comment.question_id, "text": comment.question.text},
    }


SLACK_EXCERPT = 300


def slack_text(content: dict[str, Any]) -> str:
    """One line or two for a chat channel, in the site's language, with Slack's links."""
    with force_locale(current_app.config["SAMTAL_DEFAULT_LOCALE"]):
        event = content["event"]
        title = str(EVENTS.get(event, _("Testanrop från %(site)s", site=_site())))
        links = content["links"]
        comment = content["comment"]
        if comment is None:
            return f"*{_slack(_site())}*: {_slack(title)} <{links['queue']}|{_slack(_('Kön'))}>"
        text = " ".join((comment["text"] or "").split())
        if len(text) > SLACK_EXCERPT:
            text = text[: SLACK_EXCERPT - 1] + "…"
        where = _(
            "%(name)s om ”%(question)s”",
            name=comment["author_name"],
            question=comment["question"]["text"],
        )
        return (
            f"*{_slack(_site())}*: {_slack(title)}: {_slack(where)}\n>{_slack(text)}\n"
            f"<{links['comment']}|{_slack(_('Visa kommentaren'))}> · "
            f"<{links['queue']}|{_slack(_('Kön'))}>"
        )


def _site() -> str:
    return current_app.config["SAMTAL_SITE_NAME"]


def _slack(text: str) -> str:
    """Slack's escaping: &, < and > are the only characters its message format reserves."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
