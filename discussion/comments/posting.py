"""Taking a comment in: one path for the reader's page, the embed widget and the JSON API.

A comment is stored as `received` and committed; its processing (sanitising, the spam check,
routing) is queued for after the commit, so an accepted comment is never lost to a broker
outage: the sweep sends the work again.
"""

from __future__ import annotations

import logging

from ..extensions import db
from ..jobs import PROCESS_COMMENT, enqueue, ran_in_process
from ..models import Comment, CommentState, Question, User, row_by_id
from ..organisations import verification
from ..refusals import Refusal
from ..spam import signals as form_signals
from ..webhooks import events as webhook_events
from .identity import identity_hash

log = logging.getLogger(__name__)


class ThreadMismatch(Refusal):
    """The reply's parent is not a comment of the thread it was posted to."""


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
        body_fingerprint=form_signals.fingerprint(body),
        signals=signals,
        state=CommentState.RECEIVED,
        notify_replies=bool(notify_replies and email and not user),
    )
    db.session.add(comment)
    db.session.flush()
    enqueue(db.session, PROCESS_COMMENT, comment.id)
    webhook_events.comment_received(comment)
    log.info(
        "comment %s received on question %s",
        comment.id,
        question.id,
        extra={"comment_id": comment.id},
    )
    return comment


def sign_as_staff(form, staff: User | None) -> None:
    """A staff member's comment carries the account's name and address, whatever was typed."""
    if staff is not None:
        form.name.data, form.email.data = staff.name, staff.email


def submit(
    form,
    question: Question,
    staff: User | None,
    *,
    ip: str | None,
    writer_cookie: str | None,
    form_time: str | None,
    trap: str | None,
) -> Comment:
    """Store a validated comment form and commit; what the page and the API both call.

    Raises `ThreadMismatch`, with nothing stored, when the reply's parent belongs to another
    thread. `writer_cookie` is the browser's proof of a verified organisation address;
    `form_time` and `trap` are the form's signed timestamp and honeypot field.
    """
    try:
        comment = post_comment(
            question,
            name=form.name.data,
            email=form.email.data,
            body=form.body.data,
            parent_id=form.parent(),
            ip=ip,
            user=staff,
            notify_replies=form.notify.data,
            signals=form_signals.form_signals(form_time, trap),
        )
    except ThreadMismatch:
        db.session.rollback()
        raise
    verification.recognise_writer(comment, writer_cookie)
    # The answer shows the comment as stored: re-read only if its processing ran at the commit
    # (the embedded default); otherwise nothing else has written it since this session did.
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    if ran_in_process(session):
        session.refresh(comment)
    return comment
