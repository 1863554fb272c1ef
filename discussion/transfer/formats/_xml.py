"""Streaming an XML export safely, record by record, with errors a person can act on.

Exports are big (a 100,000-comment WXR is 60 to 90 MB), so the file goes through expat once and
only the elements a reader asks for are kept, each as a flat dict, until it is handed over: a
tree of the whole file is never built. This costs what ``iterparse`` does (both call Python for
every element) and, unlike it, tells each record its line, for messages.

Exports are also untrusted. WordPress and Disqus never write a DOCTYPE, so a file that has one
is refused as soon as expat sees it, before any entity in it can be declared: that closes
entity expansion ("billion laughs") and external entities at the door. Expat itself also limits
expansion and, with no handler for them, never loads external entities; that stays as a
second line.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from pyexpat import ErrorString, ExpatError, ParserCreate, errors

from ..records import FormatError
from ._common import require_content
from ._sniff import DESCRIPTIONS, wrong_format

# A record: its qualified name, its fields and the line it starts on.
RecordHandler = Callable[[str, dict[str, str], int], None]

_SEPARATOR = " "  # between namespace and local name in expat's names; never in either
_TRUNCATION_CODES = {
    errors.codes[errors.XML_ERROR_NO_ELEMENTS],
    errors.codes[errors.XML_ERROR_UNCLOSED_TOKEN],
    errors.codes[errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
    errors.codes[errors.XML_ERROR_PARTIAL_CHAR],
}


class XmlRecords:
    """Reads an XML file and hands each record (an element the reader names) to a handler.

    ``records`` maps a qualified name (``wp:comment``, ``post``) to the depth it is a record at
    (the root is depth 1), so that Disqus's ``<thread>`` under the root is a record and the
    ``<thread dsq:id/>`` inside a post is a field of the post. ``prefix_of`` gives the prefix
    to write a namespace's names with (``""`` for none; ``None`` keeps ``{uri}name``).

    A record's fields are its descendants' texts and attributes by path, the first one of each
    kept: ``title``, ``author/name``, ``thread@dsq:id``, and its own attributes as ``@dsq:id``.
    Records may nest (WXR's comments inside an item); a descendant belongs to the innermost.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        format_name: str,
        records: dict[str, int],
        prefix_of: Callable[[str], str | None],
    ) -> None:
        self.path = path
        self.format_name = format_name
        self.records = records
        self.prefix_of = prefix_of
        self.namespaces: set[str] = set()
        self.encoding: str | None = None
        self._names: dict[str, str] = {}

    def read(self, on_root: Callable[[str], None], on_record: RecordHandler) -> None:
        """Parse the whole file; FormatError (from here or from a handler) stops it."""
        require_content(self.path)
        parser = ParserCreate(namespace_separator=_SEPARATOR)
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        parser.ordered_attributes = False
        names = self._names
        qualify = self._qualify
        records = self.records
        # Each open record: [name, fields, depth, line, how many keys were open before it];
        # each element open in a record: its key (its path in the record) and its texts.
        open_records: list[list] = []
        keys: list[str] = []
        texts: list[list[str]] = []
        depth = 0

        def start(name: str, attributes: dict[str, str]) -> None:
            nonlocal depth
            depth += 1
            qualified = names.get(name) or qualify(name)
            if depth == 1:
                on_root(qualified)
            if records.get(qualified) == depth:
                fields = {"@" + qualify(key): value for key, value in attributes.items()}
                line = parser.CurrentLineNumber
                open_records.append([qualified, fields, depth, line, len(keys)])
                parser.CharacterDataHandler = None  # a record's own text is layout
                return
            if not open_records:
                return
            record = open_records[-1]
            key = f"{keys[-1]}/{qualified}" if len(keys) > record[4] else qualified
            if attributes:
                fields = record[1]
                for attribute, value in attributes.items():
                    fields.setdefault(f"{key}@{qualify(attribute)}", value)
            keys.append(key)
            collected: list[str] = []
            texts.append(collected)
            # list.append as the handler: no Python call for each piece of text.
            parser.CharacterDataHandler = collected.append

        def end(name: str) -> None:
            nonlocal depth
            if open_records:
                record = open_records[-1]
                if record[2] == depth:
                    open_records.pop()
                    on_record(record[0], record[1], record[3])
                else:
                    record[1].setdefault(keys.pop(), "".join(texts.pop()))
                parser.CharacterDataHandler = texts[-1].append if texts else None
            depth -= 1

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.StartNamespaceDeclHandler = lambda prefix, uri: self.namespaces.add(uri)
        parser.XmlDeclHandler = self._declaration
        parser.StartDoctypeDeclHandler = lambda *_: self._refuse_doctype(parser)
        try:
            with open(self.path, "rb") as file:
                parser.ParseFile(file)
        except ExpatError as error:
            raise self._error(error) from None

    def _qualify(self, name: str) -> str:
        uri, separator, local = name.rpartition(_SEPARATOR)
        if not separator:
            qualified = name
        else:
            prefix = self.prefix_of(uri)
            if prefix is None:
                qualified = f"{{{uri}}}{local}"
            else:
                qualified = f"{prefix}:{local}" if prefix else local
        self._names[name] = qualified
        return qualified

    def _declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        self.encoding = encoding.lower() if encoding else None

    def _refuse_doctype(self, parser) -> None:
        raise FormatError(
            f"the file has a DOCTYPE declaration, which {DESCRIPTIONS[self.format_name]} never "
            "has; it is refused so that no entity in it is expanded or fetched",
            f"line {parser.CurrentLineNumber}",
        )

    def _error(self, error: ExpatError) -> FormatError:
        line, column = error.lineno, error.offset
        with open(self.path, "rb") as file:
            utf16 = file.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        if self.encoding in (None, "utf-8", "utf8") and not utf16:
            not_utf8 = _first_invalid_utf8(self.path)
            if not_utf8 is not None:
                return not_utf8
        if line == 1:
            guessed = wrong_format(self.path, self.format_name)
            if guessed is not None:
                return guessed
            if column == 0 and error.code == errors.codes[errors.XML_ERROR_SYNTAX]:
                return FormatError(f"not XML, so not {DESCRIPTIONS[self.format_name]}", "line 1")
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
