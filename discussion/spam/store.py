"""The spam model in use: stored in one file every worker can read, loaded once per process.

Retraining writes a new file atomically; each process notices the change with one `stat` at
most every RELOAD_CHECK_SECONDS and loads the new version, so no worker scores with a
half-written model and none reloads per comment.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Comment, CommentState, ImportRun, ModerationDecision, SpamTraining
from . import model as spam
from .labels import DECISION_LABELS

log = logging.getLogger(__name__)

RELOAD_CHECK_SECONDS = 30.0


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
    """Each comment a moderator decided on, labelled by the latest decision on it, oldest
    decision first (so the newest are the ones kept when there are more than training uses);
    imported comments' labels count the same, before any decision, and a moderator's later
    decision on one wins."""
    rows = db.session.execute(
        select(Comment.body_raw, ModerationDecision.action)
        .join(ModerationDecision, ModerationDecision.comment_id == Comment.id)
        .where(
            ModerationDecision.user_id.is_not(None),
            ModerationDecision.action.in_(DECISION_LABELS),
        )
        .order_by(ModerationDecision.created_at, ModerationDecision.id)
        .execution_options(yield_per=10_000)
    )
    latest: dict[str, int] = dict(imported_examples())
    for text, action in rows:
        latest.pop(text, None)
        latest[text] = DECISION_LABELS[action]
    return list(latest.items())


def train(
    extra: Sequence[tuple[str, int]] = (),
    with_decisions: bool = True,
    shipped: tuple[Sequence[str], Sequence[int], Sequence[float]] | None = None,
) -> tuple[spam.TextModel, int]:
    """Train on the shipped data plus the site's own labels: `extra` labelled files (older)
    and the moderators' decisions (newer). Returns the model and how many site labels it used."""
    site = list(extra) + (moderator_examples() if with_decisions else [])
    return spam.train_for_site(site, shipped)


def retrain(
    extra: Sequence[tuple[str, int]] = (),
    shipped: tuple[Sequence[str], Sequence[int], Sequence[float]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> spam.TextModel:
    """Train a new model, put it in use for every process that reads the model file, and
    record the training (when, on how many site decisions, its figures on the shipped data)."""
    global _loaded
    say = progress or (lambda message: None)
    started = time.perf_counter()
    say("reading the site's decisions")
    site = list(extra) + moderator_examples()
    say(f"training on the shipped data and {len(site)} site decisions")
    model, used = spam.train_for_site(site, shipped)
    seconds = time.perf_counter() - started
    say("saving the model and its record")
    path = save(model)
    with _lock:
        _loaded = _Loaded(path, path.stat().st_mtime_ns, model, time.monotonic())
    record(model, used, seconds)
    log.info("spam model %s trained and saved to %s", model.version, path)
    return model


def record(model: spam.TextModel, site_decisions: int, seconds: float) -> SpamTraining:
    """Keep the training's record, with `spam evaluate`'s figures on the shipped data."""
    from .scoring import Thresholds

    texts, labels, _ = spam.shipped_training_set()
    queue = Thresholds.from_config(current_app.config).queue
    metrics = spam.evaluate(model, zip(texts, labels, strict=True), queue)
    training = SpamTraining(
        version=model.version,
        site_decisions=site_decisions,
        seconds=round(seconds, 2),
        shipped_precision=metrics.precision,
        shipped_recall=metrics.recall,
        shipped_f1=metrics.f1,
        shipped_ham_fpr=metrics.ham_fpr,
    )
    db.session.add(training)
    db.session.commit()
    return training
