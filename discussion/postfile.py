"""Read blog posts: Markdown files with YAML front matter.

A post file starts with a front matter block between two ``---`` lines::

    ---
    title: "Strateger sökes. Eller kontaktnät?"
    slug: strateger-sokes-eller-kontaktnat
    author: "@jmjobring"
    date: 2013-09-26
    questions:            # optional: overrides closing-question extraction
      - Vad tror du?
    ---
    Body in Markdown …

Every problem is reported as a PostFileError carrying the file and the line,
so that whoever imports a blog can fix the file without reading a traceback.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .questions import normalise

__all__ = ["PostFileError", "PostSource", "parse_post", "read_post"]

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX_LENGTH = 120
REQUIRED_KEYS = ("title", "slug", "author", "date")

_DELIMITER = re.compile(r"---[ \t]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UNQUOTED_HANDLE = re.compile(r"^([A-Za-z_][\w-]*:[ \t]+)(@\S+)[ \t]*$", re.MULTILINE)
_YAML_START_LINE = 2  # the YAML starts on the line after the opening "---"


@dataclass(frozen=True)
class PostSource:
    """One post as written in its file, before it is stored anywhere."""

    slug: str
    title: str
    author: str
    date: datetime.date
    body: str
    questions: list[str] | None
    path: str


class PostFileError(Exception):
    """A post file that cannot be used, with the place to fix it."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)  # keeps the error picklable
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so a bad date gets a line number.

    PyYAML turns ``2013-02-30`` into a ValueError without any position.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_post(path: str | os.PathLike[str]) -> PostSource:
    """Read and parse a UTF-8 post file."""
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = error.strerror or error
        raise PostFileError(name, None, f"cannot read file: {reason}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = (
            f"not valid UTF-8: byte 0x{data[error.start]:02X} in column {column}; "
            "save the file as UTF-8"
        )
        raise PostFileError(name, line, message) from error
    return parse_post(text, name)


def parse_post(text: str, path: str = "<string>") -> PostSource:
    """Parse the text of a post file; path is only used in error messages."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not _DELIMITER.fullmatch(lines[0]):
        raise PostFileError(path, 1, "front matter: the file must start with a '---' line")
    end = next((i for i in range(1, len(lines)) if _DELIMITER.fullmatch(lines[i])), None)
    if end is None:
        raise PostFileError(path, 1, "front matter: no closing '---' line")
    fields = _FrontMatter(path, _quote_handles("\n".join(lines[1:end])))
    body = "\n".join(lines[end + 1 :]).lstrip("\n").rstrip()
    return PostSource(
        slug=fields.slug(),
        title=fields.text("title"),
        author=fields.text("author"),
        date=fields.date(),
        body=body + "\n" if body else "",
        questions=fields.questions(),
        path=path,
    )


class _FrontMatter:
    """The front matter's values, each with the line it is on for error messages."""

    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.values: dict[str, Any] = {}
        self.keys: dict[str, yaml.Node] = {}  # key nodes know their line
        self.nodes: dict[str, yaml.Node] = {}
        loader = _Loader(source)
        try:
            self._load(loader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + _YAML_START_LINE if mark else 1
            raise PostFileError(path, line, _yaml_message(error)) from error
        except yaml.YAMLError as error:
            raise PostFileError(path, 1, f"front matter: {error}") from error
        finally:
            loader.dispose()
        missing = [repr(key) for key in REQUIRED_KEYS if key not in self.values]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise self.error(None, f"{', '.join(missing)} {verb} missing")

    def _load(self, loader: _Loader) -> None:
        """Build the values from YAML nodes, which remember their line numbers."""
        root = loader.get_single_node()
        if not isinstance(root, yaml.MappingNode):
            raise self.error(None, "expected 'key: value' lines")
        for key_node, value_node in root.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, "keys must be plain names")
            key = key_node.value
            if key in self.keys:
                raise self.error(key_node, f"{key!r} appears twice")
            try:
                value = loader.construct_object(value_node, deep=True)
            except ValueError as error:  # explicit tags like "!!int abc"
                raise self.error(key_node, f"{key!r}: {error}") from error
            self.keys[key], self.nodes[key], self.values[key] = key_node, value_node, value

    def error(self, node: yaml.Node | None, message: str) -> PostFileError:
        line = node.start_mark.line + _YAML_START_LINE if node is not None else 1
        return PostFileError(self.path, line, f"front matter: {message}")

    def text(self, key: str) -> str:
        """A required one-line text; unquoted numbers or booleans are kept as written."""
        node = self.nodes[key]
        value = self.values[key]
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(self.keys[key], f"{key!r} must be a text")
        text = "" if value is None else normalise(value if isinstance(value, str) else node.value)
        if not text:
            raise self.error(self.keys[key], f"{key!r} is empty")
        return text

    def slug(self) -> str:
        slug = self.text("slug")
        if len(slug) > SLUG_MAX_LENGTH:
            raise self.error(self.keys["slug"], f"'slug' is longer than {SLUG_MAX_LENGTH}")
        if not SLUG_PATTERN.fullmatch(slug):
            message = f"'slug' {slug!r} must be lowercase a-z and 0-9 words joined by '-'"
            raise self.error(self.keys["slug"], message)
        return slug

    def date(self) -> datetime.date:
        node = self.keys["date"]
        value = self.values["date"]
        if isinstance(value, datetime.datetime):
            raise self.error(node, "'date' must be a date (YYYY-MM-DD) without a time")
        if isinstance(value, datetime.date):
            return value  # an explicit !!timestamp tag
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError as error:
                raise self.error(node, f"'date' {value.strip()!r} is not a real date") from error
        raise self.error(node, f"'date' must look like 2013-09-26, not {value!r}")

    def questions(self) -> list[str] | None:
        """The optional closing questions, normalised and without repeats."""
        node = self.nodes.get("questions")
        value = self.values.get("questions")
        if value is None:
            return None
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(
                self.keys["questions"], "'questions' must be a list ('- question' lines)"
            )
        questions = []
        for item_node, item in zip(node.value, value, strict=True):
            if not isinstance(item_node, yaml.ScalarNode) or item is None:
                raise self.error(item_node, "each of 'questions' must be a text")
            question = normalise(item if isinstance(item, str) else item_node.value)
            if not question:
                raise self.error(item_node, "a question in 'questions' is empty")
            questions.append(question)
        return list(dict.fromkeys(questions))


def _quote_handles(source: str) -> str:
    """Quote top-level values like @jmjobring, which YAML reserves but authors write."""
    return _UNQUOTED_HANDLE.sub(lambda m: m[1] + "'" + m[2].replace("'", "''") + "'", source)


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    """A one-line description of a YAML syntax error, with a hint for the usual cause."""
    problem = error.problem or error.context or "invalid YAML"
    message = f"front matter: invalid YAML: {problem}"
    start, end = error.context_mark, error.problem_mark
    if error.context and start and end and start.line != end.line:
        message += f" {error.context} that starts on line {start.line + _YAML_START_LINE}"
    if "cannot start any token" in problem:
        message += " (put values that start with @, ` or % in quotes)"
    return message
