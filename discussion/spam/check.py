"""The spam check the workers run: the text scorer plus what only the database knows.

It loads the model (scikit-learn), so only the code that processes comments imports it
(workers, or the one process of the embedded default); web processes never do.

`spam.scoring` scores text (model, links, word lists) without Flask or a database. Here the
score is raised by the comment's context: the same text elsewhere, how the form was filled in,
how fast one commenter posts, and their earlier spam. Every signal can only raise the score,
and each one that does adds a reason the moderator sees.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select

from ..extensions import db
from ..models import Comment, CommentState
from . import scoring, store, words
from .model import TextModel
from .scoring import Thresholds

log = logging.getLogger(__name__)

# Weights of the context signals, combined noisy-OR with the text score (set by hand).
DUPLICATE_WEIGHT = 0.6
FAST_POST_WEIGHT = 0.5
MISSING_TIMESTAMP_WEIGHT = 0.2
FORGED_TIMESTAMP_WEIGHT = 0.3
RATE_WEIGHT = 0.5
HISTORY_WEIGHT = 0.4
IP_HISTORY_WEIGHT = 0.15


# --- the check -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What the check reads besides the comment: read once for a batch of comments."""

    model: TextModel
    word_lists: scoring.WordLists
    thresholds: Thresholds

    @classmethod
    def now(cls) -> Setup:
        return cls(store.current(), words.word_lists(), Thresholds.from_config(current_app.config))


def assess(comment: Comment, setup: Setup | None = None) -> scoring.Verdict:
    """Score the comment and keep the verdict on it, where routing (and a later confirmation
    of its writer's address) reads it without scoring again."""
    setup = setup or Setup.now()
    verdict = check(comment, setup)
    comment.spam_score, comment.spam_reasons = verdict.score, verdict.reasons
    comment.spam_model_version = setup.model.version
    return verdict


def check(comment: Comment, setup: Setup | None = None) -> scoring.Verdict:
    """Score a comment in [0, 1] with the reasons, for routing and for the moderator."""
    setup = setup or Setup.now()
    verdict = scoring.score_text(
        setup.model,
        comment.body_raw,
        name=comment.author_name,
        word_lists=setup.word_lists,
        queue_threshold=setup.thresholds.queue,
    )
    signals = [
        *_behaviour(comment.signals or {}),
        *_duplicates(comment),
        *_commenter(comment),
    ]
    keep = 1.0 - verdict.score
    for weight, reason in signals:
        keep *= 1.0 - weight
        verdict.reasons.append(reason)
    score = 1.0 - keep
    if (comment.signals or {}).get("honeypot"):
        score = 1.0
    verdict.score = min(max(score, 0.0), 1.0)
    return verdict


def _behaviour(signals: dict) -> list[tuple[float, dict]]:
    found = []
    if signals.get("honeypot"):
        found.append((1.0, scoring.reason("honeypot")))
    state = signals.get("timestamp")
    if state == "missing":
        found.append((MISSING_TIMESTAMP_WEIGHT, scoring.reason("timestamp_missing")))
    elif state == "invalid":
        found.append((FORGED_TIMESTAMP_WEIGHT, scoring.reason("timestamp_forged")))
    seconds = signals.get("seconds_to_post")
    minimum = current_app.config["SAMTAL_SPAM_MIN_SECONDS"]
    if seconds is not None and seconds < minimum:
        found.append((FAST_POST_WEIGHT, scoring.reason("fast", seconds=round(seconds, 1))))
    return found


# Built once: building a statement costs more than running it on an indexed column. A NULL
# hash matches nothing (`= NULL` is never true), so a comment without an address or e-mail
# counts nothing by it.
DUPLICATES = select(Comment.question_id, Comment.author_name).where(
    Comment.body_fingerprint == bindparam("fingerprint"),
    Comment.id != bindparam("id"),
    Comment.created_at >= bindparam("since"),
)
_BY_IP, _BY_EMAIL = Comment.ip_hash == bindparam("ip"), Comment.email_hash == bindparam("email")
_RECENT = Comment.created_at >= bindparam("since")
_EARLIER_SPAM = and_(Comment.state == CommentState.SPAM, Comment.id != bindparam("id"))
# How many comments one commenter posted in the last hour (this one included), and how many of
# their others are spam, by IP address and by e-mail address: one pass over their rows.
COMMENTER = select(
    func.count().filter(and_(_BY_IP, _RECENT)).label("ip_recent"),
    func.count().filter(and_(_BY_EMAIL, _RECENT)).label("email_recent"),
    func.count().filter(and_(_BY_IP, _EARLIER_SPAM)).label("ip_spam"),
    func.count().filter(and_(_BY_EMAIL, _EARLIER_SPAM)).label("email_spam"),
).where(or_(_BY_IP, _BY_EMAIL))


def _duplicates(comment: Comment) -> list[tuple[float, dict]]:
    """The same text in other threads, or under other names, within the window."""
    since = comment.created_at - timedelta(hours=current_app.config["SAMTAL_SPAM_WINDOW_HOURS"])
    rows = db.session.execute(
        DUPLICATES, {"fingerprint": comment.body_fingerprint, "id": comment.id, "since": since}
    ).all()
    threads = {question_id for question_id, _ in rows if question_id != comment.question_id}
    names = {
        name.casefold() for _, name in rows if name.casefold() != comment.author_name.casefold()
    }
    if not threads and not names:
        return []
    return [(DUPLICATE_WEIGHT, scoring.reason("duplicate", threads=len(threads), names=len(names)))]


def _commenter(comment: Comment) -> list[tuple[float, dict]]:
    """What the commenter's other comments tell, by IP address and by e-mail address: more in
    the last hour than a person writes, and earlier spam (by address only weakly, since people
    behind one office or mobile network share it)."""
    if comment.ip_hash is None and comment.email_hash is None:
        return []
    counts = db.session.execute(
        COMMENTER,
        {
            "ip": comment.ip_hash,
            "email": comment.email_hash,
            "since": comment.created_at - timedelta(hours=1),
            "id": comment.id,
        },
    ).one()
    limit = current_app.config["SAMTAL_SPAM_MAX_PER_HOUR"]
    found = [
        (RATE_WEIGHT, scoring.reason("rate", count=count, by=by))
        for count, by in ((counts.ip_recent, "ip"), (counts.email_recent, "email"))
        if count > limit
    ]
    found += [
        (weight, scoring.reason("history", count=count, by=by))
        for count, weight, by in (
            (counts.email_spam, HISTORY_WEIGHT, "email"),
            (counts.ip_spam, IP_HISTORY_WEIGHT, "ip"),
        )
        if count
    ]
    return found
