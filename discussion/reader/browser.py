"""What Samtal remembers in a reader's browser, without an account: signed, and nothing more.

- The browser's id: random, signed, kept a year. Likes are counted per browser (its id hashed).
- The comments this browser wrote: their ids, signed, for a while. The writer sees their own
  comment while it waits for review, and may change or delete it for SAMTAL_EDIT_MINUTES.
- The order the reader chose for each thread (not signed: it is only a preference).

The embed widget cannot use cookies (it runs on another site and talks to the API without
them), so it keeps the same signed values in the host page's localStorage and sends them as
headers: `X-Samtal-Reader` (the browser id) and `X-Samtal-Own` (the comments it wrote).
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from flask import Flask, Response, current_app, g, request

from .. import signing
from ..models import Comment, CommentState, utcnow
from ..web.cookies import set_cookie

READER_COOKIE = "samtal_reader"
OWN_COOKIE = "samtal_mine"
SORT_COOKIE = "samtal_sortering"
READER_HEADER = "X-Samtal-Reader"
OWN_HEADER = "X-Samtal-Own"
YEAR = 365 * 24 * 3600
OWN_KEPT = 30  # the newest comments a browser remembers having written
OWN_DAYS = 30
SORTS = ("oldest", "newest", "liked")


def _header_or_cookie(header: str, cookie: str) -> str | None:
    return request.headers.get(header) or request.cookies.get(cookie)


# --- the browser's id --------------------------------------------------------------------------


def browser_id() -> str | None:
    """This browser's id, if it has a genuine one."""
    value = signing.unsign(signing.READER, _header_or_cookie(READER_HEADER, READER_COOKIE))
    return value if isinstance(value, str) and len(value) == 32 else None


def ensure_browser_id() -> str:
    """This browser's id, made now (and set as a cookie on the answer) if it had none."""
    known = browser_id() or g.get("samtal_new_reader")
    if known:
        return known
    g.samtal_new_reader = secrets.token_hex(16)
    return g.samtal_new_reader


def reader_token(identity: str) -> str:
    """The signed value of a browser id, for the cookie or the widget's localStorage."""
    return signing.sign(signing.READER, identity)


# --- the comments this browser wrote -------------------------------------------------------------


def own_ids() -> list[int]:
    """The comments this browser says it wrote; the signature is checked once per request
    (a page asks for every comment it shows)."""
    if "samtal_own_sent" not in g:
        value = signing.unsign(
            signing.OWN, _header_or_cookie(OWN_HEADER, OWN_COOKIE), max_age=OWN_DAYS * 86400
        )
        items = value if isinstance(value, list) else []
        g.samtal_own_sent = [i for i in items if isinstance(i, int) and not isinstance(i, bool)]
    return g.samtal_own_sent


def remember_own(comment_id: int) -> str:
    """Add a comment to the ones this browser wrote; the new signed value (also set as cookie)."""
    ids = [each for each in own_ids() if each != comment_id] + [comment_id]
    g.samtal_own = ids[-OWN_KEPT:]
    return own_token(g.samtal_own)


def own_token(ids: list[int]) -> str:
    return signing.sign(signing.OWN, ids)


def wrote(comment: Comment) -> bool:
    return comment.id in (g.get("samtal_own") or own_ids())


def shown_as_waiting(comment: Comment) -> bool:
    """A comment its writer still sees as waiting: not decided yet, or refused by the system
    alone (spam, a ban), which the writer is not told so that a spammer learns nothing."""
    if comment.state in (CommentState.RECEIVED, CommentState.HELD, CommentState.PENDING):
        return True
    refused = comment.state in (CommentState.SPAM, CommentState.REJECTED)
    return refused and comment.decided_at is None


EDITABLE = frozenset({CommentState.RECEIVED, CommentState.PENDING, CommentState.APPROVED})
DELETABLE = EDITABLE | {CommentState.HELD}


def may_change(comment: Comment, *, deleting: bool = False) -> bool:
    """The writer may edit (or delete) their comment from this browser for a while."""
    if not wrote(comment) or comment.user_id is not None:
        return False
    if comment.state not in (DELETABLE if deleting else EDITABLE):
        return False
    window = timedelta(minutes=current_app.config["SAMTAL_EDIT_MINUTES"])
    return utcnow() - comment.created_at <= window


# --- the order of each thread --------------------------------------------------------------------


def sort_choices() -> dict[int, str]:
    try:
        raw = json.loads(request.cookies.get(SORT_COOKIE) or "{}")
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    return {
        int(key): value
        for key, value in raw.items()
        if str(key).isascii() and str(key).isdigit() and value in SORTS
    }


def choose_sort(question_id: int, order: str) -> None:
    choices = sort_choices()
    choices.pop(question_id, None)
    choices[question_id] = order
    g.samtal_sorts = dict(list(choices.items())[-50:])


# --- the cookies, set on the way out -------------------------------------------------------------


def _set_cookies(response: Response) -> Response:
    new_reader = g.get("samtal_new_reader")
    if new_reader:
        set_cookie(response, READER_COOKIE, reader_token(new_reader), YEAR)
    if g.get("samtal_own") is not None:
        set_cookie(response, OWN_COOKIE, own_token(g.samtal_own), OWN_DAYS * 86400)
    if g.get("samtal_sorts") is not None:
        set_cookie(response, SORT_COOKIE, json.dumps(g.samtal_sorts), YEAR)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_cookies)
