"""The admin's word lists: banned words send a comment to spam, suspect words to the queue."""

from __future__ import annotations

from sqlalchemy import delete, select

from ..extensions import db
from ..models import SpamWord, SpamWordKind
from ..questions import normalise
from .scoring import WordLists

MAX_WORD_LENGTH = 100


def word_lists() -> WordLists:
    """Both lists as the scorer takes them."""
    rows = db.session.execute(select(SpamWord.word, SpamWord.kind)).all()
    return WordLists(
        banned=[word for word, kind in rows if kind == SpamWordKind.BANNED],
        suspect=[word for word, kind in rows if kind == SpamWordKind.SUSPECT],
    )


def all_words() -> list[SpamWord]:
    return list(db.session.scalars(select(SpamWord).order_by(SpamWord.kind, SpamWord.word)))


def add(word: str, kind: str) -> SpamWord:
    """Add a word or phrase to a list, or move it to the other list; commits."""
    text = normalise(word).casefold()
    if not text:
        raise ValueError("the word is empty")
    if len(text) > MAX_WORD_LENGTH:
        raise ValueError(f"the word is longer than {MAX_WORD_LENGTH} characters")
    entry = db.session.scalar(select(SpamWord).where(SpamWord.word == text))
    if entry is None:
        entry = SpamWord(word=text)
        db.session.add(entry)
    entry.kind = SpamWordKind(kind)
    db.session.commit()
    return entry


def remove(word: str) -> bool:
    """Remove a word from its list; False if it was on none. Commits."""
    text = normalise(word).casefold()
    removed = db.session.execute(delete(SpamWord).where(SpamWord.word == text))
    db.session.commit()
    return bool(removed.rowcount)
