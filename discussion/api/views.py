"""The JSON API under /api/v1, for blogs that embed Samtal: read threads, post, report.

Reads are cached by thread version; writes go through the same forms and the same posting
path as the reader's page, so a comment sent here meets exactly the same rules. `init_app`
registers the blueprint and its CORS headers (for every /api/ answer, errors too).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for
from sqlalchemy import bindparam, select
from werkzeug.exceptions import Conflict, NotFound
from werkzeug.http import is_resource_modified

from ..auth.access import current_staff
from ..comments import editing, likes, posting
from ..comments.editing import too_long_message
from ..comments.threads import SORTS, visible_counts
from ..config import COMMENT_MAX_LENGTH
from ..extensions import csrf, db
from ..models import Comment, CommentState, Post, Question, row_by_id
from ..moderation import reports
from ..organisations import verification
from ..posts.importing import save_post
from ..posts.lookups import post_or_404, question_or_404, refuse_if_closed, thread_or_404
from ..reader import browser
from ..reader.forms import CommentForm, ReportForm
from ..sanitize import render_comment
from ..spam import signals
from ..times import iso_utc
from ..web import limits
from ..web.errors import api_language
from . import access, openapi, posts
from .access import add_cors_headers
from .errors import ApiError, handle, say
from .payload import clean_text, form_data
from .threads import DEFAULT_PAGE, MAX_PAGE, Cursor, cache, post_json, thread_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_error_handler(ApiError, handle)

MAX_COUNTED_POSTS = 100
# Bump when the JSON of a read changes shape, so no cache (ours or a browser's) serves the old.
FORMAT_VERSION = 3


# --- reading -----------------------------------------------------------------------------------


VERSION_QUERY = select(Post.id, Post.threads_changed_at).where(Post.slug == bindparam("slug"))


def _post_version(slug: str) -> tuple[int, datetime]:
    """The post's id and thread version: the one query a cached read costs.

    On a connection of its own rather than the ORM session, which would cost more than the
    rest of a cached read together.
    """
    with db.engine.connect() as connection:
        row = connection.execute(VERSION_QUERY, {"slug": slug}).first()
    if row is None:
        raise ApiError("post_not_found")
    return row.id, row.threads_changed_at


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_PAGE
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        raise ApiError("bad_parameter", detail=f"limit: 1-{MAX_PAGE}")
    return int(raw)


def _sort() -> str:
    sort = request.args.get("sort", "oldest")
    if sort not in SORTS:
        raise ApiError("bad_parameter", detail=f"sort: {', '.join(SORTS)}")
    return sort


def _cached_json(key: tuple, changed_at: datetime, build) -> Response:
    """Answer a read from its version: 304 if the client has it, else the cached or built body.

    The language is part of the key: badges and the general thread's name are worded in it.
    """
    language = api_language()
    full_key = (
        FORMAT_VERSION,
        current_app.config["SQLALCHEMY_DATABASE_URI"],
        request.host,
        language,
        *key,
    )
    etag = hashlib.blake2b(repr(full_key).encode(), digest_size=12).hexdigest()
    headers = {"ETag": f'"{etag}"', "Cache-Control": "no-cache", "Vary": "Accept-Language"}
    if not is_resource_modified(request.environ, etag=etag, last_modified=changed_at):
        response = Response(status=304, headers=headers)
    else:
        body = cache.get_or_build(
            full_key, lambda: json.dumps(build(), ensure_ascii=False).encode()
        )
        response = Response(body, mimetype="application/json", headers=headers)
    response.last_modified = changed_at
    return response


@bp.get("/posts/<slug>")
def read_post(slug: str):
    """A post, its questions and the first page of each thread's comments."""
    limit = _limit()
    post_id, changed_at = _post_version(slug)
    sort = _sort()
    return _cached_json(
        ("post", post_id, changed_at, limit, sort),
        changed_at,
        lambda: post_json(db.session.get(Post, post_id), limit, sort),
    )


@bp.get("/posts/<slug>/questions/<int:question_id>/comments")
def read_thread(slug: str, question_id: int):
    """One page of one thread; `after` is the `next` cursor of the page before."""
    limit, sort = _limit(), _sort()
    after = Cursor.decode(request.args["after"], sort) if "after" in request.args else None
    post_id, changed_at = _post_version(slug)
    return _cached_json(
        ("thread", post_id, changed_at, question_id, after, limit, sort),
        changed_at,
        lambda: thread_json(db.session.get(Post, post_id), question_id, after, limit, sort),
    )


@bp.get("/counts")
def counts():
    """Visible comments of many posts in one request, for a blog's index page."""
    slugs = list(dict.fromkeys(request.args.getlist("post")))
    if len(slugs) > MAX_COUNTED_POSTS:
        raise ApiError("too_many_posts")
    ids = dict(db.session.execute(select(Post.slug, Post.id).where(Post.slug.in_(slugs))).all())
    visible = visible_counts(list(ids.values())) if ids else {}
    response = jsonify(counts={slug: visible.get(post_id, 0) for slug, post_id in ids.items()})
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/openapi.json")
def openapi_document():
    """This API described in OpenAPI 3."""
    response = jsonify(openapi.document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- writing -----------------------------------------------------------------------------------


def _post_or_404(slug: str) -> Post:
    try:
        return post_or_404(slug)
    except NotFound:
        raise ApiError("post_not_found") from None


def _question_or_404(post: Post, question_id: int) -> Question:
    try:
        return question_or_404(post, question_id)
    except NotFound:
        raise ApiError("question_not_found") from None


def _thread_or_404(slug: str, question_id: int) -> tuple[Post, Question]:
    """One query when both exist; the API's own error for the one that does not."""
    try:
        return thread_or_404(slug, question_id)
    except NotFound:
        post = _post_or_404(slug)
        return post, _question_or_404(post, question_id)


@bp.get("/posts/<slug>/token")
def token(slug: str):
    """A short-lived token to write to this post, and the signed time the form was shown.

    A page asks for it when it shows its forms, so `form_ts` tells the spam check how long the
    reader took, exactly as the timestamp in Samtal's own form does.
    """
    access.refuse_foreign_origin()
    _post_version(slug)
    response = jsonify(
        token=access.write_token(slug),
        expires_in=access.token_seconds(),
        form_ts=signals.form_timestamp(),
        # The browser's id for likes: the widget keeps it (no cookies cross-origin).
        reader=browser.reader_token(browser.ensure_browser_id()),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


COMMENT_FIELDS = ("name", "email", "body", "parent_id", "notify")


def _not_text() -> str:
    return say("Ska vara text.", "Must be text.")


@bp.post("/posts/<slug>/questions/<int:question_id>/comments")
@limits.comments
def post_comment(slug: str, question_id: int):
    """Post an answer or a reply: the reader form's validation and the same posting path."""
    data = access.check_write(slug)
    post, question = _thread_or_404(slug, question_id)
    try:
        refuse_if_closed(post, question)
    except Conflict:
        raise ApiError("closed") from None
    form = CommentForm(formdata=form_data(data, COMMENT_FIELDS), meta={"csrf": False})
    # Only Samtal's own pages carry the staff session; a cross-origin call never has cookies.
    staff = current_staff() if access.cross_origin() is None else None
    posting.sign_as_staff(form, staff)
    if not form.validate():
        raise ApiError("validation_failed", fields=form.errors)
    try:
        comment = posting.submit(
            form,
            question,
            staff,
            ip=request.remote_addr,
            # A cross-origin call never has cookies; a same-origin page may hold the proof.
            writer_cookie=request.cookies.get(verification.COOKIE),
            form_time=_text(data, "ts"),
            trap=_text(data, "website"),
        )
    except posting.ThreadMismatch:
        raise ApiError("thread_mismatch") from None
    # The signed list of this browser's own comments: the widget keeps it to see its comment
    # while it waits, and to edit or delete it for a while (a page gets it as a cookie).
    own = browser.remember_own(comment.id)
    response = jsonify(comment=own_comment_json(comment), own=own)
    response.status_code = 201
    response.headers["Location"] = url_for(
        "reader.post", slug=slug, _anchor=f"kommentar-{comment.id}", _external=True
    )  # `slug`, not `post.slug`: the commit expired `post`, and reading it costs a query
    return response


def _text(data: dict, key: str) -> str | None:
    value = data.get(key)
    return value if clean_text(value) else None


def _editable_until(comment: Comment) -> str | None:
    if not browser.may_change(comment):
        return None
    window = timedelta(minutes=current_app.config["SAMTAL_EDIT_MINUTES"])
    return iso_utc(comment.created_at + window)


def public_state(comment: Comment) -> str:
    """What the writer is told: visible, waiting for their e-mail link, or waiting for review.

    A comment marked as spam or refused because of a ban is only "pending" to its writer, so
    the answer teaches a spammer nothing.
    """
    if comment.state in (CommentState.APPROVED, CommentState.HELD, CommentState.RECEIVED):
        return str(comment.state)
    return "pending"


def own_comment_json(comment: Comment) -> dict:
    """The writer's own comment as stored, with its text even while it waits."""
    organisation = None if comment.visible else verification.awaiting_organisation(comment)
    return {
        "awaiting_verification": organisation.name if organisation else None,
        "id": comment.id,
        "question_id": comment.question_id,
        "parent_id": comment.parent_id,
        "author": comment.author_name,
        "text": comment.body_raw,
        "html": comment.body_html,
        "state": public_state(comment),
        "created": iso_utc(comment.created_at),
        "edited": comment.edited_at is not None,
        "editable_until": _editable_until(comment),
    }


@bp.post("/comments/<int:comment_id>/reports")
@limits.reports
def report_comment(comment_id: int):
    """A reader reports a visible comment; enough reports send it back to the moderators."""
    comment = row_by_id(Comment, comment_id, with_for_update=True)
    if comment is None:
        raise ApiError("comment_not_found")
    data = access.check_write(comment.post.slug)
    form = ReportForm(formdata=form_data(data, ("reason", "note")), meta={"csrf": False})
    if not form.validate():
        raise ApiError("validation_failed", fields=form.errors)
    try:
        recorded = reports.report(
            comment, form.reason.data, ip=request.remote_addr, note=form.note.data
        )
    except reports.ReportError:
        db.session.rollback()
        raise ApiError("not_reportable") from None
    if not recorded:
        db.session.rollback()
        raise ApiError("already_reported")
    db.session.commit()
    return jsonify(reported=True), 201


# --- what one reader has: their likes and their own comments -----------------------------------


@bp.get("/posts/<slug>/mine")
def mine(slug: str):
    """This browser's likes and own comments on the post (X-Samtal-Reader / X-Samtal-Own, or
    cookies on Samtal's own pages). Never cached: the public reads stay the same for everyone."""
    post = _post_or_404(slug)
    own = db.session.scalars(
        select(Comment).where(Comment.id.in_(browser.own_ids()), Comment.post_id == post.id)
    ).all()
    shown = [c.id for c in own if c.visible]
    response = jsonify(
        liked=sorted(likes.liked_on_post(browser.browser_id(), post.id)),
        own=[own_comment_json(c) for c in own if c.visible or browser.shown_as_waiting(c)],
        shown=shown,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _visible_comment(comment_id: int) -> Comment:
    comment = row_by_id(Comment, comment_id, with_for_update=True)
    if comment is None:
        raise ApiError("comment_not_found")
    return comment


@bp.post("/comments/<int:comment_id>/likes")
@limits.likes
def like_comment(comment_id: int):
    """Like a comment, or take the like back: one like per browser."""
    comment = _visible_comment(comment_id)
    access.check_write(comment.post.slug)
    identity = browser.ensure_browser_id()
    try:
        liked, count = likes.toggle_like(comment, identity, request.remote_addr)
    except likes.LikeRefused as error:
        db.session.rollback()
        code = "too_many_likes" if isinstance(error, likes.TooManyFromHere) else "not_likeable"
        raise ApiError(code) from None
    db.session.commit()
    return jsonify(liked=liked, likes=count, reader=browser.reader_token(identity))


@bp.patch("/comments/<int:comment_id>")
def edit_comment(comment_id: int):
    """The writer changes their comment (from the browser that wrote it, for a while)."""
    comment = _visible_comment(comment_id)
    data = access.check_write(comment.post.slug)
    if not browser.may_change(comment):
        raise ApiError("not_yours")
    body = data.get("body")
    if not isinstance(body, str):
        raise ApiError("validation_failed", fields={"body": [_not_text()]})
    try:
        editing.edit_own(comment, body)
    except editing.EditRefused as error:
        db.session.rollback()
        raise ApiError("validation_failed", fields={"body": [str(error)]}) from None
    db.session.commit()
    db.session.refresh(comment)
    return jsonify(comment=own_comment_json(comment))


@bp.delete("/comments/<int:comment_id>")
def delete_comment(comment_id: int):
    """The writer takes their comment back; its replies keep their place."""
    comment = _visible_comment(comment_id)
    access.check_write(comment.post.slug, body_required=False)
    if not browser.may_change(comment, deleting=True):
        raise ApiError("not_yours")
    editing.delete_own(comment)
    db.session.commit()
    return "", 204


@bp.post("/preview")
@limits.previews
def preview():
    """A comment's text rendered by the sanitiser that will store it: exactly what will show."""
    access.refuse_foreign_origin()
    if request.mimetype != "application/json":
        raise ApiError("json_required")
    body = access.json_object().get("body")
    if not isinstance(body, str):
        raise ApiError("validation_failed", fields={"body": [_not_text()]})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ApiError("validation_failed", fields={"body": [too_long_message()]})
    return jsonify(html=render_comment(body))


# --- staff -------------------------------------------------------------------------------------


@bp.put("/posts/<slug>")
def put_post(slug: str):
    """Create or update a post from Markdown or HTML (staff bearer token)."""
    access.staff_token()
    source = posts.source_from_json(slug, access.json_object())
    post, created = save_post(source)
    db.session.commit()
    post_id, _ = _post_version(slug)
    body = post_json(db.session.get(Post, post_id), DEFAULT_PAGE)
    return jsonify(body), 201 if created else 200


def init_app(app: Flask) -> None:
    # Writes carry their own proof (a signed write token, or the CSRF token in a header).
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.after_request(add_cors_headers)
