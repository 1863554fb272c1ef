"""What readers' addresses agreed to: reply notifications (double opt-in), or no mail at all.

Readers have no accounts; a signed link in every e-mail to them unsubscribes in one click, and
an unsubscribed address gets nothing more until it confirms reply notifications again.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from .. import signing
from ..domains import parse_address
from ..extensions import db
from ..models import Comment, ReaderAddress, utcnow

log = logging.getLogger(__name__)

CONFIRM_REPLIES_DAYS = 30


def reader_address(key: str) -> ReaderAddress:
    """The stored preferences of a reader's (normalised) address, created on first use."""
    reader = db.session.scalar(select(ReaderAddress).where(ReaderAddress.email == key))
    if reader is None:
        reader = ReaderAddress(email=key)
        db.session.add(reader)
        db.session.flush()
    return reader


def unsubscribed(key: str) -> bool:
    return (
        db.session.scalar(
            select(ReaderAddress.id).where(
                ReaderAddress.email == key, ReaderAddress.unsubscribed_at.is_not(None)
            )
        )
        is not None
    )


def unsubscribe_link(key: str) -> str:
    return signing.absolute_url(
        "email_links.unsubscribe", token=signing.sign(signing.UNSUBSCRIBE, key)
    )


def unsubscribe(token: str) -> str | None:
    """Stop all e-mail to a reader's address; the address, or None for a bad token."""
    key = signing.unsign(signing.UNSUBSCRIBE, token)
    if not isinstance(key, str) or parse_address(key) is None:
        return None
    reader = reader_address(key)
    reader.unsubscribed_at = reader.unsubscribed_at or utcnow()
    reader.replies_confirmed_at = None
    db.session.commit()
    log.info("reader address %s unsubscribed", reader.id)
    return key


def confirm_replies(token: str) -> tuple[bool, Comment | None]:
    """Confirm an address for reply notifications: (done, the visible reply that asked)."""
    value = signing.unsign(signing.REPLIES, token, max_age=CONFIRM_REPLIES_DAYS * 86400)
    if not isinstance(value, dict) or parse_address(value.get("address")) is None:
        return False, None
    reader = reader_address(value["address"])
    reader.replies_confirmed_at = reader.replies_confirmed_at or utcnow()
    reader.unsubscribed_at = None
    db.session.commit()
    reply = db.session.get(Comment, int(value.get("reply") or 0))
    return True, reply if reply is not None and reply.visible else None
