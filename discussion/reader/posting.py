"""Storing a validated comment form: one path for the reader's page and the JSON API."""

from __future__ import annotations

from flask import request

from ..extensions import db
from ..models import Comment, Question, User
from ..services import comments as comment_service
from ..services import spam_signals, verification
from .forms import CommentForm


def sign_as_staff(form: CommentForm, staff: User | None) -> None:
    """A staff member's comment carries the account's name and address, whatever was typed."""
    if staff is not None:
        form.name.data, form.email.data = staff.name, staff.email


def submit(
    form: CommentForm,
    question: Question,
    staff: User | None,
    form_time: str | None,
    trap: str | None,
) -> Comment:
    """Store the form's comment and commit; its processing is queued for after the commit.

    Raises `comments.ThreadMismatch`, with nothing stored, when the reply's parent belongs to
    another thread. `form_time` and `trap` are the form's signed timestamp and honeypot field.
    """
    try:
        comment = comment_service.post_comment(
            question,
            name=form.name.data,
            email=form.email.data,
            body=form.body.data,
            parent_id=form.parent(),
            ip=request.remote_addr,
            user=staff,
            notify_replies=form.notify.data,
            signals=spam_signals.form_signals(form_time, trap),
        )
    except comment_service.ThreadMismatch:
        db.session.rollback()
        raise
    verification.recognise_writer(comment, request.cookies.get(verification.COOKIE))
    db.session.commit()
    db.session.refresh(comment)
    return comment
