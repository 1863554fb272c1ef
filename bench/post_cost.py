"""The CPU one comment costs on the embedded default: taking it in, and processing it.

    .venv/bin/python bench/post_cost.py [--batches 7] [--per-batch 100] [--profile intake]

In one process, on a fresh SQLite instance with the sample posts (post-moderation, the spam
check on, every comment from a client address of its own). Intake is the JSON API's POST through
Flask's test client: the write token, the reader form's validation, the insert, the commit and
the enqueue. Processing is everything the tasks it queued do, run as the embedded default runs
them (eagerly, by name): sanitising, the spam score and its queries, routing, the audit entry
and the announcement. Each batch posts `--per-batch` comments and then processes them; the
figure is the median over the batches of `time.process_time()` per comment, so other processes
on the machine do not count. `--postgres` runs the same on a fresh database of the machine's
PostgreSQL (the production stack's database; the tasks still run in this process).
`--profile intake` (or `processing`) also prints cProfile's top functions (CPU time) for that
part. Intake here is the production path's (the answer says "received"); on the embedded
default the same request then processes the comment and reads it back once more.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import say  # noqa: E402

SLUG = "strateger-sokes-eller-kontaktnat"
TEXTS = [
    "Jag tror att nätverket spelar större roll än strategin, åtminstone i början.",
    "Intressant! Vi provade samma sak på jobbet och det fungerade bra.\n\nMen det tog tid.",
    "Håller med om det mesta, men *inte* om slutsatsen. Se https://www.svt.se/nyheter",
    "Kort sagt: ja.",
]


def build_app(instance: Path, database_url: str | None = None):
    import worker.tasks  # noqa: F401  registers the tasks, as the embedded default does
    from discussion import create_app
    from discussion.extensions import db
    from discussion.posts.importing import import_files, post_files

    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench",
            "SAMTAL_MODERATION_POLICY": "post",
            "SAMTAL_PROXY_COUNT": 1,
            "SAMTAL_LOG_LEVEL": "WARNING",
            **({"SQLALCHEMY_DATABASE_URI": database_url} if database_url else {}),
        }
    )
    with app.app_context():
        db.create_all()
        import_files(post_files(Path(app.root_path) / "data" / "sample-blog" / "posts"))
    return app


class Deferred:
    """Holds the tasks a commit sends, so that intake and processing are timed apart."""

    def __init__(self, jobs_module):
        self.jobs = jobs_module
        self.sent: list[tuple[str, tuple]] = []
        self.original = jobs_module.send_now

    def __enter__(self):
        self.jobs.send_now = lambda name, *args: self.sent.append((name, args)) or True
        return self

    def __exit__(self, *exc):
        self.jobs.send_now = self.original

    def run_all(self, app) -> int:
        """Run what was sent, and what that sends in turn, as the eager default would."""
        done = 0
        with self, app.app_context():
            while self.sent:
                name, args = self.sent.pop(0)
                self.original(name, *args)
                done += 1
        return done


def a_minute_ago(app, form_timestamp) -> str:
    """The signed time of a form shown a minute ago, as a reader's would be."""
    from itsdangerous import TimestampSigner

    now = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(time.time()) - 60
    try:
        with app.test_request_context():
            return form_timestamp()
    finally:
        TimestampSigner.get_timestamp = now


def address(number: int) -> str:
    """A client address of its own for each comment, as from many readers."""
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


def poster(app, counter: list[int]):
    from discussion.api.access import write_token
    from discussion.spam.signals import form_timestamp

    client = app.test_client()
    with app.test_request_context():
        question_id = json.loads(client.get(f"/api/v1/posts/{SLUG}").data)["questions"][0]["id"]
        token = write_token(SLUG)
    url = f"/api/v1/posts/{SLUG}/questions/{question_id}/comments"
    shown = a_minute_ago(app, form_timestamp)

    def post_one() -> None:
        counter[0] += 1
        number = counter[0]
        response = client.post(
            url,
            json={
                "name": f"Läsare {number}",
                "email": f"lasare{number}@example.se",
                "body": f"{TEXTS[number % len(TEXTS)]} ({number})",
                "ts": shown,
            },
            headers={
                "X-Samtal-Token": token,
                "X-Forwarded-For": address(number),
            },
        )
        if response.status_code != 201:
            raise SystemExit(f"POST answered {response.status_code}: {response.data[:300]!r}")

    return post_one


def measure(app, batches: int, per_batch: int, profile: str | None) -> None:
    from discussion import jobs

    counter = [0]
    post_one = poster(app, counter)
    deferred = Deferred(jobs)
    with deferred:  # warm-up: the model, the caches, the first connections
        for _ in range(20):
            post_one()
    deferred.run_all(app)

    intake, processing = [], []
    profiler = cProfile.Profile(time.process_time) if profile else None
    bar = tqdm(total=batches * per_batch, desc="comments", unit="c", file=sys.stderr)
    for _ in range(batches):
        with deferred:
            if profile == "intake":
                profiler.enable()
            start = time.process_time()
            for _ in range(per_batch):
                post_one()
                bar.update(0.5)
            intake.append((time.process_time() - start) / per_batch)
            if profile == "intake":
                profiler.disable()
        if profile == "processing":
            profiler.enable()
        start = time.process_time()
        tasks = deferred.run_all(app)
        processing.append((time.process_time() - start) / per_batch)
        if profile == "processing":
            profiler.disable()
        bar.update(per_batch / 2)
        if tasks < per_batch:
            raise SystemExit(f"only {tasks} tasks for {per_batch} comments: not all processed")
    bar.close()
    check_stored(app, counter[0])

    def ms(values: list[float]) -> str:
        return (
            f"median {statistics.median(values) * 1000:.2f} ms "
            f"(min {min(values) * 1000:.2f}, max {max(values) * 1000:.2f})"
        )

    print(f"batches: {batches} × {per_batch} comments, CPU time per comment")
    print(f"intake:     {ms(intake)}  target ≤ 3 ms")
    print(f"processing: {ms(processing)}  target ≤ 5 ms")
    if profiler:
        profiler.dump_stats(f"/tmp/samtal-post-cost-{profile}.prof")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def check_stored(app, posted: int) -> None:
    """Every comment posted is stored and approved: the bench measured real work."""
    from sqlalchemy import func, select

    from discussion.extensions import db
    from discussion.models import Comment

    with app.app_context():
        states = dict(
            db.session.execute(select(Comment.state, func.count()).group_by(Comment.state)).all()
        )
    say(f"stored: {states}")
    if sum(states.values()) != posted:
        raise SystemExit(f"{posted} posted but {sum(states.values())} stored")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--per-batch", type=int, default=100)
    parser.add_argument("--profile", choices=("intake", "processing"))
    parser.add_argument(
        "--postgres", action="store_true", help="a fresh PostgreSQL database instead of SQLite"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="samtal-post-cost-") as folder:
        if not args.postgres:
            app = build_app(Path(folder) / "instance")
            measure(app, args.batches, args.per_batch, args.profile)
            return
        from bench.stack import create_database, drop_database, sqlalchemy_url

        database = create_database("samtal_post_cost")
        try:
            app = build_app(Path(folder) / "instance", sqlalchemy_url(database))
            measure(app, args.batches, args.per_batch, args.profile)
            with app.app_context():
                from discussion.extensions import db

                db.engine.dispose()
        finally:
            drop_database(database)


if __name__ == "__main__":
    main()
