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

from ..bodies import clean_line, html_to_text
from ..records import FormatError, Source, SourceComment, SourceThread
from ._common import EPOCH, SourceBuilder, parse_datetime, shorten
from ._sniff import wrong_format
from ._xml import XmlEvents, text_of

__all__ = ["read_disqus"]

NAMESPACE = "{http://disqus.com}"
INTERNALS = "{http://disqus.com/disqus-internals}"
DSQ_ID = INTERNALS + "id"
CATEGORY = NAMESPACE + "category"
THREAD = NAMESPACE + "thread"
POST = NAMESPACE + "post"


def read_disqus(path: str | os.PathLike) -> Source:
    """Read a Disqus export; FormatError if it is not one."""
    events = XmlEvents(path, "disqus")
    if events.root and events.root.rpartition(":")[2] != "disqus":
        raise wrong_format(path, "disqus") or FormatError(
            f"the root element is <{events.root}>, not <disqus>: not a Disqus export"
        )
    builder = SourceBuilder("disqus")
    namespaces: set[str] = set()
    checked = False
    posts = 0
    for event, element in events:
        if event == "start-ns":
            namespaces.add(element[1])
            continue
        if not checked:
            checked = True
            if NAMESPACE[1:-1] not in namespaces:
                raise FormatError(
                    'a <disqus> root without Disqus\'s namespace (xmlns="http://disqus.com")'
                )
        tag = element.tag
        # A post's own <thread dsq:id="…"/> is empty; the threads themselves are not.
        if tag == THREAD and len(element):
            _read_thread(element, builder)
            element.clear()  # what keeps memory flat
        elif tag == POST:
            posts += 1
            _read_post(element, posts, builder)
            element.clear()
        elif tag == CATEGORY:
            element.clear()
    return builder.build()


def _child(element, name: str):
    return element.find(NAMESPACE + name)


def _child_text(element, name: str) -> str:
    return text_of(element.find(NAMESPACE + name))


def _flag(element, name: str) -> bool:
    return _child_text(element, name).lower() == "true"


def _read_thread(element, builder: SourceBuilder) -> None:
    key = (element.get(DSQ_ID) or "").strip()
    title = clean_line(_child_text(element, "title"))
    if not key:
        builder.problem(f"thread {shorten(title)!r}", "skipped: it has no dsq:id")
        return
    builder.add_thread(
        SourceThread(
            key=key,
            url=_child_text(element, "link") or None,
            slug=None,
            title=title or None,
            extra={
                "identifier": _child_text(element, "id") or None,
                "closed": _flag(element, "isClosed"),
                "deleted": _flag(element, "isDeleted"),
                "created_at": parse_datetime(_child_text(element, "createdAt")),
            },
        ),
        f"thread dsq:id={key}",
    )


def _read_post(element, number: int, builder: SourceBuilder) -> None:
    source_id = (element.get(DSQ_ID) or "").strip() or _child_text(element, "id")
    location = f"post dsq:id={source_id}" if source_id else f"post #{number}"
    if not source_id:
        builder.skip(None, location, "it has neither a dsq:id nor an <id>")
        return
    thread = _child(element, "thread")
    thread_key = (thread.get(DSQ_ID) or "").strip() if thread is not None else ""
    if not thread_key:
        builder.skip(source_id, location, "it names no thread")
        return
    parent = _child(element, "parent")
    parent_id = (parent.get(DSQ_ID) or "").strip() if parent is not None else ""
    created_text = _child_text(element, "createdAt")
    created_at = parse_datetime(created_text)
    if created_at is None:
        created_at = EPOCH
        builder.problem(location, f"unreadable createdAt {created_text!r}; used 1970-01-01")
    author = _child(element, "author")
    if author is None:
        author = element.makeelement(NAMESPACE + "author", {})
    if _flag(element, "isSpam"):
        state = "spam"
    elif _flag(element, "isDeleted"):
        state = "deleted"
    elif _child_text(element, "isApproved").lower() == "false":
        state = "pending"
    else:
        state = "approved"
    builder.add_comment(
        SourceComment(
            source_id=source_id,
            thread_key=thread_key,
            parent_id=parent_id or None,
            author_name=clean_line(_child_text(author, "name")),
            email=clean_line(_child_text(author, "email")) or None,
            website=None,
            ip=clean_line(_child_text(element, "ipAddress")) or None,
            created_at=created_at,
            body=html_to_text(_child_text(element, "message")),
            state=state,
            location=location,
            extra={
                "username": clean_line(_child_text(author, "username")) or None,
                "is_anonymous": _flag(author, "isAnonymous"),
            },
        )
    )
