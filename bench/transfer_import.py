"""How long `comments import` takes for a big WordPress export, on SQLite and on PostgreSQL.

Writes the same generated WXR file as ``bench/transfer_parse.py`` (``--comments``, default
100,000: 2,000 posts of 50 comments, every third a reply, ``--html-share`` with a link and
emphasis), creates a fresh database with those 2,000 posts, and times ``import_file`` (reading,
placing, sanitising, inserting, committing) once, then once more to show that a second run adds
nothing. Progress goes to stderr, the result to stdout.

    .venv/bin/python bench/transfer_import.py --database sqlite
    .venv/bin/python bench/transfer_import.py --database postgresql
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402
from tqdm import tqdm  # noqa: E402

from bench.transfer_parse import COMMENTS_PER_POST, items, progress  # noqa: E402
from discussion import create_app  # noqa: E402
from discussion.extensions import db  # noqa: E402
from discussion.models import GENERAL_THREAD_TEXT, Comment, Post, Question  # noqa: E402
from discussion.transfer.formats import write_wxr  # noqa: E402
from discussion.transfer.importing import import_file  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get(
    "SAMTAL_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def bar(description: str, total: int):
    return tqdm(total=total, desc=description, unit=" comments", mininterval=1.0, file=sys.stderr)


def add_posts(count: int) -> None:
    """The posts the file's comments belong to, each with its general thread, in two inserts."""
    post_ids = db.session.execute(
        insert(Post).returning(Post.id, sort_by_parameter_order=True),
        [
            {
                "slug": f"inlagg-{number}",
                "title": f"Inlägg nummer {number}",
                "author_handle": "@bench",
                "published": date(2013, 1, 1),
                "body_markdown": "Ett inlägg.",
                "body_html": "<p>Ett inlägg.</p>",
            }
            for number in range(1, count + 1)
        ],
    ).scalars()
    db.session.execute(
        insert(Question),
        [
            {"post_id": post_id, "text": GENERAL_THREAD_TEXT, "kind": "general", "position": 10_000}
            for post_id in post_ids
        ],
    )
    db.session.commit()


def timed_import(path: Path, label: str):
    started, cpu_started = time.perf_counter(), time.process_time()
    report = import_file("wxr", path, teach_spam=True, progress=bar)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    progress(f"{label}: {seconds:.2f} s")
    return report, seconds, cpu


def run(database_url: str, path: Path, folder: Path, comments: int, database: str) -> None:
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SAMTAL_BROKER_URL": "",
        }
    )
    with app.app_context():
        db.create_all()
        add_posts(comments // COMMENTS_PER_POST)
        load_before = os.getloadavg()
        report, seconds, cpu = timed_import(path, "first import")
        stored = db.session.scalar(select(func.count()).select_from(Comment))
        again, again_seconds, _ = timed_import(path, "second import")
        load_after = os.getloadavg()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        db.session.remove()
        db.engine.dispose()
    print(
        f"{database}: imported {report.added:,} comments ({stored:,} stored, "
        f"{len(report.problems)} problems) in {seconds:.2f} s ({cpu:.2f} s of CPU in this "
        f"process), {report.added / seconds:,.0f} comments/s; second run added "
        f"{again.added} and skipped {again.already_there:,} in {again_seconds:.2f} s; peak "
        f"memory {peak:.0f} MB; load average {' '.join(f'{x:.2f}' for x in load_before)} "
        f"before, {' '.join(f'{x:.2f}' for x in load_after)} after"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--html-share", type=float, default=0.2)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "export.xml"
        progress(f"writing {options.comments:,} comments to {path}")
        with open(path, "w", encoding="utf-8") as stream:
            write_wxr(
                stream,
                "Bloggen",
                "https://blogg.example.se",
                items(options.comments, options.html_share),
            )
        if options.database == "sqlite":
            run(f"sqlite:///{folder / 'bench.db'}", path, folder, options.comments, "SQLite")
            return
        import psycopg

        database = f"samtal_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace(
            "postgresql://", "postgresql+psycopg://"
        )
        try:
            run(f"{base}/{database}", path, folder, options.comments, "PostgreSQL")
        finally:
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
