"""`flask --app app readers export|erase EMAIL`: a reader's data rights, done by an admin."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from ..extensions import db
from . import rights

readers_cli = AppGroup("readers", help="Readers' data: download or erase what is held.")


@readers_cli.command("export")
@click.argument("email")
@click.argument("file", type=click.File("w", encoding="utf-8"), default="-")
def export(email: str, file) -> None:
    """Write everything held about EMAIL as JSON to FILE (default: standard output)."""
    document = rights.collect(email)
    json.dump(document, file, ensure_ascii=False, indent=2)
    file.write("\n")
    db.session.rollback()


@readers_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(email: str, yes: bool) -> None:
    """Erase what is held about EMAIL; the audit log records that it happened."""
    if not yes:
        click.confirm(f"Erase everything held about {email}? This cannot be undone", abort=True)
    erasure = rights.erase(email, requested_by="admin")
    db.session.commit()
    click.echo(
        f"Erased: {erasure.comments_deleted} comments deleted, {erasure.comments_replaced} "
        f"replaced by 'Kommentaren är borttagen', {erasure.subscriptions_removed} subscriptions "
        "removed."
    )
