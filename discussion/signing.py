"""Signed tokens for the links in e-mails, and absolute links back to the site.

Each purpose has its own salt, so a token made for one link (unsubscribe) is worthless for
another (verify an address). Expiry is checked where the token is read.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

VERIFY = "verify-address"
WRITER = "verified-writer"  # the cookie of a browser that verified an organisation address
REPLIES = "confirm-replies"
UNSUBSCRIBE = "unsubscribe"
READER = "reader-browser"  # a reader's browser: a random id, for likes
OWN = "own-comments"  # the comments a browser wrote, for showing and changing them
DATA = "reader-data"  # a reader's link to download or erase what is held about their address


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"samtal.{purpose}")


def sign(purpose: str, value: Any) -> str:
    return _serializer(purpose).dumps(value)


def unsign(purpose: str, token: str | None, max_age: float | None = None) -> Any | None:
    """The signed value, or None for a forged, mangled or expired token."""
    if not token:
        return None
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature
        return None


def absolute_url(endpoint: str, _anchor: str | None = None, **values: Any) -> str:
    """A link for an e-mail, built on SAMTAL_BASE_URL since a worker has no request to go by."""
    base = urlsplit(current_app.config["SAMTAL_BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{_anchor}" if _anchor else url


def site_url(path: str = "/") -> str:
    """A path on the site as an absolute link, for pages outside this package's blueprints."""
    return current_app.config["SAMTAL_BASE_URL"].rstrip("/") + path
