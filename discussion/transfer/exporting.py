"""Samtal's posts and comments out to a file: its own JSON (every state, for a later Samtal or a
backup) or WordPress's WXR (published comments only, for a blog that moves to WordPress).

One query for the posts, and one per post for its comments, so an export of a big site keeps
memory to one post's comments at a time. Addresses go out only when asked for.
"""

from __future__ import annotations

from typing import IO

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Comment, CommentState, Post
from ..signing import site_url
from .formats import write_samtal, write_wxr

__all__ = ["EXPORT_FORMATS", "UnknownPost", "export"]

EXPORT_FORMATS = ("json", "wxr")
STAFF_BADGE = "Skribent"


class UnknownPost(LookupError):
    """`--post` names a slug no post has."""


def export(
    format_name: str, stream: IO[str], *, slug: str | None = None, personal_data: bool = False
) -> int:
    """Write the site (or one post) to ``stream``; the number of posts written."""
    posts = _posts(slug)
    site = current_app.config["SAMTAL_SITE_NAME"]
    if format_name == "json":
        write_samtal(stream, site, (_post_json(post, personal_data) for post in posts))
    elif format_name == "wxr":
        write_wxr(stream, site, site_url(), (_post_wxr(post, personal_data) for post in posts))
    else:
        raise ValueError(f"unknown export format {format_name!r}; known: json, wxr")
    return len(posts)


def _posts(slug: str | None) -> list[Post]:
    statement = select(Post).options(selectinload(Post.questions)).order_by(Post.published, Post.id)
    if slug is not None:
        statement = statement.where(Post.slug == slug)
    posts = db.session.scalars(statement).all()
    if slug is not None and not posts:
        raise UnknownPost(slug)
    return list(posts)


def _comments(post: Post, *states: CommentState) -> list[Comment]:
    statement = (
        select(Comment)
        .options(joinedload(Comment.organisation))
        .where(Comment.post_id == post.id)
        .order_by(Comment.id)
    )
    if states:
        statement = statement.where(Comment.state.in_(states))
    return list(db.session.scalars(statement))


def _post_json(post: Post, personal_data: bool) -> dict:
    return {
        "slug": post.slug,
        "title": post.title,
        "author": post.author_handle,
        "published": post.published,
        "url": site_url(f"/{post.slug}"),
        "body_markdown": post.body_markdown,
        "questions": [
            {
                "id": question.id,
                "text": question.text,
                "kind": str(question.kind),
                "position": question.position,
                "hidden": question.hidden,
                "closed": question.closed,
            }
            for question in post.questions
        ],
        "comments": [_comment_json(comment, personal_data) for comment in _comments(post)],
    }


def _comment_json(comment: Comment, personal_data: bool) -> dict:
    badges = []
    if comment.user_id is not None:
        badges.append({"kind": "staff", "label": STAFF_BADGE})
    if comment.organisation is not None:
        badges.append({"kind": "organisation", "label": comment.organisation.badge})
    return {
        "id": comment.id,
        "question_id": comment.question_id,
        "parent_id": comment.parent_id,
        "author": comment.author_name,
        "email": comment.email if personal_data else None,
        "created": comment.created_at,
        "state": str(comment.state),
        "body_markdown": comment.body_raw,
        "html": comment.body_html,
        "badges": badges,
        "organisation": comment.organisation.name if comment.organisation else None,
        "likes": comment.like_count or 0,
    }


def _post_wxr(post: Post, personal_data: bool) -> dict:
    published = _comments(post, CommentState.APPROVED)
    shown = {comment.id for comment in published}
    return {
        "title": post.title,
        "link": site_url(f"/{post.slug}"),
        "slug": post.slug,
        "post_id": post.id,
        "date": post.published,
        "content_html": post.body_html,
        "author": post.author_handle.lstrip("@"),
        "comments": [
            {
                "id": comment.id,
                # A reply to a comment that is not published hangs at the top in WordPress.
                "parent": comment.parent_id if comment.parent_id in shown else 0,
                "author": comment.author_name,
                "email": comment.email if personal_data else None,
                "date_gmt": comment.created_at,
                "content": comment.body_html or "",
            }
            for comment in published
        ],
    }
