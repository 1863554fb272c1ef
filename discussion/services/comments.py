"""Posting comments, processing them in the workers, and reading threads."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..jobs import enqueue, resend_stuck, sweep_cutoff
from ..models import (
    Comment,
    CommentState,
    ModerationDecision,
    Post,
    Question,
    User,
    row_by_id,
    utcnow,
)
from ..sanitize import render_comment
from . import moderation, spam_signals, verification

log = logging.getLogger(__name__)

PROCESS_TASK = "samtal.process_comment"
PUBLISHED_TASK = "samtal.comment_published"


class ThreadMismatch(ValueError):
    """The reply's parent is not a comment of the thread it was posted to."""


def identity_hash(value: str | None) -> str | None:
    """A keyed hash, so the database identifies commenters without storing addresses twice."""
    if not value:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.strip().lower().encode(), hashlib.sha256).hexdigest()


def post_comment(
    question: Question,
    *,
    name: str,
    body: str,
    email: str | None = None,
    parent_id: int | None = None,
    ip: str | None = None,
    user: User | None = None,
    notify_replies: bool = False,
    signals: dict | None = None,
) -> Comment:
    """Store a comment as received and queue its processing after the commit.

    With a staff `user` it is a staff reply: it carries the account's name and goes live.
    `notify_replies`: the reader asked for e-mail about replies (confirmed at the first one).
    `signals`: what the form told about its filler (timing, honeypot), for the spam check.
    """
    if parent_id is not None:
        parent = row_by_id(Comment, parent_id)
        if parent is None or parent.question_id != question.id:
            raise ThreadMismatch(parent_id)
    comment = Comment(
        post_id=question.post_id,
        question_id=question.id,
        parent_id=parent_id,
        author_name=(user.name if user else name).strip(),
        email=(user.email if user else (email or "").strip()) or None,
        email_hash=identity_hash(user.email if user else email),
        user_id=user.id if user else None,
        ip_hash=identity_hash(ip),
        body_raw=body,
        body_fingerprint=spam_signals.fingerprint(body),
        signals=signals,
        state=CommentState.RECEIVED,
        notify_replies=bool(notify_replies and email and not user),
    )
    db.session.add(comment)
    db.session.flush()
    enqueue(db.session, PROCESS_TASK, comment.id)
    log.info(
        "comment %s received on question %s",
        comment.id,
        question.id,
        extra={"comment_id": comment.id},
    )
    return comment


def process_comment(comment_id: int) -> bool:
    """Sanitise a received comment and decide its state. Idempotent: False if nothing to do."""
    comment = db.session.get(Comment, comment_id, with_for_update=True)
    if comment is None or comment.state != CommentState.RECEIVED:
        db.session.rollback()
        return False
    # The checks below query the database; without autoflush each query would first write
    # the comment's new columns, so the comment is updated once, with its state, not three times.
    with db.session.no_autoflush:
        comment.body_html = render_comment(comment.body_raw)
        comment.processed_at = utcnow()
        routing = verification.route(comment, moderation.decide(comment))
    change_state(comment, routing.state, action="processed", reason=routing.reason)
    db.session.commit()
    log.info("comment %s processed: %s", comment_id, routing.state)  # not comment.state: a query
    return True


def change_state(
    comment: Comment,
    to_state: CommentState,
    *,
    action: str,
    user: User | None = None,
    reason: str | None = None,
) -> ModerationDecision:
    """Move a comment to a state, with its audit entry; the one way any state changes.

    A comment that becomes visible queues `samtal.comment_published` for after the commit,
    which sends what follows from it (notifications), whoever or whatever approved it.
    """
    decision = ModerationDecision(
        comment=comment,
        user=user,
        action=action,
        from_state=str(comment.state),
        to_state=str(to_state),
        reason=reason,
    )
    db.session.add(decision)
    became_visible = to_state == CommentState.APPROVED and comment.state != to_state
    comment.state = to_state
    if user is not None:
        comment.decided_at = utcnow()
    if became_visible:
        db.session.flush()
        enqueue(db.session, PUBLISHED_TASK, comment.id)
    return decision


def sweep_unprocessed() -> list[int]:
    """Send again the work of comments stuck in `received`, e.g. after a broker outage."""
    ids = resend_stuck(
        PROCESS_TASK,
        Comment.id,
        Comment.state == CommentState.RECEIVED,
        Comment.created_at <= sweep_cutoff(),
    )
    if ids:
        log.info("sweep re-sent %d comments", len(ids))
    return ids


@dataclass
class ThreadEntry:
    comment: Comment
    depth: int
    removed: bool = False  # not visible itself; shown only as context for its visible replies


@dataclass
class Thread:
    question: Question
    entries: list[ThreadEntry] = field(default_factory=list)
    visible_count: int = 0


def threads_of(post: Post) -> list[Thread]:
    """The post's visible threads with their comments in reading order, in two queries."""
    questions = list(
        db.session.scalars(
            select(Question)
            .where(Question.post_id == post.id, Question.hidden.is_(False))
            .order_by(Question.position, Question.id)
        )
    )
    comments = db.session.scalars(
        select(Comment)
        .options(joinedload(Comment.organisation))  # the badges, in the same query
        .where(Comment.post_id == post.id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    threads = {question.id: Thread(question) for question in questions}
    for root, entries in _reading_order(comments):
        thread = threads.get(root.question_id)
        if thread is not None:
            thread.entries.extend(entries)
            thread.visible_count += sum(not entry.removed for entry in entries)
    return list(threads.values())


def _reading_order(comments: list[Comment]):
    """Yield each top-level comment with its visible subtree, depth-first, oldest first.

    A removed comment stays only as context for a visible reply. Iterative, so a long chain
    of replies cannot exhaust the stack. Replies are newer than their parents, so one pass
    from the newest marks which subtrees hold something visible.
    """
    children: dict[int | None, list[Comment]] = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    shown = {comment.id for comment in comments if comment.visible}
    for comment in reversed(comments):
        if comment.id in shown and comment.parent_id is not None:
            shown.add(comment.parent_id)
    for root in children.get(None, []):
        if root.id not in shown:
            continue
        entries: list[ThreadEntry] = []
        stack = [(root, 0)]
        while stack:
            comment, depth = stack.pop()
            entries.append(ThreadEntry(comment, depth, removed=not comment.visible))
            replies = [child for child in children.get(comment.id, []) if child.id in shown]
            stack.extend((child, depth + 1) for child in reversed(replies))
        yield root, entries


def visible_counts(post_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Comment.post_id, func.count())
        .where(Comment.post_id.in_(post_ids), Comment.state == CommentState.APPROVED)
        .group_by(Comment.post_id)
    )
    return {post_id: count for post_id, count in rows}
