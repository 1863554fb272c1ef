"""A comment's states and the one table of the changes allowed between them.

                       processed
    (POST) received ─────────────┬──────────────┬────────────────┬──────────────┐
       ▲      │ processed (an     │              │                │              │
       │      ▼ organisation's    ▼              ▼                ▼              ▼
       │     held ── verified ─► pending ◄─► approved ◄──────► rejected ◄────► spam
       │                           │  ▲ reported  │  ▲              ▲              │
       └──── edited by its writer ─┴──┼───────────┘  └──── approve / not spam ───┘
                                      │
           deleted by its writer: received, held, pending or approved ──► deleted

Every arrow is in TRANSITIONS, and `change_state` refuses any other. Moderators' decisions
(approve, reject, spam, not spam) move between pending, approved, rejected and spam, or keep a
decided state while settling its reports; `received` is left only by processing (and entered
again when a writer edits their text, which is then checked like a new comment); `held` only
by its writer's verification or by staff; `deleted` is final. `record` writes an audit entry
for a change that is not a state change (a moderator's edit, a badge). A comment that becomes
visible queues `comment_published` for after the commit, whatever approved it, unless the
caller announces it in the same commit; every change records its webhook event
(`webhooks.events`) in the same transaction.
"""

from __future__ import annotations

from ..extensions import db
from ..jobs import COMMENT_PUBLISHED, enqueue
from ..models import Comment, CommentState, ModerationDecision, User, utcnow
from ..webhooks import events as webhook_events

RECEIVED, HELD, PENDING = CommentState.RECEIVED, CommentState.HELD, CommentState.PENDING
APPROVED, REJECTED, SPAM = CommentState.APPROVED, CommentState.REJECTED, CommentState.SPAM
DELETED = CommentState.DELETED

# The audit action of a comment brought in by `comments import`, already in its final state:
# not a publication, so nothing announces it.
IMPORTED = "imported"

TRANSITIONS: dict[CommentState, frozenset[CommentState]] = {
    RECEIVED: frozenset({HELD, PENDING, APPROVED, REJECTED, SPAM, DELETED}),
    HELD: frozenset({PENDING, APPROVED, REJECTED, SPAM, DELETED}),
    PENDING: frozenset({RECEIVED, APPROVED, REJECTED, SPAM, DELETED}),
    APPROVED: frozenset({RECEIVED, APPROVED, PENDING, REJECTED, SPAM, DELETED}),
    REJECTED: frozenset({REJECTED, APPROVED, SPAM}),
    SPAM: frozenset({SPAM, APPROVED, REJECTED}),
    DELETED: frozenset(),
}


class IllegalTransition(RuntimeError):
    """A change the table does not allow: a mistake in the code, never a reader's input."""


def may_change(from_state: CommentState, to_state: CommentState) -> bool:
    return to_state in TRANSITIONS[CommentState(from_state)]


def change_state(
    comment: Comment,
    to_state: CommentState,
    *,
    action: str,
    user: User | None = None,
    reason: str | None = None,
    announced_here: bool = False,
) -> ModerationDecision:
    """Move a comment to a state the table allows, with its audit entry; the one way any state
    changes. A user's decision also stamps `decided_at`. `announced_here`: the caller announces
    a comment this makes visible in the same transaction (processing does), so no task is
    queued for it."""
    if not may_change(comment.state, to_state):
        raise IllegalTransition(f"comment {comment.id}: {comment.state} -> {to_state} ({action})")
    decision = record(comment, action, user=user, reason=reason, to_state=to_state)
    became_visible = to_state == APPROVED and comment.state != to_state
    comment.state = to_state
    if user is not None:
        comment.decided_at = utcnow()
    if became_visible and not announced_here:
        db.session.flush()
        enqueue(db.session, COMMENT_PUBLISHED, comment.id)
    webhook_events.state_changed(comment, decision)
    return decision


def record(
    comment: Comment,
    action: str,
    *,
    user: User | None = None,
    reason: str | None = None,
    to_state: CommentState | None = None,
) -> ModerationDecision:
    """An audit entry: who did what to the comment, and why. Without `to_state` the state stays."""
    decision = ModerationDecision(
        comment=comment,
        user=user,
        action=action,
        from_state=str(comment.state),
        to_state=str(to_state if to_state is not None else comment.state),
        reason=reason,
    )
    db.session.add(decision)
    return decision
