"""Find the questions a blog post ends by asking its readers.

Closing questions are the question sentences in the *last block of the
author's own text*.  The author's own text is the Markdown body without
blockquotes, code, headings, the signature line (``/ @name`` or ``-- Name``),
images and screenshot placeholders, a trailing link list (a line ending in
``:`` followed by short unpunctuated lines) and one trailing sign-off
("Tack på förhand!").  A block is a paragraph or a list; list items are
sentences of their own.

The scanner is a small line-based approximation of CommonMark rather than a
full Markdown parser: it only has to find block boundaries, and it has to be
fast enough to run on every post import (a 20 KB post in well under 1 ms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["closing_questions", "normalise", "split_sentences"]


# --- sentences -------------------------------------------------------------

# Characters that may follow the end mark of a sentence: quotes, brackets, emphasis.
_CLOSERS = "”’\"'»)]*_"
_TERMINATOR = re.compile(rf"([.!?…]+)[{re.escape(_CLOSERS)}]*(?=\s|$)")
_FIRST_LETTER = re.compile(r"\s*[“”‘’\"'«»(\[*_]*(\w)")

# Abbreviations whose period never ends a sentence ("t.ex. Facebook").
_INNER_ABBREVIATIONS = (
    *("t.ex", "bl.a", "dvs", "d.v.s", "s.k", "ca", "kl", "nr", "p.g.a", "pga", "t.o.m"),
    *("fr.o.m", "f.d", "jfr", "resp", "ang", "ev", "inkl", "exkl"),
    *("e.g", "i.e", "mr", "mrs", "dr", "prof", "vs", "cf", "approx"),
)
# Abbreviations that often close a sentence ("päron osv. Vad tror du?"):
# their final period ends the sentence only when a capital letter follows.
_FINAL_ABBREVIATIONS = ("osv", "o.s.v", "etc", "m.m", "m.fl", "et al")


def _abbreviation_pattern(abbreviations: tuple[str, ...]) -> re.Pattern[str]:
    """Match the abbreviations, also capitalised and spaced ("T. ex.")."""
    alternatives = []
    for word in abbreviations:
        rest = re.escape(word[1:]).replace(r"\.", r"\.\s?").replace(r"\ ", r"\s?")
        alternatives.append(f"[{word[0]}{word[0].upper()}]{rest}")
    # Case-sensitive on purpose: re.IGNORECASE makes this scan twice as slow.
    return re.compile(rf"(?<![\w.])(?:{'|'.join(alternatives)})\.")


_INNER_ABBREVIATION = _abbreviation_pattern(_INNER_ABBREVIATIONS)
_FINAL_ABBREVIATION = _abbreviation_pattern(_FINAL_ABBREVIATIONS)


def normalise(text: str) -> str:
    """Collapse whitespace runs (NBSP included) so that texts compare exactly."""
    return " ".join(text.split())  # str.split() splits at NBSP and other Unicode spaces too


def split_sentences(text: str) -> list[str]:
    """Split text into normalised sentences, keeping abbreviations and numbers whole."""
    text = normalise(text)
    inner, final = _abbreviation_periods(text)
    sentences, start = [], 0
    for match in _TERMINATOR.finditer(text):
        if _ends_sentence(text, match, inner, final):
            sentences.append(text[start : match.end()].strip())
            start = match.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _abbreviation_periods(text: str) -> tuple[set[int], set[int]]:
    """Positions of periods inside abbreviations, and of possibly sentence-final ones."""
    inner: set[int] = set()
    final: set[int] = set()
    for match in _INNER_ABBREVIATION.finditer(text):
        inner.update(i for i in range(match.start(), match.end()) if text[i] == ".")
    for match in _FINAL_ABBREVIATION.finditer(text):
        inner.update(i for i in range(match.start(), match.end() - 1) if text[i] == ".")
        final.add(match.end() - 1)
    return inner, final


def _ends_sentence(text: str, match: re.Match[str], inner: set[int], final: set[int]) -> bool:
    """Whether a candidate end mark really ends a sentence."""
    if match.group(1) != ".":
        return True  # "?", "!", "…", "?!", "..."
    period = match.start(1)
    if period in inner:
        return False
    following = _FIRST_LETTER.match(text, match.end())
    capital_follows = following is not None and following.group(1).isupper()
    if period in final:
        return capital_follows
    number = text[text.rfind(" ", 0, period) + 1 : period]
    # "den 3. maj": an ordinal number, not the end of a sentence
    return not (number.isdigit() and following is not None and following.group(1).islower())


def _final_marks(text: str) -> str:
    """The punctuation a text ends with, ignoring closing quotes, brackets and emphasis."""
    text = text.rstrip(_CLOSERS)
    return text[len(text.rstrip(".!?…:;,")) :]


def _is_question(sentence: str) -> bool:
    """A sentence whose final marks include "?", like "Vad tror du?”" or "Va?!"."""
    return "?" in _final_marks(sentence)


# --- lines that are not the author's own text ------------------------------

# Lines that are Markdown structure rather than prose, by what they start with.
_MARKUP = re.compile(
    r" {0,3}(?:(?P<fence>`{3,}|~{3,})|(?P<quote>>)|(?P<underline>(?:=+|-+)\s*$)"
    r"|(?P<heading>#{1,6}(?:\s|$)|(?:\*\s*){3,}$|(?:-\s*){3,}$|(?:_\s*){3,}$)"
    r"|(?P<signature>/\s?@|--\s+\S)|(?P<comment><!--.*-->\s*$)"
    r"|(?P<link_definition>\[[^\]]{1,999}\]:\s*\S+(?:\s+[\"'(].*)?$))"
)
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|(\d{1,9})[.)])(?:\s+|$)")
# Bounded repeats keep pathological lines ("![![![…") from going quadratic.
_IMAGE = re.compile(
    r"!\[[^\]]{0,300}\](?:\([^)]{0,1000}\)|\[[^\]]{0,300}\])|<img\b[^>]{0,1000}>",
    re.IGNORECASE,
)
_EMPTY_LINK = re.compile(r"\[\s*\](?:\([^)]{0,1000}\))?")
_SCREENSHOT = re.compile(
    r"\s*(?:skärmavbild|skärmbild|skärmdump|screenshot|screen shot)(?:\s+from)?[\s_-]+"
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[\s_-]+(?:(?:kl\.?|at)\s*)?\d{1,2}[.:-]\d{2}(?:[.:-]\d{2})?(?:\s*[ap]\.?m\.?)?)?"
    r"(?:\s*\(\d+\))?(?:\.(?:png|jpe?g|gif|webp))?\s*",
    re.IGNORECASE,
)

# A hard separator: ends the current block and keeps lists on either side apart.
_BREAK = None


def _author_lines(body: str) -> list[str | None]:
    """The body's lines with everything that is not the author's prose blanked out.

    Blank lines stay "" (a paragraph break); removed material becomes _BREAK.
    """
    lines: list[str | None] = []
    fence = None
    quoting = False
    for line in body.splitlines():
        if fence is not None:
            fence = None if line.lstrip().startswith(fence) else fence
            lines.append(_BREAK)
            continue
        markup = None if line[:1].isalnum() else _MARKUP.match(line)  # fast path for prose
        kind = markup.lastgroup if markup else None
        # a quote also swallows the lazy continuation lines of its paragraph
        quoting = kind == "quote" or (
            quoting and kind is None and bool(line.strip()) and not _LIST_ITEM.match(line)
        )
        if quoting:
            lines.append(_BREAK)
        elif kind == "fence":
            fence = markup.group("fence")
            lines.append(_BREAK)
        elif kind == "underline" and lines and lines[-1] and not _LIST_ITEM.match(lines[-1]):
            _drop_paragraph(lines)  # setext heading: the paragraph above is its text
            lines.append(_BREAK)
        else:
            lines.append(_BREAK if kind else _prose(line))
    return lines


def _drop_paragraph(lines: list[str | None]) -> None:
    """Replace the paragraph at the end of lines with breaks."""
    i = len(lines) - 1
    while i >= 0 and lines[i]:
        lines[i] = _BREAK
        i -= 1


def _prose(line: str) -> str | None:
    """The line as prose, "" if blank, or _BREAK for an image or screenshot placeholder."""
    if not line or line.isspace():
        return ""
    if _SCREENSHOT.fullmatch(line):
        return _BREAK
    if "!" in line or "<" in line:
        without_images = _IMAGE.sub("", line)
        if without_images != line and not _EMPTY_LINK.sub("", without_images).strip():
            return _BREAK  # an image line, possibly linked
        line = without_images
    line = line.rstrip()
    return line[:-1] if line.endswith("\\") else line  # "\" is a hard line break


# --- blocks ----------------------------------------------------------------


@dataclass
class _Block:
    """A paragraph (lines of one paragraph) or a list (one text per item)."""

    is_list: bool
    lines: list[str]

    def sentences(self) -> list[str]:
        if self.is_list:
            return [sentence for item in self.lines for sentence in split_sentences(item)]
        return split_sentences(" ".join(self.lines))


def _blocks(lines: list[str | None]) -> list[_Block]:
    """Group prose lines into paragraphs and lists, roughly as CommonMark does."""
    blocks: list[_Block] = []
    current: _Block | None = None  # the block the next line continues
    loose_list: _Block | None = None  # a list that may go on after a blank line
    for line in lines:
        if not line:
            current = None
            loose_list = loose_list if line == "" else None
            continue
        item = None if line[:1].isalpha() else _LIST_ITEM.match(line)  # fast path for prose
        if item and current is not None and not current.is_list:
            item = item if item.group(1) in (None, "1") else None  # only "1." interrupts
        list_ = current if current is not None and current.is_list else loose_list
        if item:
            if list_ is None:
                list_ = _Block(True, [])
                blocks.append(list_)
            list_.lines.append(line[item.end() :].strip())
            current = loose_list = list_
        elif list_ is not None and (current is list_ or line[:1].isspace()):
            list_.lines[-1] += " " + line.strip()  # continuation of the item
            current = list_
        elif current is not None:
            current.lines.append(line.strip())
        else:
            current = _Block(False, [line.strip()])
            blocks.append(current)
            loose_list = None
    return blocks


def _split_heading_lines(block: _Block) -> list[_Block]:
    """Give heading-like lines ("Två vägar framåt") a paragraph of their own."""
    if block.is_list or len(block.lines) < 2:
        return [block]
    parts: list[_Block] = []
    current: list[str] = []
    for i, line in enumerate(block.lines[:-1]):
        if _is_heading_line(current[-1] if current else None, line, block.lines[i + 1]):
            parts += [_Block(False, current)] if current else []
            parts.append(_Block(False, [line]))
            current = []
        else:
            current.append(line)
    current.append(block.lines[-1])
    return parts + [_Block(False, current)]


def _is_heading_line(previous: str | None, line: str, following: str) -> bool:
    """A short unpunctuated line after a sentence end and before a capitalised line."""
    if len(line.split()) > 8 or _final_marks(line):
        return False
    if previous is not None and not _final_marks(previous).strip(":;,"):
        return False
    first = _FIRST_LETTER.match(following)
    return first is not None and first.group(1).isupper()


# --- the trailing material after the last block ----------------------------

_LINK = re.compile(r"!?\[([^\]]{0,300})\]\([^)]{0,1000}\)")
_URL = re.compile(r"<?https?://\S+")


def _drop_trailing_link_list(blocks: list[_Block]) -> bool:
    """Remove a trailing "Links:" line and the short lines after it; report success."""
    short_lines = 0
    for b in range(len(blocks) - 1, -1, -1):
        lines = blocks[b].lines
        for i in range(len(lines) - 1, -1, -1):
            if _is_short_plain_line(lines[i]):
                short_lines += 1
            elif short_lines and _introduces_list(lines[i]):
                del blocks[b + 1 :]
                del lines[i:]
                if not lines:
                    del blocks[b]
                return True
            else:
                return False
    return False


def _is_short_plain_line(line: str) -> bool:
    """A link-list entry: a few words without sentence punctuation."""
    text = _URL.sub("link", _LINK.sub(r"\1", line)).strip()
    return (
        bool(text)
        and len(text.split()) <= 12
        and not _introduces_list(text)
        and not _TERMINATOR.search(text)
    )


def _introduces_list(line: str) -> bool:
    """A line ending in ":", like "Andra som skriver om nyheten:" or "**Läs mer:**"."""
    return line.rstrip("*_ ").endswith(":")


def _is_sign_off(block: _Block) -> bool:
    """One short sentence without a question mark, like "Trevlig helg!"."""
    text = " ".join(block.lines)
    return (
        not block.is_list
        and len(text.split()) <= 5
        and "?" not in text
        and len(split_sentences(text)) == 1
    )


def _strip_trailing(blocks: list[_Block]) -> list[_Block]:
    """Drop trailing link lists and at most one sign-off, in whatever order they come."""
    blocks = list(blocks)
    signed_off = False
    while blocks:
        if _drop_trailing_link_list(blocks):
            continue
        if not signed_off and _is_sign_off(blocks[-1]):
            blocks.pop()
            signed_off = True
            continue
        break
    return blocks


def closing_questions(body: str) -> list[str]:
    """The normalised question sentences of the last block of the author's own text."""
    blocks = _strip_trailing(_blocks(_author_lines(body)))
    if not blocks:
        return []
    last = _split_heading_lines(blocks[-1])[-1]  # only the last block needs this
    questions = (s for s in last.sentences() if _is_question(s))
    return list(dict.fromkeys(questions))
