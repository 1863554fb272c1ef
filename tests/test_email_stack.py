"""Exactly once in the production shape: PostgreSQL, a Redis broker, a real Celery worker, SMTP.

The worker consumes the `comments` and `email` queues; the SMTP server (aiosmtpd) is stopped
and started within a test to make an outage the worker's retries must ride out.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from discussion import jobs
from discussion.auth import accounts
from discussion.comments import posting
from discussion.extensions import db
from discussion.mail import outbox
from discussion.models import EmailStatus, OutgoingEmail, Question, Role
from discussion.organisations import register as organisations
from discussion.posts.importing import import_files, post_files
from tests.helpers import SAMPLE_POSTS

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

AUTHOR = "jm@example.se"
EMMA = "emma.nilsson@kommunal.se"


@pytest.fixture
def mail_stack(stack_app, smtp_server):
    stack_app.config.update(
        smtp_server.config()
        | {
            "SAMTAL_MODERATION_POLICY": "post",
            "SAMTAL_EMAIL_RETRY_FIRST_SECONDS": 0.5,
            "SAMTAL_EMAIL_RETRY_FOR_SECONDS": 60,
        }
    )
    with stack_app.app_context():
        assert not import_files(post_files(SAMPLE_POSTS)).failed
        accounts.create_user(
            AUTHOR, "correct horse battery", Role.AUTHOR, author_handle="@jmjobring"
        )
        organisations.add_organisation("Kommunal", ["kommunal.se"])
        db.session.commit()
    return stack_app


def poll(check, timeout: float = 20.0, interval: float = 0.1):
    """Call `check` until it returns something truthy or the deadline passes; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def author_mail(app) -> OutgoingEmail | None:
    with app.app_context():
        row = db.session.scalar(select(OutgoingEmail).where(OutgoingEmail.kind == "author"))
        if row is not None:
            db.session.expunge(row)
        return row


def post_verified_answer(app) -> int:
    """An answer from a browser that verified Emma's address before: it carries the badge."""
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.text == "Vad tror du?"))
        comment = posting.post_comment(
            question, name="Emma Nilsson", body="Vi menar nätverket i yrket.", email=EMMA
        )
        comment.organisation = organisations.find("Kommunal")
        db.session.commit()
        return comment.id


def test_smtp_down_then_up_gives_exactly_one_email(mail_stack, celery_worker, smtp_server):
    smtp_server.stop()
    post_verified_answer(mail_stack)

    retried = poll(lambda: (row := author_mail(mail_stack)) is not None and row.attempts >= 2)
    assert retried, "the worker did not retry the e-mail while SMTP was down"
    row = author_mail(mail_stack)
    assert row.status == EmailStatus.QUEUED and "ConnectionRefusedError" in row.last_error

    smtp_server.start()
    assert poll(lambda: author_mail(mail_stack).status == EmailStatus.SENT)
    time.sleep(1.5)  # longer than the next retry would wait: nothing more may arrive
    assert len(smtp_server.to(AUTHOR)) == 1
    assert smtp_server.to(AUTHOR)[0]["Subject"] == "Kommunal har svarat på ”Vad tror du?”"


def test_concurrent_deliveries_of_one_email_send_it_once(
    mail_stack, celery_worker, smtp_server, monkeypatch
):
    smtp_server.handler.delay = 0.3  # a slow server widens the window for a double send
    monkeypatch.setattr(jobs, "send_now", lambda name, *args: True)  # hold the tasks back
    with mail_stack.app_context():
        row = outbox.queue_email(
            event="test:concurrent",
            recipient=AUTHOR,
            kind="digest",
            subject="Två gånger?",
            template="digest",
            to_reader=False,
            comments=[],
            total=0,
            queue_url="https://samtal.example/moderera",
            comment_url=str,
        )
        db.session.commit()
        outgoing_id = row.id
    monkeypatch.undo()

    def deliver():
        with mail_stack.app_context():
            outbox.deliver(outgoing_id)

    celery = mail_stack.extensions["celery"]
    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for _ in range(2):
        celery.send_task(jobs.SEND_EMAIL, args=[outgoing_id])
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert poll(lambda: len(smtp_server.messages) >= 1)
    time.sleep(1.0)  # let the worker finish both task deliveries
    assert len(smtp_server.to(AUTHOR)) == 1
    with mail_stack.app_context():
        sent = db.session.get(OutgoingEmail, outgoing_id)
        assert sent.status == EmailStatus.SENT and sent.attempts == 1
