"""`flask --app app posts import PATH` and `posts questions FILE`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..postfile import PostFileError, read_post
from . import importing as post_service

posts_cli = AppGroup("posts", help="Import posts and inspect their closing questions.")


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
