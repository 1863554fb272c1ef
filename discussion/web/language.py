"""The UI's language: Swedish first, English too, chosen per request and remembered in a cookie.

A reader picks a language with a plain link (no JavaScript); e-mails ignore the choice and use
the site's default language (mail/kinds.py forces it).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, abort, current_app, has_request_context, redirect, request

from ..auth.views import safe_next
from ..config import LOCALES
from .cookies import set_cookie

# Each language named in itself, so a reader finds theirs whatever the page is in.
NAMES = {"sv": "Svenska", "en": "English"}
CHOICE = "lang"  # the query parameter and the cookie that carry a reader's choice
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("language", __name__)


def select_locale() -> str:
    """?lang=, then the reader's choice (cookie), then the browser's, then the site's default."""
    default = current_app.config["SAMTAL_DEFAULT_LOCALE"]
    if not has_request_context():  # a worker or a command: the site's language
        return default
    chosen = request.args.get(CHOICE) or request.cookies.get(CHOICE)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or default


@bp.get("/sprak/<code>")
def choose(code: str):
    """Remember the reader's language and go back to the page they were on (on this site only)."""
    if code not in LOCALES:
        abort(404)
    response = redirect(_without_lang(safe_next(request.args.get("next"), "reader.index")))
    return set_cookie(response, CHOICE, code, COOKIE_MAX_AGE)


def _without_lang(path: str) -> str:
    """Drop a ?lang= from the page to return to: it would override the choice just made."""
    parts = urlsplit(path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if key != CHOICE]
    return urlunsplit(parts._replace(query=urlencode(kept))) if len(kept) < len(pairs) else path


@bp.after_app_request
def _vary_by_language(response: Response) -> Response:
    """A page's language depends on these headers: tell caches, so none serves the wrong one."""
    if response.mimetype == "text/html":
        response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.app_context_processor
def _languages() -> dict:
    return {"languages": NAMES}
