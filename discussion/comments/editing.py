"""A writer changing their mind: editing or deleting their own comment for a short while.

Who may (the browser that wrote it, within SAMTAL_EDIT_MINUTES) is the reader side's question
(`reader.browser.may_change`); here is what happens. An edited text is a new text: it goes back
to `received` and through the same processing as a new comment (sanitised, spam-checked,
routed), so it waits for a moderator again if it is flagged or the post is pre-moderated. The
old text is kept as a revision for the moderators. A deleted comment stays as "Kommentaren är
borttagen" where it has replies, so they keep their context.
"""

from __future__ import annotations

from flask_babel import format_number
from flask_babel import gettext as _

from ..config import COMMENT_MAX_LENGTH
from ..extensions import db
from ..jobs import PROCESS_COMMENT, enqueue
from ..models import Comment, CommentRevision, CommentState, utcnow
from ..refusals import Refusal
from ..spam.signals import fingerprint
from . import lifecycle


class EditRefused(Refusal):
    """An edit that cannot be made; the message is fit to show."""


def too_long_message() -> str:
    """The one wording of the length limit, its number written as the reader's language does."""
    return _("Kommentaren får vara högst %(max)s tecken.", max=format_number(COMMENT_MAX_LENGTH))


def check_text(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise EditRefused(_("Skriv en kommentar."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise EditRefused(too_long_message())
    return body


def edit_own(comment: Comment, body: str) -> bool:
    """Replace the text and check it again; False if it did not change."""
    body = check_text(body)
    if body == comment.body_raw:
        return False
    db.session.add(CommentRevision(comment_id=comment.id, body_raw=comment.body_raw))
    comment.body_raw = body
    comment.body_fingerprint = fingerprint(body)
    comment.edited_at = utcnow()
    if comment.state != CommentState.RECEIVED:
        lifecycle.change_state(comment, CommentState.RECEIVED, action="edited")
    else:
        lifecycle.record(comment, "edited")
    enqueue(db.session, PROCESS_COMMENT, comment.id)
    return True


def delete_own(comment: Comment) -> None:
    lifecycle.change_state(comment, CommentState.DELETED, action="deleted")
