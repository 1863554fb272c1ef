"""The statistics' queries: each one aggregate query, grouped in the database.

Every query reads the comments of one `Scope` (a period of 7, 30 or 365 days, the whole site or
one post, and only the posts its user may moderate) and returns a handful of rows per day, week,
question or organisation, whatever the number of comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, case, desc, func, select

from ..extensions import db
from ..models import (
    Comment,
    CommentState,
    ModerationDecision,
    Organisation,
    Post,
    Question,
    Role,
    SpamTraining,
    User,
    utcnow,
)
from ..moderation.listings import answered_roots, scope
from ..spam.labels import DECISION_LABELS
from ..spam.scoring import Metrics
from .sql import day, seconds_between, week

PERIODS = (7, 30, 365)
# What a reader would call each state, as the chart of outcomes shows them.
OUTCOMES: dict[str, tuple[CommentState, ...]] = {
    "published": (CommentState.APPROVED,),
    "waiting": (CommentState.RECEIVED, CommentState.HELD, CommentState.PENDING),
    "rejected": (CommentState.REJECTED,),
    "spam": (CommentState.SPAM,),
}
DECIDED = (CommentState.APPROVED, CommentState.REJECTED, CommentState.SPAM)
DECIDERS = ("filter", "automatic", "moderators", "authors")


@dataclass(frozen=True)
class Scope:
    """Which comments the statistics count: posted in the last `days` days (today included),
    on one post or all, of the posts `user` may moderate."""

    user: User
    days: int = 30
    post_id: int | None = None
    now: datetime = field(default_factory=utcnow)

    @property
    def first_day(self) -> date:
        return self.now.date() - timedelta(days=self.days - 1)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time())

    def conditions(self) -> list:
        found = [Comment.created_at >= self.since, scope(self.user)]
        if self.post_id is not None:
            found.append(Comment.post_id == self.post_id)
        return found

    def day_list(self) -> list[str]:
        return [(self.first_day + timedelta(days=n)).isoformat() for n in range(self.days)]

    def week_list(self) -> list[str]:
        monday = self.first_day - timedelta(days=self.first_day.weekday())
        weeks = []
        while monday <= self.now.date():
            weeks.append(monday.isoformat())
            monday += timedelta(days=7)
        return weeks


def _key(value) -> str:
    """A day or week as 'YYYY-MM-DD', whichever type the database returned it as."""
    return str(value)[:10]


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class DayOutcomes(NamedTuple):
    day: str
    published: int
    waiting: int
    rejected: int
    spam: int


def outcomes_per_day(where: Scope) -> list[DayOutcomes]:
    """Comments posted each day, by where they are now; days without comments count zero."""
    posted = day(Comment.created_at).label("day")
    columns = [
        _count_if(Comment.state.in_(states)).label(name) for name, states in OUTCOMES.items()
    ]
    rows = db.session.execute(
        select(posted, *columns).where(*where.conditions()).group_by(posted)
    ).all()
    found = {_key(row.day): row for row in rows}
    return [
        DayOutcomes(name, *(int(getattr(found[name], o)) if name in found else 0 for o in OUTCOMES))
        for name in where.day_list()
    ]


class WeekWait(NamedTuple):
    week: str
    decided: int
    median_seconds: int | None
    p90_seconds: int | None


def _first_decisions(where: Scope):
    """Each comment's first move into a decided state (published, rejected, spam), among the
    decisions made since the period began: a decision comes after the comment it decides."""
    return (
        select(
            ModerationDecision.comment_id,
            func.min(ModerationDecision.created_at).label("decided_at"),
        )
        .where(
            ModerationDecision.to_state.in_([str(state) for state in DECIDED]),
            ModerationDecision.from_state != ModerationDecision.to_state,
            ModerationDecision.created_at >= where.since,
        )
        .group_by(ModerationDecision.comment_id)
        .subquery()
    )


def decision_times_per_week(where: Scope) -> list[WeekWait]:
    """Per week of posting: how many were decided, and the median and 90th percentile of the
    time from posting to that decision (nearest rank, computed by window functions)."""
    first = _first_decisions(where)
    waited = (
        select(
            week(Comment.created_at).label("week"),
            seconds_between(Comment.created_at, first.c.decided_at).label("seconds"),
        )
        .join(first, first.c.comment_id == Comment.id)
        .where(*where.conditions())
        .subquery()
    )
    ranked = select(
        waited.c.week,
        waited.c.seconds,
        func.row_number().over(partition_by=waited.c.week, order_by=waited.c.seconds).label("rank"),
        func.count().over(partition_by=waited.c.week).label("n"),
    ).subquery()
    rows = db.session.execute(
        select(
            ranked.c.week,
            func.max(ranked.c.n).label("n"),
            func.min(case((ranked.c.rank * 2 >= ranked.c.n, ranked.c.seconds))).label("median"),
            func.min(case((ranked.c.rank * 10 >= ranked.c.n * 9, ranked.c.seconds))).label("p90"),
        ).group_by(ranked.c.week)
    ).all()
    found = {_key(row.week): row for row in rows}
    return [
        WeekWait(name, int(found[name].n), round(found[name].median), round(found[name].p90))
        if name in found
        else WeekWait(name, 0, None, None)
        for name in where.week_list()
    ]


def deciders(where: Scope) -> dict[str, int]:
    """Who made the decision that put each decided comment where it is: the spam filter, the
    automatic rules (the post's policy, a verified organisation), moderators or authors.

    One pass over the decisions: per comment, the id of its latest move into a decided state
    and the latest such move by each kind of decider; the kind whose latest is the latest made it.
    """
    who = case(
        (
            and_(ModerationDecision.user_id.is_(None), ModerationDecision.reason.like("spam:%")),
            "filter",
        ),
        (ModerationDecision.user_id.is_(None), "automatic"),
        (User.role == Role.AUTHOR, "authors"),
        else_="moderators",
    )
    latest = (
        select(
            func.max(ModerationDecision.id).label("last"),
            *(
                func.max(case((who == name, ModerationDecision.id))).label(name)
                for name in DECIDERS
            ),
        )
        .join(Comment, Comment.id == ModerationDecision.comment_id)
        .outerjoin(User, User.id == ModerationDecision.user_id)
        .where(
            ModerationDecision.to_state.in_([str(state) for state in DECIDED]),
            ModerationDecision.from_state != ModerationDecision.to_state,
            *where.conditions(),
        )
        .group_by(ModerationDecision.comment_id)
        .subquery()
    )
    row = db.session.execute(
        select(*(_count_if(latest.c[name] == latest.c.last).label(name) for name in DECIDERS))
    ).one()
    return {name: int(getattr(row, name)) for name in DECIDERS}


class QuestionAnswers(NamedTuple):
    question_id: int
    question: str
    post: str
    slug: str
    comments: int
    staff_answers: int
    organisation_answers: int


def questions(where: Scope, limit: int = 100) -> list[QuestionAnswers]:
    """Per question, the comments posted in the period and how many of them are published
    answers by staff (the post's author or a moderator) and by organisations; busiest first."""
    published = Comment.state == CommentState.APPROVED
    comments = func.count(Comment.id).label("comments")
    rows = db.session.execute(
        select(
            Question.id,
            Question.text,
            Post.title,
            Post.slug,
            comments,
            _count_if(and_(published, Comment.user_id.is_not(None))).label("staff"),
            _count_if(and_(published, Comment.organisation_id.is_not(None))).label("orgs"),
        )
        .join(Question, Question.id == Comment.question_id)
        .join(Post, Post.id == Comment.post_id)
        .where(*where.conditions(), Comment.state != CommentState.DELETED)
        .group_by(Question.id, Question.text, Post.title, Post.slug)
        .order_by(desc(comments), Question.id)
        .limit(limit)
    ).all()
    return [QuestionAnswers(*row[:4], int(row[4]), int(row[5]), int(row[6])) for row in rows]


class WeekUnanswered(NamedTuple):
    week: str
    readers: int
    unanswered: int


def unanswered_per_week(where: Scope) -> list[WeekUnanswered]:
    """Per week of posting: readers' published top-level comments, and how many of them are
    still in Obesvarade (no published staff reply anywhere below them)."""
    posted = week(Comment.created_at).label("week")
    answered = answered_roots(*where.conditions()).distinct().subquery()
    rows = db.session.execute(
        select(
            posted,
            func.count().label("readers"),
            _count_if(answered.c.root_id.is_(None)).label("unanswered"),
        )
        .outerjoin(answered, answered.c.root_id == Comment.id)
        .where(
            *where.conditions(),
            Comment.parent_id.is_(None),
            Comment.user_id.is_(None),
            Comment.state == CommentState.APPROVED,
        )
        .group_by(posted)
    ).all()
    found = {_key(row.week): row for row in rows}
    return [
        WeekUnanswered(name, int(found[name].readers), int(found[name].unanswered))
        if name in found
        else WeekUnanswered(name, 0, 0)
        for name in where.week_list()
    ]


def organisation_answers(where: Scope) -> list[tuple[str, int]]:
    """Published answers per organisation in the period, most first."""
    answers = func.count(Comment.id).label("answers")
    rows = db.session.execute(
        select(Organisation.name, answers)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .where(*where.conditions(), Comment.state == CommentState.APPROVED)
        .group_by(Organisation.name)
        .order_by(desc(answers), Organisation.name)
    ).all()
    return [(name, int(count)) for name, count in rows]


# --- the spam filter's record ----------------------------------------------------------------


class FilterRecord(NamedTuple):
    """The filter's verdicts against moderators' decisions on the same comments."""

    key: str
    metrics: Metrics


def filter_record(
    where: Scope, queue_threshold: float
) -> tuple[list[FilterRecord], list[FilterRecord]]:
    """The filter's record per model version and per week of posting, from one query.

    A comment counts as flagged if its score reached the queue threshold, and as spam if the
    latest moderator's decision on it said so (released, approved or rejected: not). Per
    comment one pass finds its latest labelling decision and its latest "spam" one; the
    comment is spam when they are the same.
    """
    spam_actions = [action for action, label in DECISION_LABELS.items() if label]
    latest = (
        select(
            ModerationDecision.comment_id,
            func.max(ModerationDecision.id).label("last"),
            func.max(
                case((ModerationDecision.action.in_(spam_actions), ModerationDecision.id))
            ).label("last_spam"),
        )
        .where(
            ModerationDecision.user_id.is_not(None),
            ModerationDecision.action.in_(DECISION_LABELS),
            ModerationDecision.created_at >= where.since,  # made after the comments they judge
        )
        .group_by(ModerationDecision.comment_id)
        .subquery()
    )
    flagged = Comment.spam_score >= queue_threshold
    spam = func.coalesce(latest.c.last_spam, 0) == latest.c.last
    version = func.coalesce(Comment.spam_model_version, "").label("version")
    posted = week(Comment.created_at).label("week")
    rows = db.session.execute(
        select(
            version,
            posted,
            _count_if(and_(flagged, spam)).label("tp"),
            _count_if(and_(flagged, ~spam)).label("fp"),
            _count_if(and_(~flagged, spam)).label("fn"),
            _count_if(and_(~flagged, ~spam)).label("tn"),
        )
        .join(latest, latest.c.comment_id == Comment.id)
        .where(Comment.spam_score.is_not(None), *where.conditions())
        .group_by(version, posted)
    ).all()
    per_version: dict[str, Metrics] = {}
    per_week: dict[str, Metrics] = {}
    for row in rows:
        counts = Metrics(int(row.tp), int(row.fp), int(row.fn), int(row.tn))
        per_version[row.version] = per_version.get(row.version, Metrics()) + counts
        per_week[_key(row.week)] = per_week.get(_key(row.week), Metrics()) + counts
    return (
        [FilterRecord(key, per_version[key]) for key in sorted(per_version)],
        [FilterRecord(key, per_week[key]) for key in sorted(per_week)],
    )


def trainings(limit: int = 20) -> list[SpamTraining]:
    """The latest trainings of the spam model, newest first."""
    return list(
        db.session.scalars(
            select(SpamTraining).order_by(SpamTraining.trained_at.desc(), SpamTraining.id.desc())
        ).fetchmany(limit)
    )
