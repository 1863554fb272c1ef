"""Samtal's own export: every post, its questions and its comments, in one JSON document.

Version 1::

    {"format": "samtal-export", "version": 1, "exported_at": "2026-01-31T12:00:00Z",
     "site": "Bloggen",
     "posts": [{"slug", "title", "author", "published": "2013-09-26", "url",
                "body_markdown",
                "questions": [{"id", "text", "kind": "closing" | "general", "position",
                               "hidden", "closed"}],
                "comments": [{"id", "question_id", "parent_id", "author",
                              "email" (only in an export with personal data),
                              "created": "2013-09-26T10:00:00Z",
                              "state": "received" | "held" | "pending" | "approved"
                                       | "rejected" | "spam" | "deleted" (erased),
                              "body_markdown", "html",
                              "badges": [{"kind": "staff" | "organisation", "label"}],
                              "organisation": name | null, "likes": 0}]}]}

A later version adds keys or changes them and bumps ``version``; a reader refuses a version it
does not know rather than guess.

Reading gives, besides the usual threads (one per post, ``key`` = ``slug``) and comments,
``Source.posts``: the posts with their questions, so an import into a fresh Samtal can
recreate them and put each comment under the same question. Our own file is written by a
program, so a missing or mistyped field is fatal (FormatError naming it, as
``posts[2].comments[5].created``); only what a correct file may still hold (a reply whose
parent was erased, an unknown question) is a Problem. States map to the neutral ones as
received, held, pending → pending; rejected, deleted → deleted. Comment ``extra``:
``question_id``, ``samtal_state`` (the state as exported), ``badges``, ``organisation``,
``likes``, ``is_staff`` (a staff badge).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import IO, Any

from ..bodies import clean_line, markdown_text
from ..records import FormatError, Source, SourceComment, SourcePost, SourceQuestion, SourceThread
from ._common import SourceBuilder, parse_datetime, require_content
from ._sniff import wrong_format

__all__ = ["FORMAT_NAME", "VERSION", "read_samtal", "write_samtal"]

FORMAT_NAME = "samtal-export"
VERSION = 1
STATES = {
    "received": "pending",
    "held": "pending",
    "pending": "pending",
    "approved": "approved",
    "rejected": "deleted",
    "spam": "spam",
    "deleted": "deleted",
}
QUESTION_KINDS = ("closing", "general")
BADGE_KINDS = ("staff", "organisation")

POST_KEYS = ("slug", "title", "author", "published", "url", "body_markdown")
POST_KEYS += ("questions", "comments")
QUESTION_KEYS = ("id", "text", "kind", "position", "hidden", "closed")
COMMENT_KEYS = ("id", "question_id", "parent_id", "author", "email", "created", "state")
COMMENT_KEYS += ("body_markdown", "html", "badges", "organisation", "likes")

_MISSING = object()
_ID = (int, str)


def read_samtal(path: str | os.PathLike) -> Source:
    """Read a Samtal export; FormatError if it is not one, or is of a version not known."""
    require_content(path)
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FormatError(
            f"not UTF-8: byte 0x{data[error.start]:02X} at offset {error.start}", f"line {line}"
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        guessed = wrong_format(path, "samtal")
        if guessed is not None:
            raise guessed from None
        raise FormatError(
            f"not JSON: {error.msg}", f"line {error.lineno}, column {error.colno}"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise wrong_format(path, "samtal") or FormatError(
            f'not a Samtal export: no "format": "{FORMAT_NAME}" at the top'
        )
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormatError(f"the version {version!r} is not a version number", "version")
    if version > VERSION:
        raise FormatError(
            f"written by a newer Samtal (version {version}); this one reads version {VERSION}",
            "version",
        )
    builder = SourceBuilder("samtal")
    posts: list[SourcePost] = []
    for number, post in enumerate(_field(document, "posts", list, "the file"), start=0):
        read = _read_post(_as_object(post, f"posts[{number}]"), f"posts[{number}]", builder)
        if read is not None:
            posts.append(read)
    exported_at = document.get("exported_at")
    return builder.build(
        posts=posts,
        extra={
            "version": version,
            "site": document.get("site"),
            "exported_at": parse_datetime(exported_at) if isinstance(exported_at, str) else None,
        },
    )


def _read_post(post: dict, where: str, builder: SourceBuilder) -> SourcePost | None:
    slug = _field(post, "slug", str, where)
    if slug in builder.threads:
        builder.problem(where, f"a second post with the slug {slug!r}; kept the first")
        return None
    published_text = _field(post, "published", (str, type(None)), where)
    published = parse_datetime(published_text) if published_text else None
    if published_text and published is None:
        raise FormatError(f"{published_text!r} is not a date", f"{where}.published")
    questions: dict[str, SourceQuestion] = {}
    for number, question in enumerate(_field(post, "questions", list, where)):
        question_where = f"{where}.questions[{number}]"
        read = _read_question(_as_object(question, question_where), question_where)
        if read.source_id in questions:
            builder.problem(
                question_where, f"a second question with the id {read.source_id}; kept the first"
            )
            continue
        questions[read.source_id] = read
    source_post = SourcePost(
        slug=slug,
        title=_field(post, "title", str, where),
        author=_field(post, "author", str, where),
        published=published.date() if published else None,
        url=_field(post, "url", (str, type(None)), where, default=None),
        body_markdown=_field(post, "body_markdown", str, where),
        questions=list(questions.values()),
    )
    builder.add_thread(
        SourceThread(
            key=slug,
            url=source_post.url,
            slug=slug,
            title=source_post.title,
            extra={"published": source_post.published},
        ),
        where,
    )
    for number, comment in enumerate(_field(post, "comments", list, where)):
        comment_where = f"{where}.comments[{number}]"
        _read_comment(_as_object(comment, comment_where), comment_where, slug, questions, builder)
    return source_post


def _read_question(question: dict, where: str) -> SourceQuestion:
    kind = _field(question, "kind", str, where)
    if kind not in QUESTION_KINDS:
        raise FormatError(f"{kind!r} is not one of {', '.join(QUESTION_KINDS)}", f"{where}.kind")
    return SourceQuestion(
        source_id=str(_field(question, "id", _ID, where)),
        text=_field(question, "text", str, where),
        kind=kind,
        position=_field(question, "position", int, where, default=0),
        hidden=_field(question, "hidden", bool, where, default=False),
        closed=_field(question, "closed", bool, where, default=False),
    )


def _read_comment(
    comment: dict,
    where: str,
    slug: str,
    questions: dict[str, SourceQuestion],
    builder: SourceBuilder,
) -> None:
    source_id = str(_field(comment, "id", _ID, where))
    location = f"{where} (id {source_id})"
    state = _field(comment, "state", str, where)
    if state not in STATES:
        raise FormatError(f"{state!r} is not one of {', '.join(STATES)}", f"{where}.state")
    created_text = _field(comment, "created", str, where)
    created_at = parse_datetime(created_text)
    if created_at is None:
        raise FormatError(f"{created_text!r} is not a date and time", f"{where}.created")
    question_id = _field(comment, "question_id", (*_ID, type(None)), where, default=None)
    question_id = None if question_id is None else str(question_id)
    if question_id is not None and question_id not in questions:
        builder.problem(
            location,
            f"its question {question_id} is not among its post's questions; kept without one",
        )
        question_id = None
    parent_id = _field(comment, "parent_id", (*_ID, type(None)), where, default=None)
    badges = []
    for number, badge in enumerate(_field(comment, "badges", list, where, default=[])):
        badge_where = f"{where}.badges[{number}]"
        badge = _as_object(badge, badge_where)
        kind = _field(badge, "kind", str, badge_where)
        if kind not in BADGE_KINDS:
            raise FormatError(f"{kind!r} is not one of {', '.join(BADGE_KINDS)}", badge_where)
        badges.append({"kind": kind, "label": _field(badge, "label", str, badge_where)})
    builder.add_comment(
        SourceComment(
            source_id=source_id,
            thread_key=slug,
            parent_id=None if parent_id is None else str(parent_id),
            author_name=clean_line(_field(comment, "author", str, where)),
            email=_field(comment, "email", (str, type(None)), where, default=None) or None,
            website=None,
            ip=None,
            created_at=created_at,
            body=markdown_text(_field(comment, "body_markdown", str, where)),
            state=STATES[state],
            location=location,
            extra={
                "question_id": question_id,
                "samtal_state": state,
                "badges": badges,
                "organisation": _field(comment, "organisation", (str, type(None)), where, None),
                "likes": _field(comment, "likes", int, where, default=0),
                "is_staff": any(badge["kind"] == "staff" for badge in badges),
            },
        )
    )


def _as_object(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise FormatError("not a JSON object", where)
    return value


def _field(
    mapping: dict, key: str, types: type | tuple[type, ...], where: str, default: Any = _MISSING
) -> Any:
    """``mapping[key]``, checked against ``types``; FormatError naming the path if not."""
    value = mapping.get(key, _MISSING)
    if value is _MISSING:
        if default is _MISSING:
            raise FormatError(f"missing {key!r}", where)
        return default
    allowed = types if isinstance(types, tuple) else (types,)
    wrong_bool = isinstance(value, bool) and bool not in allowed
    if not isinstance(value, allowed) or wrong_bool:
        names = " or ".join("null" if kind is type(None) else kind.__name__ for kind in allowed)
        raise FormatError(f"{json.dumps(value)[:40]} is not {names}", f"{where}.{key}")
    return value


# --- writing ---------------------------------------------------------------------------------


def write_samtal(
    stream: IO[str],
    site: str,
    posts: Iterable[Mapping[str, Any]],
    *,
    exported_at: datetime | None = None,
) -> None:
    """Write a Samtal export, one post at a time, so an iterator of posts keeps memory flat.

    ``posts`` are plain dicts with the keys of the format (see the module docstring);
    ``published`` may be a date, ``created`` a naive-UTC datetime. ``email`` is written only
    for the comments that have one, which is how an export without personal data leaves it
    out. An unknown or missing key, or an unknown state, is a ValueError naming the post and
    comment: the format is written in one place, and a typo should not ship.
    """
    moment = exported_at or datetime.now(UTC)
    header = {
        "format": FORMAT_NAME,
        "version": VERSION,
        "exported_at": _iso_datetime(moment),
        "site": site,
    }
    stream.write("{\n")
    for key, value in header.items():
        stream.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    stream.write('  "posts": [')
    for number, post in enumerate(posts):
        written = json.dumps(_post_json(post, f"post {number}"), ensure_ascii=False, indent=2)
        stream.write(("," if number else "") + "\n    " + written.replace("\n", "\n    "))
    stream.write("\n  ]\n}\n")


def _post_json(post: Mapping[str, Any], where: str) -> dict:
    _check_keys(post, POST_KEYS, ("slug", "title", "author", "published", "body_markdown"), where)
    where = f"{where} ({post['slug']!r})"
    published = post["published"]
    return {
        "slug": post["slug"],
        "title": post["title"],
        "author": post["author"],
        "published": published.isoformat() if isinstance(published, date) else published,
        "url": post.get("url"),
        "body_markdown": post["body_markdown"],
        "questions": [
            _question_json(question, f"{where}, question {number}")
            for number, question in enumerate(post.get("questions") or ())
        ],
        "comments": [
            _comment_json(comment, f"{where}, comment {number}")
            for number, comment in enumerate(post.get("comments") or ())
        ],
    }


def _question_json(question: Mapping[str, Any], where: str) -> dict:
    _check_keys(question, QUESTION_KEYS, ("id", "text"), where)
    kind = question.get("kind", "closing")
    if kind not in QUESTION_KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(QUESTION_KINDS)}")
    return {
        "id": question["id"],
        "text": question["text"],
        "kind": kind,
        "position": question.get("position", 0),
        "hidden": bool(question.get("hidden", False)),
        "closed": bool(question.get("closed", False)),
    }


def _comment_json(comment: Mapping[str, Any], where: str) -> dict:
    _check_keys(comment, COMMENT_KEYS, ("id", "author", "created", "state", "body_markdown"), where)
    if comment["state"] not in STATES:
        raise ValueError(f"{where}: state {comment['state']!r} is not one of {', '.join(STATES)}")
    written = {
        "id": comment["id"],
        "question_id": comment.get("question_id"),
        "parent_id": comment.get("parent_id"),
        "author": comment["author"],
    }
    if comment.get("email"):
        written["email"] = comment["email"]
    created = comment["created"]
    written.update(
        {
            "created": _iso_datetime(created) if isinstance(created, datetime) else created,
            "state": comment["state"],
            "body_markdown": comment["body_markdown"],
            "html": comment.get("html"),
            "badges": [
                {"kind": badge["kind"], "label": badge["label"]}
                for badge in comment.get("badges") or ()
            ],
            "organisation": comment.get("organisation"),
            "likes": comment.get("likes", 0),
        }
    )
    return written


def _check_keys(
    values: Mapping[str, Any], known: tuple[str, ...], required: tuple[str, ...], where: str
) -> None:
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")
    missing = [key for key in required if values.get(key) is None]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")


def _iso_datetime(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, whether the datetime is naive UTC or aware."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"
