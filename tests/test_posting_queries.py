"""The SQL statements one comment costs, counted, so that they cannot creep back.

Taking a comment in (the API's POST or the reader's form) and processing it (sanitise, spam
check, routing, audit entry, announcement) are counted apart: the tasks the POST's commit
sends are held and then run as the embedded default runs them. Each count is exact, with the
statements in the message when it fails; a change that needs one more statement changes the
number here, on purpose. (SQLite; BEGIN and COMMIT are not statements the driver sends.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from discussion import jobs
from discussion.extensions import db
from discussion.models import Comment, CommentAnnouncement, CommentState
from tests.helpers import form_fields
from tests.staff import STRATEGER, question_id

API = "/api/v1"
QUESTION = "Vad tror du?"

# What taking a comment in may cost: the post and thread (one query), the insert, the thread
# version's stamp, and (for a comment with an e-mail address) the lookup of its organisation,
# which the answer names while the comment waits for its processing.
INTAKE = 4
# Processing: the locked re-read, the word lists, the duplicate check, the commenter's counts,
# the ban, the organisation of the address, the post's policy, then the update, the audit
# entry, the thread version's stamp and the announcement, all in one commit.
PROCESSING = 11


@pytest.fixture
def qid(app, sample_posts):
    return question_id(app, STRATEGER, QUESTION)


@pytest.fixture
def statements(app):
    """Every statement sent to the database while the test runs, in order."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def held_tasks(monkeypatch):
    """The tasks commits send, held instead of run; `run()` runs them as the default would."""
    held: list[tuple[str, tuple]] = []
    real_send = jobs.send_now
    monkeypatch.setattr(jobs, "send_now", lambda name, *args: held.append((name, args)) or True)

    def run(app) -> list[str]:
        names = []
        with app.app_context():
            while held:
                name, args = held.pop(0)
                names.append(name)
                real_send(name, *args)
        return names

    return run


def write_token(client) -> str:
    return client.get(f"{API}/posts/{STRATEGER}/token").get_json()["token"]


def api_post(client, qid, token, **fields):
    return client.post(
        f"{API}/posts/{STRATEGER}/questions/{qid}/comments",
        json={"name": "Karin", "email": "karin@example.se", "body": "Ett svar."} | fields,
        headers={"X-Samtal-Token": token},
    )


def counted(seen: list[str], expected: int, what: str) -> None:
    listing = "\n".join(f"  {statement[:160]}" for statement in seen)
    assert len(seen) == expected, f"{what}: {len(seen)} statements, not {expected}:\n{listing}"


def test_an_api_post_and_its_processing_cost_a_fixed_number_of_statements(
    app, client, qid, statements, held_tasks
):
    token = write_token(client)
    api_post(client, qid, token, body="Första svaret.")  # warms what a first request loads once
    held_tasks(app)
    statements.clear()

    answer = api_post(client, qid, token)
    assert answer.status_code == 201
    assert answer.get_json()["comment"]["state"] == "received"
    counted(statements, INTAKE, "intake")

    statements.clear()
    assert held_tasks(app) == [jobs.PROCESS_COMMENT]  # announced in the same commit
    counted(statements, PROCESSING, "processing")
    with app.app_context():
        comment = db.session.get(Comment, answer.get_json()["comment"]["id"])
        assert comment.state == CommentState.APPROVED
        assert db.session.get(CommentAnnouncement, comment.id) is not None


def test_the_readers_form_costs_no_more_than_the_api(app, client, qid, statements, held_tasks):
    api_post(client, qid, write_token(client), body="Första svaret.")  # warms the same way
    held_tasks(app)
    url = f"/{STRATEGER}"
    fields = form_fields(client, url)
    statements.clear()
    response = client.post(
        f"/{STRATEGER}/trad/{qid}",
        data=fields | {"name": "Karin", "email": "karin@example.se", "body": "Från sidan."},
    )
    assert response.status_code == 302
    # The form has no answer to word, so no organisation lookup: one statement fewer.
    counted(statements, INTAKE - 1, "intake from the form")
    statements.clear()
    held_tasks(app)
    counted(statements, PROCESSING, "processing")


def test_on_the_embedded_default_the_answer_shows_the_processed_comment(
    app, client, qid, statements
):
    """Processing runs at the commit here, so the answer reads the comment once more and tells
    the writer it is published; the whole request is intake, processing and that one read."""
    token = write_token(client)
    api_post(client, qid, token, body="Första svaret.")
    statements.clear()
    answer = api_post(client, qid, token)
    assert answer.get_json()["comment"]["state"] == "approved"
    counted(statements, INTAKE - 1 + PROCESSING + 1, "the whole request")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 2
