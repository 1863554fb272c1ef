"""A post's threads as readers see them: visible comments in reading order, replies nested."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Comment, CommentState, Post, Question


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
