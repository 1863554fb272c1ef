"""What every reader needs: dates, and one place that makes a Source keep its promises.

``SourceBuilder`` is where duplicates, missing threads, missing parents and loops in the parent
chain are found, so each reader only says what its file holds and every format reports the same
trouble in the same words.
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import UTC, datetime, timedelta

from ..bodies import html_to_text
from ..records import FormatError, Problem, Source, SourceComment, SourcePost, SourceThread

# Elements whose content is code: the body converter drops them whole, and the import says so.
_ACTIVE_CONTENT_RE = re.compile(r"<\s*(script|style|iframe|object|embed)\b", re.IGNORECASE)

# What a reader puts in place of a date it cannot read and has nothing better for.
EPOCH = datetime(1970, 1, 1)

_ISO_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 / RFC 3339 date or date-time as naive UTC; ``None`` if it is not one.

    A time without an offset is taken as UTC (WordPress's ``*_gmt`` fields have none). More
    than six decimals (Go writes nine) are cut to microseconds.
    """
    if not value:
        return None
    match = _ISO_DATETIME.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except ValueError:  # 0000-00-00, 2013-02-30 ...
        return None
    if offset and offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        shift = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        moment -= sign * shift
    return moment


def from_unix_time(value: object) -> datetime | None:
    """Seconds since 1970 (Isso's REAL columns) as naive UTC; ``None`` if not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def require_content(path: str | os.PathLike) -> None:
    """Fail early and plainly on an empty file, before any parser says something obscure."""
    if os.path.getsize(path) == 0:
        raise FormatError("the file is empty")


def shorten(text: str | None, limit: int = 60) -> str:
    """A title short enough for a location in a message."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SourceBuilder:
    """Collects a reader's threads and comments and checks them as a whole at the end.

    Checks that need the whole file (does the parent exist? is the thread in the file?) wait for
    ``build``, so readers do not depend on the order a file happens to be written in.
    """

    def __init__(self, format_name: str) -> None:
        self.format_name = format_name
        self.threads: dict[str, SourceThread] = {}
        self.comments: dict[str, SourceComment] = {}
        self.problems: list[Problem] = []
        self.skipped: dict[str, str] = {}  # source id -> why it was skipped

    def problem(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    def html_body(self, source: str | None, location: str, *, raw_newlines: bool = False) -> str:
        """A body of HTML as Samtal's Markdown, with a Problem when a script or the like went."""
        if source and "<" in source:
            found = sorted({name.lower() for name in _ACTIVE_CONTENT_RE.findall(source)})
            if found:
                tags = ", ".join(f"<{name}>" for name in found)
                self.problem(location, f"{tags} in the body dropped with its content")
        return html_to_text(source, raw_newlines=raw_newlines)

    def add_thread(self, thread: SourceThread, location: str) -> None:
        if thread.key in self.threads:
            self.problem(location, f"a second thread with the key {thread.key!r}; kept the first")
            return
        self.threads[thread.key] = thread

    def add_comment(self, comment: SourceComment) -> None:
        first = self.comments.get(comment.source_id)
        if first is not None:
            self.problem(
                comment.location,
                f"a second comment with the id {comment.source_id!r} (the first is at "
                f"{first.location}); kept the first",
            )
            return
        self.comments[comment.source_id] = comment

    def skip(self, source_id: str | None, location: str, reason: str) -> None:
        """Leave a comment out, say why, and remember it for its replies' sake."""
        self.problem(location, f"skipped: {reason}")
        if source_id and source_id not in self.comments:
            self.skipped.setdefault(source_id, reason)

    def build(self, *, posts: list[SourcePost] | None = None, extra: dict | None = None) -> Source:
        kept: dict[str, SourceComment] = {}
        for comment in self.comments.values():
            if comment.thread_key not in self.threads:
                self.skip(
                    comment.source_id,
                    comment.location,
                    f"its thread {comment.thread_key!r} is not in the file",
                )
                continue
            kept[comment.source_id] = comment
        for source_id, comment in kept.items():
            kept[source_id] = self._checked_parent(comment, kept)
        self._break_loops(kept)
        return Source(
            format=self.format_name,
            threads=list(self.threads.values()),
            comments=_parents_first(kept),
            problems=self.problems,
            posts=posts or [],
            extra=extra or {},
        )

    def _checked_parent(
        self, comment: SourceComment, kept: dict[str, SourceComment]
    ) -> SourceComment:
        parent_id = comment.parent_id
        if parent_id is None:
            return comment
        parent = kept.get(parent_id)
        if parent_id == comment.source_id:
            reason = "it names itself as its parent"
        elif parent is None and parent_id in self.skipped:
            reason = f"its parent {parent_id!r} was skipped ({self.skipped[parent_id]})"
        elif parent is None:
            reason = f"its parent {parent_id!r} is not in the file"
        elif parent.thread_key != comment.thread_key:
            reason = f"its parent {parent_id!r} is in another thread"
        else:
            return comment
        self.problem(comment.location, f"{reason}; kept as a top-level comment")
        return _with_parent(comment, None)

    def _break_loops(self, kept: dict[str, SourceComment]) -> None:
        """A reply chain that comes back to itself has no top; cut it at the first one seen."""
        settled: set[str] = set()
        for source_id in kept:
            chain: list[str] = []
            on_chain: set[str] = set()
            current: str | None = source_id
            while current is not None and current not in settled:
                if current in on_chain:
                    self.problem(
                        kept[current].location,
                        "its replies lead back to it in a loop; kept as a top-level comment",
                    )
                    kept[current] = _with_parent(kept[current], None)
                    break
                chain.append(current)
                on_chain.add(current)
                current = kept[current].parent_id
            settled.update(chain)


def _with_parent(comment: SourceComment, parent_id: str | None) -> SourceComment:
    return dataclasses.replace(comment, parent_id=parent_id)


def _parents_first(comments: dict[str, SourceComment]) -> list[SourceComment]:
    """File order, except that a parent written after its reply moves up just before it."""
    ordered: list[SourceComment] = []
    placed: set[str] = set()
    for source_id in comments:
        waiting: list[str] = []
        current: str | None = source_id
        while current is not None and current not in placed:
            waiting.append(current)
            current = comments[current].parent_id
        for waiting_id in reversed(waiting):
            placed.add(waiting_id)
            ordered.append(comments[waiting_id])
    return ordered
