"""A post's threads as readers see them: visible comments in reading order, replies nested."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Comment, CommentState, Post, Question

SORTS = ("oldest", "newest", "liked")  # a thread's orders of top-level comments


@dataclass
class ThreadEntry:
    comment: Comment
    depth: int
    removed: bool = False  # not visible itself; shown only as context for its visible replies
    waiting: bool = False  # not visible yet; shown to its writer alone, in place
    parent_name: str | None = None  # whom a reply answers, for replies indented no further


@dataclass
class Thread:
    question: Question
    entries: list[ThreadEntry] = field(default_factory=list)
    visible_count: int = 0

    def runs(self, sort: str = "oldest") -> list[list[ThreadEntry]]:
        """One run of entries per top-level comment (it and its replies), in the given order."""
        runs: list[list[ThreadEntry]] = []
        for entry in self.entries:
            if entry.depth == 0:
                runs.append([])
            runs[-1].append(entry)
        if sort == "newest":
            runs.reverse()
        elif sort == "liked":
            runs.sort(key=lambda run: -(run[0].comment.like_count or 0))  # stable: oldest first
        return runs


def threads_of(post: Post, waiting_ids: frozenset[int] | set[int] = frozenset()) -> list[Thread]:
    """The post's visible threads with their comments in reading order, in two queries.

    `waiting_ids`: comments not visible that their writer (this browser) still sees as waiting.
    """
    questions = list(
        db.session.scalars(
            select(Question)
            .where(Question.post_id == post.id, Question.hidden.is_(False))
            .order_by(Question.position, Question.id)
        )
    )
    comments = db.session.scalars(
        select(Comment)
        .options(joinedload(Comment.organisation), joinedload(Comment.user))  # badges, same query
        .where(Comment.post_id == post.id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    threads = {question.id: Thread(question) for question in questions}
    for root, entries in _reading_order(comments, waiting_ids):
        thread = threads.get(root.question_id)
        if thread is not None:
            thread.entries.extend(entries)
            thread.visible_count += sum(entry.comment.visible for entry in entries)
    return list(threads.values())


def _reading_order(comments: list[Comment], waiting_ids=frozenset()):
    """Yield each top-level comment with its shown subtree, depth-first, oldest first.

    Shown: visible comments, and the writer's own waiting ones. A removed comment stays only
    as context for a shown reply. Iterative, so a long chain of replies cannot exhaust the
    stack. Replies are newer than their parents, so one pass from the newest marks which
    subtrees hold something shown.
    """
    children: dict[int | None, list[Comment]] = {}
    names = {comment.id: comment.author_name for comment in comments}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    shown = {comment.id for comment in comments if comment.visible or comment.id in waiting_ids}
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
            waiting = not comment.visible and comment.id in waiting_ids
            entries.append(
                ThreadEntry(
                    comment,
                    depth,
                    removed=not comment.visible and not waiting,
                    waiting=waiting,
                    parent_name=names.get(comment.parent_id) if comment.parent_id else None,
                )
            )
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
