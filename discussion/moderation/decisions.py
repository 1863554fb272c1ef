"""Moderators' decisions about comments: approve, reject, spam, not spam, edits, bulk actions.

Every decision goes through `comments.lifecycle`, so each has its audit entry (who, when, from
which state to which, why); a decision about a comment someone else decided after this
moderator's page was loaded is refused rather than overwriting theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from ..comments import lifecycle
from ..config import COMMENT_MAX_LENGTH
from ..extensions import db
from ..models import Comment, CommentRevision, CommentState, ModerationDecision, User
from ..refusals import Refusal
from ..sanitize import render_comment
from ..spam.signals import fingerprint
from .reports import resolve_reports

# What a moderator's action makes of a comment.
ACTIONS: dict[str, CommentState] = {
    "approve": CommentState.APPROVED,
    "reject": CommentState.REJECTED,
    "spam": CommentState.SPAM,
    "not_spam": CommentState.APPROVED,
}
# States a moderator may decide about; `received` and `held` are still on their way.
DECIDABLE = frozenset(
    {CommentState.PENDING, CommentState.APPROVED, CommentState.REJECTED, CommentState.SPAM}
)


class ModerationError(Refusal):
    """A decision that cannot be made; the message is fit to show to the moderator."""


class StaleDecision(ModerationError):
    """Someone else decided about the comment after this moderator's page was loaded."""


def moderate(
    comment: Comment,
    action: str,
    user: User,
    *,
    reason: str | None = None,
    seen_state: str | None = None,
) -> ModerationDecision:
    """Apply a moderator's action; open reports on the comment are settled by it.

    `seen_state` is the state the moderator's page showed: if the comment has moved since,
    the decision is refused rather than silently overwriting someone else's.
    """
    if action not in ACTIONS:
        raise ModerationError(_("Okänd åtgärd."))
    if comment.state not in DECIDABLE:
        raise ModerationError(_("Kommentaren behandlas fortfarande och kan inte beslutas än."))
    if seen_state and seen_state != comment.state:
        raise StaleDecision(
            _("Kommentar %(id)d har redan ändrats av någon annan; se loggen.", id=comment.id)
        )
    resolve_reports(comment)
    return lifecycle.change_state(
        comment, ACTIONS[action], action=action, user=user, reason=(reason or "").strip() or None
    )


def approve(comment: Comment, user: User, reason: str | None = None) -> ModerationDecision:
    return moderate(comment, "approve", user, reason=reason)


@dataclass
class BulkResult:
    done: list[int]
    skipped: list[int]


def moderate_many(
    selection: Iterable[Comment], action: str, user: User, *, reason: str | None = None
) -> BulkResult:
    """One action on a selection; comments that cannot take it are skipped, not failed."""
    result = BulkResult(done=[], skipped=[])
    for comment in selection:
        try:
            moderate(comment, action, user, reason=reason)
        except ModerationError:
            result.skipped.append(comment.id)
        else:
            result.done.append(comment.id)
    return result


def edit_text(
    comment: Comment, user: User, body: str, reason: str | None = None
) -> ModerationDecision | None:
    """Replace a comment's text, keeping the previous text as a revision; None if unchanged."""
    body = body.strip()
    if not body:
        raise ModerationError(_("Texten får inte vara tom."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise ModerationError(
            _("Kommentaren får vara högst %(max)d tecken.", max=COMMENT_MAX_LENGTH)
        )
    if comment.state not in DECIDABLE:
        raise ModerationError(_("Kommentaren behandlas fortfarande och kan inte redigeras än."))
    if body == comment.body_raw:
        return None
    db.session.add(
        CommentRevision(comment_id=comment.id, body_raw=comment.body_raw, edited_by_id=user.id)
    )
    comment.body_raw = body
    comment.body_html = render_comment(body)
    comment.body_fingerprint = fingerprint(body)  # the spam check's duplicates see the new text
    return lifecycle.record(comment, "edit", user=user, reason=reason)
