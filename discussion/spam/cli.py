"""`flask --app app spam train|evaluate|words`: the model in use and the admin's word lists.

The model code (scikit-learn) is imported inside the commands that need it, because every
`create_app` registers this group and web processes should not load scikit-learn.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from . import words as word_service

spam_cli = AppGroup("spam", help="Train and evaluate the spam model; edit the word lists.")

_csv_option = click.option(
    "--csv",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled file: YouTube Spam Collection CSV or a ham|spam<TAB>text TSV. Repeatable.",
)


def require_schema() -> None:
    """A fresh instance has no tables yet: say what to run instead of a traceback."""
    from sqlalchemy import inspect

    from ..extensions import db

    if not inspect(db.engine).has_table("spam_word"):
        raise click.ClickException(
            "the database has no tables yet: run `flask --app app db upgrade` first"
        )


def _load(files: tuple[Path, ...]) -> list[tuple[str, int]]:
    from .model import load_labelled

    try:
        examples = load_labelled(files)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"read {len(examples)} labelled comments from {len(files)} file(s)", err=True)
    return examples


@spam_cli.command("train")
@_csv_option
def train(files: tuple[Path, ...]) -> None:
    """Retrain the model in use: shipped data, moderators' decisions and any --csv files."""
    from . import store as spam_model

    require_schema()
    extra = _load(files) if files else []
    model = spam_model.retrain(extra, progress=lambda message: click.echo(message, err=True))
    click.echo(f"spam model {model.version} saved to {spam_model.model_path()}")


@spam_cli.command("evaluate")
@_csv_option
def evaluate(files: tuple[Path, ...]) -> None:
    """Score labelled files with the model in use (text signals only) and print the metrics."""
    from flask import current_app

    from . import store as spam_model
    from .model import evaluate as evaluate_model
    from .scoring import Thresholds
    from .words import word_lists

    if not files:
        raise click.UsageError("give at least one --csv FILE")
    require_schema()
    examples = _load(files)
    thresholds = Thresholds.from_config(current_app.config)
    model = spam_model.current()
    click.echo(f"model {model.version}, queue threshold {thresholds.queue}", err=True)
    metrics = evaluate_model(model, examples, thresholds.queue, word_lists=word_lists())
    click.echo(metrics.line())


@spam_cli.group("words")
def words() -> None:
    """The banned (straight to spam) and suspect (to the queue) words."""


@words.command("list")
def list_words() -> None:
    for word in word_service.all_words():
        click.echo(f"{word.kind}\t{word.word}")


@words.command("add")
@click.argument("kind", type=click.Choice(["banned", "suspect"]))
@click.argument("word")
def add_word(kind: str, word: str) -> None:
    try:
        added = word_service.add(word, kind)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{added.kind}: {added.word}")


@words.command("remove")
@click.argument("word")
def remove_word(word: str) -> None:
    if not word_service.remove(word):
        click.echo(f"error: no such word: {word}", err=True)
        sys.exit(1)
    click.echo(f"removed: {word}")
