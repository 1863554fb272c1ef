"""What readers see and do: the list of posts, a post with its question threads, replying."""

from flask import Blueprint

bp = Blueprint("reader", __name__)

from . import reports, views  # noqa: E402,F401  (the views register themselves on bp)
