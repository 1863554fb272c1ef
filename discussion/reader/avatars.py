"""Avatars made here, from the commenter's keyed e-mail hash: no request to Gravatar or anyone.

A 5×5 mirrored pattern in one colour (an identicon) tells commenters apart at a glance; the
same address always gets the same picture, and nothing in it can be turned back into the
address (the hash is keyed with the site's secret). A comment without an address gets a plain
silhouette. SAMTAL_AVATARS=0 turns avatars off.
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app, url_for

from ..models import Comment

GENERIC = "x"
KEY = re.compile(r"^(?:[0-9a-f]{16}|x)$")
SIZE = 5


def avatar_key(comment: Comment) -> str:
    return comment.email_hash[:16] if comment.email_hash else GENERIC


def avatar_url(comment: Comment) -> str | None:
    if not current_app.config["SAMTAL_AVATARS"]:
        return None
    return url_for("reader.avatar", key=avatar_key(comment), _external=True)


def identicon(key: str) -> str:
    """The SVG for a key; the same key always draws the same picture."""
    if key == GENERIC:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img" '
            'aria-hidden="true"><rect width="10" height="10" fill="#d9d9de"/>'
            '<circle cx="5" cy="3.8" r="2" fill="#8a8f98"/>'
            '<path d="M1.5 10c0-2.6 1.6-4 3.5-4s3.5 1.4 3.5 4z" fill="#8a8f98"/></svg>'
        )
    digest = hashlib.sha256(key.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    colour = f"hsl({hue},55%,42%)"
    cells = []
    for row in range(SIZE):
        for column in range((SIZE + 1) // 2):
            if digest[2 + row * 3 + column] % 2:
                for x in {column, SIZE - 1 - column}:
                    cells.append(f'<rect x="{x + 0.5:g}" y="{row + 0.5:g}" width="1" height="1"/>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 6 6" role="img" aria-hidden="true">'
        f'<rect width="6" height="6" fill="#f1f2f4"/><g fill="{colour}">{"".join(cells)}</g></svg>'
    )
