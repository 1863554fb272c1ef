"""The post and thread a URL names, for the reader's pages, the API and the feeds alike."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import Post, Question, row_by_id


def post_or_404(slug: str) -> Post:
    post = db.session.scalar(select(Post).where(Post.slug == slug))
    if post is None:
        abort(404, _("Det finns inget inlägg med adressen /%(slug)s.", slug=slug))
    return post


def question_or_404(post: Post, question_id: int) -> Question:
    question = row_by_id(Question, question_id)
    if question is None or question.post_id != post.id or question.hidden:
        abort(404, _("Frågan finns inte i det här inlägget."))
    return question


# A post and one of its threads in one query, for what posts to a thread.
THREAD = (
    select(Post, Question)
    .join(Question, Question.post_id == Post.id)
    .where(Post.slug == bindparam("slug"), Question.id == bindparam("question_id"))
)


def thread_or_404(slug: str, question_id: int) -> tuple[Post, Question]:
    """`post_or_404` and `question_or_404` in one query; their 404s when there is no such pair."""
    row = db.session.execute(THREAD, {"slug": slug, "question_id": question_id}).first()
    if row is None or row.Question.hidden:
        question_or_404(post_or_404(slug), question_id)
    return row.Post, row.Question


def refuse_if_closed(post: Post, question: Question) -> None:
    """409 Conflict: the thread exists but is closed for now, and may open again."""
    if post.closed:
        abort(409, _("Inlägget är stängt för nya kommentarer. Din kommentar sparades inte."))
    if question.closed:
        abort(409, _("Tråden är stängd för nya kommentarer. Din kommentar sparades inte."))
