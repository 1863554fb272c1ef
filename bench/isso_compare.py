"""Samtal's API against Isso, side by side in one run, on 127.0.0.1.

    .venv/bin/python bench/isso_compare.py [--seconds 10]

Installs Isso from PyPI into its own virtual environment (bench/.isso-venv, made on first use),
starts Isso, Samtal and a bare Flask "hello" app under the same gunicorn settings (2 sync
workers, one settings file) on SQLite, seeds the same threads (100 and 1,000 comments, a
quarter of them top-level, the rest replies) through each one's own HTTP API, drives them with
wrk (posting at 16 and at 64 connections, each on a post of its own) and prints one table with
requests/s, p50/p99, errors and the Samtal/Isso ratios.

Both servers run as deployed: Isso with its default settings (its guard on, moderation off),
Samtal on its embedded default (comments processed and spam-checked in-process after the
commit) with post-moderation, which is what Isso's "moderation off" means. Every request
carries its own client address in X-Forwarded-For, which both trust from one proxy, so the
per-reader rate limits of both apply as to real readers and none is switched off. For the POST
case a wrk Lua script (bench/wrk_post.lua) puts a unique marker in each comment and counts the
201 answers that do not carry their own comment; the rows stored are then counted and compared
with the 201s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import ROOT, WrkResult, gunicorn, say, wrk  # noqa: E402

ISSO_VENV = ROOT / "bench" / ".isso-venv"
POST_SCRIPT = ROOT / "bench" / "wrk_post.lua"
HAM = ROOT / "discussion" / "data" / "swedish-ham" / "comments.tsv"
# The same gunicorn settings for all three apps, instead of Samtal's own gunicorn.conf.py.
GUNICORN_SETTINGS = "timeout = 30\ngraceful_timeout = 20\ncontrol_socket_disable = True\n"
PAGE = 20  # top-level comments on the first page of the 1,000-comment thread
POST_CONNECTIONS = (16, 64)
READ_CONNECTIONS = 16
TIMEOUT = 10  # seconds; a slower answer counts as an error (wrk's own default is 2 s)


# --- Isso ------------------------------------------------------------------------------------


def isso_gunicorn() -> Path:
    """Isso's own virtual environment with Isso and gunicorn from PyPI, made once."""
    binary = ISSO_VENV / "bin" / "gunicorn"
    if binary.exists() and (ISSO_VENV / "bin" / "isso").exists():
        return binary
    say(f"installing Isso and gunicorn from PyPI into {ISSO_VENV}")
    base_python = getattr(sys, "_base_executable", sys.executable)
    steps = [
        [base_python, "-m", "venv", str(ISSO_VENV)],
        [str(ISSO_VENV / "bin" / "pip"), "install", "--quiet", "isso", "gunicorn"],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise SystemExit(
                f"could not install Isso: {' '.join(step)} exited {result.returncode}\n"
                f"{result.stderr.strip() or result.stdout.strip()}"
            )
    return binary


def isso_settings(folder: Path) -> Path:
    path = folder / "isso.cfg"
    path.write_text(
        "[general]\n"
        f"dbpath = {folder / 'isso.db'}\n"
        "host = http://127.0.0.1/\n"
        "[server]\n"
        "trusted-proxies = 127.0.0.1\n"
    )
    return path


# --- seeding through each one's API ----------------------------------------------------------


def texts() -> list[str]:
    """Real-looking Swedish comments, so neither server's checks see a flood of one text."""
    with HAM.open(encoding="utf-8") as handle:
        return [row[1] for row in csv.reader(handle, delimiter="\t") if row and row[0] == "ham"]


def plan(count: int, rng: random.Random) -> list[int | None]:
    """For each comment, the index of the top-level comment it replies to (None: top-level)."""
    roots: list[int] = []
    parents: list[int | None] = []
    for index in range(count):
        if index % 4 == 0:
            roots.append(index)
            parents.append(None)
        else:
            parents.append(rng.choice(roots))
    return parents


def http(method: str, url: str, body: dict | None = None, headers: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def reader_address(number: int) -> str:
    """A network of its own for each seeded reader: Isso tells readers apart by /24 network."""
    return f"10.{100 + number // 256}.{number % 256}.1"


def seed(count: int, post_one, label: str) -> None:
    """Post `count` comments in the planned shape, showing progress."""
    pool = texts()
    ids: list[int] = []
    for index, parent in enumerate(plan(count, random.Random(count))):
        text = f"{pool[index % len(pool)]} ({index + 1} av {count})"  # unique in every thread
        ids.append(post_one(index, text, None if parent is None else ids[parent]))
        if (index + 1) % 100 == 0 or index + 1 == count:
            say(f"{label}: {index + 1}/{count} comments")


def seed_isso(base: str, uri: str, count: int) -> None:
    def post_one(index: int, text: str, parent: int | None) -> int:
        body = {"text": text, "author": f"Läsare {index}", "title": uri, "parent": parent}
        answer = http(
            "POST",
            f"{base}/new?uri={uri}",
            body,
            {"X-Forwarded-For": reader_address(index)},
        )
        return answer["id"]

    seed(count, post_one, f"Isso {uri}")


@dataclass
class SamtalThread:
    slug: str
    question_id: int


def create_samtal_post(base: str, staff_token: str, slug: str) -> SamtalThread:
    body = {
        "title": f"Bänkprov {slug}",
        "author": "@bench",
        "date": "2024-01-01",
        "markdown": "Ett inlägg att kommentera.\n",
    }
    post = http(
        "PUT", f"{base}/api/v1/posts/{slug}", body, {"Authorization": f"Bearer {staff_token}"}
    )
    return SamtalThread(slug, post["questions"][-1]["id"])


def write_token(base: str, slug: str) -> tuple[str, str]:
    answer = http("GET", f"{base}/api/v1/posts/{slug}/token")
    return answer["token"], answer["form_ts"]


def seed_samtal(base: str, thread: SamtalThread, count: int) -> None:
    token, form_ts = write_token(base, thread.slug)
    time.sleep(3.5)  # a reader takes a few seconds to write; faster looks like a robot

    def post_one(index: int, text: str, parent: int | None) -> int:
        body = {"name": f"Läsare {index}", "body": text, "parent_id": parent, "ts": form_ts}
        headers = {"X-Samtal-Token": token, "X-Forwarded-For": reader_address(index)}
        path = f"/api/v1/posts/{thread.slug}/questions/{thread.question_id}/comments"
        answer = http("POST", base + path, body, headers)
        return answer["comment"]["id"]

    seed(count, post_one, f"Samtal {thread.slug}")


def count_comments(body: dict) -> int:
    """Comments in an answer of either server, replies included."""
    items = body.get("replies") if "replies" in body else body.get("comments", [])
    return sum(1 + count_comments({"replies": item.get("replies", [])}) for item in items or [])


# --- the Samtal instance -----------------------------------------------------------------------


def samtal_env(instance: Path) -> dict[str, str]:
    return {
        "SAMTAL_INSTANCE_PATH": str(instance),
        "SAMTAL_SECRET_KEY": "bench-secret",
        "SAMTAL_MODERATION_POLICY": "post",
        "SAMTAL_PROXY_COUNT": "1",
        "SAMTAL_LOG_LEVEL": "WARNING",
        "SAMTAL_BROKER_URL": "",
        "SAMTAL_DATABASE_URL": "",
    }


def prepare_samtal(instance: Path) -> str:
    """Create the schema, train the spam model once and make a staff token; returns the token."""
    os.environ.update(samtal_env(instance))

    from discussion import create_app
    from discussion.api.access import create_token
    from discussion.extensions import db
    from discussion.spam import store

    app = create_app()
    with app.app_context():
        db.create_all()
        store.current()
        _, secret = create_token("bench")
        db.session.commit()
        db.engine.dispose()
    return secret


def stored_samtal(instance: Path, slug: str) -> int:
    with sqlite3.connect(instance / "samtal.db") as conn:
        return conn.execute(
            "SELECT count(*) FROM comment JOIN post ON post.id = comment.post_id WHERE slug = ?",
            (slug,),
        ).fetchone()[0]


def states_samtal(instance: Path, slug: str) -> str:
    """How far the stored comments got, e.g. "approved 998, received 2"."""
    with sqlite3.connect(instance / "samtal.db") as conn:
        rows = conn.execute(
            "SELECT state, count(*) FROM comment JOIN post ON post.id = comment.post_id "
            "WHERE slug = ? GROUP BY state ORDER BY count(*) DESC",
            (slug,),
        ).fetchall()
    return ", ".join(f"{state.lower()} {count}" for state, count in rows)


def stored_isso(folder: Path, uri: str) -> int:
    with sqlite3.connect(folder / "isso.db") as conn:
        return conn.execute(
            "SELECT count(*) FROM comments JOIN threads ON threads.id = comments.tid "
            "WHERE threads.uri = ?",
            (uri,),
        ).fetchone()[0]


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Row:
    case: str
    server: str
    result: WrkResult
    note: str = ""


def measure(url: str, seconds: int, connections: int = READ_CONNECTIONS) -> WrkResult:
    wrk(url, seconds=3, connections=connections, timeout=TIMEOUT)  # warm-up: caches, connections
    return wrk(url, seconds=seconds, connections=connections, timeout=TIMEOUT)


def measure_ceiling(url: str, seconds: int, connections: int) -> WrkResult:
    """The bare "hello" app under a POST case's load (a wrk thread per connection): what any
    request costs these gunicorn settings before an app does anything."""
    wrk(url, seconds=3, connections=connections, threads=connections, timeout=TIMEOUT)
    return wrk(url, seconds=seconds, connections=connections, threads=connections, timeout=TIMEOUT)


def measure_posts(
    kind: str, base: str, path: str, seconds: int, connections: int, run: int, token="", ts=""
) -> tuple:
    """Post for `seconds` from `connections` wrk threads; `run` (0-3) keeps the texts and the
    client addresses of the benchmark's runs apart."""
    result = wrk(
        base + path,
        seconds=seconds + 15,
        connections=connections,
        threads=connections,
        script=POST_SCRIPT,
        script_args=[kind, path, token, ts, str(seconds), str(run)],
        timeout=TIMEOUT,
    )
    check = re.search(
        r"POSTCHECK created=(\d+) mismatched=(\d+) other=(\d+) sent=(\d+) window=([\d.]+)",
        result.output,
    )
    created, mismatched, other, sent = (int(check.group(n)) for n in (1, 2, 3, 4))
    # The threads stop once their time is up; wrk's own rate would count the idle rest.
    result.requests_per_second = (created + other) / float(check.group(5))
    return result, created, mismatched, other, sent - created - other


def run(seconds: int, posting_only: bool) -> list[Row]:
    rows: list[Row] = []
    isso_binary = isso_gunicorn()
    with tempfile.TemporaryDirectory(prefix="samtal-isso-") as tmp:
        folder = Path(tmp)
        settings = folder / "gunicorn.conf.py"
        settings.write_text(GUNICORN_SETTINGS)
        instance = folder / "samtal"
        staff_token = prepare_samtal(instance)
        isso_env = {"ISSO_SETTINGS": str(isso_settings(folder))}
        with (
            gunicorn("bench.hello_app:app", {}, config=settings) as hello,
            gunicorn(
                "isso.run",
                isso_env,
                binary=isso_binary,
                config=settings,
                cwd=folder,
                ready_path="/info",
            ) as isso,
            gunicorn("app:app", samtal_env(instance), config=settings) as samtal,
        ):
            if not posting_only:
                rows += measure_reads(hello, isso, samtal, staff_token, seconds)
            posted = {}
            for number, connections in enumerate(POST_CONNECTIONS):
                ceiling = measure_ceiling(hello, seconds, connections)
                slug = f"bench-post-{connections}"
                # Warm-up on a post of its own, as the reads have: each worker's first comment
                # loads what a process loads once (Samtal: the spam model and scikit-learn).
                for phase, (name, timed) in enumerate(
                    ((f"bench-warm-{connections}", 3), (slug, seconds))
                ):
                    run = 2 * number + phase
                    isso_post = measure_posts(
                        "isso", isso, f"/new?uri=/{name}", timed, connections, run
                    )
                    samtal_post = post_to_samtal(samtal, staff_token, name, timed, connections, run)
                posted[connections] = (slug, ceiling, isso_post, samtal_post)
        for connections, (slug, *measured) in posted.items():
            rows += posting_rows(folder, instance, slug, connections, *measured)
    return rows


def post_to_samtal(
    base: str, staff_token: str, slug: str, seconds: int, connections: int, run: int
):
    thread = create_samtal_post(base, staff_token, slug)
    token, form_ts = write_token(base, slug)
    time.sleep(3.5)  # as in seeding: a reader takes a few seconds to write
    path = f"/api/v1/posts/{slug}/questions/{thread.question_id}/comments"
    return measure_posts("samtal", base, path, seconds, connections, run, token, form_ts)


def measure_reads(hello: str, isso: str, samtal: str, staff_token: str, seconds: int) -> list[Row]:
    """Seed the 100- and 1,000-comment threads through each API, check them, read them."""
    rows: list[Row] = []
    say("seeding both through their own APIs")
    small = create_samtal_post(samtal, staff_token, "bench-100")
    large = create_samtal_post(samtal, staff_token, "bench-1000")
    seed_isso(isso, "/bench-100", 100)
    seed_isso(isso, "/bench-1000", 1000)
    seed_samtal(samtal, small, 100)
    seed_samtal(samtal, large, 1000)

    read_isso = f"{isso}/?uri=/bench-100"
    read_samtal = f"{samtal}/api/v1/posts/bench-100"
    page_isso = f"{isso}/?uri=/bench-1000&plain=1&limit={PAGE}"
    page_samtal = (
        f"{samtal}/api/v1/posts/bench-1000/questions/{large.question_id}/comments?limit={PAGE}"
    )
    totals = {
        "Isso": http("GET", f"{isso}/?uri=/bench-1000&limit=0")["total_replies"],
        "Samtal": http("GET", f"{samtal}/api/v1/posts/bench-1000?limit=1")["comment_count"],
    }
    say(f"comments shown in the 1,000-comment thread: {totals}")
    if set(totals.values()) != {1000}:
        raise SystemExit(f"not all 1,000 seeded comments are shown: {totals}")
    shown = {
        "read 100: Isso": count_comments(http("GET", read_isso)),
        "read 100: Samtal": count_comments(thread_of(http("GET", read_samtal))),
        "page 1 of 1,000: Isso": count_comments(http("GET", page_isso)),
        "page 1 of 1,000: Samtal": count_comments(http("GET", page_samtal)),
    }
    say(f"comments in each answer: {shown}")
    if shown["read 100: Isso"] != 100 or shown["read 100: Samtal"] != 100:
        raise SystemExit(f"the 100-comment threads do not show 100 comments: {shown}")
    if shown["page 1 of 1,000: Isso"] != shown["page 1 of 1,000: Samtal"]:
        raise SystemExit(f"the first pages differ in size: {shown}")

    rows.append(Row("read 100-comment thread", "Isso", measure(read_isso, seconds)))
    rows.append(Row("read 100-comment thread", "Samtal", measure(read_samtal, seconds)))
    rows.append(Row("read 100-comment thread", "Flask hello", measure(hello, seconds)))
    note = f"{shown['page 1 of 1,000: Isso']} comments"
    rows.append(Row("first page of 1,000", "Isso", measure(page_isso, seconds), note))
    rows.append(Row("first page of 1,000", "Samtal", measure(page_samtal, seconds), note))
    return rows


def posting_rows(
    folder: Path, instance: Path, slug: str, connections: int, ceiling, isso_post, samtal_post
) -> list[Row]:
    """The POST case's rows at one load, each checked against the rows its server stored."""
    rows: list[Row] = []
    case = f"POST comment, {connections} conn."
    stored = {"Isso": stored_isso(folder, f"/{slug}"), "Samtal": stored_samtal(instance, slug)}
    for server, (result, created, mismatched, other, unanswered) in (
        ("Isso", isso_post),
        ("Samtal", samtal_post),
    ):
        difference = stored[server] - created
        check = "= 201s" if difference == 0 else f"201s {difference:+d}"
        note = (
            f"201: {created}, stored: {stored[server]} ({check}; at most {unanswered} sent "
            f"but unanswered when wrk stopped), not own comment: {mismatched}, "
            f"other answers: {other}"
        )
        if server == "Samtal":
            note += f"; states: {states_samtal(instance, slug)}"
        rows.append(Row(case, server, result, note))
    least_mean = 1000.0 * connections / ceiling.requests_per_second
    note = (
        f"GET, the ceiling of these settings; mean latency = {connections} connections "
        f"/ rate = {least_mean:.1f} ms, below which no app's p99 can be at this load"
    )
    rows.append(Row(case, "Flask hello", ceiling, note))
    return rows


def thread_of(post: dict) -> dict:
    return {"comments": post["questions"][-1]["comments"]}


def table(rows: list[Row]) -> str:
    lines = [
        "| case | server | requests/s | p50 ms | p99 ms | errors | notes |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        r = row.result
        lines.append(
            f"| {row.case} | {row.server} | {r.requests_per_second:,.0f} | {r.p50_ms:.2f} | "
            f"{r.p99_ms:.2f} | {r.errors} | {row.note} |"
        )
    by = {(row.case, row.server): row.result for row in rows}
    lines.append("")
    lines.append("| ratio (same run) | value | target |")
    lines.append("|---|---:|---|")
    ratios = [
        ("read 100-comment thread", "Isso", "≥ 30×"),
        ("read 100-comment thread", "Flask hello", "≥ 0.20×"),
        ("first page of 1,000", "Isso", "≥ 5×"),
    ]
    ratios += [(f"POST comment, {n} conn.", "Isso", "≥ 2×, no errors") for n in POST_CONNECTIONS]
    for case, other, target in ratios:
        if (case, "Samtal") not in by:
            continue
        ratio = by[(case, "Samtal")].requests_per_second / by[(case, other)].requests_per_second
        lines.append(f"| {case}: Samtal / {other} (requests/s) | {ratio:.2f}× | {target} |")
    case = f"POST comment, {POST_CONNECTIONS[0]} conn."
    ratio = by[(case, "Samtal")].p99_ms / by[(case, "Flask hello")].p99_ms
    lines.append(f"| {case}: Samtal p99 / Flask hello p99 | {ratio:.2f}× | ≤ 3× |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each measurement")
    parser.add_argument("--posting-only", action="store_true", help="skip the read cases")
    args = parser.parse_args()
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    say(f"load average before the run: {load}")
    rows = run(args.seconds, args.posting_only)
    print(
        f"Samtal vs Isso, gunicorn 2 sync workers each, SQLite, wrk on 127.0.0.1 "
        f"({args.seconds} s per case; load average before the run {load})"
    )
    print(table(rows))


if __name__ == "__main__":
    try:
        main()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{error.url}: {error.code} {error.read()[:500]!r}") from None
