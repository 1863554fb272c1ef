"""Keeping `Post.threads_changed_at` current, so a thread's ETag changes exactly when it does.

Every flush that adds, changes or removes a comment or a question, or changes a post, stamps
the posts concerned in the same transaction; a changed organisation (its badge shows on
comments) stamps them all. No service has to remember to do it, and a rolled-back change stamps
nothing. The API then answers "has this thread changed?" with one primary-key lookup, whatever
the number of comments.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from ..models import Comment, Organisation, Post, Question, utcnow

_EVERY_POST = object()
_STAMPED = "samtal.stamped_posts"  # in session.info: posts stamped in this transaction
_DEFERRED = "samtal.deferred_stamps"  # in session.info: posts to stamp when the block ends


def _post_id(obj) -> int | None:
    if obj.post_id is not None:
        return obj.post_id
    return obj.post.id if obj.post is not None else None


def _touched(session: Session):
    """The ids of the posts whose threads this flush changes, or _EVERY_POST."""
    post_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Organisation) and obj not in session.new:
            return _EVERY_POST
        if isinstance(obj, Post) and obj in session.dirty and session.is_modified(obj):
            post_ids.add(obj.id)  # its title, closed flag or policy shows in the API
        # Any change of a comment or a question, without asking `is_modified`: a value set to
        # an SQL expression (a like's `like_count + 1`) is expired by the flush and would not
        # count. A write of an unchanged value costs one cache miss, never a stale page.
        if isinstance(obj, Comment | Question):
            post_id = _post_id(obj)
            if post_id is not None:
                post_ids.add(post_id)
    return post_ids


def _stamp_changed_posts(session: Session, flush_context) -> None:
    """After the flush's own writes (its lists still show what it wrote), so that a transaction
    always locks a comment before its post, like one that locked the comment first.

    Once per post and transaction: its later flushes commit together with the first stamp.
    """
    touched = _touched(session)
    deferred = session.info.get(_DEFERRED)
    if deferred is None:
        _stamp(session, touched)
    elif touched is _EVERY_POST:
        deferred.add(_EVERY_POST)
    else:
        deferred.update(touched)


@contextmanager
def stamps_at_the_end(session: Session) -> Iterator[None]:
    """Many flushes, one stamp: the posts that the block's flushes touch are stamped when it
    ends, in one statement in id order. A worker's batch of comments so locks its posts only
    at its end and in the order any other writer does, so two batches never deadlock and a POST
    never waits for a whole batch. An exception inside the block stamps nothing (the caller
    rolls back)."""
    deferred: set = set()
    session.info[_DEFERRED] = deferred
    try:
        yield
        session.flush()
    finally:
        session.info.pop(_DEFERRED, None)
    _stamp(session, _EVERY_POST if _EVERY_POST in deferred else deferred)


def _stamp(session: Session, touched) -> None:
    stamped = session.info.setdefault(_STAMPED, set())
    if touched is not _EVERY_POST:
        touched -= stamped
    if not touched:
        return
    table = Post.__table__
    # Naming updated_at keeps its onupdate from firing: the post itself did not change.
    stamp = update(table).values(threads_changed_at=utcnow(), updated_at=table.c.updated_at)
    if touched is not _EVERY_POST:
        stamp = stamp.where(table.c.id.in_(sorted(touched)))
        stamped |= touched
    session.connection().execute(stamp)


def _forget_stamped(session: Session, *args) -> None:
    session.info.pop(_STAMPED, None)


LISTENERS = (
    ("after_flush", _stamp_changed_posts),
    ("after_commit", _forget_stamped),
    ("after_soft_rollback", _forget_stamped),
)


def init_app(app) -> None:
    """Switch the listeners on (once per process; every app shares SQLAlchemy's Session)."""
    for name, listener in LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
