"""WordPress eXtended RSS (WXR), the file of WordPress's Tools → Export: read and written.

A WXR file is RSS 2.0 with WordPress's namespace (``http://wordpress.org/export/1.2/``, or
1.0 / 1.1 from older WordPress). Each ``<item>`` is a post, page or other content with its
``<wp:comment>`` elements inside it.

Reading: a thread per item that is a post or a page or has comments (``key`` = wp:post_id,
``url`` = link, ``slug`` = wp:post_name; ``extra``: ``post_type``, ``status``, ``published``).
Comment states: wp:comment_approved 1 → approved, 0 → pending, spam → spam, trash and
post-trashed → deleted. Pingbacks, trackbacks and other non-reader types (WooCommerce order
notes ...) are skipped with a Problem; product reviews are kept. The date is
wp:comment_date_gmt; when WordPress left it empty (it writes ``0000-00-00 00:00:00`` for some
pending comments) the local wp:comment_date is taken as UTC and one Problem says how many.
Comment ``extra``: ``user_id`` (wp:comment_user_id, when not 0). Bodies are WordPress's typed
text with some HTML, so newlines count (see ``bodies``).

Writing: ``write_wxr`` makes a file WordPress's importer accepts: WXR 1.2, one published post
per item, its comments approved unless told otherwise.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import IO, Any
from xml.sax.saxutils import escape

from ..bodies import clean_line, html_to_text
from ..records import FormatError, Source, SourceComment, SourceThread
from ._common import EPOCH, SourceBuilder, parse_datetime, shorten
from ._sniff import wrong_format
from ._xml import XmlEvents

__all__ = ["read_wxr", "write_wxr"]

WXR_VERSION = "1.2"
KNOWN_VERSIONS = ("1.0", "1.1", "1.2")
WP_NAMESPACE = re.compile(r"http://wordpress\.org/export/(\d+\.\d+)/")
NAMESPACES = {
    "excerpt": f"http://wordpress.org/export/{WXR_VERSION}/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": f"http://wordpress.org/export/{WXR_VERSION}/",
}

APPROVAL_STATES = {
    "1": "approved",
    "approved": "approved",
    "0": "pending",
    "hold": "pending",
    "spam": "spam",
    "trash": "deleted",
    "post-trashed": "deleted",
}
READER_COMMENT_TYPES = frozenset({"", "comment", "review"})
PING_TYPES = frozenset({"pingback", "trackback", "pings", "webmention"})
THREAD_POST_TYPES = frozenset({"post", "page"})
_NO_ID = ("", "0")

# Characters XML 1.0 cannot carry at all, not even in CDATA.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def read_wxr(path: str | os.PathLike) -> Source:
    """Read a WordPress export; FormatError if it is not one."""
    events = XmlEvents(path, "wxr")
    if events.root and events.root != "rss":
        raise wrong_format(path, "wxr") or FormatError(
            f"the root element is <{events.root}>, not <rss>: not a WordPress export"
        )
    builder = SourceBuilder("wxr")
    site: dict[str, str] = {}
    wp = ""  # "{namespace}" of the wp: elements
    comment_tag = ""
    items = local_dates = 0
    item_comments: list[dict[str, str]] = []
    for event, payload in events:
        if event == "start-ns":
            match = WP_NAMESPACE.fullmatch(payload[1])
            if match and not wp:
                wp = "{" + payload[1] + "}"
                site["wxr_version"] = match.group(1)
            continue
        if not comment_tag:  # the first element read: every namespace is declared by now
            _check_namespace(wp, builder, site.get("wxr_version"))
            comment_tag = wp + "comment"
        tag = payload.tag
        if tag == comment_tag:
            item_comments.append(_comment_fields(payload, wp))
            payload.clear()
        elif tag == "item":
            local_dates += _read_item(payload, wp, item_comments, builder)
            item_comments = []
            items += 1
            payload.clear()  # what keeps memory flat
        elif not items:
            _read_site_field(tag, payload.text, wp, site)
    if local_dates:
        builder.problem(
            "the whole file",
            f"{local_dates} comments have no wp:comment_date_gmt; "
            "their local wp:comment_date was taken as UTC",
        )
    return builder.build(extra=site)


def _check_namespace(wp: str, builder: SourceBuilder, version: str | None) -> None:
    if not wp:
        raise FormatError(
            "an RSS feed without WordPress's export namespace "
            '(xmlns:wp="http://wordpress.org/export/1.2/"): export the site with '
            "WordPress's Tools → Export rather than using its feed"
        )
    if version not in KNOWN_VERSIONS:
        builder.problem(
            "<rss>", f"WXR version {version} is not one this reader knows (1.0 to 1.2); read as 1.2"
        )


def _read_site_field(tag: str, text: str | None, wp: str, site: dict[str, str]) -> None:
    text = (text or "").strip()
    if tag == "title":
        site.setdefault("site_title", text)
    elif tag == "link":
        site.setdefault("site_url", text)
    elif tag == wp + "base_site_url" and text:
        site["site_url"] = text


def _comment_fields(element, wp: str) -> dict[str, str]:
    """The wp: children of a <wp:comment>, by local name, as they are in the file."""
    cut = len(wp)
    return {
        child.tag[cut:]: child.text or ""
        for child in element
        if child.tag.startswith(wp) and len(child) == 0
    }


def _read_item(item, wp: str, comments: list[dict[str, str]], builder: SourceBuilder) -> int:
    """Add an item's thread and comments; return how many comments had only a local date."""
    fields: dict[str, str] = {}
    for child in item:
        name = child.tag[len(wp) :] if child.tag.startswith(wp) else child.tag
        fields.setdefault(name, (child.text or "").strip())
    title = fields.get("title", "")
    post_type = fields.get("post_type", "post")
    where = f"item {shorten(title)!r}" if title else f"item with wp:post_id {fields.get('post_id')}"
    key = fields.get("post_id") or fields.get("link")
    published = parse_datetime(fields.get("post_date_gmt")) or parse_datetime(
        fields.get("post_date")
    )
    if not key:
        for comment in comments:
            builder.skip(
                comment.get("comment_id"),
                f"wp:comment {comment.get('comment_id', '?')} in {where}",
                "its item has neither a wp:post_id nor a link",
            )
        return 0
    if comments or post_type in THREAD_POST_TYPES:
        thread = SourceThread(
            key=key,
            url=fields.get("link") or None,
            slug=fields.get("post_name") or None,
            title=clean_line(title) or None,
            extra={
                "post_type": post_type,
                "status": fields.get("status", ""),
                "published": published,
            },
        )
        builder.add_thread(thread, where)
    local_dates = 0
    for number, fields_of_comment in enumerate(comments, start=1):
        local_dates += _read_comment(fields_of_comment, number, key, where, published, builder)
    return local_dates


def _read_comment(
    fields: dict[str, str],
    number: int,
    thread_key: str,
    where: str,
    published: datetime | None,
    builder: SourceBuilder,
) -> int:
    source_id = fields.get("comment_id", "").strip()
    location = f"wp:comment {source_id or '#' + str(number)} in {where}"
    if not source_id:
        builder.skip(None, location, "it has no wp:comment_id")
        return 0
    kind = fields.get("comment_type", "").strip().lower()
    if kind in PING_TYPES:
        builder.skip(source_id, location, f"a {kind}, not a reader's comment")
        return 0
    if kind not in READER_COMMENT_TYPES:
        builder.skip(
            source_id, location, f"its wp:comment_type is {kind!r}, not a reader's comment"
        )
        return 0
    approval = fields.get("comment_approved", "").strip().lower()
    state = APPROVAL_STATES.get(approval)
    if state is None:
        builder.problem(location, f"unknown wp:comment_approved {approval!r}; kept as pending")
        state = "pending"
    local_date = 0
    created_at = parse_datetime(fields.get("comment_date_gmt"))
    if created_at is None:
        created_at = parse_datetime(fields.get("comment_date"))
        local_date = 1
    if created_at is None:
        local_date = 0
        created_at = published or EPOCH
        builder.problem(
            location,
            f"unreadable date {fields.get('comment_date_gmt') or fields.get('comment_date')!r}; "
            + ("used the post's date" if published else "used 1970-01-01"),
        )
    parent = fields.get("comment_parent", "").strip()
    user_id = fields.get("comment_user_id", "").strip()
    builder.add_comment(
        SourceComment(
            source_id=source_id,
            thread_key=thread_key,
            parent_id=None if parent in _NO_ID else parent,
            author_name=clean_line(fields.get("comment_author")),
            email=clean_line(fields.get("comment_author_email")) or None,
            website=clean_line(fields.get("comment_author_url")) or None,
            ip=clean_line(fields.get("comment_author_IP")) or None,
            created_at=created_at,
            body=html_to_text(fields.get("comment_content"), raw_newlines=True),
            state=state,
            location=location,
            extra={} if user_id in _NO_ID else {"user_id": user_id},
        )
    )
    return local_date


# --- writing ---------------------------------------------------------------------------------


def write_wxr(
    stream: IO[str], site_title: str, site_url: str, items: Iterable[Mapping[str, Any]]
) -> None:
    """Write posts and their comments as WXR 1.2, one item at a time.

    Each item: ``title``, ``link``, ``slug``, ``post_id``, ``date`` (date or naive-UTC
    datetime), ``content_html``, optional ``author`` (a WordPress login) and ``comments``:
    dicts with ``id``, ``parent`` (id or None/0), ``author``, optional ``email``, ``url``,
    optional ``ip``, ``date_gmt`` (naive-UTC datetime), ``content`` (the comment's HTML) and
    ``approved`` ("1" unless given). Samtal does not know the blog's time zone, so the local
    dates WordPress also wants are written in UTC too. The stream must be text, UTF-8.
    ValueError names the item or comment a required key is missing from.
    """
    namespaces = "".join(f'\n\txmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    stream.write(
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        "<!-- Posts and readers' comments exported from Samtal, in WordPress eXtended RSS. -->\n"
        "<!-- Import it in WordPress with Tools: Import: WordPress. -->\n"
        f'<rss version="2.0"{namespaces}\n>\n<channel>\n'
        f"\t<title>{_text(site_title)}</title>\n"
        f"\t<link>{_text(site_url)}</link>\n"
        "\t<description></description>\n"
        f"\t<pubDate>{format_datetime(datetime.now(UTC))}</pubDate>\n"
        f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{_text(site_url)}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{_text(site_url)}</wp:base_blog_url>\n"
    )
    for number, item in enumerate(items, start=1):
        stream.write(_item_xml(item, f"item {number}"))
    stream.write("</channel>\n</rss>\n")


def _item_xml(item: Mapping[str, Any], where: str) -> str:
    _require(item, ("title", "post_id", "date"), where)
    where = f"{where} ({item['title']!r})"
    posted = _as_datetime(item["date"], f"{where}: date")
    link = _text(item.get("link") or "")
    fields = [
        ("title", _text(item["title"])),
        ("link", link),
        ("pubDate", format_datetime(posted.replace(tzinfo=UTC))),
        ("dc:creator", _cdata(item.get("author") or "")),
        ('guid isPermaLink="false"', link),
        ("description", ""),
        ("content:encoded", _cdata(item.get("content_html") or "")),
        ("excerpt:encoded", _cdata("")),
        ("wp:post_id", _text(item["post_id"])),
        ("wp:post_date", _wp_date(posted)),
        ("wp:post_date_gmt", _wp_date(posted)),
        ("wp:comment_status", "open"),
        ("wp:ping_status", "closed"),
        ("wp:post_name", _text(item.get("slug") or "")),
        ("wp:status", "publish"),
        ("wp:post_parent", "0"),
        ("wp:menu_order", "0"),
        ("wp:post_type", "post"),
        ("wp:post_password", ""),
        ("wp:is_sticky", "0"),
    ]
    comments = "".join(
        _comment_xml(comment, f"{where}, comment {number}")
        for number, comment in enumerate(item.get("comments") or (), start=1)
    )
    return f"\t<item>\n{_elements(fields, 2)}{comments}\t</item>\n"


def _comment_xml(comment: Mapping[str, Any], where: str) -> str:
    _require(comment, ("id", "author", "date_gmt", "content"), where)
    written = _wp_date(_as_datetime(comment["date_gmt"], f"{where}: date_gmt"))
    fields = [
        ("wp:comment_id", _text(comment["id"])),
        ("wp:comment_author", _cdata(comment["author"])),
        ("wp:comment_author_email", _text(comment.get("email") or "")),
        ("wp:comment_author_url", _text(comment.get("url") or "")),
        ("wp:comment_author_IP", _text(comment.get("ip") or "")),
        ("wp:comment_date", written),
        ("wp:comment_date_gmt", written),
        ("wp:comment_content", _cdata(comment["content"])),
        ("wp:comment_approved", _text(comment.get("approved", "1"))),
        ("wp:comment_type", "comment"),
        ("wp:comment_parent", _text(comment.get("parent") or 0)),
        ("wp:comment_user_id", "0"),
    ]
    return f"\t\t<wp:comment>\n{_elements(fields, 3)}\t\t</wp:comment>\n"


def _elements(fields: list[tuple[str, str]], depth: int) -> str:
    """One line per element; the content is already escaped or CDATA."""
    indent = "\t" * depth
    return "".join(
        f"{indent}<{opening}>{content}</{opening.split()[0]}>\n" for opening, content in fields
    )


def _require(values: Mapping[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [key for key in keys if values.get(key) is None]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")


def _as_datetime(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(f"{where}: {value!r} is not a date")
    return parsed


def _wp_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _text(value: object) -> str:
    return escape(_NOT_XML.sub("", str(value)))


def _cdata(value: object) -> str:
    """A CDATA section; a "]]>" inside is split across two sections, as WordPress does."""
    text = _NOT_XML.sub("", str(value))
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
