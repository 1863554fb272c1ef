"""Importing posts and keeping their question threads: one per closing question, plus one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ..auth import accounts
from ..extensions import db
from ..models import GENERAL_THREAD_TEXT, Post, Question, QuestionKind
from ..postfile import PostFileError, PostSource, read_post
from ..questions import closing_questions, normalise
from ..sanitize import render_post


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    failed: list[PostFileError] = field(default_factory=list)


def questions_of(source: PostSource) -> list[str]:
    """The closing questions: the front matter's list if given, else extracted from the body."""
    if source.questions is not None:
        return [normalise(text) for text in source.questions if normalise(text)]
    return closing_questions(source.body)


def save_post(source: PostSource) -> tuple[Post, bool]:
    """Create or update the post with this slug; True if it was created.

    Re-importing updates title and body and adds questions it has not seen, matched by
    normalised text; threads, comments and questions edited by authors are kept. The post's
    author is the staff account whose handle matches the front matter's `author`, if any.
    """
    author = accounts.author_for_handle(source.author)
    post = db.session.scalar(select(Post).where(Post.slug == source.slug))
    created = post is None
    if created:
        post = Post(slug=source.slug)
        db.session.add(post)
    post.title = source.title
    post.author_handle = source.author
    post.author = author
    post.published = source.date
    post.body_markdown = source.body
    post.body_html = render_post(source.body)
    _add_missing_questions(post, questions_of(source))
    return post, created


def _add_missing_questions(post: Post, texts: list[str]) -> None:
    known = {normalise(q.text) for q in post.questions}
    known |= {normalise(q.imported_text) for q in post.questions if q.imported_text}
    closing = [q for q in post.questions if q.kind == QuestionKind.CLOSING]
    position = max((q.position for q in closing), default=-1) + 1
    for text in texts:
        if text in known:
            continue
        post.questions.append(Question(text=text, kind=QuestionKind.CLOSING, position=position))
        known.add(text)
        position += 1
    if not any(q.kind == QuestionKind.GENERAL for q in post.questions):
        post.questions.append(
            Question(text=GENERAL_THREAD_TEXT, kind=QuestionKind.GENERAL, position=10_000)
        )


def post_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.glob("*.md") if path.is_file())


def import_files(
    paths: Iterable[Path], progress: Callable[[Path], None] | None = None
) -> ImportReport:
    """Import each file in its own transaction, so one bad file costs only itself."""
    report = ImportReport()
    for path in paths:
        if progress:
            progress(path)
        try:
            source = read_post(path)
            post, created = save_post(source)
            db.session.commit()
        except PostFileError as error:
            db.session.rollback()
            report.failed.append(error)
            continue
        (report.created if created else report.updated).append(post.slug)
    return report
