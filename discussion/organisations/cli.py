"""`flask --app app orgs add|list|remove|invite`: the organisations that answer in threads."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import Post
from . import answers
from . import register as organisation_service
from .register import OrganisationError

orgs_cli = AppGroup("orgs", help="Organisations whose verified e-mail domains earn a badge.")


def _organisation_or_fail(name: str):
    organisation = organisation_service.find(name)
    if organisation is None:
        raise click.ClickException(f"no organisation named {name!r}")
    return organisation


@orgs_cli.command("add")
@click.argument("name")
@click.option("--domain", "domains", multiple=True, required=True, help="e.g. kommunal.se")
@click.option("--badge", help="Text of the badge; default: the name.")
@click.option("--moderate", is_flag=True, help="Its answers wait for a moderator.")
def add(name: str, domains: tuple[str, ...], badge: str | None, moderate: bool) -> None:
    """Register an organisation with one or more e-mail domains (subdomains included)."""
    try:
        organisation = organisation_service.add_organisation(
            name, domains, badge=badge, moderate_answers=moderate
        )
    except OrganisationError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{organisation.name}: {', '.join(d.domain for d in organisation.domains)}")


@orgs_cli.command("list")
def list_organisations() -> None:
    """Print each organisation with its badge and domains."""
    for organisation in organisation_service.all_organisations():
        domains = ", ".join(sorted(d.domain for d in organisation.domains))
        moderated = "  (moderated)" if organisation.moderate_answers else ""
        click.echo(f"{organisation.name}\t[{organisation.badge}]\t{domains}{moderated}")


@orgs_cli.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove an organisation; its answers stay, without the badge."""
    organisation = _organisation_or_fail(name)
    organisation_service.remove_organisation(organisation)
    db.session.commit()
    click.echo(f"removed {name}")


@orgs_cli.command("invite")
@click.argument("name")
@click.option("--post", "slug", required=True, help="Slug of the post.")
@click.option("--email", "address", required=True, help="The contact's address.")
def invite(name: str, slug: str, address: str) -> None:
    """E-mail a contact at the organisation the post's questions and a link to answer."""
    organisation = _organisation_or_fail(name)
    post = db.session.scalar(select(Post).where(Post.slug == slug))
    if post is None:
        raise click.ClickException(f"no post with slug {slug!r}")
    try:
        row = answers.invite(organisation, post, address)
    except OrganisationError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if row is None:
        click.echo(f"{address} was already invited to {slug} (or unsubscribed); nothing sent")
    else:
        click.echo(f"invitation to {organisation.name} queued for {row.recipient}")
