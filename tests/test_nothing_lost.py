"""Nothing lost: an accepted comment is processed exactly once whatever part of the stack fails.

Each test runs real processes against a PostgreSQL database and a Redis of this module's own
(bench/stack.py): Celery workers and beat started with the Procfile's commands, the web side
through the Flask test client or gunicorn. The comment row is the source of truth, so "once" is
counted in the audit log: exactly one `processed` entry per comment.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from bench.stack import Reader, admin_connection, psycopg_url, wait_until
from discussion.auth import accounts
from discussion.comments import posting
from discussion.extensions import db
from discussion.models import (
    Comment,
    CommentState,
    EmailStatus,
    ModerationDecision,
    OutgoingEmail,
    Post,
    Question,
    Role,
)
from discussion.organisations import register as organisations
from tests.helpers import csrf_token, start_stack

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SLUG = "kommunal-svarar"
EMMA = "emma.nilsson@kommunal.se"
PROCESSED = re.compile(r"comment (\d+) processed")
# Restarting the machine's PostgreSQL disturbs everything else using it; CI (.ci/run) allows it.
RESTART_POSTGRES = os.environ.get("SAMTAL_TEST_RESTART_POSTGRES") == "1"


@pytest.fixture(scope="module")
def stack(postgres_url, tmp_path_factory):
    stack = start_stack(
        tmp_path_factory.mktemp("nothing-lost"),
        settings={
            "SAMTAL_SWEEP_AFTER_SECONDS": "2",
            "SAMTAL_SWEEP_INTERVAL_SECONDS": "1",
            "SAMTAL_BROKER_VISIBILITY_TIMEOUT": "5",
        },
    )
    try:
        stack.add_sample_posts()
        yield stack
    finally:
        stack.close()


@pytest.fixture
def web(stack):
    """The web side in this process, on the stack's database and broker; no processes yet."""
    stack.reset_broker()
    app = stack.app()
    yield app
    stack.stop_processes()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def question_id(app) -> int:
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == SLUG))
        return post.questions[-1].id


def post_comment(app, text: str) -> int:
    """Answer as a reader through the view; check the normal confirmation; the comment's id."""
    client = app.test_client()
    response = client.post(
        f"/{SLUG}/trad/{question_id(app)}",
        data={"csrf_token": csrf_token(client, f"/{SLUG}"), "name": "Läsare", "body": text},
    )
    assert response.status_code == 302
    confirmation = client.get(response.location).get_data(as_text=True)
    assert "Tack! Din kommentar är mottagen" in confirmation
    with app.app_context():
        return db.session.scalar(select(Comment.id).where(Comment.body_raw == text))


def states(app, ids: list[int]) -> dict[int, CommentState]:
    with app.app_context():
        rows = db.session.execute(select(Comment.id, Comment.state).where(Comment.id.in_(ids)))
        return dict(rows.all())


def processed_counts(app, ids: list[int]) -> dict[int, int]:
    """How many times each comment was processed, from the audit log."""
    with app.app_context():
        rows = db.session.execute(
            select(ModerationDecision.comment_id, func.count())
            .where(ModerationDecision.comment_id.in_(ids), ModerationDecision.action == "processed")
            .group_by(ModerationDecision.comment_id)
        )
        return {comment_id: 0 for comment_id in ids} | dict(rows.all())


def wait_until_processed(app, ids: list[int], timeout: float = 60) -> None:
    def done() -> bool:
        return CommentState.RECEIVED not in states(app, ids).values()

    wait_until(done, timeout, f"comments {ids} to be processed", interval=0.25)


def processed_by(process) -> set[int]:
    return {int(number) for number in PROCESSED.findall(process.log())}


# --- 1. broker down ----------------------------------------------------------------------------


def test_broker_down_comments_are_kept_and_processed_once_when_it_returns(stack, web):
    worker = stack.start_worker("w1")
    stack.start("beat")
    before = post_comment(web, "Innan avbrottet.")
    wait_until_processed(web, [before])

    stack.redis.stop()
    during = []
    for number in range(5):
        started = time.monotonic()
        during.append(post_comment(web, f"Under avbrottet, nummer {number}."))
        assert time.monotonic() - started < 10, "a POST must not hang while Redis is down"
    assert set(states(web, during).values()) == {CommentState.RECEIVED}

    stack.redis.start()  # empty: whatever was queued before the outage is gone too
    wait_until_processed(web, during, timeout=90)
    assert processed_counts(web, [before, *during]) == {i: 1 for i in [before, *during]}
    assert "sweep re-sent" in worker.log()


# --- 2. worker killed --------------------------------------------------------------------------


def backends_waiting_for_a_lock(database: str) -> int:
    with admin_connection() as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            (database,),
        ).fetchone()[0]


def test_a_worker_killed_mid_task_leaves_the_comment_to_another_worker_once(stack, web):
    comment_id = post_comment(web, "Mitt i arbetet.")  # no worker yet: the task waits in Redis
    with psycopg.connect(psycopg_url(stack.database), connect_timeout=5) as lock:
        # Hold the comment's row so the worker is caught mid-task, inside its transaction.
        lock.execute("SELECT id FROM comment WHERE id = %s FOR UPDATE", (comment_id,))
        doomed = stack.start_worker("doomed")
        wait_until(
            lambda: backends_waiting_for_a_lock(stack.database), 30, "the worker to start the task"
        )
        doomed.kill()
        assert states(web, [comment_id]) == {comment_id: CommentState.RECEIVED}
    survivor = stack.start_worker("survivor")  # Redis hands the unacknowledged task out again
    wait_until_processed(web, [comment_id], timeout=60)
    assert processed_counts(web, [comment_id]) == {comment_id: 1}
    survivor.wait_for_log(f"comment {comment_id} processed", timeout=10)
    assert processed_by(doomed) == set()


# --- 3. SMTP down ------------------------------------------------------------------------------

AUTHOR = "jm@example.se"


def organisation_answers(app, count: int) -> list[int]:
    """Answers from Kommunal's verified address; each calls for one e-mail to the author."""
    with app.app_context():
        accounts.create_user(
            AUTHOR, "correct horse battery", Role.AUTHOR, author_handle="@jmjobring"
        )
        kommunal = organisations.add_organisation("Kommunal", ["kommunal.se"])
        question = db.session.scalar(select(Question).where(Question.text == "Vad tror du?"))
        ids = []
        for number in range(count):
            comment = posting.post_comment(
                question, name="Emma Nilsson", body=f"Svar nummer {number}.", email=EMMA
            )
            comment.organisation = kommunal
            db.session.commit()  # the task to process it goes to Redis after each commit
            ids.append(comment.id)
        return ids


def author_emails(app) -> list[tuple[str, EmailStatus, int]]:
    with app.app_context():
        rows = db.session.scalars(select(OutgoingEmail).where(OutgoingEmail.recipient == AUTHOR))
        return [(row.event, row.status, row.attempts) for row in rows]


def test_smtp_down_author_notifications_wait_and_each_arrives_once(stack, web, smtp_server):
    stack.start_worker(
        "mailer",
        SAMTAL_SMTP_HOST="127.0.0.1",
        SAMTAL_SMTP_PORT=str(smtp_server.port),
        SAMTAL_SMTP_SECURITY="none",
        SAMTAL_SMTP_TIMEOUT_SECONDS="5",
        SAMTAL_EMAIL_RETRY_FIRST_SECONDS="0.5",
        SAMTAL_EMAIL_RETRY_FOR_SECONDS="300",
    )
    stack.start("beat")
    smtp_server.stop()
    ids = organisation_answers(web, 3)

    def all_retried() -> bool:
        rows = author_emails(web)
        return len(rows) == 3 and all(attempts >= 2 for _, _, attempts in rows)

    wait_until(all_retried, 60, "three author e-mails tried twice while SMTP is down")
    assert {status for _, status, _ in author_emails(web)} == {EmailStatus.QUEUED}
    assert smtp_server.messages == []

    smtp_server.start()
    wait_until(lambda: len(smtp_server.to(AUTHOR)) >= 3, 60, "the e-mails once SMTP is back")
    time.sleep(3)  # longer than the back-off's next waits: a second copy would have come by now
    subjects = [message["Subject"] for message in smtp_server.to(AUTHOR)]
    assert subjects == ["Kommunal har svarat på ”Vad tror du?”"] * 3
    message_ids = {message["Message-ID"] for message in smtp_server.to(AUTHOR)}
    assert len(message_ids) == 3, "each notification exactly once"
    rows = author_emails(web)
    assert sorted(event for event, _, _ in rows) == sorted(f"organisation-answer:{i}" for i in ids)
    assert {status for _, status, _ in rows} == {EmailStatus.SENT}


# --- two workers -------------------------------------------------------------------------------


def test_two_workers_share_the_work_and_do_nothing_twice(stack, web):
    one = stack.start_worker("one")
    two = stack.start_worker("two", SAMTAL_LOG_FORMAT="json")
    ids = [post_comment(web, f"Delat arbete, nummer {number}.") for number in range(24)]
    wait_until_processed(web, ids)
    assert processed_counts(web, ids) == {comment_id: 1 for comment_id in ids}
    wait_until(lambda: processed_by(one) | processed_by(two) >= set(ids), 10, "the log lines")
    by_one, by_two = processed_by(one), processed_by(two)
    assert by_one and by_two, "both workers should have done some of the work"
    assert by_one.isdisjoint(by_two)
    assert by_one | by_two == set(ids)
    processed_lines = json_lines_about(two, by_two)  # worker two logs JSON
    assert len(processed_lines) == len(by_two)
    assert all(e["comment_id"] == int(PROCESSED.search(e["message"])[1]) for e in processed_lines)


def json_lines_about(process, ids: set[int]) -> list[dict]:
    entries = [json.loads(line) for line in process.log().splitlines() if line.startswith("{")]
    return [e for e in entries if (m := PROCESSED.search(e["message"])) and int(m[1]) in ids]


# --- 4. database restart -----------------------------------------------------------------------


def backend_pids(database: str) -> set[int]:
    with admin_connection() as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )
        return {pid for (pid,) in rows}


def terminate_connections(database: str) -> None:
    """What a restart does to the pools: every server-side connection of the database ends."""
    with admin_connection() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )
    wait_until(lambda: not backend_pids(database), 10, "the connections to end")


def restart_postgres() -> None:
    version = next(Path("/etc/postgresql").iterdir()).name
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
    subprocess.run(command, check=True, timeout=60, capture_output=True)
    ready = ["pg_isready", "-h", "127.0.0.1", "-q"]
    wait_until(lambda: subprocess.run(ready, timeout=10).returncode == 0, 30, "PostgreSQL")


@pytest.mark.parametrize("outage", ["connections terminated", "server restarted"])
def test_the_web_process_recovers_from_a_database_restart_without_its_own(stack, web, outage):
    if outage == "server restarted" and not RESTART_POSTGRES:
        pytest.skip("restarts the machine's PostgreSQL: set SAMTAL_TEST_RESTART_POSTGRES=1 (CI)")
    reader = Reader(stack.start_web())
    qid = question_id(web)
    warm = [reader.get(f"/{SLUG}")[0] for _ in range(8)]  # both gunicorn workers fill their pools
    assert warm == [200] * 8
    before = backend_pids(stack.database)
    assert before

    if outage == "connections terminated":
        terminate_connections(stack.database)
    else:
        restart_postgres()

    after_outage = [reader.get(f"/{SLUG}")[0] for _ in range(8)]
    after_outage.append(reader.get("/readyz")[0])
    after_outage.append(reader.post_comment(SLUG, qid, "Efter omstarten."))
    assert after_outage == [200] * 9 + [302]
    assert backend_pids(stack.database).isdisjoint(before), "the pools should have reconnected"


def test_connections_ended_while_readers_read_and_post_never_answer_a_bare_500(stack, web):
    """Backends ended again and again mid-request (a restart's effect on connections in use):
    every answer is the page, the redirect after a stored comment, or Samtal's own 503; a
    comment is stored exactly when its POST was answered with the redirect."""
    base = stack.start_web(SAMTAL_PREVIEW_RATE_LIMIT="1000 per second")  # the form's previews
    qid = question_id(web)
    answers: list[tuple[str, int, str]] = []
    ended = threading.Event()
    kills = []

    def keep_ending_connections() -> None:
        while not ended.is_set():
            with admin_connection() as conn:
                rows = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (stack.database,),
                ).fetchall()
            kills.append(len(rows))
            time.sleep(0.03)

    def read_and_post(number: int) -> None:
        reader = Reader(base)
        for round_ in range(12):
            status, page = reader.get(f"/{SLUG}")
            answers.append(("GET", status, page))
            if status != 200:
                continue
            text = f"Läsare {number} skriver, varv {round_}."
            token = Reader._CSRF.search(page).group(1)
            status, body = reader.post(
                f"/{SLUG}/trad/{qid}", {"csrf_token": token, "name": "Läsare", "body": text}
            )
            answers.append((text, status, body))

    killer = threading.Thread(target=keep_ending_connections)
    readers = [threading.Thread(target=read_and_post, args=(n,)) for n in range(4)]
    killer.start()
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join(timeout=300)
    ended.set()
    killer.join(timeout=30)

    assert sum(kills) > 0, "the test should have ended connections in use"
    statuses = {status for _, status, _ in answers}
    odd = [(what, status, body[-600:]) for what, status, body in answers if status >= 400]
    assert statuses <= {200, 302, 503}, odd
    assert not [body for _, status, body in answers if "Internal Server Error" in body]
    assert all("Tillfälligt avbrott" in body for _, status, body in answers if status == 503)
    posted = {text: status for text, status, _ in answers if text != "GET"}
    with web.app_context():
        rows = db.session.scalars(select(Comment.body_raw).where(Comment.body_raw.in_(posted)))
        stored_texts = set(rows)
    assert {text for text, status in posted.items() if status == 302} <= stored_texts
    # A 503 for a cut write stores nothing; only a COMMIT cut after the server wrote it could.
    assert len(stored_texts - {t for t, s in posted.items() if s == 302}) <= 1
