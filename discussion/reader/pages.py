"""The post page, rendered once per thread version and shared by every reader.

What differs from one reader to the next is marked in the shared rendering and filled in by
string work on each request: the CSRF token, the comment forms' signed time, whether each like
button is pressed, and the change and delete forms under the reader's own comments. A page
whose shape is the reader's alone (a comment of theirs still waiting, the confirmation after
posting, a form sent back, staff, a message to show) is rendered for that reader, as before.

The key holds the post's thread version (`threads_changed_at`, the API's), so a published,
edited, deleted or liked comment is never served stale; the address (with its query: the open
reply or report form, the language switch's link back), the language and the reader's chosen
orders. The ETag adds the reader's own state, so one reader's page never answers another's.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable

from flask import Response, current_app, get_template_attribute, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.http import is_resource_modified

from ..comments import likes
from ..models import Comment, Post
from ..spam import signals
from ..web.rendered import RenderedCache
from . import browser

FORMAT_VERSION = 1  # part of every key: a deploy that changes the page misses the old entries
ETAG_SECONDS = 900  # a 304 may keep a page's CSRF token and form time this long (both last longer)
# NUL cannot come from a reader (the input guard refuses it), so it can only be a mark.
_MARK = re.compile("\x00([CTLO])([0-9]*)\x00")
_TOKEN, _FORM_TIME = "\x00C\x00", "\x00T\x00"

cache = RenderedCache(max_bytes=32 * 1024 * 1024)


class SharedPage(str):
    """A rendered page with all its marks, the ids of the comments it shows, and `plain`: the
    page for a reader who likes none of them and wrote none, marked for the token and time only.
    """

    shown: frozenset[int] = frozenset()
    # Encoded once and cut at the form time's marks, then the token's: joining the pieces is
    # several times faster than replacing a mark that occurs once per comment.
    plain: tuple[tuple[bytes, ...], ...] = ()


def shared_parts() -> dict:
    """The per-reader names of the templates, as marks for the shared rendering."""
    return {
        "csrf_token": lambda: _TOKEN,
        "form_ts": _FORM_TIME,
        "pressed": lambda comment_id: f"\x00L{comment_id}\x00",
        "own_slot": lambda comment_id: f"\x00O{comment_id}\x00",
        "own": frozenset(),
        "may_change": lambda comment, deleting=False: False,
    }


def shareable(waiting: set[int], new_id: int | None) -> bool:
    """Whether this reader's page has the shared shape (only marked parts differ)."""
    return not (
        waiting
        or current_user.is_authenticated
        or "_flashes" in session
        or (new_id is not None and new_id in browser.own_ids())
    )


def private(response: Response) -> Response:
    """Every post page is a reader's own: never stored by a shared cache, always revalidated."""
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def shared_page(
    post: Post,
    choices: dict[int, str],
    own_rows: list[Comment],
    render: Callable[[dict], tuple[str, list[int]]],
) -> Response:
    """The shared rendering of the post's page (built once per key), filled in for this reader;
    304 when the reader already has exactly this page."""
    key = (
        FORMAT_VERSION,
        current_app.config["SQLALCHEMY_DATABASE_URI"],
        post.id,
        post.threads_changed_at,
        request.host,
        request.full_path,
        str(get_locale()),
        tuple(sorted(choices.items())),
    )
    page = cache.get_or_build(key, lambda: _build(render))
    changeable = {
        comment.id: browser.may_change(comment)
        for comment in own_rows
        if comment.id in page.shown
        and (browser.may_change(comment) or browser.may_change(comment, deleting=True))
    }
    liked = likes.liked_by(browser.browser_id(), list(page.shown))
    token = generate_csrf()
    reader = (
        session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")),
        int(time.time() // ETAG_SECONDS),
        sorted(liked),
        sorted(changeable.items()),
    )
    etag = hashlib.blake2b(repr((key, reader)).encode(), digest_size=16).hexdigest()
    if not is_resource_modified(request.environ, etag=etag):
        response = Response(status=304)
    elif not liked and not changeable:  # most readers: two replacements, no pass over marks
        token_bytes = token.encode()
        body = _form_time().encode().join(token_bytes.join(pieces) for pieces in page.plain)
        response = Response(body, mimetype="text/html")
    else:
        body = _filled(page, post, own_rows, liked, changeable, token)
        response = Response(body, mimetype="text/html")
    response.set_etag(etag)
    return private(response)


_signed_now: tuple = (None, "")  # ((second, secret), the form time signed then)


def _form_time() -> str:
    """The comment forms' signed "shown now": the same for every reader within one second."""
    global _signed_now
    when = (int(time.time()), current_app.config["SECRET_KEY"])
    signed = _signed_now
    if signed[0] != when:
        signed = _signed_now = (when, signals.form_timestamp())
    return signed[1]


def _filled(
    page: SharedPage,
    post: Post,
    own_rows: list[Comment],
    liked: set[int],
    changeable: dict[int, bool],
    token: str,
) -> str:
    """The page with every mark replaced for this reader."""
    own_change = get_template_attribute("reader/_comment.html", "own_change")
    comments = {comment.id: comment for comment in own_rows}
    blocks = {
        comment_id: str(own_change(post, comments[comment_id], editable))
        for comment_id, editable in changeable.items()
    }
    form_ts = _form_time()

    def fill(mark: re.Match) -> str:
        kind, number = mark.group(1), mark.group(2)
        if kind == "C":
            return token
        if kind == "T":
            return form_ts
        if kind == "L":
            return "true" if int(number) in liked else "false"
        return blocks.get(int(number), "")

    return _MARK.sub(fill, page)


def _build(render: Callable[[dict], tuple[str, list[int]]]) -> SharedPage:
    html, shown = render(shared_parts())
    page = SharedPage(html)
    page.shown = frozenset(shown)
    plain = _MARK.sub(_for_nobody, html).encode()
    page.plain = tuple(
        tuple(part.split(_TOKEN.encode())) for part in plain.split(_FORM_TIME.encode())
    )
    return page


def _for_nobody(mark: re.Match) -> str:
    """A like or own-comment mark for a reader with neither; the token and time stay marked."""
    kind = mark.group(1)
    return "false" if kind == "L" else "" if kind == "O" else mark.group(0)
