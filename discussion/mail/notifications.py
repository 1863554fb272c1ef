"""What follows from a published comment: e-mail to the post's author and to subscribers.

`comment_published` runs (as task `jobs.COMMENT_PUBLISHED`) after a comment became visible;
processing does the same in its own commit when it publishes a comment (`announce`). It queues
the author notification when the comment is an organisation's answer and the reply
notification to the parent's writer, and marks the comment announced, all in one transaction;
the sweep sends the task again for a published comment never announced (a lost task).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, func, select

from .. import signing
from ..comments import lifecycle
from ..domains import parse_address
from ..extensions import db
from ..jobs import COMMENT_PUBLISHED, resend_stuck, sweep_cutoff
from ..models import (
    Comment,
    CommentAnnouncement,
    CommentState,
    ModerationDecision,
    OutgoingEmail,
    Post,
    Role,
    User,
    utcnow,
)
from ..webhooks import events as webhook_events
from . import kinds, subscriptions

log = logging.getLogger(__name__)

QUEUE_PATH = "/moderera"
DIGEST_LISTED = 20
ANNOUNCE_WITHIN = timedelta(days=2)  # how far back the sweep looks for unannounced comments


def comment_published(comment_id: int) -> int:
    """Queue the e-mails a newly visible comment calls for, once; the number queued."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.state != CommentState.APPROVED or announced(comment_id):
        db.session.rollback()
        return 0
    queued = announce(comment)
    db.session.commit()
    return queued


def announced(comment_id: int) -> bool:
    """Its e-mails are queued already: a comment is announced once, however often published."""
    return db.session.get(CommentAnnouncement, comment_id) is not None


def announce(comment: Comment) -> int:
    """Queue the e-mails of a comment that just became visible and mark it announced, in the
    caller's transaction: processing does it in the commit that publishes the comment."""
    queued = announce_organisation_answer(comment) + notify_parent(comment)
    db.session.add(CommentAnnouncement(comment_id=comment.id))
    return queued


# --- the author notification -------------------------------------------------------------------


def announce_organisation_answer(comment: Comment, marked_by: User | None = None) -> int:
    """Tell the post's author (and the webhooks) that an organisation answered; the number of
    e-mails queued, 0 if the comment is no such answer."""
    if comment.organisation is None or comment.state != CommentState.APPROVED:
        return 0
    webhook_events.organisation_answered(comment)
    queued = 0
    for recipient in author_recipients(comment.post):
        row = kinds.send(
            "author",
            event=f"organisation-answer:{comment.id}",
            recipient=recipient,
            comment=comment,
            marked_by=marked_by,
            thread_url=comment_url(comment),
            queue_url=signing.site_url(QUEUE_PATH),
        )
        queued += row is not None
    return queued


def author_recipients(post: Post) -> list[str]:
    """The post's author's account address; else SAMTAL_AUTHOR_FALLBACK_EMAIL; else the admins."""
    author = post.author
    if author is not None and author.active and author.email:
        return [author.email]
    fallback = current_app.config["SAMTAL_AUTHOR_FALLBACK_EMAIL"]
    if fallback:
        return [fallback]
    admins = db.session.scalars(
        select(User.email).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
    )
    return list(admins)


def comment_url(comment: Comment) -> str:
    return signing.absolute_url(
        "reader.post", slug=comment.post.slug, _anchor=f"kommentar-{comment.id}"
    )


# --- reply notifications, with double opt-in ---------------------------------------------------


def notify_parent(reply: Comment) -> int:
    """Tell the parent's writer about a reply if they asked to; the first e-mail asks to confirm."""
    parent = reply.parent
    if parent is None or not parent.notify_replies or parent.state != CommentState.APPROVED:
        return 0
    if parent.email_hash and parent.email_hash == reply.email_hash:
        return 0  # a reply to oneself
    address = parse_address(parent.email)
    if address is None:
        return 0
    reader = subscriptions.reader_address(address.key)
    if reader.unsubscribed_at is not None:
        return 0
    if reader.replies_confirmed_at is None:
        return _ask_to_confirm(reader, reply)
    row = kinds.send(
        "reply",
        event=f"reply:{reply.id}",
        recipient=address.key,
        reply=reply,
        parent=parent,
        thread_url=comment_url(reply),
    )
    return int(row is not None)


def _ask_to_confirm(reader, reply: Comment) -> int:
    """One confirmation e-mail per address, ever: an address nobody confirms gets nothing more."""
    token = signing.sign(signing.REPLIES, {"address": reader.email, "reply": reply.id})
    row = kinds.send(
        "confirm_replies",
        event=f"confirm-replies:{reader.id}",
        recipient=reader.email,
        post=reply.post,
        confirm_url=signing.absolute_url("email_links.confirm_replies", token=token),
        days=subscriptions.CONFIRM_REPLIES_DAYS,
    )
    return int(row is not None)


# --- the moderators' digest --------------------------------------------------------------------


def send_moderator_digests() -> int:
    """E-mail each moderator the waiting comments, at most every SAMTAL_DIGEST_MINUTES.

    A moderator gets a digest only when something new has arrived since their last one, so a
    queue left waiting does not fill their inbox; the event key by period stops two beat
    runs at once from sending twice.
    """
    minutes = current_app.config["SAMTAL_DIGEST_MINUTES"]
    now = utcnow()
    newest = db.session.scalar(
        select(func.max(Comment.created_at)).where(Comment.state == CommentState.PENDING)
    )
    if newest is None:
        db.session.rollback()
        return 0
    period = int(now.timestamp() // (max(minutes, 1) * 60))
    waiting = _waiting_comments()
    total = db.session.scalar(
        select(func.count()).select_from(Comment).where(Comment.state == CommentState.PENDING)
    )
    queued = 0
    for moderator in _moderators():
        address = parse_address(moderator.email)
        if address is None or not _digest_due(address.key, newest, now, minutes):
            continue
        row = kinds.send(
            "digest",
            event=f"digest:{period}",
            recipient=address.key,
            comments=waiting,
            total=total,
            queue_url=signing.site_url(QUEUE_PATH),
            comment_url=comment_url,
        )
        queued += row is not None
    db.session.commit()
    return queued


def _waiting_comments() -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.state == CommentState.PENDING)
            .order_by(Comment.created_at)
            .limit(DIGEST_LISTED)
        )
    )


def _moderators() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.MODERATOR, Role.ADMIN]), User.active.is_(True))
            .order_by(User.id)
        )
    )


def _digest_due(recipient: str, newest, now, minutes: int) -> bool:
    last = db.session.scalar(
        select(func.max(OutgoingEmail.created_at)).where(
            OutgoingEmail.recipient == recipient, OutgoingEmail.kind == "digest"
        )
    )
    return last is None or (last <= now - timedelta(minutes=minutes) and newest > last)


# --- nothing lost: published comments whose task went missing ---------------------------------


def sweep_unannounced() -> list[int]:
    """Send `comment_published` again for comments published lately but never announced."""
    published = select(ModerationDecision.comment_id).where(
        ModerationDecision.to_state == str(CommentState.APPROVED),
        ModerationDecision.action != lifecycle.IMPORTED,
        ModerationDecision.created_at.between(utcnow() - ANNOUNCE_WITHIN, sweep_cutoff()),
    )
    announced = exists().where(CommentAnnouncement.comment_id == Comment.id)
    ids = resend_stuck(
        COMMENT_PUBLISHED,
        Comment.id,
        Comment.id.in_(published),
        Comment.state == CommentState.APPROVED,
        ~announced,
    )
    if ids:
        log.info("sweep re-sent %d published comments", len(ids))
    return ids
