"""The register of organisations that answer in threads, each known by its e-mail domains.

A comment carries an organisation's badge only when its writer's address was verified (see
`verification`) or staff marked it by hand (`answers`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from ..domains import (
    Address,
    DomainError,
    domain_suffixes,
    header_safe,
    matching_domain,
    normalise_domain,
)
from ..extensions import db
from ..models import Organisation, OrganisationDomain
from ..refusals import Refusal

log = logging.getLogger(__name__)

NAME_LIMIT = 120
BADGE_LIMIT = 60


class OrganisationError(Refusal):
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


# Built once: every comment with an e-mail address asks it, at intake and in routing.
DOMAINS_OF_ADDRESS = select(OrganisationDomain).where(
    OrganisationDomain.domain.in_(bindparam("suffixes", expanding=True))
)


def organisation_for(address: Address | None) -> Organisation | None:
    """The organisation whose domain (or a parent domain of it) the address is at."""
    if address is None:
        return None
    return organisations_for([address.domain])[address.domain]


def organisations_for(domains: Iterable[str]) -> dict[str, Organisation | None]:
    """`organisation_for` for many addresses' domains at once (one query), by domain."""
    domains = set(domains)
    suffixes = sorted({suffix for domain in domains for suffix in domain_suffixes(domain)})
    rows = db.session.scalars(DOMAINS_OF_ADDRESS, {"suffixes": suffixes}).all() if domains else []
    registered = [row.domain for row in rows]
    found = {}
    for domain in domains:
        best = matching_domain(domain, registered)
        found[domain] = next((row.organisation for row in rows if row.domain == best), None)
    return found
