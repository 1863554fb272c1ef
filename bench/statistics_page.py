"""The statistics page on a 200,000-comment PostgreSQL database: each query and the whole page.

Creates a database of its own on the local PostgreSQL server, fills it with COPY (the five
sample posts, N comments spread over the last 365 days with a decision each by the spam
filter, the policy, a moderator or an author, some organisation answers and staff replies),
then times in-process, as an admin (who sees everything): each query of the page for 30 and
365 days, and the page itself (median of `--runs`). The database is dropped at the end.

    .venv/bin/python bench/statistics_page.py
    .venv/bin/python bench/statistics_page.py --comments 20000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import select  # noqa: E402
from tqdm import tqdm  # noqa: E402

from discussion import create_app  # noqa: E402
from discussion.auth import accounts  # noqa: E402
from discussion.extensions import db  # noqa: E402
from discussion.models import Organisation, Post, Question, Role, User, utcnow  # noqa: E402
from discussion.posts.importing import import_files, post_files  # noqa: E402
from discussion.statistics import queries  # noqa: E402

ADMIN_URL = os.environ.get("SAMTAL_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
SAMPLE_POSTS = Path(__file__).resolve().parents[1] / "discussion" / "data" / "sample-blog" / "posts"
PASSWORD = "ett långt lösenord för bänken"
STATES = ["approved"] * 70 + ["pending"] * 8 + ["rejected"] * 7 + ["spam"] * 15
VERSIONS = ["20261101T020000Z-1a2b3c4d5e6f", "20261201T020000Z-9f8e7d6c5b4a"]


def seed(count: int, url: str, rng: random.Random) -> None:
    """Posts, staff and organisations through the app; comments and decisions by COPY."""
    with psycopg.connect(url) as conn:
        ids = {
            "questions": conn.execute("SELECT id, post_id FROM question").fetchall(),
            "users": [row[0] for row in conn.execute('SELECT id FROM "user" ORDER BY id')],
            "organisations": [row[0] for row in conn.execute("SELECT id FROM organisation")],
        }
        now = utcnow()
        decisions = []
        with conn.cursor().copy(
            "COPY comment (id, post_id, question_id, parent_id, author_name, body_raw, body_html,"
            " state, spam_score, spam_model_version, user_id, organisation_id, notify_replies,"
            " report_count, like_count, created_at, processed_at) FROM STDIN"
        ) as copy:
            for number in tqdm(range(1, count + 1), desc="comments", unit="comment"):
                question_id, post_id = rng.choice(ids["questions"])
                created = now - timedelta(seconds=rng.random() * 365 * 86400)
                state = rng.choice(STATES)
                staff = number > 1 and rng.random() < 0.05
                organisation = (
                    rng.choice(ids["organisations"])
                    if state == "approved" and rng.random() < 0.05
                    else None
                )
                score = rng.random() if state == "spam" else rng.random() * 0.6
                copy.write_row(
                    (
                        number,
                        post_id,
                        question_id,
                        number - 1 if staff else None,
                        "Läsare",
                        f"Kommentar {number}",
                        f"<p>Kommentar {number}</p>",
                        state.upper(),
                        score,
                        rng.choice(VERSIONS),
                        ids["users"][0] if staff else None,
                        organisation,
                        False,
                        0,
                        0,
                        created,
                        created + timedelta(seconds=1),
                    )
                )
                if state != "pending":
                    decider = rng.choice([None, None, *ids["users"]])
                    decisions.append(
                        (
                            number,
                            decider,
                            "processed"
                            if decider is None
                            else {"spam": "spam", "rejected": "reject"}.get(state, "approve"),
                            "pending",
                            state,
                            "spam:0.90" if decider is None and state == "spam" else None,
                            created + timedelta(seconds=rng.expovariate(1 / 3600)),
                        )
                    )
        with conn.cursor().copy(
            "COPY moderation_decision (comment_id, user_id, action, from_state, to_state, reason,"
            " created_at) FROM STDIN"
        ) as copy:
            for row in tqdm(decisions, desc="decisions", unit="decision"):
                copy.write_row(row)
        conn.execute("SELECT setval('comment_id_seq', %s)", (count,))
        conn.execute("ANALYZE")


QUERIES = {
    "outcomes_per_day": queries.outcomes_per_day,
    "decision_times_per_week": queries.decision_times_per_week,
    "deciders": queries.deciders,
    "questions": queries.questions,
    "unanswered_per_week": queries.unanswered_per_week,
    "organisation_answers": queries.organisation_answers,
    "filter_record": lambda where: queries.filter_record(where, 0.5),
}


def explain(label: str, query, where: queries.Scope) -> None:
    """Print EXPLAIN ANALYZE of each statement the query sends."""
    from sqlalchemy import event

    sent = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        query(where)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    for statement, parameters in sent:
        cursor = db.session.connection().connection.cursor()
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
        print(f"--- {label}\n" + "\n".join(row[0] for row in cursor.fetchall()))


def timed(function, runs: int) -> float:
    """Median wall time of `runs` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE (365 days)")
    args = parser.parse_args()
    name = f"samtal_bench_stats_{os.getpid()}"
    with psycopg.connect(f"{ADMIN_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{ADMIN_URL}/{name}"
    try:
        folder = Path(tempfile.mkdtemp())
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": str(folder),
                "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
                "SAMTAL_BROKER_URL": "",
                "SESSION_COOKIE_SECURE": False,
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            db.create_all()
            import_files(post_files(SAMPLE_POSTS))
            admin = accounts.create_user("admin@example.se", PASSWORD, Role.ADMIN)
            accounts.create_user("mod@example.se", PASSWORD, Role.MODERATOR)
            accounts.create_user("jm@example.se", PASSWORD, Role.AUTHOR)
            for org in ("Kommunal", "Unionen", "Vision"):
                db.session.add(Organisation(name=org, badge=org))
            db.session.commit()
            admin_id = admin.id
            posts = db.session.scalar(select(db.func.count()).select_from(Post))
            question_count = db.session.scalar(select(db.func.count()).select_from(Question))
        started = time.perf_counter()
        seed(args.comments, url, random.Random(16))
        print(
            f"seeded {args.comments} comments on {posts} posts ({question_count} questions) "
            f"in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        with app.app_context():
            user = db.session.get(User, admin_id)
            for days in (30, 365):
                where = queries.Scope(user, days)
                for label, query in QUERIES.items():
                    took = timed(lambda q=query, w=where: q(w), args.runs)
                    print(f"days={days} {label}: {took:.1f} ms")
                    if args.explain and days == 365:
                        explain(label, query, where)
        client = app.test_client()
        client.post("/logga-in", data={"email": "admin@example.se", "password": PASSWORD})
        for days in (7, 30, 365):
            path = f"/moderera/statistik?dagar={days}"
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            assert re.search(r"\d+ kommentarer på", response.get_data(as_text=True))
            took = timed(lambda p=path: client.get(p), args.runs)
            print(f"GET {path}: {took:.0f} ms (median of {args.runs})")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with psycopg.connect(f"{ADMIN_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"dropped {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
