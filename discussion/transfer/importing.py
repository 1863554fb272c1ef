"""Comments from another system's file into Samtal's threads: the database side of an import.

A reader (``formats.read``) turns the file into a ``Source``; here each of its threads is
matched to a post, each comment is placed in a thread, its state mapped and its text rendered
by Samtal's own sanitiser, and everything is inserted in batches in one transaction: a file
that cannot be read imports nothing, and a file imported twice adds nothing the second time
(each comment keeps its format and its id there, unique together).

Imported comments are history, not news: they are stored already decided, so no spam check
scores them, no notification is sent for them, and the announcement sweep passes them by (its
audit entry is ``imported``). Their labels (approved, spam) teach the spam model like a
moderator's decisions, unless the import says otherwise (``ImportRun.teaches_spam``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Protocol
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import selectinload

from ..comments.identity import identity_hash
from ..comments.lifecycle import IMPORTED
from ..extensions import db
from ..models import (
    GENERAL_THREAD_TEXT,
    Comment,
    CommentState,
    ImportRun,
    ModerationDecision,
    Organisation,
    Post,
    Question,
    QuestionKind,
    User,
    utcnow,
)
from ..sanitize import render_comment, render_post
from ..spam.signals import fingerprint
from .formats import read
from .records import Problem, Source, SourceComment, SourcePost, SourceThread

__all__ = ["ImportReport", "UrlMap", "import_file", "parse_map"]

BATCH_SIZE = 2000
NAME_LENGTH = 80  # Comment.author_name
EMAIL_LENGTH = 254
ANONYMOUS = "Anonym"

STATES = {
    "approved": CommentState.APPROVED,
    "pending": CommentState.PENDING,
    "spam": CommentState.SPAM,
    "deleted": CommentState.DELETED,
}
# Samtal's own export says more than the neutral states: a rejected comment stays rejected.
SAMTAL_STATES = {"rejected": CommentState.REJECTED, "deleted": CommentState.DELETED}

UrlMap = list[tuple[str, str]]


class Bar(Protocol):
    def update(self, n: int) -> object: ...
    def close(self) -> object: ...


Progress = Callable[[str, int], Bar]


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(progress: Progress | None, description: str, total: int) -> Bar:
    return progress(description, total) if progress else _NoBar()


def parse_map(values: Iterable[str]) -> UrlMap:
    """``OLD=NEW`` pairs: a thread URL (or slug) starting with OLD is read as starting with NEW."""
    pairs = []
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old:
            raise ValueError(f"--map {value!r}: write it as OLD=NEW, e.g. https://old.example/=")
        pairs.append((old, new))
    return pairs


@dataclass
class ImportReport:
    """What an import did, or (dry run) would do."""

    format: str
    file_name: str
    dry_run: bool
    in_file: int = 0
    added: int = 0
    already_there: int = 0
    by_state: Counter = field(default_factory=Counter)
    by_post: Counter = field(default_factory=Counter)
    # A thread of the file no post matched: its URL (or key) and how many comments it held.
    unknown_threads: Counter = field(default_factory=Counter)
    posts_created: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    spam_examples: int = 0
    deepest: int = 0

    @property
    def unknown_comments(self) -> int:
        return sum(self.unknown_threads.values())


@dataclass
class _Planned:
    """A comment to insert: its row's values, and where it hangs before ids are known."""

    source: SourceComment
    values: dict
    depth: int
    parent_key: str | None


def import_file(
    format_name: str,
    path: str | os.PathLike,
    *,
    url_map: UrlMap = (),
    dry_run: bool = False,
    teach_spam: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one file; FormatError (nothing imported) if it cannot be read as the format.

    ``progress(description, total)`` makes a bar with ``update(n)`` and ``close()`` (tqdm on
    the command line) for placing and for inserting. Everything is committed at the end, or,
    on any error, nothing.
    """
    source = read(format_name, path)
    report = ImportReport(format_name, os.path.basename(path), dry_run)
    report.in_file = len(source.comments)
    report.problems.extend(source.problems)
    try:
        posts = _posts_for(source, report, dry_run)
        planned = _plan(source, posts, url_map, report, progress)
        if teach_spam:
            report.spam_examples = (
                report.by_state[CommentState.APPROVED] + report.by_state[CommentState.SPAM]
            )
        if dry_run:
            db.session.rollback()
            return report
        if not planned:  # a second run: nothing to add, and no empty run to record
            db.session.commit()
            return report
        run = ImportRun(
            format=format_name,
            file_name=report.file_name[:500],
            comment_count=len(planned),
            teaches_spam=teach_spam,
        )
        db.session.add(run)
        db.session.flush()
        _insert(planned, run, progress)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


# --- posts and threads ----------------------------------------------------------------------


@dataclass
class _PostThreads:
    post_id: int
    slug: str
    general_id: int
    # A Samtal export's question ids (of this post) to this instance's question ids.
    questions: dict[str, int] = field(default_factory=dict)


def _posts_for(source: Source, report: ImportReport, dry_run: bool) -> dict[str, _PostThreads]:
    """Every post by slug with its general thread; a Samtal export's missing posts created."""
    posts = db.session.scalars(select(Post).options(selectinload(Post.questions)))
    known = {post.slug: post for post in posts}
    for source_post in source.posts:
        if source_post.slug not in known:
            report.posts_created.append(source_post.slug)
            if not dry_run:
                known[source_post.slug] = _create_post(source_post)
    if not dry_run:
        db.session.flush()
    threads: dict[str, _PostThreads] = {}
    for slug, post in known.items():
        general = next((q for q in post.questions if q.kind == QuestionKind.GENERAL), None)
        if general is None:
            general = Question(text=GENERAL_THREAD_TEXT, kind=QuestionKind.GENERAL, position=10_000)
            post.questions.append(general)
            db.session.flush()
        threads[slug] = _PostThreads(post.id, slug, general.id)
    for source_post in source.posts:
        post = known.get(source_post.slug)
        if post is not None:
            by_text = {question.text: question.id for question in post.questions}
            threads[post.slug].questions = {
                question.source_id: by_text[question.text]
                for question in source_post.questions
                if question.text in by_text
            }
    return threads


def _create_post(source: SourcePost) -> Post:
    post = Post(
        slug=source.slug,
        title=source.title,
        author_handle=source.author,
        published=source.published or utcnow().date(),
        body_markdown=source.body_markdown,
        body_html=render_post(source.body_markdown),
    )
    for question in source.questions:
        post.questions.append(
            Question(
                text=question.text,
                kind=QuestionKind(question.kind),
                position=question.position,
                hidden=question.hidden,
                closed=question.closed,
            )
        )
    db.session.add(post)
    return post


def _match(thread: SourceThread, posts: dict[str, _PostThreads], url_map: UrlMap):
    """The post a thread of the file is, by its slug or its URL's last path segment."""
    for candidate in (thread.url, thread.slug, thread.key):
        if not candidate:
            continue
        for old, new in url_map:
            if candidate.startswith(old):
                candidate = new + candidate[len(old) :]
                break
        found = posts.get(candidate.strip("/")) or posts.get(_last_segment(candidate))
        if found is not None:
            return found
    return None


def _last_segment(url: str) -> str:
    path = unquote(urlsplit(url).path).rstrip("/")
    return PurePosixPath(path).name if path else ""


# --- placing each comment -------------------------------------------------------------------


def _plan(
    source: Source,
    posts: dict[str, _PostThreads],
    url_map: UrlMap,
    report: ImportReport,
    progress: Progress | None,
) -> list[_Planned]:
    """Each comment's row, in file order (parents first); no query per comment."""
    matched = {thread.key: _match(thread, posts, url_map) for thread in source.threads}
    names = {thread.key: thread.url or thread.slug or thread.key for thread in source.threads}
    # Comments of this format already here, from an earlier run: skipped, and their replies
    # hang under them.
    placed: dict[str, tuple[int | None, int, int]] = {
        import_id: (comment_id, question_id, 0)
        for import_id, comment_id, question_id in db.session.execute(
            select(Comment.import_id, Comment.id, Comment.question_id).where(
                Comment.import_format == source.format
            )
        )
    }
    staff = _staff_by_email()
    organisations = {
        name: ident
        for ident, name in db.session.execute(select(Organisation.id, Organisation.name))
    }
    keep_ip_after = utcnow() - timedelta(days=current_app.config["SAMTAL_IP_RETENTION_DAYS"])
    planned: list[_Planned] = []
    bar = _bar(progress, "placing", len(source.comments))
    for number, comment in enumerate(source.comments, start=1):
        if number % 1000 == 0:
            bar.update(1000)
        post = matched.get(comment.thread_key)
        if post is None:
            report.unknown_threads[names.get(comment.thread_key, comment.thread_key)] += 1
            continue
        if comment.source_id in placed:
            report.already_there += 1
            continue
        parent = placed.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            question_id, depth = parent[1], parent[2] + 1
        else:
            wanted = comment.extra.get("question_id")
            question_id = post.questions.get(wanted, post.general_id) if wanted else post.general_id
            depth = 0
        state = _state(comment)
        values = _row(comment, post, question_id, state, staff, organisations, keep_ip_after)
        planned.append(_Planned(comment, values, depth, comment.parent_id if parent else None))
        placed[comment.source_id] = (None, question_id, depth)
        report.added += 1
        report.by_state[state] += 1
        report.by_post[post.slug] += 1
        report.deepest = max(report.deepest, depth)
    bar.update(len(source.comments) % 1000)
    bar.close()
    return planned


def _state(comment: SourceComment) -> CommentState:
    exported = comment.extra.get("samtal_state")
    if exported in SAMTAL_STATES:
        return SAMTAL_STATES[exported]
    return STATES[comment.state]


def _staff_by_email() -> dict[str, int]:
    return {
        email.lower(): ident for ident, email in db.session.execute(select(User.id, User.email))
    }


def _row(
    comment: SourceComment,
    post: _PostThreads,
    question_id: int,
    state: CommentState,
    staff: dict[str, int],
    organisations: dict[str, int],
    keep_ip_after,
) -> dict:
    email = (comment.email or "").strip()[:EMAIL_LENGTH] or None
    body = comment.body
    now = utcnow()
    user_id = staff.get(email.lower()) if email and comment.extra.get("is_staff") else None
    return {
        "post_id": post.post_id,
        "question_id": question_id,
        "author_name": (comment.author_name or ANONYMOUS)[:NAME_LENGTH],
        "email": email,
        "email_hash": identity_hash(email),
        "ip_hash": identity_hash(comment.ip) if comment.created_at >= keep_ip_after else None,
        "body_raw": body,
        "body_fingerprint": fingerprint(body),
        "body_html": render_comment(body) if body else "",
        "state": state,
        "user_id": user_id,
        "organisation_id": organisations.get(comment.extra.get("organisation") or ""),
        "notify_replies": False,
        "report_count": 0,
        "like_count": int(comment.extra.get("likes") or 0),
        "created_at": comment.created_at,
        "processed_at": now,
        "import_format": None,  # set with the run, below
        "import_id": comment.source_id[:200],
    }


# --- inserting ------------------------------------------------------------------------------


def _insert(planned: list[_Planned], run: ImportRun, progress: Progress | None) -> None:
    """Insert in file order (parents first), in batches, with ids taken beforehand in one
    query, so that a reply's parent id is known without asking the database per comment."""
    ids: dict[str, int] = {
        import_id: comment_id
        for import_id, comment_id in db.session.execute(
            select(Comment.import_id, Comment.id).where(Comment.import_format == run.format)
        )
    }
    bar = _bar(progress, "inserting", len(planned))
    now = utcnow()
    # The tables themselves, not the ORM: its bulk path costs as much again as the database.
    connection = db.session.connection()
    new_ids = iter(_new_comment_ids(len(planned)))
    for start in range(0, len(planned), BATCH_SIZE):
        batch = planned[start : start + BATCH_SIZE]
        rows, decisions = [], []
        for item in batch:
            comment_id = ids[item.source.source_id] = next(new_ids)
            values = dict(item.values, id=comment_id, import_format=run.format)
            values["import_run_id"] = run.id
            values["parent_id"] = ids[item.parent_key] if item.parent_key else None
            rows.append(values)
            state = str(item.values["state"])
            decisions.append(
                {
                    "comment_id": comment_id,
                    "action": IMPORTED,
                    "from_state": state,
                    "to_state": state,
                    "reason": f"{run.format}:{item.source.source_id}"[:1000],
                    "created_at": now,
                }
            )
        connection.execute(insert(Comment.__table__), rows)
        connection.execute(insert(ModerationDecision.__table__), decisions)
        bar.update(len(batch))
    bar.close()


def _new_comment_ids(count: int) -> list[int]:
    """Ids no other writer can take: PostgreSQL's sequence hands them out; SQLite's one writer
    (this transaction holds the write lock since the run's row) takes the next ones up."""
    if not count:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return list(
            db.session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('comment', 'id')) "
                    "FROM generate_series(1, :count)"
                ),
                {"count": count},
            )
        )
    first = (db.session.scalar(select(func.max(Comment.id))) or 0) + 1
    return list(range(first, first + count))
