"""Turning a source system's comment body into the light Markdown Samtal stores.

WordPress, Disqus and Remark42 hand over HTML; Samtal stores Markdown and renders it itself
(``discussion.sanitize.render_comment``), so nothing of the source's HTML reaches a page. What a
reader would miss is kept: paragraphs, line breaks, emphasis, links, quotes, lists and code.
Scripts, styles and frames go with their content (their "text" is code, not prose); every
other tag goes and its text stays.

WordPress stores a comment as the writer typed it, blank lines and all, and adds paragraphs only
on display: ``raw_newlines=True`` keeps those newlines as paragraph and line breaks. Samtal
renders a single newline as a line break, so ``<br>`` becomes a plain newline, not Markdown's
two trailing spaces.

Most comments have no markup at all, and most of the rest only paragraphs, emphasis and
links: those skip bs4 and markdownify (a fast path gives what they would), which is what keeps
a 100,000-comment import at seconds rather than minutes.
"""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import MarkdownConverter

__all__ = ["clean_line", "clean_text", "html_to_text", "markdown_text"]

# Dropped with everything inside them: their content is code or another document.
DROPPED_TAGS = ("script", "style", "iframe", "noscript", "template", "object", "embed")
# Kept as Markdown; every other tag is unwrapped (its text stays).
KEPT_TAGS = ["p", "br", "em", "i", "strong", "b", "a", "blockquote", "ul", "ol", "li", "code"]
KEPT_TAGS += ["pre", "q"]
# Blocks Samtal has no Markdown for in a comment: kept as paragraphs so their text does not run
# into the next block's.
PARAGRAPH_LIKE_TAGS = frozenset(
    {"div", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer"}
    | {"aside", "figure", "figcaption", "address", "table", "caption", "tr", "dl", "dt", "dd"}
    | {"details", "summary", "main", "nav", "center"}
)
CELL_TAGS = frozenset({"td", "th"})
BLOCK_TAGS = frozenset(
    {"p", "blockquote", "ul", "ol", "li", "pre", "hr"} | PARAGRAPH_LIKE_TAGS | CELL_TAGS
)
LINK_SCHEMES = ("http:", "https:", "mailto:")

# C0 controls except \t and \n, DEL and C1 controls: invisible, and some break HTML parsers.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
_UNSEEN_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SCHEME_RE = re.compile(r"^([^:/?#]*):")
_BLANK_LINE_RE = re.compile(r"[ \t]*\n(?:[ \t]*\n)+[ \t]*")
_NEWLINE_RE = re.compile(r"[ \t]*\n[ \t]*")
_TRAILING_SPACE_RE = re.compile(r"[ \t]+\n")
_MANY_NEWLINES_RE = re.compile(r"\n{3,}")
_WHITESPACE_RE = re.compile(r"\s+")
# HTML's white space; a no-break space is text.
_SPACES_RE = re.compile(r"[ \t\n]+")
_AROUND_BREAK_RE = re.compile(r" *\n *")
_BLANK_LINE_BETWEEN_TAGS_RE = re.compile(
    r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>([ \t]*\n(?:[ \t]*\n)+[ \t]*)(?=</?([A-Za-z][A-Za-z0-9]*))"
)
_WHITESPACE_RUN_RE = re.compile(r"[ \t]+")
_TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[^\s/>=\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)"
    r"\s*(/?)>"
)
_ATTRIBUTE_RE = re.compile(r"""([^\s/>="']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_BACKTICKS_RE = re.compile(r"`+")


class _CommentConverter(MarkdownConverter):
    """markdownify with the choices Samtal's comment renderer expects."""

    class Options(MarkdownConverter.DefaultOptions):
        convert = KEPT_TAGS
        bullets = "-"
        heading_style = "atx"
        newline_style = "spaces"
        autolinks = True
        escape_misc = False


_CONVERTER = _CommentConverter()


def clean_text(text: str) -> str:
    """Normalise newlines and drop characters no one can see (NUL and other controls)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _UNSEEN_RE.search(text) is None:  # the usual case, at the cost of one scan
        return text
    text = _CONTROL_RE.sub("", text)
    return _SURROGATE_RE.sub("\ufffd", text)


def clean_line(text: str | None) -> str:
    """A one-line value (a name, a title): cleaned, with every whitespace run one space."""
    if not text:
        return ""
    if text.isprintable() and "  " not in text and text.strip() == text:
        return text
    return _WHITESPACE_RE.sub(" ", clean_text(text)).strip()


def markdown_text(text: str | None) -> str:
    """A body that already is Markdown (Isso, Remark42's original, Samtal): cleaned, kept."""
    if not text:
        return ""
    return clean_text(text).rstrip().lstrip("\n")


def html_to_text(source: str | None, *, raw_newlines: bool = False) -> str:
    """The source's HTML as Samtal's light Markdown; entities decoded, unsafe parts dropped."""
    if not source:
        return ""
    text = clean_text(source)
    if "<" not in text:
        if "&" in text:
            text = clean_text(html.unescape(text))
        return _plain_to_markdown(text, raw_newlines=raw_newlines)
    simple = _simple_html_to_text(text, raw_newlines=raw_newlines)
    if simple is not None:
        return simple
    return _full_html_to_text(text, raw_newlines=raw_newlines)


def _full_html_to_text(text: str, *, raw_newlines: bool) -> str:
    """bs4 and markdownify, for HTML the fast path does not claim."""
    if raw_newlines and "<pre" not in text.lower():
        text = _BLANK_LINE_BETWEEN_TAGS_RE.sub(_blank_line_as_breaks, text)
    soup = BeautifulSoup(text, "html.parser")
    _simplify(soup, raw_newlines=raw_newlines)
    return _tidy(_CONVERTER.convert_soup(soup))


def _blank_line_as_breaks(match: re.Match[str]) -> str:
    """A typed blank line between two inline tags, which bs4 would shrink to one newline."""
    before, after = match.group(1).lower(), match.group(3).lower()
    if before in BLOCK_TAGS or after in BLOCK_TAGS:
        return match.group(0)
    return match.group(0)[: -len(match.group(2))] + "<br><br>"


def _plain_to_markdown(text: str, *, raw_newlines: bool) -> str:
    """What markdownify would make of text without tags, at a fraction of the cost."""
    text = text.replace("*", r"\*").replace("_", r"\_")
    if not raw_newlines:
        return _SPACES_RE.sub(" ", text).strip()
    pieces: list[str] = []
    blank_line = False
    for line in text.split("\n"):  # plain string work: regular expressions cost 4 times more
        line = line.strip(" \t")
        if not line:
            blank_line = bool(pieces)
            continue
        if "  " in line or "\t" in line:
            line = _WHITESPACE_RUN_RE.sub(" ", line)
        if pieces:
            pieces.append("\n\n" if blank_line else "\n")
        pieces.append(line)
        blank_line = False
    return "".join(pieces)


def _tidy(markdown: str) -> str:
    if " \n" in markdown or "\t\n" in markdown:
        markdown = _TRAILING_SPACE_RE.sub("\n", markdown)
    if "\n\n\n" in markdown:
        markdown = _MANY_NEWLINES_RE.sub("\n\n", markdown)
    return markdown.strip()


def _simplify(soup: BeautifulSoup, *, raw_newlines: bool) -> None:
    """Reduce the tree to what the converter keeps, so that its output is predictable.

    One walk by hand: bs4's ``find_all`` costs more than the conversion itself.
    """
    typed_text: list[NavigableString] = []
    unwrapped: list[Tag] = []  # after the walk, or their children would be missed
    pending: list[tuple[Tag, bool, bool]] = [(soup, False, False)]
    while pending:
        parent, in_pre, in_code = pending.pop()
        for node in list(parent.contents):
            if isinstance(node, Tag):
                name = node.name
                if name in DROPPED_TAGS:
                    node.decompose()
                    continue
                pending.append((node, in_pre or name == "pre", in_code or name in ("pre", "code")))
                if name in PARAGRAPH_LIKE_TAGS:
                    node.name = "p"
                elif name in CELL_TAGS:
                    node.append(" ")
                    unwrapped.append(node)
                elif name == "hr":
                    node.replace_with(soup.new_tag("p"))
                elif name == "a" and not _is_safe_link(node.get("href")):
                    unwrapped.append(node)
            elif type(node) is not NavigableString:
                # Comments, CDATA, doctypes and processing instructions: markup, not text.
                node.extract()
            elif "\n" not in node or in_pre:
                continue
            elif raw_newlines and not in_code:
                typed_text.append(node)
            elif not raw_newlines:
                # In HTML a newline is a space; markdownify would keep it as a line break.
                node.replace_with(NavigableString(_SPACES_RE.sub(" ", node)))
    for tag in unwrapped:
        tag.unwrap()
    for node in typed_text:
        _newlines_to_breaks(soup, node)


def _is_safe_link(href: str | list | None) -> bool:
    if not isinstance(href, str) or not href.strip():
        return False
    match = _SCHEME_RE.match(href.strip())
    return match is None or f"{match.group(1).lower()}:" in LINK_SCHEMES


def _is_block(node: object) -> bool:
    return isinstance(node, Tag) and node.name in BLOCK_TAGS


def _newlines_to_breaks(soup: BeautifulSoup, node: NavigableString) -> None:
    """Make a typed newline a ``<br>`` and a blank line two.

    Newlines next to a block element are layout of the HTML, not of the text, and go.
    """
    text = str(node)
    if node.previous_sibling is None or _is_block(node.previous_sibling):
        text = text.lstrip()
    if node.next_sibling is None or _is_block(node.next_sibling):
        text = text.rstrip()
    pieces: list[NavigableString | Tag] = []
    position = 0
    for match in _BLANK_LINE_RE.finditer(text):
        pieces.extend(_with_line_breaks(soup, text[position : match.start()]))
        pieces.extend([soup.new_tag("br"), soup.new_tag("br")])
        position = match.end()
    pieces.extend(_with_line_breaks(soup, text[position:]))
    if pieces:
        node.replace_with(*pieces)
    else:
        node.extract()


def _with_line_breaks(soup: BeautifulSoup, text: str) -> list[NavigableString | Tag]:
    pieces: list[NavigableString | Tag] = []
    for number, line in enumerate(_NEWLINE_RE.split(text)):
        if number:
            pieces.append(soup.new_tag("br"))
        if line:
            pieces.append(NavigableString(line))
    return pieces


# --- the fast path -------------------------------------------------------------------------
# Most HTML bodies are paragraphs, line breaks, emphasis, links and inline code. Those are
# converted here in one regular-expression pass, as markdownify would, ten times faster;
# anything else (another tag, a comment, bad nesting) returns None and takes the full path.
# tests/test_transfer_formats.py renders both paths' output of generated bodies and compares.

SIMPLE_INLINE_TAGS = {"em": "*", "i": "*", "strong": "**", "b": "**", "a": "", "code": ""}


class _NotSimple(Exception):
    """The body needs the full converter."""


def _simple_html_to_text(text: str, *, raw_newlines: bool) -> str | None:
    try:
        return _SimpleConversion(raw_newlines).run(text)
    except _NotSimple:
        return None


class _SimpleConversion:
    def __init__(self, raw_newlines: bool) -> None:
        self.raw_newlines = raw_newlines
        self.blocks: list[str] = []
        self.pieces: list[str] = []  # of the block being built
        # Open inline elements: (name, attributes, the pieces of the enclosing level).
        self.open: list[tuple[str, dict[str, str], list[str]]] = []
        self.in_paragraph = False

    def run(self, text: str) -> str:
        position = 0
        for match in _TAG_RE.finditer(text):
            self.text(text[position : match.start()])
            closing, name, attributes, _ = match.groups()
            self.tag(name.lower(), bool(closing), attributes)
            position = match.end()
        self.text(text[position:])
        if self.open:
            raise _NotSimple
        self.end_block()
        return _tidy("\n\n".join(self.blocks))

    def text(self, segment: str) -> None:
        if not segment:
            return
        if "<" in segment:
            raise _NotSimple
        segment = html.unescape(segment)
        in_code = any(name == "code" for name, _, _ in self.open)
        if in_code and "\n" in segment and self.raw_newlines:
            raise _NotSimple
        if not in_code:
            segment = segment.replace("*", r"\*").replace("_", r"\_")
        if not self.raw_newlines or in_code:
            self.pieces.append(_SPACES_RE.sub(" ", segment))
            return
        if "\n" not in segment:
            if "  " in segment or "\t" in segment:
                segment = _WHITESPACE_RUN_RE.sub(" ", segment)
            self.pieces.append(segment)
            return
        for number, paragraph in enumerate(_BLANK_LINE_RE.split(segment)):
            if number:
                if self.open:
                    raise _NotSimple
                self.end_block()
            for line_number, line in enumerate(_NEWLINE_RE.split(paragraph)):
                if line_number:
                    self.pieces.append("\n")
                self.pieces.append(_WHITESPACE_RUN_RE.sub(" ", line))

    def tag(self, name: str, closing: bool, attributes: str) -> None:
        if name == "br":
            self.pieces.append("\n")
        elif name == "p":
            if self.open or (closing and not self.in_paragraph):
                raise _NotSimple
            self.end_block()
            self.in_paragraph = not closing
        elif name not in SIMPLE_INLINE_TAGS:
            raise _NotSimple
        elif not closing:
            if any(open_name == name for open_name, _, _ in self.open) or (
                self.open and self.open[-1][0] == "code"
            ):
                raise _NotSimple  # nested links or emphasis, markup in code
            self.open.append((name, _attributes(attributes), self.pieces))
            self.pieces = []
        else:
            if not self.open or self.open[-1][0] != name:
                raise _NotSimple
            open_name, values, outer = self.open.pop()
            inner = "".join(self.pieces)
            self.pieces = outer
            self.pieces.append(_inline(open_name, values, inner))

    def end_block(self) -> None:
        block = "".join(self.pieces)
        if "\n" in block:
            block = _AROUND_BREAK_RE.sub("\n", block)
        block = block.strip(" \t\n")
        if block:
            self.blocks.append(block)
        self.pieces = []


def _attributes(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for match in _ATTRIBUTE_RE.finditer(text):
        name, double, single, bare = match.groups()
        value = double if double is not None else single if single is not None else bare
        values.setdefault(name.lower(), html.unescape(value or ""))
    return values


def _chomp(text: str) -> tuple[str, str, str]:
    prefix = " " if text[:1] == " " else ""
    suffix = " " if text[-1:] == " " else ""
    return prefix, suffix, text.strip()


def _inline(name: str, values: dict[str, str], text: str) -> str:
    """One inline element as markdownify converts it."""
    if name == "a" and not _is_safe_link(values.get("href")):
        return text  # unwrapped, as the full path does
    prefix, suffix, text = _chomp(text)
    if not text:
        return ""
    if name == "code":
        longest = max((len(run) for run in _BACKTICKS_RE.findall(text)), default=0)
        fence = "`" * (longest + 1)
        if longest:
            text = f" {text} "
        return f"{prefix}{fence}{text}{fence}{suffix}"
    if name != "a":
        marker = SIMPLE_INLINE_TAGS[name]
        return f"{prefix}{marker}{text}{marker}{suffix}"
    href = values["href"]
    title = values.get("title")
    if text.replace(r"\_", "_") == href and not title:
        return f"{prefix}<{href}>{suffix}"
    title_part = ' "{}"'.format(title.replace('"', r"\"")) if title else ""
    return f"{prefix}[{text}]({href}{title_part}){suffix}"
