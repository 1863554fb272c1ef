"""Who may use the API from where: allowed origins (CORS), write tokens and staff bearer tokens.

A browser on a blog listed in SAMTAL_ALLOWED_ORIGINS reads and writes cross-origin; any other
site's pages cannot, because they get no CORS headers (so their scripts cannot read a write
token) and their writes are refused outright. A write needs JSON, which a plain HTML form on
another site cannot send, plus either a short-lived token signed for the post (from
`GET /api/v1/posts/{slug}/token`) or, on Samtal's own pages, the form's CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request
from flask_wtf.csrf import ValidationError, validate_csrf
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, utcnow
from ..signing import sign, unsign
from ..web.errors import API_PREFIX
from .errors import ApiError

WRITE = "api-write"
TOKEN_HEADER = "X-Samtal-Token"
CSRF_HEADER = "X-CSRFToken"
EXPOSED = "ETag, Last-Modified, Retry-After, Content-Language"
PREFLIGHT_HEADERS = (
    f"Content-Type, {TOKEN_HEADER}, {CSRF_HEADER}, If-None-Match, Accept-Language, "
    "X-Samtal-Reader, X-Samtal-Own"
)


# --- origins and CORS --------------------------------------------------------------------------


def _own_origin() -> str:
    return request.host_url.rstrip("/")


def allowed_origins() -> set[str]:
    return {origin.rstrip("/").lower() for origin in current_app.config["SAMTAL_ALLOWED_ORIGINS"]}


def cross_origin() -> str | None:
    """The Origin of a cross-origin request, None for same-origin and non-browser clients."""
    origin = request.headers.get("Origin")
    if not origin or origin.rstrip("/").lower() == _own_origin().lower():
        return None
    return origin


def origin_allowed(origin: str) -> bool:
    return origin.rstrip("/").lower() in allowed_origins()


def add_cors_headers(response: Response) -> Response:
    """CORS for the allowed origins only, on every API answer including errors and preflights."""
    if not request.path.startswith(API_PREFIX):
        return response
    response.vary.add("Origin")
    origin = cross_origin()
    if origin is None or not origin_allowed(origin):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = PREFLIGHT_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def refuse_foreign_origin() -> None:
    """A browser on a site that is not allowed gets nothing to write with."""
    origin = cross_origin()
    if origin is not None and not origin_allowed(origin):
        raise ApiError("origin_not_allowed")


# --- writes: JSON plus a write token or the CSRF token ------------------------------------------


def write_token(slug: str) -> str:
    return sign(WRITE, slug)


def token_seconds() -> int:
    return current_app.config["SAMTAL_WRITE_TOKEN_SECONDS"]


def check_write(slug: str, *, body_required: bool = True) -> dict:
    """Guard a write to the post `slug`; returns the JSON object the request carries.

    A DELETE carries no body (`body_required=False`): only the token is checked.
    """
    refuse_foreign_origin()
    if body_required and request.mimetype != "application/json":
        raise ApiError("json_required")
    token = request.headers.get(TOKEN_HEADER)
    if token:
        _check_token(token, slug)
    elif cross_origin() is None and request.headers.get(CSRF_HEADER):
        try:
            validate_csrf(request.headers[CSRF_HEADER])
        except ValidationError:
            raise ApiError("csrf_invalid") from None
    else:
        raise ApiError("token_missing")
    return json_object() if body_required else {}


def _check_token(token: str, slug: str) -> None:
    signed_slug = unsign(WRITE, token, max_age=token_seconds())
    if signed_slug is None:
        raise ApiError("token_expired" if unsign(WRITE, token) is not None else "token_invalid")
    if signed_slug != slug:
        raise ApiError("token_wrong_post")


def json_object() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError("invalid_json")
    return data


# --- staff bearer tokens -----------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str) -> tuple[ApiToken, str]:
    """A new staff token; the secret is returned once and only its hash is stored."""
    secret = "samtal_" + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=_digest(secret))
    db.session.add(row)
    db.session.flush()
    return row, secret


def staff_token() -> ApiToken:
    """The active token in `Authorization: Bearer …`, or 401."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError("staff_token_required")
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret.strip())))
    if row is None or not row.active:
        raise ApiError("staff_token_required")
    row.last_used_at = utcnow()
    return row
