"""The spam model in use: stored in one file every worker can read, loaded once per process.

Retraining writes a new file atomically; each process notices the change with one `stat` at
most every RELOAD_CHECK_SECONDS and loads the new version, so no worker scores with a
half-written model and none reloads per comment.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Comment, CommentState, ImportRun, ModerationDecision
from . import model as spam

log = logging.getLogger(__name__)

RELOAD_CHECK_SECONDS = 30.0
# A moderator's decision on this blog's own comments counts more than a YouTube example.
DECISION_WEIGHT = 5.0
# What a moderator's action says about the comment's text: spam (1) or not (0).
DECISION_LABELS = {"spam": 1, "not_spam": 0, "approve": 0, "reject": 0}


@dataclass
class _Loaded:
    path: Path
    mtime_ns: int
    model: spam.TextModel
    checked_at: float


_lock = threading.Lock()
_loaded: _Loaded | None = None


def model_path() -> Path:
    configured = current_app.config.get("SAMTAL_SPAM_MODEL_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / "spam-model.joblib"


def current() -> spam.TextModel:
    """The model in use, trained from the shipped data on first use if no file exists yet."""
    global _loaded
    path = model_path()
    now = time.monotonic()
    loaded = _loaded
    if loaded and loaded.path == path and now - loaded.checked_at < RELOAD_CHECK_SECONDS:
        return loaded.model
    with _lock:
        if not path.exists():
            log.info("no spam model at %s: training the default one", path)
            save(spam.default_model(), path)
        mtime_ns = path.stat().st_mtime_ns
        if _loaded and _loaded.path == path and _loaded.mtime_ns == mtime_ns:
            _loaded.checked_at = now
            return _loaded.model
        model = _load_or_replace(path)
        mtime_ns = path.stat().st_mtime_ns
        _loaded = _Loaded(path, mtime_ns, model, now)
        log.info("spam model %s loaded from %s", model.version, path)
        return model


def _load_or_replace(path: Path) -> spam.TextModel:
    """Load the model file; one this version cannot read (an older format, a broken file)
    is replaced by the default model, so comments keep being scored until the next training."""
    try:
        return spam.TextModel.load(path)
    except (ValueError, EOFError, OSError, KeyError) as error:
        log.warning("spam model %s unusable (%s): using the default model", path, error)
        model = spam.default_model()
        save(model, path)
        return model


def save(model: spam.TextModel, path: Path | None = None) -> Path:
    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return path


def forget_loaded() -> None:
    """Drop this process's cached model, so the next `current()` reads the file again."""
    global _loaded
    with _lock:
        _loaded = None


# What an imported comment's state says about its text, when its import teaches the model.
IMPORTED_LABELS = {CommentState.SPAM: 1, CommentState.APPROVED: 0}


def imported_examples() -> list[tuple[str, int]]:
    """The imported comments the source system's moderators had marked approved or spam."""
    rows = db.session.execute(
        select(Comment.body_raw, Comment.state)
        .join(ImportRun, ImportRun.id == Comment.import_run_id)
        .where(ImportRun.teaches_spam.is_(True), Comment.state.in_(IMPORTED_LABELS))
    ).all()
    return [(text, IMPORTED_LABELS[state]) for text, state in rows if text]


def moderator_examples() -> list[tuple[str, int]]:
    """Each comment a moderator decided on, labelled by the latest decision on it; imported
    comments' labels count the same, and a moderator's later decision on one wins."""
    latest: dict[str, int] = dict(imported_examples())
    rows = db.session.execute(
        select(Comment.body_raw, ModerationDecision.action)
        .join(ModerationDecision, ModerationDecision.comment_id == Comment.id)
        .where(
            ModerationDecision.user_id.is_not(None),
            ModerationDecision.action.in_(DECISION_LABELS),
        )
        .order_by(ModerationDecision.created_at, ModerationDecision.id)
    ).all()
    for text, action in rows:
        latest[text] = DECISION_LABELS[action]
    return list(latest.items())


def train(
    extra: list[tuple[str, int]] | None = None, with_decisions: bool = True
) -> spam.TextModel:
    """Train on the shipped data, `extra` labelled examples and the moderators' decisions."""
    texts, labels, weights = (list(part) for part in spam.shipped_training_set())
    for examples, weight in (
        (extra or [], 1.0),
        (moderator_examples() if with_decisions else [], DECISION_WEIGHT),
    ):
        for text, label in examples:
            texts.append(text)
            labels.append(label)
            weights.append(weight)
    return spam.TextModel.train(texts, labels, weights=weights)


def retrain(extra: list[tuple[str, int]] | None = None) -> spam.TextModel:
    """Train a new model and put it in use for every process that reads the model file."""
    global _loaded
    model = train(extra)
    path = save(model)
    with _lock:
        _loaded = _Loaded(path, path.stat().st_mtime_ns, model, time.monotonic())
    log.info("spam model %s trained and saved to %s", model.version, path)
    return model
