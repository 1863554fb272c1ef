"""Isso's SQLite database file, read as it is (Isso has no export of its own).

Isso keeps ``threads(id, uri, title)`` and ``comments(tid, id, parent, created, modified, mode,
remote_addr, text, author, email, website, likes, dislikes, voters, notification)``; ``created``
is Unix time, ``text`` is the writer's Markdown. Modes: 1 accepted → approved, 2 waiting for
a moderator → pending, 4 deleted (kept because it has replies) → deleted.

Threads: ``key`` = threads.id, ``url`` = threads.uri. Comment ``extra``: ``likes``,
``dislikes``, ``notify_replies``, ``edited_at``. Isso stores addresses already anonymised
(the last part zeroed); they are passed on as they are.

The file is opened read-only, so reading a live Isso database changes nothing in it.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..bodies import clean_line, markdown_text
from ..records import FormatError, Source, SourceComment, SourceThread
from ._common import EPOCH, SourceBuilder, from_unix_time, require_content
from ._sniff import SQLITE_MAGIC, wrong_format

__all__ = ["read_isso"]

MODE_STATES = {1: "approved", 2: "pending", 4: "deleted"}
THREAD_COLUMNS = ("id", "uri", "title")
COMMENT_COLUMNS = ("tid", "id", "parent", "created", "mode", "remote_addr", "text", "author")
COMMENT_COLUMNS += ("email", "website")
# Columns older or newer Isso versions may lack.
OPTIONAL_COMMENT_COLUMNS = ("modified", "likes", "dislikes", "notification")


def read_isso(path: str | os.PathLike) -> Source:
    """Read an Isso database; FormatError if the file is not one."""
    require_content(path)
    with open(path, "rb") as file:
        if file.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise wrong_format(path, "isso") or FormatError(
                "not an SQLite database, so not an Isso database (Isso's comments.db)"
            )
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        raise FormatError(f"the database cannot be opened: {error}") from None
    # A byte that is not UTF-8 spoils one character, not the whole import.
    connection.text_factory = lambda value: value.decode("utf-8", errors="replace")
    try:
        return _read(connection)
    except sqlite3.DatabaseError as error:
        raise FormatError(f"the database cannot be read: {error}") from None
    finally:
        connection.close()


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def _read(connection: sqlite3.Connection) -> Source:
    tables = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    for table, needed in (("threads", THREAD_COLUMNS), ("comments", COMMENT_COLUMNS)):
        if table not in tables:
            found = ", ".join(sorted(tables)) or "none"
            raise FormatError(
                f"an SQLite database, but not Isso's: it has no {table!r} table "
                f"(its tables: {found})"
            )
        missing = [column for column in needed if column not in _columns(connection, table)]
        if missing:
            raise FormatError(
                f"the {table!r} table lacks the column(s) {', '.join(missing)} that Isso's has"
            )
    builder = SourceBuilder("isso")
    for thread_id, uri, title in connection.execute(
        "SELECT id, uri, title FROM threads ORDER BY id"
    ):
        builder.add_thread(
            SourceThread(
                key=str(thread_id),
                url=uri or None,
                slug=None,
                title=clean_line(_text(title)) or None,
            ),
            f"threads row id {thread_id}",
        )
    optional = [c for c in OPTIONAL_COMMENT_COLUMNS if c in _columns(connection, "comments")]
    selected = COMMENT_COLUMNS + tuple(optional)
    rows = connection.execute(f"SELECT {', '.join(selected)} FROM comments ORDER BY id")
    for values in rows:
        _read_comment(dict(zip(selected, values, strict=True)), builder)
    return builder.build()


def _read_comment(row: dict, builder: SourceBuilder) -> None:
    location = f"comments row id {row['id']}"
    state = MODE_STATES.get(row["mode"])
    if state is None:
        builder.problem(location, f"unknown mode {row['mode']!r}; kept as pending")
        state = "pending"
    created_at = from_unix_time(row["created"])
    if created_at is None:
        created_at = EPOCH
        builder.problem(location, f"unreadable created {row['created']!r}; used 1970-01-01")
    extra = {
        "likes": row.get("likes") or 0,
        "dislikes": row.get("dislikes") or 0,
        "notify_replies": bool(row.get("notification")),
    }
    if row.get("modified") is not None:
        extra["edited_at"] = from_unix_time(row["modified"])
    builder.add_comment(
        SourceComment(
            source_id=str(row["id"]),
            thread_key=str(row["tid"]),
            parent_id=None if row["parent"] is None else str(row["parent"]),
            author_name=clean_line(_text(row["author"])),
            email=clean_line(_text(row["email"])) or None,
            website=clean_line(_text(row["website"])) or None,
            ip=clean_line(_text(row["remote_addr"])) or None,
            created_at=created_at,
            body=markdown_text(_text(row["text"])),
            state=state,
            location=location,
            extra=extra,
        )
    )


def _text(value: object) -> str:
    """SQLite keeps whatever it was given; a column meant for text may hold a number or bytes."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
