"""Atom feeds (RFC 4287) of approved comments: site-wide, per post and per question.

Entry ids are tag URIs on the site's public host (SAMTAL_BASE_URL) and the comment's id and
creation date, so they stay the same however often and from wherever a feed is read. Content
is the comment's stored, sanitised HTML; nothing is rendered on the way out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Comment, CommentState, Post, Question
from ..posts.lookups import post_or_404, question_or_404
from ..times import iso_utc

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ENTRIES = 50
SITE_FEED_SINCE = datetime(2013, 9, 1)  # in the site feed's id: never change it
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
ET.register_namespace("", ATOM)


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _tag(created: datetime, specific: str) -> str:
    host = urlsplit(current_app.config["SAMTAL_BASE_URL"]).hostname or "localhost"
    return f"tag:{host},{created:%Y-%m-%d}:{specific}"


def _add(parent: ET.Element, name: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        element.text = _text(text)
    return element


def _changed(comment: Comment) -> datetime:
    return max(
        moment
        for moment in (comment.created_at, comment.processed_at, comment.decided_at)
        if moment
    )


def _entry(feed: ET.Element, comment: Comment) -> None:
    entry = _add(feed, "entry")
    _add(entry, "id", _tag(comment.created_at, f"kommentar-{comment.id}"))
    title = _(
        "%(name)s om ”%(question)s”", name=comment.author_name, question=comment.question.text
    )
    _add(entry, "title", title)
    _add(entry, "updated", iso_utc(_changed(comment)))
    _add(entry, "published", iso_utc(comment.created_at))
    author = _add(entry, "author")
    _add(author, "name", comment.author_name)
    link = url_for(
        "reader.post", slug=comment.post.slug, _anchor=f"kommentar-{comment.id}", _external=True
    )
    _add(entry, "link", rel="alternate", type="text/html", href=link)
    _add(entry, "content", comment.body_html or "", type="html")


def _feed(feed_id: str, title: str, page: str, comments: list[Comment], fallback: datetime):
    """The feed document, answered 304 when the client already has this version."""
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: "sv"})
    _add(feed, "id", feed_id)
    _add(feed, "title", title)
    updated = max((_changed(comment) for comment in comments), default=fallback)
    _add(feed, "updated", iso_utc(max(updated, fallback)))
    author = _add(feed, "author")
    _add(author, "name", current_app.config["SAMTAL_SITE_NAME"])
    _add(feed, "link", rel="self", type="application/atom+xml", href=request.base_url)
    _add(feed, "link", rel="alternate", type="text/html", href=page)
    _add(feed, "generator", "Samtal")
    for comment in comments:
        _entry(feed, comment)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


def _approved(*conditions) -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment)
            .join(Comment.question)
            .options(joinedload(Comment.question), joinedload(Comment.post))
            .where(Comment.state == CommentState.APPROVED, Question.hidden.is_(False), *conditions)
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(ENTRIES)
        ).unique()
    )


@bp.get("/kommentarer.atom")
def site():
    """The newest approved comments on every post."""
    changed = db.session.scalar(select(func.max(Post.threads_changed_at))) or SITE_FEED_SINCE
    name = current_app.config["SAMTAL_SITE_NAME"]
    return _feed(
        _tag(SITE_FEED_SINCE, "kommentarer"),
        _("Kommentarer på %(site)s", site=name),
        url_for("reader.index", _external=True),
        _approved(),
        changed,
    )


@bp.get("/<slug>/kommentarer.atom")
def post(slug: str):
    """The newest approved comments on one post, in all its threads."""
    post = post_or_404(slug)
    return _feed(
        _tag(post.created_at, f"inlagg-{post.id}"),
        _("Kommentarer till ”%(title)s”", title=post.title),
        url_for("reader.post", slug=post.slug, _external=True),
        _approved(Comment.post_id == post.id),
        post.threads_changed_at,
    )


@bp.get("/<slug>/trad/<int:question_id>/kommentarer.atom")
def question(slug: str, question_id: int):
    """The newest approved comments in one question's thread."""
    post = post_or_404(slug)
    question = question_or_404(post, question_id)
    return _feed(
        _tag(post.created_at, f"inlagg-{post.id}-fraga-{question.id}"),
        _("Svar på ”%(question)s”", question=question.text),
        url_for("reader.post", slug=post.slug, _anchor=f"trad-{question.id}", _external=True),
        _approved(Comment.question_id == question.id),
        post.threads_changed_at,
    )
