"""The neutral records every reader returns, and the one fatal error.

A reader turns a file into a ``Source``: the threads (posts or pages) of the source system, the
comments in them, and the ``Problem``s met on the way. Problems are not fatal: the reader skips
or repairs what it must, says so, and goes on, so that one odd comment does not block the import
of ten thousand good ones. A ``FormatError`` is fatal: the file cannot be read as that format at
all, and no partial ``Source`` is returned.

Guarantees every reader gives, so that the database side can insert in one pass:

- every comment's ``thread_key`` is the ``key`` of a thread in ``Source.threads``;
- every ``parent_id`` is the ``source_id`` of an earlier comment in ``Source.comments``, in the
  same thread (a parent missing from the file leaves the reply at top level, with a Problem);
- ``source_id`` and thread ``key`` are unique (a duplicate is skipped, with a Problem);
- ``created_at`` is a naive datetime in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = [
    "COMMENT_STATES",
    "FormatError",
    "Problem",
    "Source",
    "SourceComment",
    "SourcePost",
    "SourceQuestion",
    "SourceThread",
]

# Where the source system left a comment; the database side maps them onto Samtal's states.
COMMENT_STATES = ("approved", "pending", "spam", "deleted")


class FormatError(ValueError):
    """The file cannot be read as the format asked for; the message is fit to show a person.

    ``location`` names the place (a line and column, an element, a table) when one is known.
    """

    def __init__(self, message: str, location: str | None = None) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location


@dataclass(frozen=True)
class Problem:
    """Something the reader skipped or repaired, to report to whoever runs the import."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class SourceThread:
    """A post or page of the source system, which the database side matches to a Samtal post.

    ``extra`` holds what only some formats know (WXR's ``post_type`` and ``status``, Disqus's
    ``identifier`` and ``closed``, Remark42's ``read_only`` ...).
    """

    key: str
    url: str | None
    slug: str | None
    title: str | None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SourceComment:
    """One comment as the source system had it.

    ``body`` is light Markdown (see ``discussion.transfer.bodies``); ``author_name`` is ``""``
    when the source has no name. ``location`` says where the comment is in the file, for
    messages. ``extra`` holds what only some formats know: ``likes``, ``dislikes``,
    ``is_staff``, ``user_id`` ...; each reader's docstring lists its keys.
    """

    source_id: str
    thread_key: str
    parent_id: str | None
    author_name: str
    email: str | None
    website: str | None
    ip: str | None
    created_at: datetime
    body: str
    state: str
    location: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SourceQuestion:
    """A question of a Samtal post (only Samtal's own export has them)."""

    source_id: str
    text: str
    kind: str  # "closing" or "general"
    position: int
    hidden: bool
    closed: bool


@dataclass(frozen=True)
class SourcePost:
    """A Samtal post with its questions, so an import into a fresh instance can recreate it."""

    slug: str
    title: str
    author: str
    published: date | None
    url: str | None
    body_markdown: str
    questions: list[SourceQuestion] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """Everything one file held, in file order (parents always before their replies).

    ``posts`` is filled only by the Samtal reader. ``extra`` holds facts about the whole file:
    the site's title and address, the export's version and date, where the format has them.
    """

    format: str
    threads: list[SourceThread]
    comments: list[SourceComment]
    problems: list[Problem]
    posts: list[SourcePost] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
