"""Bans: a commenter kept out by e-mail hash and/or IP hash until the ban expires.

A banned commenter's new comments are rejected by the routing (`comments.routing`); a ban
applies to the whole site, so only moderators and admins give one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select

from ..extensions import db
from ..models import Ban, Comment, User, utcnow
from ..refusals import Refusal


class BanError(Refusal):
    """A ban that cannot be given; the message is fit to show."""


# Built once, as every comment's routing asks it. A NULL hash matches no ban (`= NULL` is
# never true), so a comment without an e-mail address is looked up by its IP address alone.
def _in_force(now):
    """A ban with no end, or one that ends after `now`."""
    return or_(Ban.expires_at.is_(None), Ban.expires_at > now)


ACTIVE_BAN = (
    select(Ban)
    .where(
        or_(Ban.email_hash == bindparam("email"), Ban.ip_hash == bindparam("ip")),
        _in_force(bindparam("now")),
    )
    .order_by(Ban.id)
    .limit(1)
)


def active_ban(email_hash: str | None, ip_hash: str | None) -> Ban | None:
    if not email_hash and not ip_hash:
        return None
    return db.session.scalar(
        ACTIVE_BAN, {"email": email_hash or None, "ip": ip_hash or None, "now": utcnow()}
    )


def active_bans_of(comments: Iterable[Comment]) -> list[Ban]:
    """The active bans of the writers of many comments at once (one query), oldest first:
    `ban_among` then finds each one's as `active_ban` would."""
    emails = sorted({c.email_hash for c in comments if c.email_hash})
    ips = sorted({c.ip_hash for c in comments if c.ip_hash})
    if not emails and not ips:
        return []
    return list(
        db.session.scalars(
            select(Ban)
            .where(
                or_(Ban.email_hash.in_(emails), Ban.ip_hash.in_(ips)),
                _in_force(utcnow()),
            )
            .order_by(Ban.id)
        )
    )


def ban_among(bans: list[Ban], email_hash: str | None, ip_hash: str | None) -> Ban | None:
    """The first of `bans` (from `active_bans_of`) that keeps this writer out."""
    return next(
        (
            ban
            for ban in bans
            if (email_hash and ban.email_hash == email_hash) or (ip_hash and ban.ip_hash == ip_hash)
        ),
        None,
    )


def ban_commenter(
    comment: Comment,
    user: User,
    *,
    by_email: bool,
    by_ip: bool,
    days: int | None,
    reason: str | None = None,
) -> Ban:
    """Keep the comment's writer out by e-mail hash and/or IP hash; None days means for good.

    The ban applies to comments processed from now on; this and earlier comments keep
    their state until a moderator decides about them.
    """
    email_hash = comment.email_hash if by_email else None
    ip_hash = comment.ip_hash if by_ip else None
    if by_email and not email_hash:
        raise BanError(_("Kommentaren har ingen e-postadress att stänga av."))
    if by_ip and not ip_hash:
        raise BanError(_("Kommentaren har ingen IP-adress att stänga av."))
    if not (email_hash or ip_hash):
        raise BanError(_("Välj e-postadress, IP-adress eller båda."))
    if days is not None and days <= 0:
        raise BanError(_("Avstängningen måste gälla minst en dag."))
    ban = Ban(
        email_hash=email_hash,
        ip_hash=ip_hash,
        reason=(reason or "").strip() or None,
        created_by_id=user.id,
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    db.session.add(ban)
    db.session.flush()
    return ban


def lift_ban(ban: Ban) -> None:
    ban.expires_at = utcnow()
