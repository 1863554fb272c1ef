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
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import Comment, CommentState
from . import scoring, store, words
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


def assess(comment: Comment) -> scoring.Verdict:
    """Score the comment and keep the verdict on it, where routing (and a later confirmation
    of its writer's address) reads it without scoring again."""
    verdict = check(comment)
    comment.spam_score, comment.spam_reasons = verdict.score, verdict.reasons
    comment.spam_model_version = store.current().version
    return verdict


def check(comment: Comment) -> scoring.Verdict:
    """Score a comment in [0, 1] with the reasons, for routing and for the moderator."""
    thresholds = Thresholds.from_config(current_app.config)
    verdict = scoring.score_text(
        store.current(),
        comment.body_raw,
        name=comment.author_name,
        word_lists=words.word_lists(),
        queue_threshold=thresholds.queue,
    )
    signals = [
        *_behaviour(comment.signals or {}),
        *_duplicates(comment),
        *_rate(comment),
        *_history(comment),
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


def _duplicates(comment: Comment) -> list[tuple[float, dict]]:
    """The same text in other threads, or under other names, within the window."""
    since = comment.created_at - timedelta(hours=current_app.config["SAMTAL_SPAM_WINDOW_HOURS"])
    rows = db.session.execute(
        select(Comment.question_id, Comment.author_name).where(
            Comment.body_fingerprint == comment.body_fingerprint,
            Comment.id != comment.id,
            Comment.created_at >= since,
        )
    ).all()
    threads = {question_id for question_id, _ in rows if question_id != comment.question_id}
    names = {
        name.casefold() for _, name in rows if name.casefold() != comment.author_name.casefold()
    }
    if not threads and not names:
        return []
    return [(DUPLICATE_WEIGHT, scoring.reason("duplicate", threads=len(threads), names=len(names)))]


def _rate(comment: Comment) -> list[tuple[float, dict]]:
    """More comments from one commenter in the window than a person writes."""
    limit = current_app.config["SAMTAL_SPAM_MAX_PER_HOUR"]
    since = comment.created_at - timedelta(hours=1)
    found = []
    for column, by in ((Comment.ip_hash, "ip"), (Comment.email_hash, "email")):
        value = getattr(comment, column.key)
        if value is None:
            continue
        count = db.session.scalar(
            select(func.count()).where(column == value, Comment.created_at >= since)
        )
        if count > limit:
            found.append((RATE_WEIGHT, scoring.reason("rate", count=count, by=by)))
    return found


def _history(comment: Comment) -> list[tuple[float, dict]]:
    """Earlier spam by the same commenter: by e-mail address, and more weakly by IP address,
    which people behind one office or mobile network share."""
    found = []
    for column, value, weight, by in (
        (Comment.email_hash, comment.email_hash, HISTORY_WEIGHT, "email"),
        (Comment.ip_hash, comment.ip_hash, IP_HISTORY_WEIGHT, "ip"),
    ):
        if value is None:
            continue
        earlier = db.session.scalar(
            select(func.count()).where(
                column == value, Comment.state == CommentState.SPAM, Comment.id != comment.id
            )
        )
        if earlier:
            found.append((weight, scoring.reason("history", count=earlier, by=by)))
    return found
