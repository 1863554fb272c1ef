"""Text readers type that others will see: names that show as something, and isolation from the
text around it. Pure functions, no Flask, no database.

A name made of zero-width spaces or Hangul fillers shows as nothing, and a right-to-left
override (U+202E) turns "NILAM" into "MALIN" and reverses the timestamp after it. Names lose
their bidirectional controls and must keep a visible letter or digit; every reader-supplied
string is also isolated where it is shown (`<bdi>`, `dir="auto"`, or U+2068…U+2069 in plain
text), so whatever direction it takes cannot leak into what follows.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

# Embeddings, overrides and isolates (U+202A-202E, U+2066-2069) and the marks (LRM, RLM, ALM).
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Letters and symbols by their category that render as blank: Hangul fillers, the blank
# Braille pattern and the like.
BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u17b4\u17b5\u2800")
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def clean_name(text: str | None) -> str:
    """A typed name without bidirectional controls, NFC-composed, trimmed."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", BIDI_CONTROLS.sub("", text)).strip()


def has_visible_character(text: str) -> bool:
    """True if the text shows at least one letter, digit or symbol (an emoji counts), not
    only spaces, punctuation, invisible format characters or blank fillers."""
    return any(
        unicodedata.category(char)[0] in "LNS" and char not in BLANK_CHARACTERS for char in text
    )


def isolate(text: str | None) -> str:
    """Plain text (an e-mail's text part) isolated from its surroundings: FSI … PDI."""
    return f"{FIRST_STRONG_ISOLATE}{text or ''}{POP_DIRECTIONAL_ISOLATE}"


def bdi(text: str | None) -> Markup:
    """HTML: the text escaped inside <bdi>, which browsers isolate from the text around it."""
    return Markup("<bdi>%s</bdi>") % escape(text or "")


def scripts(text: str | None) -> list[str]:
    """The writing systems of the letters in `text`, in order of appearance ("LATIN",
    "CYRILLIC" …). More than one in a word is how a look-alike (`kommunаl.se` with a Cyrillic
    а) passes for the real thing; digits and punctuation belong to none."""
    found: list[str] = []
    for character in text or "":
        if character.isalpha():
            script = unicodedata.name(character, "UNKNOWN").split(" ")[0]
            if script not in found:
                found.append(script)
    return found


FILTERS = {"bdi": bdi, "isolate": isolate}
