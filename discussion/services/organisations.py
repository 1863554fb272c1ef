"""Organisations that answer in threads: registering them, inviting them, marking their answers.

An organisation is known by its e-mail domains; a comment carries its badge only when the
writer's address was verified (see `verification`) or staff marked it by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import signing
from ..domains import (
    Address,
    DomainError,
    domain_suffixes,
    header_safe,
    matching_domain,
    normalise_domain,
    parse_address,
)
from ..extensions import db
from ..models import (
    Comment,
    CommentState,
    Organisation,
    OrganisationDomain,
    OutgoingEmail,
    Post,
    QuestionKind,
    User,
)
from . import comments, mail, notifications

log = logging.getLogger(__name__)

NAME_LIMIT = 120
BADGE_LIMIT = 60


class OrganisationError(ValueError):
    """A request about organisations that cannot be done; the message is fit to show."""


# --- the register --------------------------------------------------------------------------------


def all_organisations() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .options(selectinload(Organisation.domains))
            .order_by(Organisation.name)
        )
    )


def find(name: str) -> Organisation | None:
    """An organisation by name, ignoring case."""
    return db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())
    )


def add_organisation(
    name: str, domains: Iterable[str], *, badge: str | None = None, moderate_answers: bool = False
) -> Organisation:
    """Register an organisation with its domains; refuses a name or domain already taken."""
    name = _one_line(name, NAME_LIMIT)
    if name is None:
        raise OrganisationError(_("Namnet ska vara 1–%(max)d tecken på en rad.", max=NAME_LIMIT))
    badge = _one_line(badge or name, BADGE_LIMIT)
    if badge is None:
        raise OrganisationError(_("Märket ska vara 1–%(max)d tecken på en rad.", max=BADGE_LIMIT))
    if find(name) is not None:
        raise OrganisationError(_("Organisationen %(name)s finns redan.", name=name))
    organisation = Organisation(name=name, badge=badge, moderate_answers=moderate_answers)
    db.session.add(organisation)
    for domain in domains:
        add_domain(organisation, domain)
    if not organisation.domains:
        raise OrganisationError(_("Ange minst en e-postdomän."))
    db.session.flush()
    log.info("organisation %s registered", organisation.name)
    return organisation


def add_domain(organisation: Organisation, text: str) -> OrganisationDomain:
    try:
        domain = normalise_domain(text)
    except DomainError:
        raise OrganisationError(_("%(domain)s är ingen e-postdomän.", domain=text)) from None
    taken = db.session.scalar(select(OrganisationDomain).where(OrganisationDomain.domain == domain))
    if taken is not None or domain in {each.domain for each in organisation.domains}:
        raise OrganisationError(_("Domänen %(domain)s är redan registrerad.", domain=domain))
    row = OrganisationDomain(domain=domain)
    organisation.domains.append(row)
    return row


def remove_domain(organisation: Organisation, domain: str) -> None:
    keep = [each for each in organisation.domains if each.domain != domain]
    if not keep:
        raise OrganisationError(_("En organisation behöver minst en domän."))
    organisation.domains = keep


def remove_organisation(organisation: Organisation) -> None:
    """Remove it with its domains and verified addresses; its comments lose the badge."""
    db.session.delete(organisation)
    log.info("organisation %s removed", organisation.name)


def _one_line(text: str | None, limit: int) -> str | None:
    """`text` trimmed, or None if empty, too long or holding line breaks or control characters."""
    stripped = (text or "").strip()
    cleaned = header_safe(stripped, limit + 1)
    return cleaned if cleaned and cleaned == stripped and len(cleaned) <= limit else None


def organisation_for(address: Address | None) -> Organisation | None:
    """The organisation whose domain (or a parent domain of it) the address is at."""
    if address is None:
        return None
    rows = db.session.scalars(
        select(OrganisationDomain).where(
            OrganisationDomain.domain.in_(domain_suffixes(address.domain))
        )
    ).all()
    best = matching_domain(address.domain, [row.domain for row in rows])
    return next((row.organisation for row in rows if row.domain == best), None)


# --- invitations and answers marked by hand ------------------------------------------------------


@mail.in_site_language
def invite(
    organisation: Organisation, post: Post, recipient: str, *, user: User | None = None
) -> OutgoingEmail | None:
    """E-mail a contact the post's questions and a link to answer; None if already invited."""
    if parse_address(recipient) is None:
        raise OrganisationError(_("%(address)s är ingen e-postadress.", address=recipient))
    visible = [question for question in post.questions if not question.hidden]
    anchor = f"trad-{visible[0].id}" if visible else None
    return mail.queue_email(
        event=f"invite:{post.id}:{organisation.id}",
        recipient=recipient,
        kind="invite",
        subject=_(
            "Vad säger %(org)s? En fråga från %(site)s",
            org=organisation.name,
            site=mail.site_name(),
        ),
        template="invite",
        to_reader=True,
        organisation=organisation,
        post=post,
        questions=[q.text for q in visible if q.kind == QuestionKind.CLOSING],
        inviter=user.name if user is not None else post.author_handle,
        post_url=signing.absolute_url("reader.post", slug=post.slug, _anchor=anchor),
        domains=[each.domain for each in organisation.domains],
    )


def mark_answer(comment: Comment, organisation: Organisation | None, user: User) -> None:
    """Staff mark (or unmark) a comment as an organisation's answer, e.g. one sent by e-mail.

    A held comment is published by it; a visible one notifies the author at once; any other
    notifies when a moderator approves it.
    """
    if comment.organisation_id == (organisation.id if organisation else None):
        return
    comment.organisation = organisation
    publish = organisation is not None and comment.state == CommentState.HELD
    comments.change_state(
        comment,
        CommentState.APPROVED if publish else comment.state,
        action="marked_organisation",
        user=user,
        reason=organisation.name if organisation else None,
    )
    if organisation is not None and not publish:
        notifications.announce_organisation_answer(comment, marked_by=user)
