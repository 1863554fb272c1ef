"""Commenters known by keyed hashes: the database identifies them without storing an address
or an IP twice in the clear."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def identity_hash(value: str | None) -> str | None:
    """A keyed hash of an address or IP (trimmed, case-folded); None for nothing."""
    if not value:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.strip().lower().encode(), hashlib.sha256).hexdigest()
