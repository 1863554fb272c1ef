"""The spam text model: character and word n-grams weighed by logistic regression.

This is the part of spam filtering that needs scikit-learn, so only the processes that score
or train import it (workers, the embedded default's one process, the `spam` command). Also
here: the labelled training data shipped with Samtal, and evaluation on labelled files.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import math
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from .scoring import CUES, QUEUE_THRESHOLD, Metrics, WordLists, clean_text, score_text

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
YOUTUBE_FILES = tuple(
    DATA_DIR / "youtube-spam" / name
    for name in ("Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv")
)
SWEDISH_FILES = (DATA_DIR / "swedish-ham" / "comments.tsv",)

# ---------------------------------------------------------------------------
# Cue features


def cue_features(texts: Sequence[str]) -> sp.csr_matrix:
    """One 0/1 column per cue.

    Links are left to the n-grams and to :func:`link_signals`: as a model
    feature, "has a link" learnt from YouTube (where nearly every link is
    spam) outweighed everything else in a Swedish comment citing a newspaper.
    """
    rows = [[bool(cue.search(text)) for cue in CUES] for text in texts]
    return sp.csr_matrix(np.asarray(rows, dtype=np.float64).reshape(len(rows), len(CUES)))


# ---------------------------------------------------------------------------
# Labelled data


def load_labelled(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> list[tuple[str, int]]:
    """Read labelled comments (1 = spam) from YouTube Spam Collection CSVs or ham/spam TSVs."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    examples: list[tuple[str, int]] = []
    for path in map(Path, paths):
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                first = handle.readline()
                handle.seek(0)
                if _looks_like_csv(path, first):
                    examples.extend(_read_youtube_csv(path, handle))
                else:
                    examples.extend(_read_tsv(path, handle))
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}: not UTF-8 text ({error.reason})") from error
    return examples


def _looks_like_csv(path: Path, first_line: str) -> bool:
    """Trust the header over the extension, so a renamed file still loads."""
    if first_line.upper().startswith("COMMENT_ID,"):
        return True
    return path.suffix.lower() == ".csv" and not re.match(r"(?i)(ham|spam)\t", first_line)


def _read_youtube_csv(path: Path, handle: TextIO) -> list[tuple[str, int]]:
    """Parse COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS rows; CLASS 1 is spam."""
    reader = csv.reader(handle)
    header = [column.strip().upper() for column in next(reader, [])]
    missing = {"CONTENT", "CLASS"} - set(header)
    if missing:
        raise ValueError(
            f"{path}, line 1: header lacks {', '.join(sorted(missing))} "
            "(expected COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS)"
        )
    content, label = header.index("CONTENT"), header.index("CLASS")
    examples = []
    for row in reader:
        where = f"{path}, line {reader.line_num}"
        if not row:
            continue
        if len(row) != len(header):
            raise ValueError(f"{where}: expected {len(header)} fields, found {len(row)}")
        if row[label].strip() not in ("0", "1"):
            raise ValueError(f"{where}: CLASS must be 0 or 1, not {row[label]!r}")
        if not clean_text(row[content]):
            raise ValueError(f"{where}: CONTENT is empty")
        examples.append((row[content], int(row[label])))
    return examples


def _read_tsv(path: Path, handle: TextIO) -> list[tuple[str, int]]:
    """Parse ``ham|spam<TAB>text`` lines; blank lines and ``#`` comments are skipped."""
    examples = []
    for number, line in enumerate(handle, start=1):
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        label, tab, text = line.partition("\t")
        label = label.strip().lower()
        if not tab or label not in ("ham", "spam"):
            raise ValueError(
                f"{path}, line {number}: expected 'ham' or 'spam', a tab, then the text; "
                f"got {line[:40]!r}"
            )
        if not clean_text(text):
            raise ValueError(f"{path}, line {number}: the text is empty")
        examples.append((text, int(label == "spam")))
    return examples


def dedupe(
    texts: Sequence[str], labels: Sequence[int], weights: Sequence[float] | None = None
) -> tuple[list[str], list[int], list[float]]:
    """Keep one copy of each cleaned text; a later copy wins, so fresh moderator decisions count."""
    if weights is None:
        weights = [1.0] * len(texts)
    latest: dict[str, tuple[int, float]] = {}
    for text, label, weight in zip(texts, labels, weights, strict=True):
        cleaned = clean_text(text)
        latest.pop(cleaned, None)
        latest[cleaned] = (int(label), float(weight))
    return list(latest), [label for label, _ in latest.values()], [w for _, w in latest.values()]


# ---------------------------------------------------------------------------
# Text model


@dataclass(frozen=True)
class ModelParams:
    """Hyper-parameters of :class:`TextModel`.

    The defaults were chosen by leave-one-video-out cross-validation over the
    three YouTube files, from the grid in ``bench/spam_eval.py`` (``--select``).
    """

    c: float = 30.0
    ham_weight: float = 1.0
    char_analyzer: str = "char_wb"
    char_ngrams: tuple[int, int] = (2, 5)
    # tf 1 for every n-gram present (True) or 1 + log(count) (False).
    binary: bool = True
    cues: bool = True
    # Scale each feature by its naive-Bayes log-count ratio before the regression (NB-LR).
    nb: bool = False
    # Added to the model's logit: moves where the queue threshold falls without a new setting.
    offset: float = 0.0


DEFAULT_PARAMS = ModelParams()
# Our own Swedish comments count this many times over a YouTube comment: they
# are few, but they are the language and kind of text the model will see.
SWEDISH_WEIGHT = 3.0
_MODEL_FORMAT = 2


def _vectorizers(params: ModelParams) -> list[TfidfVectorizer]:
    """Character n-grams for short, misspelt comments; word pairs tell "check out" from "check"."""
    common = {"binary": params.binary, "sublinear_tf": not params.binary}
    return [
        TfidfVectorizer(
            analyzer=params.char_analyzer, ngram_range=tuple(params.char_ngrams), **common
        ),
        TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", **common),
    ]


def _nb_ratios(features: sp.csr_matrix, labels: np.ndarray) -> np.ndarray:
    """Log of how much likelier each feature is in spam than in ham (add-one smoothed)."""
    present = (features > 0).astype(np.float64)
    spam_counts = 1.0 + np.asarray(present[labels == 1].sum(axis=0)).ravel()
    ham_counts = 1.0 + np.asarray(present[labels == 0].sum(axis=0)).ravel()
    return np.log((spam_counts / spam_counts.sum()) / (ham_counts / ham_counts.sum()))


class _Block:
    """One fitted TF-IDF vectorizer and its slice of the weights, scored without scikit-learn.

    For one comment at a time, scikit-learn's input checks cost several times
    more than the sums themselves; doing the sums in plain Python keeps the
    worker well above a thousand comments a second.
    """

    def __init__(self, vectorizer: TfidfVectorizer, coef: np.ndarray):
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.idf = vectorizer.idf_.tolist()
        self.coef = coef.tolist()
        self.binary = bool(vectorizer.binary)

    def logit(self, text: str) -> float:
        """``transform([text]) @ coef``, with the tf and l2 norm TfidfVectorizer uses."""
        weighted, squares = 0.0, 0.0
        for term, count in Counter(self.analyze(text)).items():
            index = self.vocabulary.get(term)
            if index is not None:
                tf = 1.0 if self.binary else 1.0 + math.log(count)
                value = tf * self.idf[index]
                weighted += value * self.coef[index]
                squares += value * value
        return weighted / math.sqrt(squares) if squares else 0.0


class TextModel:
    """Character and word n-grams, optionally with cue features, weighed by logistic regression.

    Whatever :class:`ModelParams` chose, the model is one linear function of the
    TF-IDF columns (naive-Bayes ratios are folded into the weights), so one fast
    scorer serves every setting.
    """

    def __init__(self, vectorizers, coef, intercept, version: str, params: ModelParams):
        self.vectorizers = list(vectorizers)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.version = version
        self.params = params
        offsets = np.cumsum([0] + [len(v.vocabulary_) for v in self.vectorizers])
        self._blocks = [
            _Block(vectorizer, self.coef[start:stop])
            for vectorizer, start, stop in zip(self.vectorizers, offsets, offsets[1:], strict=False)
        ]
        self._cue_coef = self.coef[offsets[-1] :].tolist()
        self._bias = self.intercept + params.offset

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[int],
        params: ModelParams = DEFAULT_PARAMS,
        weights: Sequence[float] | None = None,
    ) -> TextModel:
        """Fit on labelled texts (1 = spam), after cleaning and removing duplicates.

        ``weights`` (one per text, default 1) let some examples count more.
        """
        if weights is None:
            weights = [1.0] * len(texts)
        texts, labels, weights = dedupe(texts, labels, weights)
        if len(set(labels)) < 2:
            raise ValueError("training needs both ham and spam examples")
        vectorizers = _vectorizers(params)
        blocks = [vectorizer.fit_transform(texts) for vectorizer in vectorizers]
        for vectorizer in vectorizers:
            vectorizer.stop_words_ = None
        if params.cues:
            blocks.append(cue_features(texts))
        features = sp.hstack(blocks, format="csr")
        y = np.asarray(labels)
        ratios = _nb_ratios(features, y) if params.nb else np.ones(features.shape[1])
        classifier = LogisticRegression(
            C=params.c, class_weight={0: params.ham_weight, 1: 1.0}, max_iter=5000
        )
        classifier.fit(features @ sp.diags(ratios), y, sample_weight=weights)
        return cls(
            vectorizers,
            classifier.coef_[0] * ratios,
            classifier.intercept_[0],
            _version(texts, labels, weights, params),
            params,
        )

    def logit(self, text: str) -> float:
        """The model's log-odds of spam for a cleaned text, offset included."""
        logit = self._bias + sum(block.logit(text) for block in self._blocks)
        for weight, cue in zip(self._cue_coef, CUES, strict=False):
            if cue.search(text):
                logit += weight
        return logit

    def score(self, text: str) -> float:
        """Spam probability of one text."""
        logit = self.logit(clean_text(text))
        return 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Spam probability for each text."""
        return np.array([self.score(text) for text in texts], dtype=np.float64)

    def save(self, path: str | os.PathLike) -> None:
        """Write atomically (temporary file + rename) so a worker never loads half a model."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            "format": _MODEL_FORMAT,
            "version": self.version,
            "params": asdict(self.params),
            "vectorizers": self.vectorizers,
            "coef": self.coef,
            "intercept": self.intercept,
        }
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                joblib.dump(state, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike) -> TextModel:
        """Read a model written by :meth:`save`."""
        state = joblib.load(path)
        if not isinstance(state, dict) or "format" not in state:
            raise ValueError(f"{path}: not a spam model file")
        if state["format"] != _MODEL_FORMAT:
            raise ValueError(
                f"{path}: spam model file format {state['format']}, this version reads "
                f"{_MODEL_FORMAT}; train a new model (flask --app app spam train)"
            )
        params = dict(state["params"], char_ngrams=tuple(state["params"]["char_ngrams"]))
        return cls(
            state["vectorizers"],
            state["coef"],
            state["intercept"],
            state["version"],
            ModelParams(**params),
        )


def _version(
    texts: Sequence[str], labels: Sequence[int], weights: Sequence[float], params: ModelParams
) -> str:
    """UTC time plus a hash of training data and parameters, e.g. 20250101T120000Z-1a2b3c4d5e6f."""
    digest = hashlib.sha256(repr(sorted(asdict(params).items())).encode())
    for text, label, weight in sorted(zip(texts, labels, weights, strict=True)):
        digest.update(f"{label}\t{weight:g}\t{text}\n".encode())
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + digest.hexdigest()[:12]


def shipped_training_set(
    youtube_files: Sequence[str | os.PathLike] = YOUTUBE_FILES,
) -> tuple[list[str], list[int], list[float]]:
    """Texts, labels and weights: YouTube comments plus our Swedish ones, weighted up."""
    youtube = load_labelled(youtube_files)
    swedish = load_labelled(SWEDISH_FILES)
    examples = youtube + swedish
    weights = [1.0] * len(youtube) + [SWEDISH_WEIGHT] * len(swedish)
    return [text for text, _ in examples], [label for _, label in examples], weights


@functools.lru_cache(maxsize=1)
def default_model() -> TextModel:
    """The model to use until moderators have trained one; built from the shipped data."""
    texts, labels, weights = shipped_training_set()
    return TextModel.train(texts, labels, weights=weights)


# ---------------------------------------------------------------------------
# Evaluation


def evaluate(
    model: TextModel,
    examples: Iterable[tuple[str, int]],
    queue_threshold: float = QUEUE_THRESHOLD,
    word_lists: WordLists | None = None,
) -> Metrics:
    """Score labelled texts with the worker's code (text signals only) and count hits."""
    metrics = Metrics()
    for text, label in examples:
        verdict = score_text(model, text, word_lists=word_lists, queue_threshold=queue_threshold)
        flagged = verdict.score >= queue_threshold
        if label:
            metrics.tp += flagged
            metrics.fn += not flagged
        else:
            metrics.fp += flagged
            metrics.tn += not flagged
    return metrics


# ---------------------------------------------------------------------------
# Learning from the site's own decisions

# The newest site decisions kept for training: enough to learn the site's traffic, few enough
# that retraining on a busy site stays within minutes and a gigabyte (bench/spam_retrain.py).
SITE_LIMIT = 20_000
# One site decision counts this many times over a shipped example (bench/spam_site.py) ...
SITE_WEIGHT = 40.0
# ... but together the site's decisions count at most this many times the shipped data, so a
# busy site's thousands of decisions do not make the shipped examples meaningless.
SITE_SHARE_CAP = 4.0


def site_weight(decisions: int, shipped_weight: float, weight: float = SITE_WEIGHT) -> float:
    """What one of ``decisions`` site decisions counts in training, given the shipped data's
    total weight."""
    if not decisions:
        return 0.0
    return min(weight, SITE_SHARE_CAP * shipped_weight / decisions)


def train_for_site(
    site: Sequence[tuple[str, int]],
    shipped: tuple[Sequence[str], Sequence[int], Sequence[float]] | None = None,
    params: ModelParams = DEFAULT_PARAMS,
) -> tuple[TextModel, int]:
    """Train on the shipped data and the site's newest decisions (given oldest first),
    weighted so that they dominate as soon as there are a hundred or so.

    Returns the model and how many site decisions it learnt from.
    """
    texts, labels, weights = (list(part) for part in (shipped or shipped_training_set()))
    site = list(site)[-SITE_LIMIT:]
    factor = site_weight(len(site), float(sum(weights)))
    model = TextModel.train(
        texts + [text for text, _ in site],
        labels + [label for _, label in site],
        params,
        weights + [factor] * len(site),
    )
    return model, len(site)
