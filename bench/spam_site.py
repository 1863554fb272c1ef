"""A site that learns: each shipped YouTube video plays the site, its moderators decide the first
30% of its comments, and the model retrained on those decisions scores the remaining 70%.

For each of the three videos, in order of posting time (the DATE column):

- before: the model trained on everything shipped except that video (the other two videos and
  the Swedish comments, as the default model is built) scores the last 70%;
- the first 30% are stored as comments of a fresh SQLite site, each with a moderator's
  decision (spam, or approve for ham);
- after: ``spam.store.retrain`` (the code the periodic retraining task and ``spam train``
  run) trains on the shipped data minus that video plus those decisions, and the new model
  scores the last 70%.

Scoring is ``score_text`` at the queue threshold, as ``spam evaluate`` does. No setting is
chosen here; the 70% parts are only scored.

    .venv/bin/python bench/spam_site.py
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402
from tqdm import tqdm  # noqa: E402

from discussion import create_app  # noqa: E402
from discussion.auth import accounts  # noqa: E402
from discussion.extensions import db  # noqa: E402
from discussion.models import (  # noqa: E402
    Comment,
    CommentState,
    ModerationDecision,
    Post,
    Question,
    Role,
    User,
)
from discussion.spam import model as spam  # noqa: E402
from discussion.spam import store  # noqa: E402

LEARN_SHARE = 0.3


def by_posting_time(video: Path) -> list[tuple[str, int]]:
    """A video's comments and labels, oldest first (the files are not all in that order)."""
    with video.open(encoding="utf-8-sig", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: row["DATE"])
    return [(row["CONTENT"], int(row["CLASS"])) for row in rows]


def site_app(folder: Path, create: bool = True):
    """An embedded site in `folder`; a fresh one gets one post, one question, one moderator."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'site.db'}",
            "SAMTAL_BROKER_URL": "",
            "SAMTAL_SPAM_MODEL_PATH": str(folder / "spam-model.joblib"),
        }
    )
    if not create:
        return app
    with app.app_context():
        db.create_all()
        post = Post(
            slug="video",
            title="Video",
            author_handle="bench",
            published=date.today(),
            body_markdown="",
            body_html="",
        )
        db.session.add(post)
        db.session.flush()
        db.session.add(Question(post_id=post.id, text="Vad tycker du?"))
        accounts.create_user("moderator@example.se", "ett långt lösenord", Role.MODERATOR)
        db.session.commit()
    return app


def store_decisions(examples: list[tuple[str, int]], batch: int = 5_000) -> None:
    """Each example as a comment with a moderator's decision: spam, or approved."""
    question = db.session.scalar(select(Question))
    moderator = db.session.scalar(select(User.id).where(User.role == Role.MODERATOR))
    for start in tqdm(range(0, len(examples), batch), desc="decisions", unit="batch", leave=False):
        part = examples[start : start + batch]
        first = (db.session.scalar(select(db.func.max(Comment.id))) or 0) + 1
        db.session.execute(
            insert(Comment),
            [
                {
                    "id": first + offset,
                    "post_id": question.post_id,
                    "question_id": question.id,
                    "author_name": "Läsare",
                    "body_raw": text,
                    "body_html": text,
                    "state": CommentState.SPAM if label else CommentState.APPROVED,
                }
                for offset, (text, label) in enumerate(part)
            ],
        )
        db.session.execute(
            insert(ModerationDecision),
            [
                {
                    "comment_id": first + offset,
                    "user_id": moderator,
                    "action": "spam" if label else "approve",
                    "from_state": CommentState.PENDING,
                    "to_state": CommentState.SPAM if label else CommentState.APPROVED,
                }
                for offset, (_, label) in enumerate(part)
            ],
        )
        db.session.commit()


def main() -> None:
    started = time.perf_counter()
    print("video | before: F1 / ham_fpr | after: F1 / ham_fpr | decisions")
    for video in tqdm(spam.YOUTUBE_FILES, desc="videos", unit="video"):
        shipped = spam.shipped_training_set([v for v in spam.YOUTUBE_FILES if v != video])
        examples = by_posting_time(video)
        cut = int(len(examples) * LEARN_SHARE)
        learn, rest = examples[:cut], examples[cut:]
        before = spam.evaluate(spam.TextModel.train(*shipped[:2], weights=shipped[2]), rest)
        with tempfile.TemporaryDirectory() as folder:
            app = site_app(Path(folder))
            with app.app_context():
                store_decisions(learn)
                after = spam.evaluate(store.retrain(shipped=shipped), rest)
                used = len(store.moderator_examples())
        print(
            f"{video.stem} | {before.f1:.4f} / {before.ham_fpr:.4f} | "
            f"{after.f1:.4f} / {after.ham_fpr:.4f} | {used}",
            flush=True,
        )
        print(f"  before {before.line()}\n  after  {after.line()}", flush=True)
    print(f"done in {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
