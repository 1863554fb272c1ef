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

from ..bodies import clean_line
from ..records import FormatError, Source, SourceComment, SourceThread
from ._common import EPOCH, SourceBuilder, parse_datetime, shorten
from ._sniff import wrong_format
from ._xml import XmlRecords

__all__ = ["read_wxr", "write_wxr"]

WXR_VERSION = "1.2"
KNOWN_VERSIONS = ("1.0", "1.1", "1.2")
WP_NAMESPACE = re.compile(r"http://wordpress\.org/export/(\d+\.\d+)/")
PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://wellformedweb.org/CommentAPI/": "wfw",
    "http://purl.org/dc/elements/1.1/": "dc",
}
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
    xml = XmlRecords(path, "wxr", {"channel": 2, "item": 3, "wp:comment": 4}, _prefix_of)
    reading = _Reading(path, xml)
    xml.read(reading.root, reading.record)
    return reading.build()


def _prefix_of(uri: str) -> str | None:
    """Every version's wp: namespace as ``wp``, so one set of names reads them all."""
    if WP_NAMESPACE.fullmatch(uri):
        return "wp"
    return PREFIXES.get(uri)


class _Reading:
    """What has been read so far; an item's comments wait for the item's end."""

    def __init__(self, path: str | os.PathLike, xml: XmlRecords) -> None:
        self.path = path
        self.xml = xml
        self.builder = SourceBuilder("wxr")
        self.site: dict[str, str] = {}
        self.comments: list[tuple[dict[str, str], int]] = []
        self.local_dates = 0

    def root(self, name: str) -> None:
        if name != "rss":
            raise wrong_format(self.path, "wxr") or FormatError(
                f"the root element is <{name}>, not <rss>: not a WordPress export"
            )
        versions = [m.group(1) for m in map(WP_NAMESPACE.fullmatch, self.xml.namespaces) if m]
        if not versions:
            raise FormatError(
                "an RSS feed without WordPress's export namespace "
                '(xmlns:wp="http://wordpress.org/export/1.2/"): export the site with '
                "WordPress's Tools → Export rather than using its feed"
            )
        self.site["wxr_version"] = versions[0]
        if versions[0] not in KNOWN_VERSIONS:
            self.builder.problem(
                "<rss>",
                f"WXR version {versions[0]} is not one this reader knows (1.0 to 1.2); read as 1.2",
            )

    def record(self, name: str, fields: dict[str, str], line: int) -> None:
        if name == "wp:comment":
            self.comments.append((fields, line))
        elif name == "item":
            self._item(fields, line)
            self.comments = []
        else:  # the channel, at the very end
            self.site["site_title"] = fields.get("title", "").strip()
            self.site["site_url"] = (
                fields.get("wp:base_site_url", "").strip() or fields.get("link", "").strip()
            )

    def build(self) -> Source:
        if self.local_dates:
            self.builder.problem(
                "the whole file",
                f"{self.local_dates} comments have no wp:comment_date_gmt; "
                "their local wp:comment_date was taken as UTC",
            )
        return self.builder.build(extra=self.site)

    def _item(self, fields: dict[str, str], line: int) -> None:
        title = clean_line(fields.get("title"))
        post_id = fields.get("wp:post_id", "").strip()
        where = f"item {shorten(title)!r}" if title else f"item on line {line}"
        key = post_id or fields.get("link", "").strip()
        published = _date(fields, "wp:post_date_gmt") or _date(fields, "wp:post_date")
        if not key:
            for comment, comment_line in self.comments:
                comment_id = comment.get("wp:comment_id", "").strip()
                self.builder.skip(
                    comment_id,
                    f"line {comment_line}, wp:comment {comment_id} in {where}",
                    "its item has neither a wp:post_id nor a link",
                )
            return
        post_type = fields.get("wp:post_type", "post").strip()
        if self.comments or post_type in THREAD_POST_TYPES:
            thread = SourceThread(
                key=key,
                url=fields.get("link", "").strip() or None,
                slug=fields.get("wp:post_name", "").strip() or None,
                title=title or None,
                extra={
                    "post_type": post_type,
                    "status": fields.get("wp:status", "").strip(),
                    "published": published,
                },
            )
            self.builder.add_thread(thread, f"line {line}, {where}")
        for comment, comment_line in self.comments:
            self._comment(comment, comment_line, key, where, published)

    def _comment(
        self,
        fields: dict[str, str],
        line: int,
        thread_key: str,
        where: str,
        published: datetime | None,
    ) -> None:
        builder = self.builder
        source_id = fields.get("wp:comment_id", "").strip()
        location = f"line {line}, wp:comment {source_id or 'without an id'} in {where}"
        if not source_id:
            builder.skip(None, location, "it has no wp:comment_id")
            return
        kind = fields.get("wp:comment_type", "").strip().lower()
        if kind in PING_TYPES:
            builder.skip(source_id, location, f"a {kind}, not a reader's comment")
            return
        if kind not in READER_COMMENT_TYPES:
            builder.skip(
                source_id, location, f"its wp:comment_type is {kind!r}, not a reader's comment"
            )
            return
        approval = fields.get("wp:comment_approved", "").strip().lower()
        state = APPROVAL_STATES.get(approval)
        if state is None:
            builder.problem(location, f"unknown wp:comment_approved {approval!r}; kept as pending")
            state = "pending"
        created_at = _date(fields, "wp:comment_date_gmt")
        if created_at is None:
            created_at = _date(fields, "wp:comment_date")
            self.local_dates += created_at is not None
        if created_at is None:
            written = fields.get("wp:comment_date_gmt") or fields.get("wp:comment_date")
            created_at = published or EPOCH
            builder.problem(
                location,
                f"unreadable date {written!r}; "
                + ("used the post's date" if published else "used 1970-01-01"),
            )
        parent = fields.get("wp:comment_parent", "").strip()
        user_id = fields.get("wp:comment_user_id", "").strip()
        builder.add_comment(
            SourceComment(
                source_id=source_id,
                thread_key=thread_key,
                parent_id=None if parent in _NO_ID else parent,
                author_name=clean_line(fields.get("wp:comment_author")),
                email=clean_line(fields.get("wp:comment_author_email")) or None,
                website=clean_line(fields.get("wp:comment_author_url")) or None,
                ip=clean_line(fields.get("wp:comment_author_IP")) or None,
                created_at=created_at,
                body=builder.html_body(
                    fields.get("wp:comment_content"), location, raw_newlines=True
                ),
                state=state,
                location=location,
                extra={} if user_id in _NO_ID else {"user_id": user_id},
            )
        )


def _date(fields: dict[str, str], key: str) -> datetime | None:
    return parse_datetime(fields.get(key))


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
