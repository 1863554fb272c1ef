"""Proving that a commenter reads mail at an organisation's address, before any badge is shown.

Anyone can type a name and an address, so a comment from a registered domain is held until its
writer follows a signed, single-use link sent to that address (valid VERIFY_LINK_HOURS). Each
held comment gets its own link, in an e-mail quoting it, and the link's page shows the text it
will publish: a link publishes its own comment and never another one. The link verifies the
address for SAMTAL_VERIFIED_DAYS and leaves a signed cookie in the browser
that followed it; later comments from that address *and* that browser get the badge without a
new link. An address typed in another browser gets a new link: the address alone proves
nothing, since anyone who knows it can type it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import signing
from ..config import VERIFY_LINK_HOURS
from ..domains import parse_address
from ..extensions import db
from ..mail import kinds
from ..models import Comment, CommentState, EmailVerification, Organisation, VerifiedAddress, utcnow
from ..refusals import Refusal
from .register import organisation_for

log = logging.getLogger(__name__)

COOKIE = "samtal_org"


# --- held comments ----------------------------------------------------------------------------


def awaiting_organisation(
    comment: Comment, known: dict[str, Organisation | None] | None = None
) -> Organisation | None:
    """The organisation whose verification a reader's comment needs, if any. `known`: the
    organisations of the addresses' domains, looked up beforehand for many comments."""
    if comment.organisation_id is not None or comment.user_id is not None:
        return None
    if comment.state not in (CommentState.RECEIVED, CommentState.HELD):
        return None
    address = parse_address(comment.email)
    if known is not None and address is not None and address.domain in known:
        return known[address.domain]
    return organisation_for(address)


def request_verification(comment: Comment, organisation: Organisation) -> EmailVerification:
    """Queue a link to the comment's address that publishes this comment and no other.

    Every held comment gets its own link and its own e-mail quoting it, so the holder of the
    address sees each text they are asked to publish: a comment someone else posted with the
    same address never rides on a link that was sent for another one.
    """
    existing = db.session.scalar(
        select(EmailVerification).where(EmailVerification.comment_id == comment.id)
    )
    if existing is not None:
        return existing
    address = parse_address(comment.email)
    verification = EmailVerification(
        email=address.key,
        organisation=organisation,
        comment=comment,
        expires_at=utcnow() + timedelta(hours=VERIFY_LINK_HOURS),
    )
    db.session.add(verification)
    db.session.flush()
    token = signing.sign(signing.VERIFY, verification.id)
    kinds.send(
        "verification",
        event=f"verify:{verification.id}",
        recipient=address.key,
        organisation=organisation,
        comment=comment,
        address=address.key,
        link=signing.absolute_url("email_links.verify", token=token),
        hours=VERIFY_LINK_HOURS,
    )
    log.info("comment %s held for verification %s", comment.id, verification.id)
    return verification


# --- following the link --------------------------------------------------------------------------


class VerificationError(Refusal):
    """The link cannot verify anything; the message is fit to show."""


def open_verification(token: str) -> EmailVerification:
    """The verification a link stands for, if it is genuine, unexpired and unused."""
    verification_id = signing.unsign(signing.VERIFY, token, max_age=VERIFY_LINK_HOURS * 3600)
    verification = (
        db.session.get(EmailVerification, verification_id, with_for_update=True)
        if isinstance(verification_id, int)
        else None
    )
    if verification is None or verification.expires_at <= utcnow():
        raise VerificationError(
            _("Länken är ogiltig eller har gått ut. Skriv kommentaren igen så skickar vi en ny.")
        )
    if verification.used_at is not None:
        raise VerificationError(_("Länken är redan använd: adressen är bekräftad."))
    return verification


def remember(address: str, organisation: Organisation) -> VerifiedAddress:
    days = current_app.config["SAMTAL_VERIFIED_DAYS"]
    verified = db.session.scalar(select(VerifiedAddress).where(VerifiedAddress.email == address))
    if verified is None:
        verified = VerifiedAddress(email=address)
        db.session.add(verified)
    verified.organisation = organisation
    verified.verified_at = utcnow()
    verified.expires_at = verified.verified_at + timedelta(days=days)
    return verified


def address_key(text: str | None) -> str | None:
    """An address as compared: however its writer spelled it (case, IDNA, full-width)."""
    parsed = parse_address(text)
    return parsed.key if parsed else None


# --- a browser that verified before --------------------------------------------------------------


def writer_cookie(address: str) -> tuple[str, int]:
    """The cookie value and lifetime (seconds) remembering a browser that verified `address`."""
    max_age = current_app.config["SAMTAL_VERIFIED_DAYS"] * 86400
    return signing.sign(signing.WRITER, address), max_age


def recognise_writer(comment: Comment, cookie: str | None) -> Organisation | None:
    """Give a new comment its organisation when this browser verified its address before."""
    max_age = current_app.config["SAMTAL_VERIFIED_DAYS"] * 86400
    remembered = signing.unsign(signing.WRITER, cookie, max_age=max_age)
    address = parse_address(comment.email)
    if address is None or remembered != address.key or comment.user_id is not None:
        return None
    verified = db.session.scalar(
        select(VerifiedAddress).where(
            VerifiedAddress.email == address.key, VerifiedAddress.expires_at > utcnow()
        )
    )
    organisation = organisation_for(address)
    if verified is None or organisation is None or verified.organisation_id != organisation.id:
        return None
    comment.organisation = organisation
    return organisation
