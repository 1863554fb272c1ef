"""The rate limits, each one budget per IP address whichever door a request comes through.

The reader's form and the JSON API share each budget (Flask-Limiter's shared limits), so five
comments a minute means five, not five from the page and five more from the API. Only accepted
comments count: a refused request (400, 403, 409, 413, 415, 422) costs the reader nothing, so
mistakes never lock anyone out.
"""

from __future__ import annotations

from flask import Response, current_app

from ..extensions import limiter


def _setting(name: str):
    return lambda: current_app.config[name]


def accepted(response: Response) -> bool:
    """A comment was taken: the form redirects (302), the API answers 201."""
    return response.status_code in (201, 302)


comments = limiter.shared_limit(
    _setting("SAMTAL_COMMENT_RATE_LIMIT"), scope="comments", deduct_when=accepted
)
reports = limiter.shared_limit(_setting("SAMTAL_REPORT_RATE_LIMIT"), scope="reports")
logins = limiter.limit(_setting("SAMTAL_LOGIN_RATE_LIMIT"), methods=["POST"])
likes = limiter.shared_limit(_setting("SAMTAL_LIKE_RATE_LIMIT"), scope="likes")
previews = limiter.shared_limit(_setting("SAMTAL_PREVIEW_RATE_LIMIT"), scope="previews")
