"""Remark42's backup: the file its export and its daily automatic backups write.

JSON lines: the first line is a header ``{"version": 1, "users": [...], "posts": [...]}``
(users: ``id``, ``blocked`` {``status``, ``until``}, ``verified``; posts: ``url``,
``read_only``), then one comment per line: ``id``, ``pid`` (parent, ``""`` for none),
``text`` (rendered HTML), ``orig`` (the writer's Markdown), ``user`` {``name``, ``id``,
``ip``, ``admin``, ``block``, ``verified``}, ``locator`` {``site``, ``url``}, ``score``,
``votes``, ``time`` (RFC 3339), ``pin``, ``delete``, ``imported``, ``title``. Automatic
backups (``backup-SITE-YYYYMMDD.gz``) are gzip-compressed, exports may not be: both are read.

Threads: ``key`` = ``url`` = locator.url, ``title`` from the comments; ``extra``: ``site``,
``read_only``. The body is ``orig`` when there is one, else ``text`` as HTML. Remark42 stores
both with HTML's special characters escaped and names escaped too; they are unescaped here.
States: ``delete`` → deleted; a comment by a user blocked in the header or in the comment →
pending (Remark42 hides them; a moderator decides again); the rest approved. Remark42 keeps no
address, only a keyed hash of it: ``ip`` is None and the hash goes to ``extra``. Comment
``extra``: ``user_id``, ``is_staff`` (user.admin), ``verified``, ``blocked``, ``score``,
``likes``, ``dislikes``, ``pinned``, ``imported``, ``ip_hash``.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import zlib
from typing import Any

from ..bodies import clean_line, markdown_text
from ..records import FormatError, Source, SourceComment, SourceThread
from ._common import EPOCH, SourceBuilder, parse_datetime, require_content
from ._sniff import GZIP_MAGIC, wrong_format

__all__ = ["read_remark42"]

KNOWN_VERSIONS = (0, 1)


def read_remark42(path: str | os.PathLike) -> Source:
    """Read a Remark42 backup, compressed or not; FormatError if it is not one."""
    require_content(path)
    with open(path, "rb") as file:
        compressed = file.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    reading = _Reading()
    try:
        with gzip.open(path, "rb") if compressed else open(path, "rb") as file:
            for number, line in enumerate(file, start=1):
                if line.strip():
                    reading.line(_decode(path, line, number), number)
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise FormatError(
            f"the gzip compression is damaged or the file is cut short ({error})"
        ) from None
    if reading.header is None:
        raise FormatError("the backup has no lines")
    return reading.build()


def _decode(path: str | os.PathLike, line: bytes, number: int) -> Any:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(
            f"not UTF-8: byte 0x{line[error.start]:02X} at byte {error.start + 1} of the line",
            f"line {number}",
        ) from None
    try:
        value = json.loads(text.rstrip())  # so that an error's column is on this line
    except json.JSONDecodeError as error:
        if number == 1:
            guessed = wrong_format(path, "remark42")
            if guessed is not None:
                raise guessed from None
        raise FormatError(
            f"not JSON: {error.msg} (column {error.colno})", f"line {number}"
        ) from None
    if not isinstance(value, dict):
        raise FormatError("not a JSON object", f"line {number}")
    return value


class _Reading:
    """What has been read so far: the header's facts, the threads as comments name them."""

    def __init__(self) -> None:
        self.builder = SourceBuilder("remark42")
        self.header: dict | None = None
        self.verified: set[str] = set()
        self.blocked: set[str] = set()
        self.read_only: set[str] = set()
        self.threads: dict[str, dict[str, Any]] = {}

    def line(self, value: dict, number: int) -> None:
        if self.header is None:
            if "locator" not in value:
                self._read_header(value, number)
                return
            self.header = {}
            self.builder.problem(f"line {number}", "no header line; read as a comment")
        self._read_comment(value, f"line {number}")

    def _read_header(self, value: dict, number: int) -> None:
        if not ({"version", "users", "posts"} & value.keys()):
            raise FormatError("neither Remark42's header nor a comment", f"line {number}")
        version = value.get("version", 0)
        if version not in KNOWN_VERSIONS:
            raise FormatError(
                f"version {version!r} of Remark42's backup, this reader knows versions 0 and 1",
                f"line {number}",
            )
        self.header = value
        for user in _list_of_dicts(value.get("users")):
            user_id = str(user.get("id") or "")
            if user.get("verified"):
                self.verified.add(user_id)
            if isinstance(user.get("blocked"), dict) and user["blocked"].get("status"):
                self.blocked.add(user_id)
        for post in _list_of_dicts(value.get("posts")):
            if post.get("read_only"):
                self.read_only.add(str(post.get("url") or ""))

    def _read_comment(self, value: dict, location: str) -> None:
        builder = self.builder
        source_id = str(value.get("id") or "").strip()
        if not source_id:
            builder.skip(None, location, "it has no id")
            return
        locator = value.get("locator") if isinstance(value.get("locator"), dict) else {}
        url = str(locator.get("url") or "").strip()
        if not url:
            builder.skip(source_id, location, "it has no locator.url")
            return
        thread = self.threads.setdefault(url, {"site": locator.get("site"), "title": None})
        if not thread["title"] and value.get("title"):
            thread["title"] = clean_line(html.unescape(str(value["title"])))
        created_at = parse_datetime(str(value.get("time") or ""))
        if created_at is None:
            created_at = EPOCH
            builder.problem(location, f"unreadable time {value.get('time')!r}; used 1970-01-01")
        user = value.get("user") if isinstance(value.get("user"), dict) else {}
        user_id = str(user.get("id") or "")
        blocked = bool(user.get("block")) or user_id in self.blocked
        if value.get("delete"):
            state = "deleted"
        elif blocked:
            state = "pending"
        else:
            state = "approved"
        orig = value.get("orig")
        if isinstance(orig, str) and orig.strip():
            body = markdown_text(html.unescape(orig))
        else:
            body = builder.html_body(str(value.get("text") or ""), location)
        votes = value.get("votes") if isinstance(value.get("votes"), dict) else {}
        builder.add_comment(
            SourceComment(
                source_id=source_id,
                thread_key=url,
                parent_id=str(value.get("pid") or "").strip() or None,
                author_name=clean_line(html.unescape(str(user.get("name") or ""))),
                email=None,
                website=None,
                ip=None,
                created_at=created_at,
                body=body,
                state=state,
                location=location,
                extra={
                    "user_id": user_id or None,
                    "is_staff": bool(user.get("admin")),
                    "verified": bool(user.get("verified")) or user_id in self.verified,
                    "blocked": blocked,
                    "score": value.get("score") if isinstance(value.get("score"), int) else 0,
                    "likes": sum(1 for vote in votes.values() if vote is True),
                    "dislikes": sum(1 for vote in votes.values() if vote is False),
                    "pinned": bool(value.get("pin")),
                    "imported": bool(value.get("imported")),
                    "ip_hash": str(user.get("ip") or "") or None,
                },
            )
        )

    def build(self) -> Source:
        for url, thread in self.threads.items():
            self.builder.add_thread(
                SourceThread(
                    key=url,
                    url=url,
                    slug=None,
                    title=thread["title"] or None,
                    extra={"site": thread["site"], "read_only": url in self.read_only},
                ),
                f"thread {url}",
            )
        return self.builder.build(
            extra={"version": (self.header or {}).get("version", 0)},
        )


def _list_of_dicts(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
