"""`comments import` and `comments export`: moving a blog's comments in and out."""

from __future__ import annotations

import os
import tempfile

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from .formats import READERS
from .records import FormatError

SHOWN_PROBLEMS = 50


def _progress(description: str, total: int):
    return tqdm(total=total, desc=description, unit=" comments", leave=False, mininterval=0.5)


@click.command("import")
@click.option("--format", "format_name", type=click.Choice(list(READERS)), required=True)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="OLD=NEW",
    help="Read thread URLs starting with OLD as starting with NEW (repeatable).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be imported; write nothing.")
@click.option("--no-train", is_flag=True, help="Keep the imported labels out of the spam model.")
@with_appcontext
def import_command(format_name: str, file: str, maps: tuple[str, ...], dry_run, no_train) -> None:
    """Import another system's comments (WordPress, Disqus, Isso, Remark42, Samtal) from FILE."""
    from .importing import import_file, parse_map

    try:
        url_map = parse_map(maps)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--map") from None
    click.echo(f"Reading {file} as {format_name} …", err=True)
    try:
        report = import_file(
            format_name,
            file,
            url_map=url_map,
            dry_run=dry_run,
            teach_spam=not no_train,
            progress=_progress,
        )
    except FormatError as error:
        raise click.ClickException(
            f"{file} is not a readable {format_name} file: {error}. Nothing was imported."
        ) from None
    except OSError as error:
        raise click.ClickException(f"cannot read {file}: {error.strerror or error}") from None
    for line in report_lines(report):
        click.echo(line)


def report_lines(report) -> list[str]:
    """What an import did, for a person: counts first, then what was left out and why."""
    verb = "Would import" if report.dry_run else "Imported"
    states = ", ".join(f"{count} {state}" for state, count in sorted(report.by_state.items()))
    lines = [f"{report.file_name}: {report.in_file} comments in the file."]
    if report.posts_created:
        created = "would be created" if report.dry_run else "created"
        lines.append(f"Posts {created}: {', '.join(report.posts_created)}.")
    if report.added:
        lines.append(
            f"{verb} {report.added} comments ({states}) into {len(report.by_post)} posts; "
            f"replies nested up to {report.deepest} levels."
        )
    elif report.already_there:
        lines.append(f"Nothing new: all {report.already_there} comments were imported before.")
    else:
        lines.append(f"{verb} no comments.")
    if report.added and report.already_there:
        lines.append(f"Skipped {report.already_there} comments imported before.")
    if report.unknown_threads:
        lines.append(
            f"Not imported: {report.unknown_comments} comments in "
            f"{len(report.unknown_threads)} threads no post matches (see --map):"
        )
        lines.extend(
            f"  {thread} ({count})" for thread, count in report.unknown_threads.most_common()
        )
    if report.problems:
        lines.append(f"Problems in the file ({len(report.problems)}):")
        lines.extend(f"  {problem}" for problem in report.problems[:SHOWN_PROBLEMS])
        if len(report.problems) > SHOWN_PROBLEMS:
            lines.append(f"  … and {len(report.problems) - SHOWN_PROBLEMS} more")
    if report.spam_examples:
        lines.append(
            f"The spam model learns from {report.spam_examples} of them (approved or spam) at "
            "its next training: `flask --app app spam train`, or Celery beat."
        )
    if report.dry_run:
        lines.append("Dry run: nothing was written.")
    return lines


@click.command("export")
@click.option("--format", "format_name", type=click.Choice(["json", "wxr"]), required=True)
@click.option("--post", "slug", metavar="SLUG", help="Only this post.")
@click.option(
    "--with-personal-data", is_flag=True, help="Include the commenters' e-mail addresses."
)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_command(format_name: str, slug: str | None, with_personal_data: bool, file: str):
    """Export posts and comments: json (everything, Samtal's format) or wxr (for WordPress)."""
    from .exporting import UnknownPost, export

    if file == "-":
        stream = click.get_text_stream("stdout")
        try:
            export(format_name, stream, slug=slug, personal_data=with_personal_data)
        except UnknownPost:
            raise click.ClickException(f"no post has the slug {slug!r}") from None
        return
    folder = os.path.dirname(os.path.abspath(file))
    handle, partial = tempfile.mkstemp(prefix=".export-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            posts = export(format_name, stream, slug=slug, personal_data=with_personal_data)
        os.replace(partial, file)  # a reader of FILE never sees half an export
    except UnknownPost:
        raise click.ClickException(f"no post has the slug {slug!r}; nothing written") from None
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    click.echo(f"Exported {posts} posts as {format_name} to {file}.")
