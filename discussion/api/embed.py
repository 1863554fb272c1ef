"""The embed script at /embed.js: one <script> tag puts a post's threads on any allowed blog."""

from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("embed", __name__)


@bp.get("/embed.js")
def script():
    """The widget; browsers keep it an hour and then revalidate it by ETag."""
    response = current_app.send_static_file("embed.js")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
