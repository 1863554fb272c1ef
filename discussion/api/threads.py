"""What the API shows of a post's threads: JSON built from the same reading order as the page.

Pages are cut between top-level comments, keyed on their (created_at, id): a new answer is
always newer than every cursor already handed out, and a reply lives on its top-level
comment's page, so a reader paging through a thread while others post sees nothing twice and
misses nothing. Only what a reader may see goes out: never e-mail addresses, IPs or held text.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from flask import current_app, url_for

from ..comments.badges import staff_role
from ..comments.threads import (
    Thread,
    ThreadEntry,
    sort_key,
    thread_page,
    threads_of,
    visible_questions,
)
from ..config import COMMENT_MAX_LENGTH, NAME_MAX_LENGTH
from ..models import Comment, Post
from ..reader.avatars import avatar_url
from ..times import iso_utc
from ..web.rendered import RenderedCache
from .errors import ApiError, say

DEFAULT_PAGE = 50
MAX_PAGE = 200
# What a form may send, so the widget checks the same lengths the server does.
LIMITS = {"comment": COMMENT_MAX_LENGTH, "name": NAME_MAX_LENGTH}


# --- cursors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page ended, in the thread's order: the last top-level comment's sort key.

    oldest: (created, id) ascending; newest: descending; liked: (likes descending, then created
    and id ascending). A cursor belongs to its order; one of another order is refused.
    """

    sort: str
    key: tuple[int, ...]

    @classmethod
    def of(cls, comment: Comment, sort: str) -> Cursor:
        return cls(sort, sort_key(comment, sort))

    def encode(self) -> str:
        raw = ".".join([self.sort[0], *(str(part) for part in self.key)]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, sort: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            parts = raw.split(".")
            if parts[0].isdigit():  # a cursor from before there were orders: oldest first
                parts = ["o", *parts]
            letter, numbers = parts[0], tuple(int(part) for part in parts[1:])
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ApiError("bad_cursor") from None
        if letter != sort[0] or len(numbers) != (3 if sort == "liked" else 2):
            raise ApiError("bad_cursor")
        # Each part has the sign its order gives it (newest and likes count down).
        signs = {"oldest": (1, 1), "newest": (-1, -1), "liked": (-1, 1, 1)}[sort]
        if any(number * sign < 0 for number, sign in zip(numbers, signs, strict=True)):
            raise ApiError("bad_cursor")
        return cls(sort, numbers)


# --- comments as JSON --------------------------------------------------------------------------


STAFF_LABELS = {
    "author": ("Skribent", "Author"),
    "moderator": ("Moderator", "Moderator"),
    "admin": ("Administratör", "Administrator"),
}


def badges(comment: Comment) -> list[dict]:
    found = []
    role = staff_role(comment)
    if role is not None:
        found.append({"kind": "staff", "role": role, "label": say(*STAFF_LABELS[role])})
    if comment.organisation is not None:
        found.append({"kind": "organisation", "label": comment.organisation.badge})
    return found


def comment_json(comment: Comment, removed: bool, slug: str) -> dict:
    """One comment as readers see it; a removed one keeps only its place for its replies."""
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "removed": removed,
        "author": None if removed else comment.author_name,
        "html": None if removed else comment.body_html,
        "created": iso_utc(comment.created_at),
        "edited": bool(comment.edited_at) and not removed,
        "likes": 0 if removed else comment.like_count or 0,
        "avatar": None if removed else avatar_url(comment),
        "badges": [] if removed else badges(comment),
        "url": url_for("reader.post", slug=slug, _anchor=f"kommentar-{comment.id}", _external=True),
        "replies": [],
    }


def _nest(run: list[ThreadEntry], slug: str) -> dict:
    """A top-level comment with its replies nested, from its depth-first run."""
    stack: list[dict] = []
    for entry in run:
        node = comment_json(entry.comment, entry.removed, slug)
        del stack[entry.depth :]
        if stack:
            stack[-1]["replies"].append(node)
        stack.append(node)
    return stack[0]


@dataclass(frozen=True)
class Page:
    comments: list[dict]
    next: str | None


def page_of(thread: Thread, slug: str, sort: str) -> Page:
    """The thread's page as JSON, and the cursor after its last top-level comment."""
    runs = thread.runs
    return Page(
        comments=[_nest(run, slug) for run in runs],
        next=Cursor.of(runs[-1][0].comment, sort).encode() if thread.more and runs else None,
    )


def general_text() -> str:
    """The general thread's name in the client's language (it is stored in Swedish)."""
    return say("Övriga kommentarer", "Other comments")


def question_json(thread: Thread, post: Post, page: Page) -> dict:
    question = thread.question
    return {
        "id": question.id,
        "text": general_text() if question.is_general else question.text,
        "general": question.is_general,
        "closed": bool(post.closed or question.closed),
        "comment_count": thread.visible_count,
        "comments": page.comments,
        "next": page.next,
        "feed": url_for("feeds.question", slug=post.slug, question_id=question.id, _external=True),
    }


def post_json(post: Post, limit: int, sort: str = "oldest") -> dict:
    """The post with its visible threads, each with its first page of comments."""
    threads = threads_of(post, limit=limit, sort=sort)
    return {
        "slug": post.slug,
        "title": post.title,
        "author": post.author_handle,
        "published": post.published.isoformat(),
        "url": url_for("reader.post", slug=post.slug, _external=True),
        "feed": url_for("feeds.post", slug=post.slug, _external=True),
        "closed": bool(post.closed),
        "comment_count": sum(thread.visible_count for thread in threads),
        "changed": iso_utc(post.threads_changed_at),
        "limits": LIMITS,
        # Shown times are local to the site; the timestamps themselves stay UTC.
        "timezone": current_app.config["SAMTAL_TIMEZONE"],
        "questions": [
            question_json(thread, post, page_of(thread, post.slug, sort)) for thread in threads
        ],
    }


def thread_json(
    post: Post, question_id: int, after: Cursor | None, limit: int, sort: str = "oldest"
) -> dict:
    """One page of one thread."""
    question = next((q for q in visible_questions(post) if q.id == question_id), None)
    if question is None:
        raise ApiError("question_not_found")
    thread = thread_page(question, sort, limit, after=after.key if after else None)
    page = page_of(thread, post.slug, sort)
    return {
        "post": post.slug,
        "question_id": question_id,
        "comment_count": thread.visible_count,
        "comments": page.comments,
        "next": page.next,
    }


# --- a cache of rendered answers, keyed by the thread's version ---------------------------------


cache = RenderedCache()
