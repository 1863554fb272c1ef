"""Nested leave-one-video-out evaluation of the spam scorer on the YouTube Spam Collection.

For each of the three videos: choose the model's settings (features,
regularisation, naive-Bayes weighting and a logit offset that moves where the
queue threshold falls) by an inner leave-one-video-out over the two other
videos only, train on those two (plus the shipped Swedish comments, as the
default model does), then score the held-out video with ``score_text`` at the
queue threshold, exactly as ``spam evaluate`` does. The held-out video is never
used to choose anything. One result line per video goes to stdout; progress
goes to stderr.

    .venv/bin/python bench/spam_eval.py            # the three held-out results (nested)
    .venv/bin/python bench/spam_eval.py --select   # choose the shipped defaults on all three
    .venv/bin/python bench/spam_eval.py --fixed    # ModelParams() defaults on every split
    .venv/bin/python bench/spam_eval.py --baseline # plain char n-gram logistic regression
    .venv/bin/python bench/spam_eval.py --fixture  # default model on the Swedish test fixture
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from discussion.spam.model import (  # noqa: E402
    DEFAULT_PARAMS,
    YOUTUBE_FILES,
    Metrics,
    ModelParams,
    TextModel,
    dedupe,
    default_model,
    evaluate,
    load_labelled,
    shipped_training_set,
)
from discussion.spam.scoring import (  # noqa: E402
    QUEUE_THRESHOLD,
    SPAM_THRESHOLD,
    clean_text,
    link_signals,
    score_text,
)

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "swedish_ham.tsv"
MAX_HAM_FPR = 0.02

# Fixed before any held-out result of it was seen; 64 settings.
GRID = [
    ModelParams(c=c, char_analyzer=analyzer, char_ngrams=ngrams, binary=binary, cues=cues, nb=nb)
    for (analyzer, ngrams), binary, cues, (nb, c) in itertools.product(
        (("char_wb", (2, 5)), ("char", (1, 6))),
        (False, True),
        (False, True),
        [(False, c) for c in (1.0, 3.0, 10.0, 30.0)] + [(True, c) for c in (0.3, 1.0, 3.0, 10.0)],
    )
]
# Queue thresholds 0.25, 0.30 ... 0.75 expressed as offsets added to the model's logit,
# so the product keeps one queue threshold setting.
THRESHOLDS = [0.25 + 0.05 * step for step in range(11)]
OFFSETS = [-math.log(t / (1.0 - t)) for t in THRESHOLDS]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def train_on(videos: list[Path], params: ModelParams) -> TextModel:
    """Train like ``default_model`` does, on the given videos only."""
    texts, labels, weights = shipped_training_set(videos)
    return TextModel.train(texts, labels, params, weights)


class Folds:
    """Each comment's logit and link factor per (training videos, settings), computed once.

    ``score_text`` is noisy-OR of the model's probability and the link signals, so a
    comment's score at any offset follows from its logit and the product of
    ``1 - weight`` over its link signals; counting at every offset then costs no
    retraining.
    """

    def __init__(self) -> None:
        self.cache: dict[tuple, list[tuple[float, float, int]]] = {}
        self.examples = {video: load_labelled([video]) for video in YOUTUBE_FILES}

    def scored(self, training: list[Path], test: Path, params: ModelParams):
        key = (tuple(training), params)
        if key not in self.cache:
            model = train_on(training, params)
            for video in YOUTUBE_FILES:
                if video not in training:
                    self.cache[(*key, video)] = [
                        (model.logit(clean_text(text)), _keep(clean_text(text)), label)
                        for text, label in self.examples[video]
                    ]
            self.cache[key] = []
        return self.cache[(*key, test)]

    def pooled(self, videos: list[Path], params: ModelParams, offset: float) -> Metrics:
        """Counts pooled over leave-one-video-out folds of the given videos."""
        pooled = Metrics()
        for held_out in videos:
            training = [video for video in videos if video != held_out]
            for logit, keep, label in self.scored(training, held_out, params):
                flagged = 1.0 - keep / (1.0 + math.exp(logit + offset)) >= QUEUE_THRESHOLD
                pooled.tp += bool(label and flagged)
                pooled.fn += bool(label and not flagged)
                pooled.fp += bool(not label and flagged)
                pooled.tn += bool(not label and not flagged)
        return pooled


def _keep(text: str) -> float:
    """Chance that the link signals leave a comment alone (name field empty, as in the files)."""
    return math.prod(1.0 - weight for weight, _ in link_signals(text))


def select(folds: Folds, videos: list[Path]) -> tuple[ModelParams, Metrics]:
    """Best pooled F1 among settings flagging at most 2% of ham, else the least ham flagged.

    Ties go to the offset nearest zero, then to the earlier setting in GRID.
    """
    best = None
    for index, params in enumerate(GRID):
        for offset in OFFSETS:
            metrics = folds.pooled(videos, params, offset)
            too_many = metrics.ham_fpr > MAX_HAM_FPR
            rank = (
                too_many,
                too_many and metrics.ham_fpr,
                -round(metrics.f1, 6),
                abs(offset),
                index,
            )
            if best is None or rank < best[0]:
                best = (rank, dataclasses.replace(params, offset=round(offset, 4) + 0.0), metrics)
    return best[1], best[2]


def describe(params: ModelParams) -> str:
    return ", ".join(
        f"{field.name}={getattr(params, field.name)}" for field in dataclasses.fields(params)
    )


def baseline(held_out: Path) -> Metrics:
    """Plain char_wb 2-5 TF-IDF + logistic regression on YouTube data only, at 0.5."""
    training = load_labelled([v for v in YOUTUBE_FILES if v != held_out])
    texts, labels, _ = dedupe(*zip(*training, strict=True))
    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=5000),
    ).fit(texts, labels)
    test = load_labelled([held_out])
    probabilities = pipeline.predict_proba([clean_text(text) for text, _ in test])[:, 1]
    metrics = Metrics()
    for (_, label), probability in zip(test, probabilities, strict=True):
        flagged = probability >= QUEUE_THRESHOLD
        metrics.tp += bool(label and flagged)
        metrics.fn += bool(label and not flagged)
        metrics.fp += bool(not label and flagged)
        metrics.tn += bool(not label and not flagged)
    return metrics


def fixture_summary() -> str:
    """How the default model scores the Swedish reader comments in the test fixture."""
    scores = [score_text(default_model(), text).score for text, _ in load_labelled([FIXTURE])]
    return (
        f"swedish_fixture n={len(scores)} max={max(scores):.4f} "
        f"at_queue={sum(s >= QUEUE_THRESHOLD for s in scores)} "
        f"at_spam={sum(s >= SPAM_THRESHOLD for s in scores)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--select", action="store_true", help="choose parameters on all videos")
    mode.add_argument("--fixed", action="store_true", help="use the default parameters")
    mode.add_argument("--baseline", action="store_true", help="plain char n-gram model")
    mode.add_argument("--fixture", action="store_true", help="score the Swedish test fixture")
    args = parser.parse_args()
    started = time.perf_counter()
    folds = Folds()
    videos = list(YOUTUBE_FILES)

    if args.fixture:
        print(fixture_summary())
    elif args.baseline:
        for held_out in videos:
            progress(f"baseline, held out {held_out.name}")
            print(f"{held_out.name} {baseline(held_out).line()}", flush=True)
    elif args.select:
        progress(f"choosing among {len(GRID)} x {len(OFFSETS)} settings on all three videos")
        params, metrics = select(folds, videos)
        print(f"chosen: {describe(params)}\npooled: {metrics.line()}")
    else:
        for held_out in videos:
            training = [v for v in videos if v != held_out]
            if args.fixed:
                params = DEFAULT_PARAMS
            else:
                progress(f"held out {held_out.name}: choosing on {[v.name for v in training]}")
                params, inner = select(folds, training)
                progress(f"  inner (pooled over both folds): {inner.line()}")
            progress(f"  using {describe(params)}")
            metrics = evaluate(train_on(training, params), load_labelled([held_out]))
            print(f"{held_out.name} {metrics.line()}", flush=True)
    progress(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
