"""Structured logs: every line about a comment carries its id, as text or as one JSON object.

Work on a comment runs in a task or a request; `bound(comment_id=...)` puts the id in a context
variable for the duration, and the handler's filter copies it onto every record logged meanwhile,
whichever module logs it. A single line can also pass `extra={"comment_id": ...}`.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import Flask

# Fields that identify what a line is about; shown in this order.
FIELDS = ("comment_id", "task", "task_id")

_context: ContextVar[dict[str, Any]] = ContextVar("samtal_log_context")


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Add fields to every log line written inside the block."""
    token = _context.set({**_context.get({}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def fields_of_call(func: Callable, args: tuple, kwargs: dict) -> dict[str, Any]:
    """The identifying fields among a call's arguments, e.g. a task's `comment_id`."""
    try:
        arguments = _signature(func).bind_partial(*args, **kwargs).arguments
    except TypeError:
        return {}
    return {name: arguments[name] for name in FIELDS if name in arguments}


# Reading a signature costs more than a small task's own work: each task's once per process.
_signature = functools.lru_cache(maxsize=256)(inspect.signature)


class ContextFilter(logging.Filter):
    """Copy the bound fields onto the record, unless the line set its own with `extra`."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get({}).items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {
        name: getattr(record, name) for name in FIELDS if getattr(record, name, None) is not None
    }


class TextFormatter(logging.Formatter):
    """`time level logger message key=value ...`: readable, and grep-able by comment id."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        pairs = " ".join(f"{name}={value}" for name, value in _fields(record).items())
        if not pairs:
            return line
        first, newline, rest = line.partition("\n")
        return f"{first} {pairs}{newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
            **_fields(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


FORMATTERS: dict[str, type[logging.Formatter]] = {"text": TextFormatter, "json": JsonFormatter}


def handler(log_format: str, stream=None) -> logging.Handler:
    """A stream handler writing in `log_format` ("text" or "json") with the context filter."""
    result = logging.StreamHandler(stream or sys.stderr)
    result.setFormatter(FORMATTERS[log_format]())
    result.addFilter(ContextFilter())
    result.set_name("samtal")
    return result


def init_app(app: Flask) -> None:
    """Send the process's logs to stderr in the configured format; web and workers alike."""
    root = logging.getLogger()
    for existing in [h for h in root.handlers if h.get_name() == "samtal"]:
        root.removeHandler(existing)
    root.addHandler(handler(app.config["SAMTAL_LOG_FORMAT"]))
    root.setLevel(app.config["SAMTAL_LOG_LEVEL"].upper())
