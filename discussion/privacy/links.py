"""The signed, single-use link that lets a reader download or erase their data.

Anyone may ask for a link to any address, and every request gets the same answer and the same
e-mail whatever the address holds, so the page cannot be used to find out who wrote here. The
link goes only to the address itself, which is what proves the reader's right to it; it opens a
page with buttons (a mail scanner following it uses up nothing) and works once, within
DATA_LINK_HOURS. Only the address's keyed hash is stored: the address travels in the link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _

from .. import signing
from ..comments.identity import identity_hash
from ..config import DATA_LINK_HOURS
from ..extensions import db
from ..mail import kinds
from ..models import DataRequest, utcnow
from ..refusals import Refusal
from .rights import address_key

log = logging.getLogger(__name__)


class DataLinkError(Refusal):
    """The link cannot be used; the message is fit to show."""


@dataclass(frozen=True)
class OpenLink:
    request: DataRequest
    email: str


def request_link(email: str) -> DataRequest:
    """Queue a link to the address (the caller commits)."""
    key = address_key(email)
    request = DataRequest(
        email_hash=identity_hash(key), expires_at=utcnow() + timedelta(hours=DATA_LINK_HOURS)
    )
    db.session.add(request)
    db.session.flush()
    token = signing.sign(signing.DATA, {"request": request.id, "email": key})
    kinds.send(
        "data_link",
        event=f"data:{request.id}",
        recipient=key,
        link=signing.absolute_url("privacy.link", token=token),
        hours=DATA_LINK_HOURS,
    )
    log.info("data link %s queued", request.id)
    return request


def open_link(token: str) -> OpenLink:
    """The request a link stands for, if it is genuine, unexpired and unused (row locked)."""
    value = signing.unsign(signing.DATA, token, max_age=DATA_LINK_HOURS * 3600)
    request = None
    if isinstance(value, dict) and isinstance(value.get("request"), int):
        request = db.session.get(DataRequest, value["request"], with_for_update=True)
    email = value.get("email") if isinstance(value, dict) else None
    if (
        request is None
        or not isinstance(email, str)
        or request.email_hash != identity_hash(email)
        or request.expires_at <= utcnow()
    ):
        raise DataLinkError(
            _("Länken är ogiltig eller har gått ut. Be om en ny på sidan Mina uppgifter.")
        )
    if request.used_at is not None:
        raise DataLinkError(_("Länken är redan använd. Be om en ny på sidan Mina uppgifter."))
    return OpenLink(request, email)


def use(link: OpenLink) -> None:
    link.request.used_at = utcnow()
