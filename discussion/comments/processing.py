"""The worker's part of a comment's life: sanitise, score, route, announce; and the sweep for
lost work.

Imports the spam check, which loads the model (scikit-learn): only workers, and the one
process of the embedded default, import this module.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..jobs import PROCESS_COMMENT, resend_stuck, sweep_cutoff
from ..mail import notifications
from ..models import Comment, CommentState, utcnow
from ..organisations import verification
from ..sanitize import render_comment
from ..spam import check
from . import freshness, lifecycle, routing

log = logging.getLogger(__name__)


# Comments that failed inside a batch in this process: from now on they are processed alone,
# by their own task, so that one comment that cannot be processed never holds up the others.
_alone: set[int] = set()
_ALONE_AT_MOST = 10_000
STATE_FOR_UPDATE = select(Comment.state).where(Comment.id == bindparam("id")).with_for_update()


def process_comment(comment_id: int) -> bool:
    """Sanitise a received comment and decide its state. Idempotent: False if nothing to do
    (it was processed already, by an earlier run of its task or in another task's batch).

    On PostgreSQL with a broker the task takes up to SAMTAL_WORKER_BATCH - 1 other received
    comments too (`SKIP LOCKED`, so two workers never take the same one) and processes them in
    its transaction; their own tasks then find them done. The embedded default (SQLite, tasks
    run in-process at the POST's commit) processes one at a time.
    """
    size = batch_size()
    if size == 1:
        comment = db.session.get(Comment, comment_id, with_for_update=True)
    else:
        # Most tasks find their comment done in another task's batch: the state alone says so.
        # Waits if another worker holds the comment (in its batch): then its task ends only
        # once the comment is processed, or takes it over if that worker died.
        state = db.session.scalar(STATE_FOR_UPDATE, {"id": comment_id})
        comment = db.session.get(Comment, comment_id) if state == CommentState.RECEIVED else None
    if comment is None or comment.state != CommentState.RECEIVED:
        db.session.rollback()
        return False
    if size > 1 and comment_id not in _alone:
        others = _claim(comment_id, size - 1)
        if others:
            return _process_batch([comment, *others])
    where = _decide(comment, check.Setup.now(), None)
    db.session.commit()
    _log_processed(comment_id, where)
    return True


def batch_size() -> int:
    """How many received comments one task processes at most: 1 unless on PostgreSQL with a
    broker (`SKIP LOCKED` needs PostgreSQL; in-process, a batch would slow the POST down)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return 1
    if current_app.extensions["celery"].conf.task_always_eager:
        return 1
    return current_app.config["SAMTAL_WORKER_BATCH"]


def _claim(comment_id: int, limit: int) -> list[Comment]:
    """Lock up to `limit` other received comments, oldest first, skipping those another
    transaction holds and those that failed in a batch here."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(
                Comment.state == CommentState.RECEIVED,
                Comment.id != comment_id,
                Comment.id.not_in(sorted(_alone)),
            )
            .order_by(Comment.created_at, Comment.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def _process_batch(batch: list[Comment]) -> bool:
    """Process the locked comments in one transaction; the task's own comment comes first.

    The spam check's model, word lists and thresholds are read once, and so are the writers'
    bans and the organisations of their addresses (`routing.Known`). Nothing is written until
    the end (one flush, the posts stamped once), so a commenter's comments in one batch count
    each other as recent but not each other's verdict as earlier spam. If one comment fails,
    everything is rolled back and the task starts again without it; if a database write fails
    (it may be any comment's), each comment is left to its own task, one at a time.
    """
    ids = [comment.id for comment in batch]
    setup, known = check.Setup.now(), routing.Known.of(batch)
    decided: list[tuple[int, CommentState]] = []
    failing: int | None = None
    try:
        with db.session.no_autoflush, freshness.stamps_at_the_end(db.session):
            for comment in batch:
                failing = comment.id
                decided.append((comment.id, _decide(comment, setup, known)))
            failing = None
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        # A database error may come from any comment's writes (a flush writes them all): then
        # each, this task's own first, is processed alone by its own task.
        blamed = ids if failing is None or isinstance(error, SQLAlchemyError) else [failing]
        log.exception("a batch of %d comments failed; processing %s alone", len(ids), blamed)
        if len(_alone) > _ALONE_AT_MOST:
            _alone.clear()
        _alone.update(blamed)
        return process_comment(ids[0])
    for comment_id, where in decided:
        _log_processed(comment_id, where)
    return True


def _decide(comment: Comment, setup: check.Setup, known: routing.Known | None) -> CommentState:
    """Sanitise, score, route and announce one locked received comment, in the caller's
    transaction; its new state. `setup` and `known`: what a batch reads once."""
    # Processed before: its writer edited it, and it may have been announced already.
    again = comment.processed_at is not None
    # The checks below query the database; without autoflush each query would first write
    # the comment's new columns, so the comment is updated once, with its state, not three times.
    with db.session.no_autoflush:
        comment.body_html = render_comment(comment.body_raw)
        comment.processed_at = utcnow()
        check.assess(comment, setup)
        where = routing.route(comment, known)
        if where.state == CommentState.HELD:
            verification.request_verification(comment, where.organisation)
    lifecycle.change_state(
        comment, where.state, action="processed", reason=where.reason, announced_here=True
    )
    if where.state == CommentState.APPROVED and not (again and notifications.announced(comment.id)):
        notifications.announce(comment)  # one commit publishes it and records its e-mails
    return where.state


def _log_processed(comment_id: int, state: CommentState) -> None:
    log.info("comment %s processed: %s", comment_id, state, extra={"comment_id": comment_id})


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
