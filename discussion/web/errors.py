"""Error pages and bad-input guards: a readable Swedish page, or JSON if the client asks."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from urllib.parse import parse_qsl

from babel.numbers import format_decimal
from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import format_number
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from ..config import COMMENT_MAX_LENGTH, LOCALES
from ..database import connection_lost
from ..extensions import db
from ..models import MAX_ID

log = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")


def _titles() -> dict[int, str]:
    return {
        400: _("Felaktig förfrågan"),
        403: _("Åtkomst nekad"),
        404: _("Sidan finns inte"),
        405: _("Metoden stöds inte"),
        409: _("Det går inte just nu"),
        413: _("För stor förfrågan"),
        415: _("Formatet stöds inte"),
        422: _("Kontrollera uppgifterna"),
        429: _("För många förfrågningar"),
        500: _("Något gick fel"),
        503: _("Tillfälligt avbrott"),
    }


def _messages() -> dict[int, str]:
    return {
        404: _("Vi hittar inte det du letar efter."),
        405: _("Adressen finns, men inte för den här metoden."),
        413: _(
            "Det du skickade är för stort. En kommentar får vara högst %(max)s tecken.",
            max=format_number(COMMENT_MAX_LENGTH),
        ),
        429: _("Du har skickat för mycket på kort tid. Vänta en stund och försök igen."),
        500: _(
            "Ett oväntat fel inträffade. Det har loggats, och en kommentar som togs emot "
            "går inte förlorad."
        ),
        503: _("Vi tappade kontakten med databasen en kort stund. Försök igen om en liten stund."),
    }


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


# The JSON API's answers to errors raised outside its own views: a stable code and both languages.
API_PREFIX = "/api/"
API_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "Felaktig förfrågan.", "Bad request."),
    401: ("unauthorized", "Inloggning krävs.", "Authentication required."),
    403: ("forbidden", "Åtkomst nekad.", "Forbidden."),
    404: ("not_found", "Det finns inget här.", "Not found."),
    405: ("method_not_allowed", "Metoden stöds inte här.", "Method not allowed."),
    409: ("conflict", "Det går inte just nu.", "Conflict with the current state."),
    413: (
        "payload_too_large",
        "Förfrågan är för stor. En kommentar får vara högst "
        f"{format_decimal(COMMENT_MAX_LENGTH, locale='sv')} tecken.",
        "The request is too large. A comment may have at most "
        f"{format_decimal(COMMENT_MAX_LENGTH, locale='en')} characters.",
    ),
    415: (
        "unsupported_media_type",
        "Skicka JSON (Content-Type: application/json).",
        "Send JSON (Content-Type: application/json).",
    ),
    422: ("validation_failed", "Kontrollera uppgifterna.", "Check the fields."),
    429: (
        "rate_limited",
        "För många förfrågningar. Vänta en stund och försök igen.",
        "Too many requests. Wait a while and try again.",
    ),
    500: ("server_error", "Något gick fel. Felet är loggat.", "Something went wrong; logged."),
    503: (
        "unavailable",
        "Tillfälligt avbrott i databasen. Försök igen om en liten stund.",
        "The database was briefly unavailable. Try again in a moment.",
    ),
}


def api_language() -> str:
    """sv or en, by the Accept-Language header, else the site's default language."""
    best = request.accept_languages.best_match(LOCALES)
    return best or current_app.config.get("SAMTAL_DEFAULT_LOCALE", "sv")


def api_error(status: int, code: str | None = None, messages=None, **extra):
    """A JSON error: `{"error": {"status", "code", "message", ...}}`, message in sv or en."""
    default_code, sv, en = API_ERRORS.get(status, API_ERRORS[500 if status >= 500 else 400])
    sv, en = messages or (sv, en)
    language = api_language()
    message = sv if language == "sv" else en
    body = {"status": status, "code": code or default_code, "message": message}
    body.update({key: value for key, value in extra.items() if value is not None})
    response = jsonify(error=body)
    response.status_code = status
    response.headers["Content-Language"] = language
    return response


def render_error(status: int, message: str | None = None):
    if request.path.startswith(API_PREFIX):
        return api_error(status, detail=message)
    title = _titles().get(status, _("Fel"))
    message = message or _messages().get(status) or title
    if wants_json():
        return jsonify(error={"status": status, "message": message}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _http_error(error: HTTPException):
    description = error.description
    default = type(error).description
    custom = description if description and description != default else None
    return render_error(error.code or 500, custom)


def _rate_limited(error: RateLimitExceeded):
    """Flask-Limiter's 429 names the limit in English; readers get the Swedish page instead."""
    return render_error(429)


def _csrf_error(error: CSRFError):
    return render_error(
        400,
        _("Formuläret har gått ut eller saknar sin säkerhetskod. Ladda om sidan och försök igen."),
    )


def _server_error(error: Exception):
    original = getattr(error, "original_exception", None) or error
    if connection_lost(original) or isinstance(original, OperationalError):
        return _database_unavailable(original)
    db.session.rollback()
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    return render_error(500)


def _database_unavailable(error: Exception):
    """The connection ended mid-write (or none could be opened): what was cut is not stored
    (the transaction died with it), so the reader is asked to try again, not told of a bug."""
    with contextlib.suppress(DBAPIError):
        db.session.rollback()
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    response = make_response(render_error(503))
    response.headers["Retry-After"] = "5"
    return response


def _not_utf8() -> BadRequest:
    return BadRequest(_("Texten är inte giltig UTF-8. Skicka den igen från formuläret."))


def _has_nul() -> BadRequest:
    return BadRequest(_("Texten innehåller ett otillåtet tecken (NUL)."))


def _form_values(raw: bytes) -> list[str]:
    try:
        pairs = parse_qsl(raw.decode("utf-8"), encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise _not_utf8() from None
    return [text for pair in pairs for text in pair]


def _multipart_values(raw: bytes, boundary: str) -> list[str]:
    """Each part's name and content, decoded strictly: Werkzeug's own parser would replace
    invalid UTF-8 without a word. Samtal takes no files, so every part is text."""
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    decoder.receive_data(raw)
    decoder.receive_data(None)
    values, current = [], b""
    try:
        while not isinstance(event := decoder.next_event(), NeedData | Epilogue):
            if isinstance(event, Field | File):
                values.append(event.name)
                current = b""
            elif isinstance(event, Data):
                current += event.data
                if not event.more_data:
                    values.append(current.decode("utf-8"))
    except UnicodeDecodeError:
        raise _not_utf8() from None
    except ValueError:
        raise BadRequest(_("Formuläret kunde inte läsas.")) from None
    return values


def _json_values(raw: bytes) -> list[str]:
    """Every key and string of a JSON body (bad JSON itself is for the view to answer)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8() from None
    try:
        data = json.loads(text)
    except ValueError:
        return []
    values, stack = [], [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            values.append(item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            values.extend(key for key in item if isinstance(key, str))
            stack.extend(item.values())
    return values


def _reject_unstorable_text():
    """Refuse a body that is not valid UTF-8 or carries NUL (or a lone surrogate), whatever its
    content type, before any view sees it: PostgreSQL cannot store NUL in text, and nothing
    a reader sends may be silently changed on the way in. 400 with a readable message."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        values = _form_values(request.get_data(cache=True))
    elif mimetype == "multipart/form-data" and request.mimetype_params.get("boundary"):
        values = _multipart_values(
            request.get_data(cache=True), request.mimetype_params["boundary"]
        )
    elif mimetype == "application/json" or mimetype.endswith("+json"):
        values = _json_values(request.get_data(cache=True))
    else:
        return None
    if any("\x00" in value for value in values):
        raise _has_nul()
    if any(_SURROGATE.search(value) for value in values):
        raise _not_utf8()
    return None


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number no row can have (beyond the database's integer
    range) arrives in the view as 0, which no row has either, so each view answers its own
    404 ("Kommentaren finns inte") instead of the database driver failing on the number."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the converter applies to the routes added after it."""
    app.url_map.converters["int"] = RowIdConverter
    app.before_request(_reject_unstorable_text)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(Exception, _server_error)
