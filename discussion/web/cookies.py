"""The one policy for the cookies Samtal sets for readers (language, a verified writer, …).

HttpOnly (no script reads them), SameSite=Lax (no other site's form sends them), and Secure
unless the deployment says it serves plain http (SAMTAL_COOKIE_SECURE=0, the demo).
"""

from __future__ import annotations

from flask import Response, current_app


def set_cookie(response: Response, name: str, value: str, max_age: int) -> Response:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response
