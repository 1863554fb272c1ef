"""The JSON API under /api/v1, for blogs that embed Samtal: read threads, post, report.

`init_app` registers the blueprint, its CORS headers (for every /api/ answer, errors too), the
`tokens` command for staff bearer tokens, and the listener that versions threads for caching.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from ..extensions import csrf
from ..services import freshness  # noqa: F401  (registers the thread-version listener)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import views  # noqa: E402,F401  (the views register themselves on bp)
from .access import add_cors_headers  # noqa: E402
from .errors import ApiError, handle  # noqa: E402
from .tokens import tokens_cli  # noqa: E402

bp.register_error_handler(ApiError, handle)


def init_app(app: Flask) -> None:
    # Writes carry their own proof (a signed write token, or the CSRF token in a header).
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.after_request(add_cors_headers)
    app.cli.add_command(tokens_cli)
