"""What the moderation pages read: the queue's tabs, a commenter's history, unanswered comments.

Each page costs a fixed number of queries: the page of comments with their post, question and
parent in one, then one query each for histories, reasons and reports of the whole page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import (
    Comment,
    CommentState,
    ModerationDecision,
    Post,
    Report,
    Role,
    User,
)
from ..web.pagination import COUNT_CAP, Page, paginate


@dataclass(frozen=True)
class Tab:
    slug: str
    label: Any
    condition: Any


def tabs() -> list[Tab]:
    """The queue's tabs, in order. A comment with open reports is in Anmälda, not Väntar."""
    reported = Comment.report_count > 0
    return [
        Tab("vantar", _l("Väntar"), and_(Comment.state == CommentState.PENDING, ~reported)),
        Tab("skrap", _l("Skräp"), Comment.state == CommentState.SPAM),
        Tab(
            "anmalda",
            _l("Anmälda"),
            and_(reported, Comment.state.in_([CommentState.PENDING, CommentState.APPROVED])),
        ),
        Tab("godkanda", _l("Godkända"), Comment.state == CommentState.APPROVED),
        Tab("avvisade", _l("Avvisade"), Comment.state == CommentState.REJECTED),
    ]


def tab_named(slug: str | None) -> Tab:
    return next((tab for tab in tabs() if tab.slug == slug), tabs()[0])


def scope(user: User):
    """The comments a user may moderate: an author those on their own posts, others all."""
    if user.role == Role.AUTHOR:
        return Comment.post_id.in_(select(Post.id).where(Post.author_id == user.id))
    return true()


def may_moderate(user: User, comment: Comment) -> bool:
    return user.role != Role.AUTHOR or comment.post.author_id == user.id


def tab_counts(user: User) -> dict[str, int]:
    """How many comments each tab holds, and how many are held for verification, in one query;
    each counted up to COUNT_CAP + 1 (the page shows "fler än 1000"), so that no count reads
    the whole comment table."""

    def counted(condition):
        rows = select(Comment.id).where(condition, scope(user)).limit(COUNT_CAP + 1).subquery()
        return select(func.count()).select_from(rows).scalar_subquery()

    columns = [counted(tab.condition).label(tab.slug) for tab in tabs()]
    columns.append(counted(Comment.state == CommentState.HELD).label("held"))
    row = db.session.execute(select(*columns)).one()
    return {key: int(value or 0) for key, value in row._mapping.items()}


def _with_context(statement):
    return statement.options(
        joinedload(Comment.post), joinedload(Comment.question), joinedload(Comment.parent)
    )


@dataclass
class QueueItem:
    comment: Comment
    history: Counter = field(default_factory=Counter)
    routed_because: str | None = None
    reports: list[Report] = field(default_factory=list)


def queue_page(user: User, tab: Tab, number: int) -> Page:
    """A page of a tab, newest first, each comment with what a moderator needs to decide."""
    statement = _with_context(
        select(Comment)
        .where(tab.condition, scope(user))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    page = paginate(statement, number, cap=COUNT_CAP)
    comments = page.items
    histories = commenter_histories([c.email_hash for c in comments if c.email_hash])
    reasons = routing_reasons([c.id for c in comments])
    reports = open_reports([c.id for c in comments if c.report_count])
    page.items = [
        QueueItem(
            comment=c,
            history=histories.get(c.email_hash, Counter()) if c.email_hash else Counter(),
            routed_because=reasons.get(c.id),
            reports=reports.get(c.id, []),
        )
        for c in comments
    ]
    return page


def commenter_histories(email_hashes: list[str]) -> dict[str, Counter]:
    """How many of each commenter's comments were approved, rejected or marked spam."""
    if not email_hashes:
        return {}
    rows = db.session.execute(
        select(Comment.email_hash, Comment.state, func.count())
        .where(
            Comment.email_hash.in_(set(email_hashes)),
            Comment.state.in_([CommentState.APPROVED, CommentState.REJECTED, CommentState.SPAM]),
        )
        .group_by(Comment.email_hash, Comment.state)
    )
    histories: dict[str, Counter] = defaultdict(Counter)
    for email_hash, state, count in rows:
        histories[email_hash][str(state)] = count
    return histories


def routing_reasons(comment_ids: list[int]) -> dict[int, str | None]:
    """Why the system put each comment where it is: the reason of its latest system decision."""
    if not comment_ids:
        return {}
    rows = db.session.execute(
        select(ModerationDecision.comment_id, ModerationDecision.reason)
        .where(
            ModerationDecision.comment_id.in_(comment_ids),
            ModerationDecision.user_id.is_(None),
        )
        .order_by(ModerationDecision.id)
    )
    return {comment_id: reason for comment_id, reason in rows}


def open_reports(comment_ids: list[int]) -> dict[int, list[Report]]:
    if not comment_ids:
        return {}
    reports: dict[int, list[Report]] = defaultdict(list)
    for report in db.session.scalars(
        select(Report)
        .where(Report.comment_id.in_(comment_ids), Report.resolved.is_(False))
        .order_by(Report.id)
    ):
        reports[report.comment_id].append(report)
    return reports


def answered_roots(*among):
    """The ids of top-level comments with an approved staff reply anywhere below them: what
    Obesvarade leaves out, and the statistics count.

    Walked upward from the staff replies, which are few, to their threads' first comments,
    rather than down from every thread. `among`: further conditions on the staff replies
    walked from (the statistics take only those written since their period began, since a
    reply comes after the comment it answers).
    """
    start = select(Comment.id.label("id"), Comment.parent_id.label("parent_id")).where(
        Comment.user_id.is_not(None), Comment.state == CommentState.APPROVED, *among
    )
    up = start.cte("up", recursive=True)
    parent = aliased(Comment)
    up = up.union_all(select(parent.id, parent.parent_id).where(parent.id == up.c.parent_id))
    return select(up.c.id.label("root_id")).where(up.c.parent_id.is_(None))


def unanswered_page(user: User, number: int) -> Page:
    """Top-level reader comments with no staff reply anywhere below them yet, oldest first.

    An author sees those on their own posts; moderators and admins see all posts.
    """
    answered = answered_roots()
    statement = _with_context(
        select(Comment)
        .where(
            Comment.parent_id.is_(None),
            Comment.user_id.is_(None),
            Comment.state == CommentState.APPROVED,
            scope(user),
            Comment.id.not_in(answered),
        )
        .order_by(Comment.created_at, Comment.id)
    )
    return paginate(statement, number, cap=COUNT_CAP)


def audit_page(number: int, comment_id: int | None = None) -> Page:
    statement = (
        select(ModerationDecision)
        .options(
            joinedload(ModerationDecision.user),
            joinedload(ModerationDecision.comment).joinedload(Comment.post),
        )
        .order_by(ModerationDecision.id.desc())
    )
    if comment_id is not None:
        statement = statement.where(ModerationDecision.comment_id == comment_id)
    return paginate(statement, number, per_page=50)
