"""The API's own errors: each has a stable code, an HTTP status and a Swedish and English message.

Clients branch on `code`; `message` is for people, in the language Accept-Language asks for.
The JSON body itself is built by `discussion.errors.api_error`, shared with the errors raised
outside the API's views (unknown URL, too large a body, rate limits, crashes).
"""

from __future__ import annotations

from typing import Any

from ..web.errors import api_error, api_language

# code: (status, Swedish, English)
CATALOGUE: dict[str, tuple[int, str, str]] = {
    "bad_parameter": (400, "En parameter har fel värde.", "A parameter has a wrong value."),
    "bad_cursor": (
        400,
        "Sidmarkören är ogiltig. Börja om från första sidan.",
        "The page cursor is invalid. Start again from the first page.",
    ),
    "too_many_posts": (
        400,
        "Fråga efter högst 100 inlägg åt gången.",
        "Ask for at most 100 posts at a time.",
    ),
    "invalid_json": (
        400,
        "Innehållet är inte giltig JSON (ett objekt i UTF-8).",
        "The body is not valid JSON (an object in UTF-8).",
    ),
    "thread_mismatch": (
        400,
        "Kommentaren du svarar på hör inte till den här tråden.",
        "The comment you reply to is not in this thread.",
    ),
    "staff_token_required": (
        401,
        "Det här kräver en API-nyckel för redaktionen (Authorization: Bearer …).",
        "This needs a staff API token (Authorization: Bearer …).",
    ),
    "origin_not_allowed": (
        403,
        "Den här webbplatsen får inte skicka kommentarer hit.",
        "This website may not send comments here.",
    ),
    "token_missing": (
        403,
        "Skrivnyckel saknas: hämta en från /api/v1/posts/{slug}/token.",
        "Write token missing: get one from /api/v1/posts/{slug}/token.",
    ),
    "token_invalid": (403, "Skrivnyckeln är ogiltig.", "The write token is invalid."),
    "token_expired": (
        403,
        "Skrivnyckeln har gått ut. Hämta en ny och försök igen.",
        "The write token has expired. Get a new one and try again.",
    ),
    "token_wrong_post": (
        403,
        "Skrivnyckeln gäller ett annat inlägg.",
        "The write token is for another post.",
    ),
    "csrf_invalid": (
        403,
        "Säkerhetskoden saknas eller har gått ut. Ladda om sidan.",
        "The CSRF token is missing or expired. Reload the page.",
    ),
    "post_not_found": (
        404,
        "Det finns inget inlägg med den adressen.",
        "There is no post with that slug.",
    ),
    "question_not_found": (
        404,
        "Frågan finns inte i det här inlägget.",
        "The question is not in this post.",
    ),
    "comment_not_found": (404, "Kommentaren finns inte.", "There is no such comment."),
    "closed": (
        409,
        "Tråden är stängd för nya kommentarer.",
        "The thread is closed for new comments.",
    ),
    "not_reportable": (
        409,
        "Kommentaren visas inte och kan inte anmälas.",
        "The comment is not shown and cannot be reported.",
    ),
    "not_likeable": (
        409,
        "Kommentaren visas inte och kan inte gillas.",
        "The comment is not shown and cannot be liked.",
    ),
    "too_many_likes": (
        409,
        "Kommentaren har redan gillats många gånger från din adress.",
        "This comment has already been liked many times from your address.",
    ),
    "not_yours": (
        403,
        "Du kan bara ändra dina egna kommentarer, från samma webbläsare och en kort stund.",
        "You can only change your own comments, from the same browser, for a short while.",
    ),
    "already_reported": (
        409,
        "Du har redan anmält den här kommentaren.",
        "You have already reported this comment.",
    ),
    "json_required": (
        415,
        "Skicka JSON (Content-Type: application/json).",
        "Send JSON (Content-Type: application/json).",
    ),
    "validation_failed": (
        422,
        "Kontrollera uppgifterna.",
        "Check the fields.",
    ),
}


class ApiError(Exception):
    """Raised anywhere in an API view; answered as JSON with the code's status and messages."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.status = CATALOGUE[code][0]
        self.extra = extra

    def response(self):
        status, swedish, english = CATALOGUE[self.code]
        response = api_error(status, self.code, (swedish, english), **self.extra)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="samtal"'
        return response


def say(swedish: str, english: str) -> str:
    """A message in the language the API client asked for."""
    return swedish if api_language() == "sv" else english


def handle(error: ApiError):
    return error.response()
