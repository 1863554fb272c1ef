"""A million comments on PostgreSQL: each read of issue 14 next to the same on 1,000 comments.

    .venv/bin/python bench/million.py [--comments 1000000] [--seconds 4] [--keep]

Creates two databases of its own on the server of SAMTAL_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres): `samtal_million` and `samtal_thousand`, with
the schema of the migrations, and fills them with COPY: for a million comments, 10,000 posts,
one of them with 50,000 comments, 100,000 comments waiting in the queue and 200,000
moderation decisions (the small database has the same shape, divided by 1,000). Then, for each
database, every read runs from 16 threads at once (16 connections in the pool) for a few
seconds: p50 and p95 latency, and the EXPLAIN of each distinct statement it sent. The
databases are dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import admin_connection, psycopg_url, sqlalchemy_url  # noqa: E402

CONNECTIONS = 16
ADMIN, PASSWORD = "admin@example.se", "correct horse battery"
TEXTS = [
    f"Kommentar om nätverk och strategi, variant {n}: jag tror att *kontakter* spelar roll."
    for n in range(5000)
]


@dataclass(frozen=True)
class Shape:
    comments: int

    @property
    def posts(self) -> int:
        return max(self.comments // 100, 10)

    @property
    def big(self) -> int:  # comments on post 1
        return self.comments // 20

    @property
    def waiting_every(self) -> int:  # one comment in ten waits in the queue
        return 10

    @property
    def decisions_every(self) -> int:  # one comment in five has a decision: 200,000
        return 5


def _hash(kind: str, number: int) -> str:
    return hashlib.sha256(f"{kind}:{number}".encode()).hexdigest()


def create(database: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')


def drop(database: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def make_app(database: str, instance: Path):
    from discussion import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-million",
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(database),
            "SAMTAL_BROKER_URL": "",
            "SAMTAL_DB_POOL_SIZE": CONNECTIONS + 2,
            "RATELIMIT_ENABLED": False,
        }
    )


def seed(database: str, shape: Shape, instance: Path) -> None:
    """The schema by the migrations, then every table by COPY, with a progress bar."""
    import psycopg
    from flask_migrate import upgrade
    from tqdm import tqdm

    create(database)
    app = make_app(database, instance)
    with app.app_context():
        upgrade()
        from discussion.auth import accounts
        from discussion.extensions import db

        accounts.create_user(ADMIN, PASSWORD, "admin")
        db.session.commit()
        db.engine.dispose()
    started = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=730)
    step = timedelta(days=729) / shape.comments
    rng = random.Random(14)
    total = shape.posts * 2 + shape.comments + shape.comments // shape.decisions_every
    with (
        psycopg.connect(psycopg_url(database)) as conn,
        tqdm(total=total, unit="row", desc=f"seeding {database}", mininterval=1) as bar,
    ):
        with conn.cursor().copy(
            "COPY post (id, slug, title, author_handle, published, body_markdown, body_html,"
            " closed, created_at, updated_at, threads_changed_at) FROM STDIN"
        ) as copy:
            for post in range(1, shape.posts + 1):
                day = started + timedelta(days=post * 729 / shape.posts)
                title = f"Inlägg {post}"
                copy.write_row(
                    (post, f"inlagg-{post:05d}", title, "@skribent", day.date(), title,
                     f"<p>{title}</p>", False, day, day, day)
                )  # fmt: skip
                bar.update()
        with conn.cursor().copy(
            "COPY question (id, post_id, text, kind, position, hidden, closed) FROM STDIN"
        ) as copy:
            for post in range(1, shape.posts + 1):
                copy.write_row((post, post, "Vad tror du?", "CLOSING", 0, False, False))
                bar.update()
        with conn.cursor().copy(
            "COPY comment (id, post_id, question_id, parent_id, author_name, email_hash,"
            " ip_hash, body_raw, body_fingerprint, body_html, state, created_at, processed_at,"
            " decided_at, like_count, report_count, notify_replies) FROM STDIN"
        ) as copy:
            others = shape.posts - 1
            for number in range(1, shape.comments + 1):
                if number <= shape.big:
                    post = 1
                    parent = rng.randrange(1, number) if number > 10 and number % 3 == 0 else None
                else:
                    post = 2 + (number - shape.big - 1) % others
                    earlier = number - others
                    parent = earlier if earlier > shape.big and number % 3 == 0 else None
                if number > shape.big and number % shape.waiting_every == 3:
                    state = "PENDING"
                elif number % 50 == 7:
                    state = "SPAM"
                else:
                    state = "APPROVED"
                text = TEXTS[number % len(TEXTS)]
                when = started + step * number
                copy.write_row(
                    (number, post, post, parent, f"Läsare {number % 20000}",
                     _hash("email", number % 50000), _hash("ip", number % 20000), text,
                     _hash("text", number % len(TEXTS))[:64], f"<p>{text}</p>", state, when,
                     when, None if state == "PENDING" else when, number % 7, 0, False)
                )  # fmt: skip
                bar.update()
        with conn.cursor().copy(
            "COPY moderation_decision (comment_id, action, from_state, to_state, reason,"
            " created_at) FROM STDIN"
        ) as copy:
            for number in range(shape.decisions_every, shape.comments + 1, shape.decisions_every):
                when = started + step * number
                copy.write_row((number, "processed", "received", "approved", None, when))
                bar.update()
        for table in ("post", "question", "comment"):
            conn.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        conn.commit()
    with psycopg.connect(psycopg_url(database), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# --- the reads -----------------------------------------------------------------------------------


class Statements:
    """Every statement the reads send, with its parameters, for EXPLAIN."""

    def __init__(self):
        self.seen: dict[str, dict[str, tuple[str, object]]] = {}
        self.current: str | None = None

    def record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.current and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.seen.setdefault(self.current, {}).setdefault(statement, (statement, parameters))


def reads(app, shape: Shape):
    """(name, callable) for each read; each callable runs in its own app context."""
    from discussion.api.threads import cache as api_cache
    from discussion.comments import processing
    from discussion.comments.threads import visible_counts
    from discussion.extensions import db
    from discussion.models import Comment
    from discussion.reader import pages
    from discussion.spam import check

    staff = app.test_client()
    form = staff.get("/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    login = {"csrf_token": token, "email": ADMIN, "password": PASSWORD, "next": ""}
    assert staff.post("/logga-in", data=login).status_code == 302
    staff_cookie = staff.get_cookie("session").value
    with app.app_context():
        first = app.test_client().get("/api/v1/posts/inlagg-00001?limit=20").get_json()
        next_page = f"limit=20&after={first['questions'][0]['next']}"
        print(
            f"  the API's first page of post 1 (20 top-level comments, oldest first) holds"
            f" {_comments(first['questions'][0]['comments'])} comments with their replies",
            flush=True,
        )
        sample = db.session.get(Comment, shape.comments - 5)
        db.session.expunge(sample)
        fifty = list(range(2, 52))

    def client():
        made = app.test_client()
        made.set_cookie("session", staff_cookie)
        return made

    def get(path: str):
        def run():
            api_cache.clear()  # the cost of building the answer, not of the cached copy
            pages.cache.clear()
            response = client().get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    def in_app(function):
        def run():
            with app.app_context():
                function()
                db.session.remove()

        return run

    def duplicates():
        check._duplicates(db.session.merge(sample, load=False))

    def history():
        check._commenter(db.session.merge(sample, load=False))

    return [
        ("post page, 5% post (page 1)", get("/inlagg-00001")),
        ("API first page of the 5% post", get("/api/v1/posts/inlagg-00001?limit=20")),
        ("API next page", get(f"/api/v1/posts/inlagg-00001/questions/1/comments?{next_page}")),
        # The newest top-level comments have (almost) no replies yet: a page of about the same
        # size on both databases, so its ratio is the cost of the thread's length alone.
        ("API first page, newest first", get("/api/v1/posts/inlagg-00001?limit=20&sort=newest")),
        ("queue, first page", get("/moderera/")),
        ("Obesvarade", get("/moderera/obesvarade")),
        ("site Atom feed", get("/kommentarer.atom")),
        ("comment counts of 50 posts", in_app(lambda: visible_counts(fifty))),
        ("sweep of unprocessed comments", in_app(processing.sweep_unprocessed)),
        ("spam check: duplicate texts", in_app(duplicates)),
        ("spam check: commenter's history", in_app(history)),
    ]


def _comments(nodes: list[dict]) -> int:
    return sum(1 + _comments(node["replies"]) for node in nodes)


def measure(run, seconds: float) -> list[float]:
    """Latencies (ms) of `run` called from CONNECTIONS threads at once for about `seconds`."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    lock = threading.Lock()

    def worker():
        while True:
            started = time.perf_counter()
            run()
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
            if time.monotonic() > deadline:
                return

    with ThreadPoolExecutor(CONNECTIONS) as pool:
        for future in [pool.submit(worker) for _ in range(CONNECTIONS)]:
            future.result()
    return latencies


def explain(database: str, statements: dict[str, tuple[str, object]]) -> list[str]:
    """EXPLAIN of each statement, with the parameters it was sent with."""
    import psycopg

    plans = []
    with psycopg.connect(psycopg_url(database)) as conn:
        for statement, parameters in statements.values():
            try:
                rows = conn.execute(f"EXPLAIN {statement}", parameters).fetchall()
            except psycopg.Error as error:
                conn.rollback()
                plans.append(f"{statement}\n  (no EXPLAIN: {error})")
                continue
            plans.append(statement + "\n" + "\n".join("  " + row[0] for row in rows))
    return plans


def run_reads(database: str, shape: Shape, instance: Path, seconds: float, show: bool) -> dict:
    from sqlalchemy import event

    from discussion.extensions import db

    app = make_app(database, instance)
    statements = Statements()
    results = {}
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", statements.record)
    for name, run in reads(app, shape):
        statements.current = name
        run()  # once alone: warm, and its statements recorded
        statements.current = None
        latencies = measure(run, seconds)
        results[name] = (statistics.median(latencies), _p95(latencies), len(latencies))
        print(f"  {name:38} p50 {results[name][0]:9.1f} ms  p95 {results[name][1]:9.1f} ms"
              f"  ({len(latencies)} calls)", flush=True)  # fmt: skip
    if show:
        for name, seen in statements.seen.items():
            print(f"\n### EXPLAIN, {name} ({database})")
            for plan in explain(database, seen):
                scans = " <-- SCANS comment" if re.search(r"Seq Scan on comment\b", plan) else ""
                print(plan + scans)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--keep", action="store_true", help="do not drop the databases")
    parser.add_argument("--reuse", action="store_true", help="measure databases kept before")
    args = parser.parse_args()
    large, small = Shape(args.comments), Shape(max(args.comments // 1000, 1000))
    names = {large: "samtal_million", small: "samtal_thousand"}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for shape in (small, large):
                if not args.reuse:
                    started = time.monotonic()
                    seed(names[shape], shape, Path(tmp) / names[shape])
                    minutes = (time.monotonic() - started) / 60
                    print(f"seeded {shape.comments:,} comments in {minutes:.1f} min", flush=True)
            results = {}
            for shape in (small, large):
                print(f"\n{shape.comments:,} comments, {CONNECTIONS} threads at once:", flush=True)
                instance = Path(tmp) / names[shape]
                results[shape] = run_reads(
                    names[shape], shape, instance, args.seconds, show=shape is large
                )
            print(f"\n| read | {small.comments:,}: p50 | {large.comments:,}: p50 | ratio |")
            print("|---|---:|---:|---:|")
            for name in results[large]:
                a, b = results[small][name][0], results[large][name][0]
                print(f"| {name} | {a:.1f} ms | {b:.1f} ms | {b / a:.2f}× |")
        finally:
            if not args.keep:
                for name in names.values():
                    drop(name)


if __name__ == "__main__":
    main()
