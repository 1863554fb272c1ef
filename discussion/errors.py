"""Error pages and bad-input guards: a readable Swedish page, or JSON if the client asks."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from .extensions import db

log = logging.getLogger(__name__)


def _titles() -> dict[int, str]:
    return {
        400: _("Felaktig förfrågan"),
        403: _("Åtkomst nekad"),
        404: _("Sidan finns inte"),
        405: _("Metoden stöds inte"),
        413: _("För stor förfrågan"),
        415: _("Formatet stöds inte"),
        422: _("Kontrollera uppgifterna"),
        429: _("För många förfrågningar"),
        500: _("Något gick fel"),
    }


def _messages() -> dict[int, str]:
    return {
        404: _("Vi hittar inte det du letar efter."),
        405: _("Adressen finns, men inte för den här metoden."),
        413: _("Det du skickade är för stort. En kommentar får vara högst 5 000 tecken."),
        429: _("Du har skickat för mycket på kort tid. Vänta en stund och försök igen."),
        500: _(
            "Ett oväntat fel inträffade. Det har loggats, och en kommentar som togs emot "
            "går inte förlorad."
        ),
    }


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(status: int, message: str | None = None):
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


def _csrf_error(error: CSRFError):
    return render_error(
        400,
        _("Formuläret har gått ut eller saknar sin säkerhetskod. Ladda om sidan och försök igen."),
    )


def _server_error(error: Exception):
    db.session.rollback()
    original = getattr(error, "original_exception", None) or error
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    return render_error(500)


def _reject_undecodable_forms():
    """Refuse form posts that are not valid UTF-8 or carry NUL bytes, before any view sees them."""
    if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
        return None
    raw = request.get_data(cache=True)
    try:
        pairs = parse_qsl(raw.decode("utf-8"), encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(
            _("Texten är inte giltig UTF-8. Skicka den igen från formuläret.")
        ) from None
    if any("\x00" in key or "\x00" in value for key, value in pairs):
        raise BadRequest(_("Texten innehåller ett otillåtet tecken (NUL)."))
    return None


def init_app(app: Flask) -> None:
    app.before_request(_reject_undecodable_forms)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(Exception, _server_error)
