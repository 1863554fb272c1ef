"""The post and thread a URL names, for the reader's pages, the API and the feeds alike."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

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


def refuse_if_closed(post: Post, question: Question) -> None:
    """409 Conflict: the thread exists but is closed for now, and may open again."""
    if post.closed:
        abort(409, _("Inlägget är stängt för nya kommentarer. Din kommentar sparades inte."))
    if question.closed:
        abort(409, _("Tråden är stängd för nya kommentarer. Din kommentar sparades inte."))
