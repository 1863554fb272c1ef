"""How many comments one Celery worker process takes from received to processed, on one core.

    .venv/bin/python bench/worker_speed.py [--comments 3000] [--core 0] [--in-process|--profile]

Starts the production stack's parts (bench/stack.py: a database of its own on the machine's
PostgreSQL, a private Redis) with the sample posts, stores `--comments` received comments
through the posting service (each from an address and an e-mail of its own, a quarter of them
replies, post-moderation, the spam check on), whose commits queue their processing in Redis as
a POST's would. Then it starts one worker with the Procfile's command and concurrency 1, pinned
to one core with `taskset` (its consumer and its one pool process share that core), and
counts the comments processed per second from the worker's "ready" and its spam model's
loading (once per process start) until none is left received. It checks that each comment was
processed exactly once (one `processed` audit entry each). The worker's settings are the
stack's, so SAMTAL_WORKER_BATCH keeps its default (50) unless `--batch` sets it.

`--in-process` runs no worker: this process calls the processing task's function for each
queued comment, each in an app context of its own as a task runs, and prints the CPU per
comment: what processing costs without Celery. `--profile` does the same under cProfile (CPU
time) and prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import say  # noqa: E402
from bench.post_cost import SLUG, TEXTS, address  # noqa: E402
from bench.stack import Stack, procfile_commands  # noqa: E402


def seed(app, count: int) -> None:
    """`count` received comments, committed in batches; each commit queues their tasks."""
    from sqlalchemy import select

    from discussion.comments.posting import post_comment
    from discussion.extensions import db
    from discussion.models import Post

    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == SLUG))
        questions = list(post.questions)
        roots: dict[int, int] = {}
        for number in tqdm(range(count), desc="storing received comments", file=sys.stderr):
            question = questions[number % len(questions)]
            parent = roots.get(question.id) if number % 4 else None
            comment = post_comment(
                question,
                name=f"Läsare {number}",
                email=f"lasare{number}@example.se",
                body=f"{TEXTS[number % len(TEXTS)]} ({number})",
                parent_id=parent,
                ip=address(number),
                signals={"honeypot": False, "timestamp": "valid", "seconds_to_post": 60.0},
            )
            if parent is None:
                roots[question.id] = comment.id
            if number % 200 == 199:
                db.session.commit()
        db.session.commit()


def counts(app) -> tuple[int, int, int]:
    """(received, processed comments, `processed` audit entries) now."""
    from sqlalchemy import func, select

    from discussion.extensions import db
    from discussion.models import Comment, CommentState, ModerationDecision

    with app.app_context():
        received = db.session.scalar(
            select(func.count()).where(Comment.state == CommentState.RECEIVED)
        )
        processed = db.session.scalar(
            select(func.count()).where(Comment.state != CommentState.RECEIVED)
        )
        entries = db.session.scalar(
            select(func.count()).where(ModerationDecision.action == "processed")
        )
        db.session.remove()
    return received, processed, entries


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children now (the worker and its pool)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def in_process(app, count: int, profile: bool) -> None:
    """The processing tasks' function in this process, one call per queued comment."""
    from sqlalchemy import select

    from discussion.comments import processing
    from discussion.extensions import db
    from discussion.models import Comment
    from discussion.spam import store

    with app.app_context():
        store.current()  # the model trained or loaded beforehand, as a running worker has it
        ids = list(db.session.scalars(select(Comment.id).order_by(Comment.id)))
        db.session.remove()
    profiler = cProfile.Profile(time.process_time) if profile else None
    start = time.process_time()
    if profiler:
        profiler.enable()
    for comment_id in tqdm(ids, desc="processed", file=sys.stderr):
        with app.app_context():
            processing.process_comment(comment_id)
    if profiler:
        profiler.disable()
    cpu = time.process_time() - start
    _, processed, entries = counts(app)
    under = " (under cProfile)" if profiler else ""
    print(
        f"in this process, without Celery: {count} comments, CPU {cpu:.2f} s = "
        f"{1000 * cpu / count:.2f} ms a comment{under}; processed {processed}, "
        f"'processed' audit entries {entries} (exactly once: {entries == count})"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def run(count: int, core: int, batch: str, here: bool = False, profile: bool = False) -> None:
    if shutil.which("taskset") is None:
        raise SystemExit("taskset is missing (util-linux)")
    with tempfile.TemporaryDirectory(prefix="samtal-worker-speed-") as folder:
        stack = Stack(Path(folder))  # logging at INFO, as the stack runs
        try:
            stack.add_sample_posts()
            app = stack.app(SAMTAL_WORKER_BATCH=int(batch))
            seed(app, count)
            if here or profile:
                in_process(app, count, profile)
                return
            say(f"{count} comments received and queued; starting one worker on core {core}")
            command = ["taskset", "-c", str(core), *procfile_commands()["worker"]]
            worker = stack.run([*command, "--hostname", "speed@%h"], SAMTAL_WORKER_BATCH=batch)
            worker.wait_for_log(" ready.", timeout=120)
            # Its pool process loads the spam model as it starts (worker/app.py), once.
            worker.wait_for_log("spam model", timeout=120)
            start, cpu_start = time.monotonic(), cpu_seconds(worker.pid)
            bar = tqdm(total=count, desc="processed", file=sys.stderr)
            received = count
            while received:
                time.sleep(0.5)
                received, processed, _ = counts(app)
                bar.n = processed
                bar.refresh()
                if time.monotonic() - start > 600:
                    raise SystemExit(f"still {received} received after 10 minutes")
            seconds, cpu = time.monotonic() - start, cpu_seconds(worker.pid) - cpu_start
            bar.close()
            _, processed, entries = counts(app)
            print(
                f"one worker process on one core: {count} comments in {seconds:.1f} s = "
                f"{count / seconds:.0f} comments/s (polled every 0.5 s); worker CPU {cpu:.1f} s = "
                f"{1000 * cpu / count:.1f} ms a comment, {count / cpu:.0f} comments per CPU "
                f"second; processed {processed}, "
                f"'processed' audit entries {entries} (exactly once: {entries == count})"
            )
        finally:
            stack.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=3000)
    parser.add_argument("--core", type=int, default=0, help="the core to pin the worker to")
    parser.add_argument("--batch", default="50", help="SAMTAL_WORKER_BATCH (1: no batches)")
    parser.add_argument(
        "--in-process", action="store_true", help="no worker: time processing in this process"
    )
    parser.add_argument("--profile", action="store_true", help="--in-process under cProfile")
    args = parser.parse_args()
    load = Path("/proc/loadavg").read_text().split()[:3]
    say(f"load average before: {' '.join(load)}")
    run(args.comments, args.core, args.batch, args.in_process, args.profile)
    say(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
