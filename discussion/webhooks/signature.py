"""The signature on every webhook request, which its receiver checks with the shared secret.

    X-Samtal-Timestamp: 1764747600
    X-Samtal-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

The timestamp is part of what is signed, so a receiver that refuses old timestamps also refuses
a recorded request played again later. The README shows a receiver's check in Python.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP = "X-Samtal-Timestamp"
SIGNATURE = "X-Samtal-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP: str(timestamp), SIGNATURE: sign(secret, timestamp, body)}
