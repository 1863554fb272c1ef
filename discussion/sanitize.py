"""Markdown to safe HTML for reader comments and blog posts.

Two layers, on purpose: markdown-it renders with ``html=False`` (so raw HTML
in the source is escaped, never parsed), then bleach re-parses the output and
keeps only an explicit allow-list of tags, attributes and URL schemes.  Either
layer alone would stop the usual attacks; together a bug in one is not enough.

Everything expensive (parsers, cleaners, regexes) is built once at import.
"""

import re
from functools import partial

import bleach
from bleach.css_sanitizer import CSSSanitizer
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

__all__ = ["render_comment", "render_post"]

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

COMMENT_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
)
COMMENT_ATTRIBUTES = {"a": ["href", "rel", "title"], "ol": ["start"]}
COMMENT_REL = "nofollow ugc noopener"

POST_TAGS = COMMENT_TAGS | {
    "h2",
    "h3",
    "h4",
    "img",
    "hr",
    "s",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
POST_ATTRIBUTES = {
    **COMMENT_ATTRIBUTES,
    "img": ["src", "alt", "title"],
    "th": ["style"],
    "td": ["style"],
}
POST_REL = "noopener"

# Not wanted in a reader's comment: structure that belongs to the page.
# "code" is indented code: plain-text writers indent paragraphs by accident.
COMMENT_DISABLED_RULES = ["heading", "lheading", "image", "hr", "code", "html_block", "html_inline"]

# C0 controls except \t and \n, DEL and C1 controls: invisible, and html5lib
# treats several of them as parse errors.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates would make the page fail to encode as UTF-8.
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# A scheme is whatever precedes the first ":" that comes before any / ? #.
_SCHEME_RE = re.compile(r"^([^:/?#]*):")


def _clean_text(text: str) -> str:
    """Normalise newlines and drop characters that have no business in HTML."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub("", text)
    return _SURROGATE_RE.sub("\ufffd", text)


def _has_safe_scheme(href: str) -> bool:
    """Allow relative URLs and the allow-listed schemes, nothing else.

    bleach already checks schemes; this second check also rejects oddities it
    lets through as "relative", such as ``jav%09ascript:``.
    """
    match = _SCHEME_RE.match(href.strip())
    return match is None or match.group(1).lower() in ALLOWED_PROTOCOLS


def _set_rel(rel: str, attrs: dict, is_new: bool = False) -> dict | None:
    """Linkify callback: force ``rel``; links without a safe href become text."""
    href = attrs.get((None, "href"))
    if not href or not _has_safe_scheme(href):
        return None
    attrs[(None, "rel")] = rel
    attrs.pop((None, "target"), None)
    return attrs


def _demote_headings(state: StateCore) -> None:
    """Shift post headings down one level (# -> h2): the page title is the h1.

    Levels past h4 are clamped to h4 so they stay inside the allow-list.
    """
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 1, 4)
            token.tag = f"h{level}"


def _cleaner(tags, attributes, rel: str, css_sanitizer=None) -> bleach.Cleaner:
    """A Cleaner that sanitises, then linkifies and sets ``rel``, in one parse.

    Linkify runs after the sanitiser, so ``_set_rel`` is what vets the hrefs
    linkify creates (it also matches e.g. ``ftp://``; those become text).
    """
    linkify = partial(
        LinkifyFilter,
        callbacks=[partial(_set_rel, rel)],
        skip_tags={"pre", "code"},
        parse_email=False,
    )
    return bleach.Cleaner(
        tags=tags,
        attributes=attributes,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[linkify],
        css_sanitizer=css_sanitizer,
    )


def _comment_markdown() -> MarkdownIt:
    """Light Markdown: inline formatting, quotes, lists, links; no page structure."""
    md = MarkdownIt("commonmark", {"html": False, "breaks": True})
    return md.disable(COMMENT_DISABLED_RULES)


def _post_markdown() -> MarkdownIt:
    """CommonMark plus tables and strikethrough, with headings demoted."""
    md = MarkdownIt("commonmark", {"html": False, "breaks": True})
    md.enable(["table", "strikethrough"])
    md.core.ruler.push("demote_headings", _demote_headings)
    return md


_COMMENT_MD = _comment_markdown()
_POST_MD = _post_markdown()
_COMMENT_CLEANER = _cleaner(COMMENT_TAGS, COMMENT_ATTRIBUTES, COMMENT_REL)
_POST_CLEANER = _cleaner(
    POST_TAGS,
    POST_ATTRIBUTES,
    POST_REL,
    css_sanitizer=CSSSanitizer(allowed_css_properties=["text-align"]),
)


def render_comment(text: str) -> str:
    """Render a reader's comment (untrusted) to sanitised HTML."""
    text = _clean_text(text)
    plain = _plain_comment_html(text)
    if plain is not None:
        return plain
    return _COMMENT_CLEANER.clean(_COMMENT_MD.render(text))


# --- the fast path ---------------------------------------------------------------------------
# Most comments are typed text: paragraphs and line breaks, now and then a word in *emphasis*
# or a [link](https://...), nothing else. For those markdown-it and bleach (about 1 ms a
# comment) give what is built here directly; a comment import of 100,000 needs that. Anything
# that could be other Markdown, HTML, an entity or a bare link takes the full path.
# tests/test_sanitize.py renders many generated texts both ways and compares.

# Characters that may start markup, an entity, a link or an e-mail address.
_MARKUP_CHARS = frozenset("\\`*_[]<>&~|#:@")
# A line starting with one of these could open a list, a quote or a heading.
_LINE_OPENERS = frozenset("-+=0123456789")
_PARAGRAPH_BREAK_RE = re.compile(r"\n{2,}")
# A dot followed by a letter or digit may be a domain name, which linkify would link.
_DOTTED_RE = re.compile(r"\.\w")
# *emphasis* that begins and ends with a letter or digit, and [a label](http(s)://...) whose
# address has none of the characters markdown-it would encode or bleach would escape.
_INLINE_RE = re.compile(
    r"(?<!\*)\*([^\W_](?:[^*\n]*[^\W_])?)\*(?!\*)|\[([^\W_](?:[^\[\]\n]*[^\W_])?)\]\((https?://[A-Za-z0-9/._~?#=+-]+)\)"
)


def _plain_comment_html(text: str) -> str | None:
    """The full path's HTML for typed text with at most emphasis and links; None otherwise."""
    if not text:
        return None
    inline = "*" in text or "[" in text
    paragraphs = []
    for paragraph in _PARAGRAPH_BREAK_RE.split(text.strip("\n")):
        lines = []
        for line in paragraph.split("\n"):
            if not line or line[0] in _LINE_OPENERS or line[0].isspace() or line[-1].isspace():
                return None
            rendered = _inline_html(line) if inline else _plain_html(line)
            if rendered is None:
                return None
            lines.append(rendered)
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>\n")
    return "".join(paragraphs)


def _plain_html(text: str) -> str | None:
    """Text without any markup, escaped as markdown-it escapes it; None if it has some."""
    if _MARKUP_CHARS.intersection(text) or _DOTTED_RE.search(text) or not text.isprintable():
        return None
    return text.replace('"', "&quot;")


def _inline_html(line: str) -> str | None:
    pieces = []
    position = 0
    for match in _INLINE_RE.finditer(line):
        emphasis, label, href = match.groups()
        before = _plain_html(line[position : match.start()])
        inner = _plain_html(emphasis if emphasis is not None else label)
        if before is None or inner is None or (label is not None and before.endswith("!")):
            return None  # ![label](...) would be an image
        pieces.append(before)
        if emphasis is not None:
            pieces.append(f"<em>{inner}</em>")
        else:
            pieces.append(f'<a href="{href}" rel="{COMMENT_REL}">{inner}</a>')
        position = match.end()
    rest = _plain_html(line[position:])
    if rest is None:
        return None
    pieces.append(rest)
    return "".join(pieces)


def render_post(markdown: str) -> str:
    """Render a staff-authored post body to sanitised HTML.

    Posts are trusted more than comments but still sanitised: they are
    imported from files, and an import should never be a way to inject script.
    """
    return _POST_CLEANER.clean(_POST_MD.render(_clean_text(markdown)))
