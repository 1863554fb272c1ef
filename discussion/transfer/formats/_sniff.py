"""Telling formats apart by their first bytes, so a wrong ``--format`` gets a useful answer.

"This looks like a Disqus export, not WXR" saves a person the guesswork that "syntax error at
line 1" leaves them with. Only the start of the file is read.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib

from ..records import FormatError

SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"
_HEAD_BYTES = 64 * 1024

# What each guess is called in a message.
DESCRIPTIONS = {
    "wxr": "a WordPress export (WXR)",
    "disqus": "a Disqus export",
    "isso": "an SQLite database",
    "remark42": "a Remark42 backup",
    "samtal": "a Samtal export",
    "rss": "an RSS feed without WordPress's export data",
    "xml": "an XML file",
    "json": "a JSON file",
    "gzip": "a gzip-compressed file",
}

_ROOT_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_PROLOG_NOISE = re.compile(rb"<\?.*?\?>|<!--.*?-->", re.DOTALL)


def guess_format(path: str | os.PathLike) -> str | None:
    """The reader most likely meant for this file, or ``None`` when nothing fits.

    Besides the reader names this can answer ``"rss"``, ``"xml"``, ``"json"`` or ``"gzip"``:
    a file that is of no format Samtal reads, but whose kind is worth naming.
    """
    with open(path, "rb") as file:
        head = file.read(_HEAD_BYTES)
    if head.startswith(SQLITE_MAGIC):
        return "isso"
    if head.startswith(GZIP_MAGIC):
        try:
            with gzip.open(path, "rb") as file:
                inner = file.read(_HEAD_BYTES)
        except (OSError, EOFError, zlib.error):
            return "gzip"
        return _guess_json(inner) or "gzip"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return _guess_xml(stripped)
    if stripped.startswith(b"{"):
        return _guess_json(stripped) or "json"
    return None


def wrong_format(path: str | os.PathLike, expected: str) -> FormatError | None:
    """An error saying what the file looks like, when that is not what was asked for."""
    guess = guess_format(path)
    if guess is None or guess == expected:
        return None
    return FormatError(f"this looks like {DESCRIPTIONS[guess]}, not {DESCRIPTIONS[expected]}")


def _guess_xml(head: bytes) -> str:
    match = _ROOT_ELEMENT.search(_PROLOG_NOISE.sub(b"", head))
    if match is None:
        return "xml"
    name = match.group(1).split(b":")[-1].lower()
    if name == b"rss":
        return "wxr" if b"wordpress.org/export/" in head else "rss"
    if name == b"disqus":
        return "disqus"
    return "xml"


def _guess_json(head: bytes) -> str | None:
    if b'"samtal-export"' in head[:1024]:
        return "samtal"
    first_line = head.split(b"\n", 1)[0]
    try:
        value = json.loads(first_line)
    except ValueError:
        return None
    if isinstance(value, dict) and (
        {"users", "posts"} <= value.keys() or {"locator", "user"} <= value.keys()
    ):
        return "remark42"
    return None
