"""Helpers for the tests of accounts and moderation: staff users, logging in, posting, reading."""

from __future__ import annotations

import functools

from sqlalchemy import select

from discussion.auth import accounts
from discussion.extensions import db
from discussion.models import Comment, CommentState, ModerationDecision, Post, Question, Role, User
from tests.helpers import csrf_token

PASSWORD = "correct horse battery"
STRATEGER = "strateger-sokes-eller-kontaktnat"
KOMMUNAL = "kommunal-svarar"


@functools.cache
def _password_hash() -> str:
    """PASSWORD hashed once per test run: scrypt is slow on purpose."""
    return accounts.hash_password(PASSWORD)


def add_user(app, email: str, role: Role | str, *, handle: str | None = None, name=None) -> int:
    """A staff account with PASSWORD, made as accounts.create_user makes it."""
    with app.app_context():
        user = User(
            email=accounts.normalise_email(email),
            name=name or email.split("@")[0],
            author_handle=accounts.normalise_handle(handle),
            password_hash=_password_hash(),
            role=Role(role),
            active=True,
        )
        db.session.add(user)
        db.session.flush()
        accounts.attach_posts(user)
        db.session.commit()
        return user.id


def add_staff(app) -> dict[str, int]:
    """The usual cast: the sample posts' author, another author, a moderator and an admin."""
    return {
        "author": add_user(app, "jm@example.se", Role.AUTHOR, handle="@jmjobring", name="JM"),
        "other_author": add_user(app, "annan@example.se", Role.AUTHOR, handle="@annan"),
        "moderator": add_user(app, "mod@example.se", Role.MODERATOR, name="Moa Moderator"),
        "admin": add_user(app, "admin@example.se", Role.ADMIN, name="Ada Admin"),
    }


EMAILS = {
    "author": "jm@example.se",
    "other_author": "annan@example.se",
    "moderator": "mod@example.se",
    "admin": "admin@example.se",
}


def login(client, email: str, password: str = PASSWORD, next_url: str = ""):
    return client.post(
        "/logga-in",
        data={
            "csrf_token": csrf_token(client, "/logga-in"),
            "email": email,
            "password": password,
            "next": next_url,
        },
    )


def login_as(client, role: str):
    response = login(client, EMAILS[role])
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def question_id(app, slug: str, text: str | None = None) -> int:
    """The id of a post's question with this text, or of its general thread."""
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == slug))
        return next(
            q.id for q in post.questions if q.text == text or (text is None and q.is_general)
        )


def answer(
    client, slug: str, qid: int, body: str, *, name="Anna", email="", parent_id=None, token=None
):
    """Post through the reader's form, as a browser would (with a page's token, if given)."""
    data = {
        "csrf_token": token or csrf_token(client, f"/{slug}"),
        "name": name,
        "email": email,
        "body": body,
    }
    if parent_id is not None:
        data["parent_id"] = str(parent_id)
    return client.post(f"/{slug}/trad/{qid}", data=data)


def add_approved_comments(app, qid: int, count: int, each=lambda number: {}) -> None:
    """Readers' approved comments written straight to the table, to count a page's queries.

    `each(number)` gives any further columns of the comment with that number.
    """
    with app.app_context():
        post_id = db.session.get(Question, qid).post_id
        db.session.add_all(
            Comment(
                post_id=post_id,
                question_id=qid,
                author_name=f"Läsare {number}",
                body_raw="Text",
                body_html="<p>Text</p>",
                state=CommentState.APPROVED,
                **each(number),
            )
            for number in range(count)
        )
        db.session.commit()


def latest_comment(app) -> Comment:
    with app.app_context():
        comment = db.session.scalar(select(Comment).order_by(Comment.id.desc()))
        db.session.expunge(comment)
        return comment


def comment_by_id(app, comment_id: int) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


def decisions(app, comment_id: int) -> list[tuple]:
    """The audit log of one comment: (action, from, to, user id, reason), oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(ModerationDecision)
            .where(ModerationDecision.comment_id == comment_id)
            .order_by(ModerationDecision.id)
        )
        return [(d.action, d.from_state, d.to_state, d.user_id, d.reason) for d in rows]


def staff_post(client, url: str, data: dict | None = None, token_page: str = f"/{STRATEGER}"):
    """A staff form POST with the CSRF token of the logged-in session."""
    return client.post(url, data={"csrf_token": csrf_token(client, token_page), **(data or {})})
