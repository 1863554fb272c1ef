"""Spam filtering for staff: the `spam` CLI and the admin's word lists at /moderera/ord."""

from flask import Blueprint

bp = Blueprint("spamfilter", __name__, url_prefix="/moderera/ord")

from . import views  # noqa: E402,F401  (the views register themselves on bp)
