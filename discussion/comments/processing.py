"""The worker's part of a comment's life: sanitise, score, route, announce; and the sweep for
lost work.

Imports the spam check, which loads the model (scikit-learn): only workers, and the one
process of the embedded default, import this module.
"""

from __future__ import annotations

import logging

from ..extensions import db
from ..jobs import PROCESS_COMMENT, resend_stuck, sweep_cutoff
from ..mail import notifications
from ..models import Comment, CommentState, utcnow
from ..organisations import verification
from ..sanitize import render_comment
from ..spam import check
from . import lifecycle, routing

log = logging.getLogger(__name__)


def process_comment(comment_id: int) -> bool:
    """Sanitise a received comment and decide its state. Idempotent: False if nothing to do."""
    comment = db.session.get(Comment, comment_id, with_for_update=True)
    if comment is None or comment.state != CommentState.RECEIVED:
        db.session.rollback()
        return False
    # Processed before: its writer edited it, and it may have been announced already.
    again = comment.processed_at is not None
    # The checks below query the database; without autoflush each query would first write
    # the comment's new columns, so the comment is updated once, with its state, not three times.
    with db.session.no_autoflush:
        comment.body_html = render_comment(comment.body_raw)
        comment.processed_at = utcnow()
        check.assess(comment)
        where = routing.route(comment)
        if where.state == CommentState.HELD:
            verification.request_verification(comment, where.organisation)
    lifecycle.change_state(
        comment, where.state, action="processed", reason=where.reason, announced_here=True
    )
    if where.state == CommentState.APPROVED and not (again and notifications.announced(comment.id)):
        notifications.announce(comment)  # one commit publishes it and records its e-mails
    db.session.commit()
    log.info("comment %s processed: %s", comment_id, where.state)  # not comment.state: a query
    return True


def sweep_unprocessed() -> list[int]:
    """Send again the work of comments stuck in `received`, e.g. after a broker outage."""
    ids = resend_stuck(
        PROCESS_COMMENT,
        Comment.id,
        Comment.state == CommentState.RECEIVED,
        Comment.created_at <= sweep_cutoff(),
    )
    if ids:
        log.info("sweep re-sent %d comments", len(ids))
    return ids
