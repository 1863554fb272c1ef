"""Command-line verbs: `flask --app app posts import PATH`, `posts questions FILE`, ..."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from .postfile import PostFileError, read_post
from .services import comments as comment_service
from .services import mail, notifications
from .services import posts as post_service

posts_cli = AppGroup("posts", help="Import posts and inspect their closing questions.")
comments_cli = AppGroup("comments", help="Work on stored comments.")
demo_cli = AppGroup("demo", help="Demo data for trying Samtal out.")


@posts_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def import_posts(path: Path) -> None:
    """Import a folder of Markdown posts (or one file); re-importing updates by slug."""
    files = post_service.post_files(path) if path.is_dir() else [path]
    if not files:
        raise click.ClickException(f"no .md files in {path}")
    total = len(files)
    done = 0

    def progress(file: Path) -> None:
        nonlocal done
        done += 1
        click.echo(f"[{done}/{total}] {file.name}", err=True)

    report = post_service.import_files(files, progress=progress)
    for error in report.failed:
        click.echo(f"error: {error}", err=True)
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, {len(report.failed)} failed"
    )
    if report.failed:
        sys.exit(1)


@posts_cli.command("questions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def print_questions(file: Path) -> None:
    """Print the closing questions of one post file, one per line."""
    try:
        source = read_post(file)
    except PostFileError as error:
        raise click.ClickException(str(error)) from None
    for question in post_service.questions_of(source):
        click.echo(question)


@comments_cli.command("sweep")
def sweep() -> None:
    """Send the work of comments stuck unprocessed, and e-mails stuck unsent, again."""
    ids = comment_service.sweep_unprocessed()
    announced = notifications.sweep_unannounced()
    emails = mail.sweep_unsent()
    click.echo(
        f"{len(ids)} comments, {len(announced)} announcements, {len(emails)} e-mails sent again"
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
    from .auth.cli import users_cli
    from .organisations.cli import orgs_cli
    from .spamfilter.cli import spam_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(orgs_cli)
    app.cli.add_command(spam_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(posts_cli)
    app.cli.add_command(comments_cli)
