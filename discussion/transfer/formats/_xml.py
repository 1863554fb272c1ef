"""Streaming an XML export safely, with errors a person can act on.

Exports are big (a 100,000-comment WXR is 60 to 90 MB), so readers stream with ``iterparse``
and clear what they have read. They are also untrusted: WordPress and Disqus never write a
DOCTYPE, so a file that has one is refused before parsing. That closes entity expansion
("billion laughs") and external entities at the door; Python's expat also refuses both on its
own, which stays as a second line.
"""

from __future__ import annotations

import codecs
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pyexpat import ErrorString, errors
from typing import Any

from ..records import FormatError
from ._sniff import DESCRIPTIONS, wrong_format

# The prolog (declaration, comments, DOCTYPE) is read whole before parsing; past this it is
# not an export.
PROLOG_LIMIT = 4 * 1024 * 1024
_CHUNK = 64 * 1024

_ROOT_NAME = re.compile(r"<([A-Za-z_][\w.:-]*)")
_DECLARED_ENCODING = re.compile(r"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_TRUNCATION_CODES = {
    errors.codes[errors.XML_ERROR_NO_ELEMENTS],
    errors.codes[errors.XML_ERROR_UNCLOSED_TOKEN],
    errors.codes[errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
    errors.codes[errors.XML_ERROR_PARTIAL_CHAR],
}


class XmlEvents:
    """The root element's name as written (``rss``, ``disqus``), then ``iterparse``'s events.

    Only ``end`` and ``start-ns`` events: ``start`` events would double the work for a
    100,000-comment file, and the root is known from the prolog check before parsing starts.
    Iterating raises FormatError for malformed XML (with line and column), bytes that are not
    in the file's encoding (with their offset) and a file that ends too soon.
    """

    def __init__(self, path: str | os.PathLike, format_name: str) -> None:
        self.path = path
        self.format_name = format_name
        self.encoding, self.root = _check_prolog(path, format_name)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        try:
            yield from ET.iterparse(self.path, events=("end", "start-ns"))
        except ET.ParseError as error:
            raise _xml_error(self.path, error, self.encoding, self.format_name) from None


def text_of(element: ET.Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return element.text.strip()


def _check_prolog(path: str | os.PathLike, format_name: str) -> tuple[str | None, str]:
    """Refuse a DOCTYPE; return the declared encoding (lower case, or None) and the root."""
    with open(path, "rb") as file:
        head = file.read(_CHUNK)
        if not head:
            raise FormatError("the file is empty")
        while True:
            text = _decode_head(head)
            scanned = _scan_prolog(text)
            if scanned is not None or len(head) >= PROLOG_LIMIT:
                break
            more = file.read(_CHUNK)
            if not more:
                break
            head += more
    if scanned is None:
        if len(head) >= PROLOG_LIMIT:
            raise FormatError(
                f"more than {PROLOG_LIMIT // 1024 // 1024} MB before the first element"
            )
        return _declared_encoding(text), ""
    kind, position = scanned
    if kind == "doctype":
        line = text.count("\n", 0, position) + 1
        raise FormatError(
            f"the file has a DOCTYPE declaration, which {DESCRIPTIONS[format_name]} never has; "
            "it is refused so that no entity in it is expanded or fetched",
            f"line {line}",
        )
    root = _ROOT_NAME.match(text, position)
    return _declared_encoding(text), root.group(1) if root else ""


def _decode_head(head: bytes) -> str:
    """Enough of a decoding to find markup: every encoding an export uses is ASCII-based."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    return head.removeprefix(codecs.BOM_UTF8).decode("latin-1")


def _scan_prolog(text: str) -> tuple[str, int] | None:
    """Where the prolog ends: ``("doctype" | "element", position)``; ``None`` if not yet."""
    position = 0
    length = len(text)
    while True:
        while position < length and text[position] in " \t\r\n\ufeff":
            position += 1
        if position >= length:
            return None
        if text.startswith("<?", position):
            terminator = "?>"
        elif text.startswith("<!--", position):
            terminator = "-->"
        elif text.startswith("<!DOCTYPE", position):
            return "doctype", position
        else:
            return "element", position
        end = text.find(terminator, position)
        if end < 0:
            return None
        position = end + len(terminator)


def _declared_encoding(text: str) -> str | None:
    match = _DECLARED_ENCODING.match(text.lstrip("\ufeff"))
    return match.group(1).lower() if match else None


def _xml_error(
    path: str | os.PathLike, error: ET.ParseError, encoding: str | None, format_name: str
) -> FormatError:
    line, column = error.position
    if encoding in (None, "utf-8", "utf8"):
        not_utf8 = _first_invalid_utf8(path)
        if not_utf8 is not None:
            return not_utf8
    if line == 1:
        guessed = wrong_format(path, format_name)
        if guessed is not None:
            return guessed
        if column == 0 and error.code == errors.codes[errors.XML_ERROR_SYNTAX]:
            return FormatError(f"not XML, so not {DESCRIPTIONS[format_name]}", "line 1")
    if error.code in _TRUNCATION_CODES:
        return FormatError(
            f"the file ends before its XML does ({ErrorString(error.code)}); is it truncated?",
            f"line {line}, column {column + 1}",
        )
    return FormatError(
        f"malformed XML: {ErrorString(error.code)}", f"line {line}, column {column + 1}"
    )


def _first_invalid_utf8(path: str | os.PathLike) -> FormatError | None:
    """Where the file stops being UTF-8, named by byte offset and line; ``None`` if it is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    lines = 1
    with open(path, "rb") as file:
        while chunk := file.read(1024 * 1024):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                # error.object is the chunk after what the decoder kept of the one before.
                bad = offset - (len(error.object) - len(chunk)) + error.start
                line = lines + error.object.count(b"\n", 0, error.start)
                byte = error.object[error.start]
                return FormatError(
                    f"the file is not UTF-8: byte 0x{byte:02X} at offset {bad} "
                    "cannot be read as UTF-8. Save the file as UTF-8, or declare its real "
                    'encoding in its first line, e.g. <?xml version="1.0" '
                    'encoding="ISO-8859-1"?>',
                    f"line {line}",
                )
            offset += len(chunk)
            lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return FormatError(
            "the file is not UTF-8: it ends in the middle of a character", f"byte {offset}"
        )
    return None
