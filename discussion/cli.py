"""The command line: every group of `flask --app app ...`, registered in one place.

The groups live beside their domains (posts/cli.py, spam/cli.py, ...); here are the two small
ones with no domain of their own: `comments sweep` and `demo load`.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

comments_cli = AppGroup("comments", help="Work on stored comments.")
demo_cli = AppGroup("demo", help="Demo data for trying Samtal out.")


@comments_cli.command("sweep")
def sweep() -> None:
    """Send the work of comments stuck unprocessed, and e-mails and webhooks stuck unsent, again."""
    from .comments import processing  # here: it loads the spam model, web processes do not
    from .mail import notifications, outbox
    from .webhooks import delivery

    ids = processing.sweep_unprocessed()
    announced = notifications.sweep_unannounced()
    emails = outbox.sweep_unsent()
    hooks = delivery.sweep_unsent()
    click.echo(
        f"{len(ids)} comments, {len(announced)} announcements, {len(emails)} e-mails, "
        f"{len(hooks)} webhooks sent again"
    )


@demo_cli.command("load")
def load_demo() -> None:
    """Import the five sample posts and a few reader comments (idempotent)."""
    from .demo import load_demo

    report = load_demo()
    click.echo(f"demo: {len(report.created)} posts created, {len(report.updated)} updated")
    from .demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    for email, role, _name, _handle in DEMO_ACCOUNTS:
        click.echo(f"demo login ({role}): {email} / {DEMO_PASSWORD}")


def init_app(app: Flask) -> None:
    from .api.tokens import tokens_cli
    from .auth.cli import users_cli
    from .organisations.cli import orgs_cli
    from .posts.cli import posts_cli
    from .privacy.cli import readers_cli
    from .spam.cli import spam_cli
    from .transfer.cli import export_command, import_command

    comments_cli.add_command(import_command)
    comments_cli.add_command(export_command)

    app.cli.add_command(users_cli)
    app.cli.add_command(orgs_cli)
    app.cli.add_command(spam_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(posts_cli)
    app.cli.add_command(comments_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(readers_cli)
