"""What the web process records for the spam check: a text fingerprint and the form's timing.

Light on purpose (no scikit-learn): it runs in every web request that posts a comment.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..models import utcnow

_FORM_SALT = "samtal.comment-form-time"
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fingerprint(text: str) -> str:
    """Equal for texts that differ only in case, accents' composition, spacing or punctuation."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return hashlib.sha256(_NOT_WORD.sub(" ", folded).strip().encode()).hexdigest()


# --- the form's own signals ----------------------------------------------------------------


def form_timestamp() -> str:
    """A signed 'the form was shown now', put in every comment form."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_FORM_SALT).dumps(0)


def form_signals(timestamp: str | None, honeypot: str | None) -> dict:
    """What the form tells about its filler: seconds from showing to posting, a filled trap."""
    signals: dict = {"honeypot": bool((honeypot or "").strip())}
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_FORM_SALT)
    max_age = current_app.config["SAMTAL_SPAM_FORM_MAX_AGE_SECONDS"]
    try:
        _, shown_at = serializer.loads(timestamp or "", max_age=max_age, return_timestamp=True)
    except SignatureExpired:
        signals["timestamp"] = "expired"
    except BadSignature:
        signals["timestamp"] = "missing" if not timestamp else "invalid"
    else:
        signals["timestamp"] = "valid"
        signals["seconds_to_post"] = round(
            (utcnow() - shown_at.replace(tzinfo=None)).total_seconds(), 2
        )
    return signals
