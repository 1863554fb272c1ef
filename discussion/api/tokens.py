"""`flask --app app tokens create NAME | list | revoke NAME`: staff bearer tokens for the API."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, utcnow
from .access import create_token

tokens_cli = AppGroup("tokens", help="Staff bearer tokens for the API (e.g. to register posts).")


@tokens_cli.command("create")
@click.argument("name")
def create(name: str) -> None:
    """Create a token and print it once; only its hash is stored."""
    if db.session.scalar(select(ApiToken).where(ApiToken.name == name)) is not None:
        raise click.ClickException(f"a token named {name!r} exists; pick another name")
    _, secret = create_token(name)
    db.session.commit()
    click.echo(secret)
    click.echo("Keep it now: it is not shown again.", err=True)


@tokens_cli.command("list")
def list_tokens() -> None:
    """Name, state, creation and last use of every token (never the token itself)."""
    for row in db.session.scalars(select(ApiToken).order_by(ApiToken.name)):
        state = "active" if row.active else f"revoked {row.revoked_at:%Y-%m-%d %H:%M}"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        click.echo(f"{row.name}\t{state}\tcreated {row.created_at:%Y-%m-%d %H:%M}\tused {used}")


@tokens_cli.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke a token by name; requests with it are refused from now on."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == name))
    if row is None:
        raise click.ClickException(f"no token named {name!r}")
    if row.active:
        row.revoked_at = utcnow()
        db.session.commit()
    click.echo(f"revoked {name}")
