"""Disqus's export: one XML file of categories, threads and posts (Disqus calls comments posts).

The root is ``<disqus xmlns="http://disqus.com"
xmlns:dsq="http://disqus.com/disqus-internals">``; its children are ``<category>``,
``<thread dsq:id>`` and ``<post dsq:id>``. A post points at its thread and at its parent with
empty ``<thread dsq:id="…"/>`` and ``<parent dsq:id="…"/>`` children. Real exports list every
thread before the posts; this reader does not rely on it.

Threads: ``key`` = dsq:id, ``url`` = link; ``extra``: ``identifier`` (the ``<id>`` the site
gave Disqus), ``closed``, ``deleted``, ``created_at``. Comments: isSpam → spam, else
isDeleted → deleted, else isApproved false → pending, else approved. A post without dsq:id
falls back to its ``<id>``. Comment ``extra``: ``username``, ``is_anonymous``. Messages are
HTML.
"""

from __future__ import annotations

import os

from ..bodies import clean_line
from ..records import FormatError, Source, SourceComment, SourceThread
from ._common import EPOCH, SourceBuilder, parse_datetime, shorten
from ._sniff import wrong_format
from ._xml import XmlRecords

__all__ = ["read_disqus"]

NAMESPACE = "http://disqus.com"
PREFIXES = {NAMESPACE: "", "http://disqus.com/disqus-internals": "dsq"}
RECORDS = {"thread": 2, "post": 2}  # a post's own <thread dsq:id/> is a field of the post


def read_disqus(path: str | os.PathLike) -> Source:
    """Read a Disqus export; FormatError if it is not one."""
    builder = SourceBuilder("disqus")
    xml = XmlRecords(path, "disqus", RECORDS, PREFIXES.get)

    def root(name: str) -> None:
        if name != "disqus":
            raise wrong_format(path, "disqus") or FormatError(
                f"the root element is <{name}>, not <disqus>: not a Disqus export"
            )
        if NAMESPACE not in xml.namespaces:
            raise FormatError(f'a <disqus> root without Disqus\'s namespace (xmlns="{NAMESPACE}")')

    def record(name: str, fields: dict[str, str], line: int) -> None:
        if name == "thread":
            _read_thread(fields, line, builder)
        else:
            _read_post(fields, line, builder)

    xml.read(root, record)
    return builder.build()


def _text(fields: dict[str, str], key: str) -> str:
    return fields.get(key, "").strip()


def _flag(fields: dict[str, str], key: str) -> bool:
    return _text(fields, key).lower() == "true"


def _read_thread(fields: dict[str, str], line: int, builder: SourceBuilder) -> None:
    key = _text(fields, "@dsq:id")
    title = clean_line(fields.get("title"))
    if not key:
        builder.problem(f"line {line}, thread {shorten(title)!r}", "skipped: it has no dsq:id")
        return
    builder.add_thread(
        SourceThread(
            key=key,
            url=_text(fields, "link") or None,
            slug=None,
            title=title or None,
            extra={
                "identifier": _text(fields, "id") or None,
                "closed": _flag(fields, "isClosed"),
                "deleted": _flag(fields, "isDeleted"),
                "created_at": parse_datetime(_text(fields, "createdAt")),
            },
        ),
        f"line {line}, thread dsq:id={key}",
    )


def _read_post(fields: dict[str, str], line: int, builder: SourceBuilder) -> None:
    source_id = _text(fields, "@dsq:id") or _text(fields, "id")
    location = f"line {line}, post dsq:id={source_id}" if source_id else f"line {line}, post"
    if not source_id:
        builder.skip(None, location, "it has neither a dsq:id nor an <id>")
        return
    thread_key = _text(fields, "thread@dsq:id")
    if not thread_key:
        builder.skip(source_id, location, "it names no thread")
        return
    created_text = _text(fields, "createdAt")
    created_at = parse_datetime(created_text)
    if created_at is None:
        created_at = EPOCH
        builder.problem(location, f"unreadable createdAt {created_text!r}; used 1970-01-01")
    if _flag(fields, "isSpam"):
        state = "spam"
    elif _flag(fields, "isDeleted"):
        state = "deleted"
    elif _text(fields, "isApproved").lower() == "false":
        state = "pending"
    else:
        state = "approved"
    builder.add_comment(
        SourceComment(
            source_id=source_id,
            thread_key=thread_key,
            parent_id=_text(fields, "parent@dsq:id") or None,
            author_name=clean_line(fields.get("author/name")),
            email=clean_line(fields.get("author/email")) or None,
            website=None,
            ip=clean_line(fields.get("ipAddress")) or None,
            created_at=created_at,
            body=builder.html_body(fields.get("message"), location),
            state=state,
            location=location,
            extra={
                "username": clean_line(fields.get("author/username")) or None,
                "is_anonymous": _flag(fields, "author/isAnonymous"),
            },
        )
    )
