"""Readers posting and reading against the production stack, and nothing lost under load.

    .venv/bin/python bench/stack_load.py [--seconds 30] [--readers 64] [--batch 50]

Starts the stack as the tests do (bench/stack.py): a fresh PostgreSQL database, a private
redis-server, gunicorn with 2 workers and one Celery worker, both with the Procfile's commands.
Then `--readers` threads, each a reader with its own session, read post pages and post comments
(one request in four is a POST) for `--seconds`; each finishes its last request, so every POST
has an answer. Reports requests/s, p50/p99 per kind of request, the time from POST to
`approved` (the comment's created_at to its audit entry), the statuses, and, once the queue has
drained, whether the comments in the database are exactly the POSTs answered with the normal
confirmation (302 to the thread). All traffic is on 127.0.0.1.

Deployment settings as documented (README "Settings"): the site is taken to be behind one proxy
(SAMTAL_PROXY_COUNT=1) and each POST carries an X-Forwarded-For address of its own, as from many
readers; the posting limit stays at its default and is checked on every POST. The worker takes
received comments in batches of `--batch` (SAMTAL_WORKER_BATCH, default 50; 1 for one at a
time, as before batches).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import ROOT, say  # noqa: E402

SENTENCES = (
    "Jag tror att kontaktnätet betyder mer än titeln.",
    "Bra fråga! Hos oss på kontoret ser det helt annorlunda ut.",
    "Kunderna dansar inte alltid, men de lyssnar när man frågar dem.",
    "Sponsrade inlägg fungerar om de är ärliga mot läsaren.",
    "Vi testade det här förra året och lärde oss en hel del.",
    "Svårt att säga, men jag lutar åt att strategin kommer sist.",
)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Tally:
    """What the readers saw, merged under a lock at the end of each reader's run."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"GET": [], "POST": []})
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: {"GET": {}, "POST": {}})
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] = self.statuses[kind].get(status, 0) + 1


class Reader:
    """One reader: a session cookie and CSRF token from a page, then pages and comments."""

    def __init__(self, number: int, port: int, targets: list[tuple[str, int]], tally: Tally):
        self.number = number
        self.port = port
        self.targets = targets
        self.tally = tally
        self.random = random.Random(number)
        self.cookie = ""
        self.token = ""
        self.posts = 0

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(
                method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})}
            )
            response = connection.getresponse()
            return response.status, response.getheader("Set-Cookie"), response.read()
        finally:
            connection.close()

    def start_session(self) -> None:
        status, cookie, page = self.request("GET", f"/{self.targets[0][0]}")
        assert status == 200 and cookie, f"reader {self.number}: no page or session ({status})"
        self.cookie = cookie.split(";", 1)[0]
        self.token = CSRF.search(page.decode()).group(1)

    def run(self, deadline: float) -> None:
        self.start_session()
        sent = 0
        while time.monotonic() < deadline:
            sent += 1
            slug, question = self.targets[self.random.randrange(len(self.targets))]
            if sent % 4:
                self.timed("GET", f"/{slug}")
            else:
                self.post(slug, question)

    def post(self, slug: str, question: int) -> None:
        self.posts += 1
        text = f"{self.random.choice(SENTENCES)} (läsare {self.number}-{self.posts})"
        form = {"csrf_token": self.token, "name": f"Läsare {self.number}", "body": text}
        address = f"10.{self.number}.{self.posts // 250 % 250}.{self.posts % 250 + 1}"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": address,
        }
        self.timed("POST", f"/{slug}/trad/{question}", urllib.parse.urlencode(form), headers)

    def timed(self, method: str, path: str, body: str | None = None, headers=None) -> None:
        started = time.perf_counter()
        try:
            status = self.request(method, path, body, headers)[0]
        except OSError as error:
            with self.tally.lock:
                self.tally.failures.append(f"{method} {path}: {error}")
            return
        self.tally.add(method, status, time.perf_counter() - started)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def seed(stack) -> list[tuple[str, int]]:
    """The schema and the five sample posts; every (post, thread) a reader can answer in."""
    from sqlalchemy import select

    from discussion.demo import SAMPLE_POSTS
    from discussion.extensions import db
    from discussion.models import Question
    from discussion.posts.importing import import_files, post_files

    app = stack.app()
    with app.app_context():
        db.create_all()
        assert not import_files(post_files(SAMPLE_POSTS)).failed
        targets = [(q.post.slug, q.id) for q in db.session.scalars(select(Question))]
        db.engine.dispose()
    return targets


def drain(app, timeout: float = 300) -> float:
    """Seconds until no comment is left `received` (the queue has drained)."""
    from sqlalchemy import func, select

    from discussion.extensions import db
    from discussion.models import Comment, CommentState

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with app.app_context():
            left = db.session.scalar(
                select(func.count()).where(Comment.state == CommentState.RECEIVED)
            )
        if not left:
            return time.monotonic() - started
        time.sleep(0.5)
    raise SystemExit(f"the queue did not drain in {timeout}s ({left} comments left)")


APPROVAL_WAITS = """
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s), percentile_cont(0.99) WITHIN GROUP
  (ORDER BY s), count(*)
FROM (SELECT EXTRACT(EPOCH FROM d.created_at - c.created_at) AS s
      FROM comment c JOIN moderation_decision d ON d.comment_id = c.id
      WHERE d.to_state = 'approved' AND d.action = 'processed' AND c.id > :after) AS waits
"""


def stored(app, after: int) -> dict:
    """Comments by state, POST-to-approved seconds, and any comment processed twice."""
    from sqlalchemy import func, select, text

    from discussion.extensions import db
    from discussion.models import Comment, ModerationDecision

    with app.app_context():
        states = dict(
            db.session.execute(
                select(Comment.state, func.count())
                .where(Comment.id > after)
                .group_by(Comment.state)
            ).all()
        )
        p50, p99, approved = db.session.execute(text(APPROVAL_WAITS), {"after": after}).one()
        twice = db.session.scalar(
            select(func.count()).select_from(
                select(ModerationDecision.comment_id)
                .where(ModerationDecision.action == "processed")
                .group_by(ModerationDecision.comment_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
    return {
        "comments": sum(states.values()),
        "states": {str(state): count for state, count in states.items()},
        "approved": approved,
        "approve_p50_ms": float(p50 or 0) * 1000,
        "approve_p99_ms": float(p99 or 0) * 1000,
        "processed_twice": twice,
    }


def warm_up(app, port: int, targets: list[tuple[str, int]]) -> int:
    """Load every process's code and models before the clock starts; the last comment id."""
    from sqlalchemy import func, select

    from discussion.extensions import db
    from discussion.models import Comment

    reader = Reader(0, port, targets, Tally())
    reader.start_session()
    for slug in {slug for slug, _ in targets}:
        reader.timed("GET", f"/{slug}")
    reader.post(*targets[0])
    drain(app)
    with app.app_context():
        return db.session.scalar(select(func.max(Comment.id))) or 0


def run(seconds: int, readers: int, batch: int) -> dict:
    from bench.stack import Stack
    from discussion import config
    from discussion.extensions import db

    settings = {
        "SAMTAL_PROXY_COUNT": "1",
        "SAMTAL_COMMENT_RATE_LIMIT": config.defaults()["SAMTAL_COMMENT_RATE_LIMIT"],
        "SAMTAL_WEB_WORKERS": "2",
        "SAMTAL_WORKER_CONCURRENCY": "0",  # one process per core
        "SAMTAL_WORKER_BATCH": str(batch),
    }
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(Path(tmp), settings=settings)
        try:
            targets = seed(stack)
            base = stack.start_web()
            stack.start_worker("bench")
            port = int(base.rsplit(":", 1)[1])
            app = stack.app()
            say("warming up")
            before = warm_up(app, port, targets)
            tally = Tally()
            crowd = [Reader(number, port, targets, tally) for number in range(1, readers + 1)]
            load_before = os.getloadavg()
            say(f"{readers} readers for {seconds}s on {base}")
            started = time.monotonic()
            threads = [threading.Thread(target=r.run, args=(started + seconds,)) for r in crowd]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=seconds + 120)
            elapsed = time.monotonic() - started
            load_after = os.getloadavg()
            say("waiting for the queue to drain")
            drained = drain(app)
            result = {"stored": stored(app, before), "drain_seconds": drained}
            with app.app_context():
                db.engine.dispose()
        finally:
            stack.close()
    requests = sum(len(v) for v in tally.latencies.values())
    result.update(
        batch=batch,
        readers=readers,
        seconds=round(elapsed, 1),
        requests=requests,
        requests_per_second=requests / elapsed,
        latency_ms={
            kind: {"p50": percentile(v, 0.5) * 1000, "p99": percentile(v, 0.99) * 1000}
            for kind, v in tally.latencies.items()
        },
        all_p50_ms=percentile(sum(tally.latencies.values(), []), 0.5) * 1000,
        all_p99_ms=percentile(sum(tally.latencies.values(), []), 0.99) * 1000,
        statuses=tally.statuses,
        failures=tally.failures[:10],
        failure_count=len(tally.failures),
        load_before=load_before,
        load_after=load_after,
    )
    return result


def report(result: dict) -> str:
    posts = result["statuses"]["POST"]
    accepted = posts.get(302, 0)
    server_errors = sum(
        n for kind in result["statuses"].values() for s, n in kind.items() if s >= 500
    )
    stored_ = result["stored"]
    lines = [
        f"{result['readers']} readers, {result['seconds']} s, gunicorn 2 workers + PostgreSQL + "
        f"Redis + 1 Celery worker (SAMTAL_WORKER_BATCH={result.get('batch', 1)}):",
        f"  {result['requests_per_second']:.1f} req/s ({result['requests']} requests), "
        f"p50 {result['all_p50_ms']:.1f} ms, p99 {result['all_p99_ms']:.1f} ms",
    ]
    for kind, figures in result["latency_ms"].items():
        lines.append(
            f"  {kind:4} p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, "
            f"statuses {dict(sorted(result['statuses'][kind].items()))}"
        )
    lines += [
        f"  POST to approved: p50 {stored_['approve_p50_ms']:.0f} ms, "
        f"p99 {stored_['approve_p99_ms']:.0f} ms ({stored_['approved']} approved)",
        f"  5xx: {server_errors}; socket errors: {result['failure_count']}",
        f"  POSTs answered 302: {accepted}; comments in the database after draining "
        f"({result['drain_seconds']:.1f} s): {stored_['comments']} {stored_['states']}; "
        f"processed twice: {stored_['processed_twice']}",
        f"  load average before/after (1, 5, 15 min): "
        f"{' '.join(f'{x:.2f}' for x in result['load_before'])} / "
        f"{' '.join(f'{x:.2f}' for x in result['load_after'])}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--readers", type=int, default=64)
    parser.add_argument(
        "--batch", type=int, default=50, help="SAMTAL_WORKER_BATCH for the worker (1: no batches)"
    )
    args = parser.parse_args()
    result = run(args.seconds, args.readers, args.batch)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"stack_load-{int(time.time())}.json").write_text(json.dumps(result, indent=2))
    print(report(result))
    stored_ = result["stored"]
    ok = (
        stored_["comments"] == result["statuses"]["POST"].get(302, 0)
        and not stored_["processed_twice"]
        and not any(s >= 500 for kind in result["statuses"].values() for s in kind)
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
