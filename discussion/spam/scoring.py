"""Spam scoring for reader comments: link signals, cues, word lists and how they combine.

Pure: no Flask, no database, and no scikit-learn, so web processes, tests and benchmarks can
use it freely. The text model that gives the first signal is passed in (anything with a
`score(text)` method; the real one is `spam.model.TextModel`, which only workers load).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol

from ..config import default_of


class TextScorer(Protocol):
    """What scoring needs of a text model (`spam.model.TextModel` is the real one)."""

    def score(self, text: str) -> float: ...


# The one source of the thresholds' defaults is the settings table (config.py).
QUEUE_THRESHOLD: float = default_of("SAMTAL_SPAM_QUEUE_THRESHOLD")
SPAM_THRESHOLD: float = default_of("SAMTAL_SPAM_THRESHOLD")

# ---------------------------------------------------------------------------
# Text normalisation

_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?(?:a|b|i|u|em|strong|span|p|div)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_text(text: str) -> str:
    """Reduce a comment to what a reader sees, so exported HTML and typed text look alike.

    The YouTube export keeps ``<br />``, ``<a>`` tags, entities and a trailing
    U+FEFF; a comment typed into our form has none of them. NFC makes a
    decomposed "å" (a + ring) equal to the composed one.
    """
    text = text.replace("\ufeff", "")
    text = _ANCHOR.sub(r"\1", text)
    text = _BREAK.sub("\n", text)
    text = _INLINE_TAG.sub("", text)
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


# ---------------------------------------------------------------------------
# Links

_TLDS = (
    "com|net|org|info|biz|io|co|me|tv|ly|gl|gd|cc|tk|ml|ga|cf|gq|xyz|top|club|online|site|"
    "ru|de|uk|us|se|nu|no|dk|fi|fr|nl|es|it|pl|br|in|eu|ws|be|to|link|app|shop|store"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    rf"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:{_TLDS})\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/?#:\s]+)", re.IGNORECASE)
SHORTENERS = frozenset(
    [
        "bit.ly",
        "goo.gl",
        "tinyurl.com",
        "t.co",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "adf.ly",
        "tiny.cc",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "t.ly",
        "rb.gy",
        "bl.ink",
        "lnkd.in",
        "shorte.st",
        "v.gd",
        "x.co",
        "soo.gd",
        "s.id",
        "tr.im",
    ]
)


def find_links(text: str) -> list[str]:
    """Return the URLs and bare domains (``example.com/x``) written in the text."""
    return [match.rstrip(".,;:!?)]}") for match in _URL.findall(text)]


def link_host(url: str) -> str:
    """Return the lower-cased host of a link, without ``www.``."""
    match = _HOST.match(url)
    return match.group(1).lower().rstrip(".") if match else ""


def is_link_only(text: str) -> bool:
    """True when the text has links and nothing but punctuation around them."""
    return bool(_URL.search(text)) and not re.search(r"\w", _URL.sub(" ", text))


# ---------------------------------------------------------------------------
# Hand-written cues the text model may weigh next to its n-grams

# The four classic kinds of comment spam, written from general knowledge and not
# adjusted to any misclassified comment: an earlier list that was tuned on the
# YouTube videos' errors made the held-out figures look better than they are.
CUES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # Self-promotion: "my channel", "our new website", "min blogg".
        r"\b(?:my|our)\s+(?:new\s+|own\s+|latest\s+)?(?:channel|videos?|songs?|music|blog|page|"
        r"website|site|profile|playlist|album|shop|store)\b"
        r"|\b(?:min|mitt|mina|vår|vårt|våra)\s+(?:nya\s+|egna\s+)?(?:kanal|blogg|hemsida|sajt|"
        r"butik|webbshop|profil|video|videor)\b",
        # Asking for subscribers or followers.
        r"\bsubscrib\w*|\bfollow\s+me\b|\badd\s+me\b|\bprenumerera\w*|\bfölj\s+mig\b",
        # Sending readers elsewhere.
        r"\bcheck\s+(?:it\s+|this\s+|them\s+)?out\b|\bvisit\b|\bclick\b"
        r"|\bkolla\s+in\b|\bbesök\b|\bklicka\b",
        # Money, prizes and offers.
        r"\$\d|\bfree\b|\bmoney\b|\bcash\b|\bwin\b|\bprizes?\b|\bgift\s*cards?\b|\bpay\s*pal\b"
        r"|\bearn\w*|\bgratis\b|\bpengar\b|\bvinn\w*|\bpresentkort\b|\brabatt\w*"
        r"|\b(?:casino|kasino)\w*|\bsnabblån\w*",
    )
)


# ---------------------------------------------------------------------------
# Word lists


@dataclass
class WordLists:
    """Admin-edited words: banned ones send a comment to spam, suspect ones to the queue.

    Entries match whole words (or phrases) case-insensitively; letters such as
    å, ä, ö and é count as word characters, so "kasino" does not match "kasinot".
    """

    banned: list[str] = field(default_factory=list)
    suspect: list[str] = field(default_factory=list)

    def find_banned(self, text: str) -> list[str]:
        """Banned entries that occur in the text, in list order."""
        return _find_words(tuple(self.banned), text)

    def find_suspect(self, text: str) -> list[str]:
        """Suspect entries that occur in the text, in list order."""
        return _find_words(tuple(self.suspect), text)


def _find_words(words: tuple[str, ...], text: str) -> list[str]:
    """One combined search rules out most comments; only a hit pays for a search per entry."""
    combined, patterns = _word_patterns(words)
    text = unicodedata.normalize("NFC", text)
    if combined is None or not combined.search(text):
        return []
    return [word for word, pattern in patterns if pattern.search(text)]


@functools.lru_cache(maxsize=64)
def _word_patterns(
    words: tuple[str, ...],
) -> tuple[re.Pattern[str] | None, list[tuple[str, re.Pattern[str]]]]:
    """Compile the entries once; a phrase may be spaced in any way in the text."""
    bodies, patterns = [], []
    for word in words:
        parts = unicodedata.normalize("NFC", word).split()
        if parts:
            body = r"\s+".join(map(re.escape, parts))
            bodies.append(body)
            patterns.append((word.strip(), re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)))
    if not bodies:
        return None, []
    combined = re.compile(rf"(?<!\w)(?:{'|'.join(bodies)})(?!\w)", re.IGNORECASE)
    return combined, patterns


# ---------------------------------------------------------------------------
# Scoring

# Set by hand, not learnt: each of "3+ links", a shortener, a bare link or a link
# in the name lifts even a harmless text to the queue; two links only nudge.
LINK_WEIGHTS = {"many": 0.5, "two": 0.2, "shortener": 0.6, "only": 0.5, "name": 0.7}


def reason(code: str, **values) -> dict:
    """One reason for a spam score, as stored: a code and its values, worded when shown
    (``moderation.labels.spam_reason_text``), so each moderator reads it in their language."""
    return {"code": code, **values}


@dataclass
class Verdict:
    """A spam score in [0, 1] and the reasons moderators see next to it."""

    score: float
    reasons: list[dict]


def link_signals(text: str, name: str = "") -> list[tuple[float, dict]]:
    """Weights (0-1) and reasons for the links in a comment and its name field."""
    links = find_links(text)
    signals = []
    if len(links) >= 2:
        weight = LINK_WEIGHTS["many"] if len(links) >= 3 else LINK_WEIGHTS["two"]
        signals.append((weight, reason("links", count=len(links))))
    shorteners = sorted({link_host(link) for link in links} & SHORTENERS)
    if shorteners:
        signals.append((LINK_WEIGHTS["shortener"], reason("shortener", hosts=shorteners)))
    if is_link_only(text):
        signals.append((LINK_WEIGHTS["only"], reason("link_only", count=len(links))))
    if find_links(name):
        signals.append((LINK_WEIGHTS["name"], reason("name_link")))
    return signals


def score_text(
    model: TextScorer,
    text: str,
    name: str = "",
    word_lists: WordLists | None = None,
    queue_threshold: float = QUEUE_THRESHOLD,
) -> Verdict:
    """Combine the text model, link signals and word lists into one score with reasons.

    Independent signals combine like independent chances (noisy-OR), so each
    one can only raise the score. A banned word gives 1.0; a suspect word
    lifts the score to at least the queue threshold.
    """
    text = clean_text(text)
    name = clean_text(name)
    probability = model.score(text)
    reasons = [reason("model", probability=round(probability, 2))]
    keep = 1.0 - probability
    for weight, found in link_signals(text, name):
        keep *= 1.0 - weight
        reasons.append(found)
    score = 1.0 - keep
    if word_lists is not None:
        both = f"{name}\n{text}"
        banned = word_lists.find_banned(both)
        suspect = word_lists.find_suspect(both)
        reasons += [reason("banned_word", word=word) for word in banned]
        reasons += [reason("suspect_word", word=word) for word in suspect]
        if banned:
            score = 1.0
        elif suspect:
            score = max(score, queue_threshold)
    return Verdict(score=min(max(score, 0.0), 1.0), reasons=reasons)


def route(
    score: float, queue_threshold: float = QUEUE_THRESHOLD, spam_threshold: float = SPAM_THRESHOLD
) -> str:
    """Where a comment goes: "spam" (Skräp), "pending" (Väntar) or "normal" (usual policy).

    A score equal to a threshold counts as reaching it, so a suspect word,
    which lifts the score to exactly the queue threshold, queues the comment.
    """
    check_thresholds(queue_threshold, spam_threshold)
    if score >= spam_threshold:
        return "spam"
    if score >= queue_threshold:
        return "pending"
    return "normal"


def check_thresholds(queue_threshold: float, spam_threshold: float) -> None:
    """Reject settings where the queue threshold is not below or at the spam threshold."""
    if not 0.0 <= queue_threshold <= spam_threshold <= 1.0:
        raise ValueError(
            f"need 0 <= queue ({queue_threshold}) <= spam ({spam_threshold}) <= 1 thresholds"
        )


@dataclass(frozen=True)
class Thresholds:
    """Where a score sends a comment: from `queue` to Väntar, from `spam` to Skräp."""

    queue: float = QUEUE_THRESHOLD
    spam: float = SPAM_THRESHOLD

    @classmethod
    def from_config(cls, config) -> Thresholds:
        thresholds = cls(config["SAMTAL_SPAM_QUEUE_THRESHOLD"], config["SAMTAL_SPAM_THRESHOLD"])
        check_thresholds(thresholds.queue, thresholds.spam)
        return thresholds

    def route(self, score: float) -> str:
        return route(score, self.queue, self.spam)


# ---------------------------------------------------------------------------
# Counting hits


@dataclass
class Metrics:
    """Counts at the queue threshold; spam is the positive class."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: Metrics) -> Metrics:
        """Counts pooled over two sets, e.g. over weeks or model versions."""
        return Metrics(
            self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn
        )

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def ham_fpr(self) -> float:
        """Share of legitimate comments flagged (sent to the queue or to spam)."""
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    def line(self) -> str:
        return (
            f"precision={self.precision:.4f} recall={self.recall:.4f} f1={self.f1:.4f} "
            f"ham_fpr={self.ham_fpr:.4f} n={self.n}"
        )
