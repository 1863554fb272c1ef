"""E-mail that arrives exactly once, in readable Swedish, and never with an injected header.

Real SMTP (aiosmtpd on 127.0.0.1) unless a test is about the .eml outbox of the embedded
default. Tasks run in-process; `test_email_stack.py` runs the same against a real worker.
"""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from discussion import jobs
from discussion.comments import lifecycle, posting
from discussion.extensions import db
from discussion.mail import notifications, subscriptions
from discussion.mail import outbox as mail
from discussion.models import (
    Comment,
    CommentAnnouncement,
    CommentState,
    EmailStatus,
    Organisation,
    OrganisationDomain,
    OutgoingEmail,
    Post,
    Question,
    Role,
    User,
    utcnow,
)
from discussion.organisations import answers, verification
from discussion.organisations import register as organisations
from tests.staff import STRATEGER, add_approved_comments, add_user, question_id
from tests.test_organisations import (
    AUTHOR,
    BASE,
    EMMA,
    KOMMUNAL,
    QUESTION,
    follow,
    newest,
    text_of,
    verification_link,
    with_organisations,
    write,
)
from tests.test_reader import counted_queries
from worker import tasks

ANNA = "anna@example.se"
CONFIRM = re.compile(r"https://samtal\.example/epost/svar/[^\s\"<]+")


@pytest.fixture
def mail_app(app, sample_posts, smtp_server):
    return with_organisations(app, smtp_server, KOMMUNAL)


def queue_test_mail(app, recipient="lasare@example.se", event="test:1", to_reader=True) -> int:
    """One e-mail queued through the service, committed (and so sent, in-process)."""
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == STRATEGER))
        row = mail.queue_email(
            event=event,
            recipient=recipient,
            kind="invite",
            subject="Åsa, Ärlig och Öberg undrar",
            template="invite",
            to_reader=to_reader,
            organisation=organisations.find("Kommunal"),
            post=post,
            questions=["Vad tror du?"],
            inviter="Åsa Öberg",
            post_url=BASE,
            domains=["kommunal.se"],
        )
        db.session.commit()
        return row.id


def outgoing(app, outgoing_id: int) -> OutgoingEmail:
    with app.app_context():
        row = db.session.get(OutgoingEmail, outgoing_id)
        db.session.expunge(row)
        return row


# --- exactly once --------------------------------------------------------------------------------


def test_a_task_that_runs_twice_sends_once(mail_app, smtp_server):
    outgoing_id = queue_test_mail(mail_app)
    assert len(smtp_server.wait_for(1)) == 1
    with mail_app.app_context():
        tasks.send_email.run(outgoing_id)
        tasks.send_email.run(outgoing_id)
        jobs.enqueue(db.session, jobs.SEND_EMAIL, outgoing_id)
        jobs.enqueue(db.session, jobs.SEND_EMAIL, outgoing_id)
        db.session.commit()
    assert len(smtp_server.wait_for(2, timeout=0.3)) == 1
    row = outgoing(mail_app, outgoing_id)
    assert row.status == EmailStatus.SENT and row.attempts == 1


def test_the_same_event_never_mails_the_same_address_twice(mail_app, smtp_server):
    queue_test_mail(mail_app)
    with mail_app.app_context():
        again = mail.queue_email(
            event="test:1",
            recipient="Lasare@Example.SE",
            kind="invite",
            subject="x",
            template="invite",
            to_reader=False,
        )
        assert again is None
        assert db.session.scalar(select(func.count()).select_from(OutgoingEmail)) == 1
    assert len(smtp_server.wait_for(2, timeout=0.3)) == 1


def test_smtp_down_then_up_gives_exactly_one_email(mail_app, smtp_server):
    mail_app.config["SAMTAL_SWEEP_AFTER_SECONDS"] = 0
    smtp_server.stop()
    outgoing_id = queue_test_mail(mail_app)
    row = outgoing(mail_app, outgoing_id)
    assert row.status == EmailStatus.QUEUED and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > row.created_at  # the back-off's first wait

    with mail_app.app_context():  # the wait is not over: the sweep leaves it alone
        assert mail.sweep_unsent() == []
        db.session.get(OutgoingEmail, outgoing_id).next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    smtp_server.start()
    with mail_app.app_context():
        assert mail.sweep_unsent() == [outgoing_id]
        assert mail.sweep_unsent() == []
    assert len(smtp_server.wait_for(2, timeout=0.5)) == 1
    row = outgoing(mail_app, outgoing_id)
    assert row.status == EmailStatus.SENT and row.attempts == 2 and row.last_error is None


def test_a_permanent_refusal_is_recorded_and_not_retried(mail_app, smtp_server):
    smtp_server.handler.refuse.add("borta@example.se")
    outgoing_id = queue_test_mail(mail_app, recipient="borta@example.se")
    row = outgoing(mail_app, outgoing_id)
    assert row.status == EmailStatus.FAILED and row.attempts == 1
    assert "550" in row.last_error
    with mail_app.app_context():
        assert mail.deliver(outgoing_id) is None
        mail_app.config["SAMTAL_SWEEP_AFTER_SECONDS"] = 0
        assert mail.sweep_unsent() == []
    assert outgoing(mail_app, outgoing_id).attempts == 1
    assert smtp_server.messages == []


def test_a_4xx_answer_is_retried_until_the_back_off_is_spent(mail_app, smtp_server):
    mail_app.config.update(SAMTAL_EMAIL_RETRY_FIRST_SECONDS=1, SAMTAL_EMAIL_RETRY_FOR_SECONDS=3)
    smtp_server.handler.defer.add("senare@example.se")
    outgoing_id = queue_test_mail(mail_app, recipient="senare@example.se")
    with mail_app.app_context():
        assert mail.max_retries() == 2  # waits 1 s and 2 s cover 3 s
        assert mail.deliver(outgoing_id) == 2
        assert mail.deliver(outgoing_id) is None
    row = outgoing(mail_app, outgoing_id)
    assert row.status == EmailStatus.FAILED and row.attempts == 3
    assert "451" in row.last_error


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPResponseException(421, b"busy"), True),
        (smtplib.SMTPRecipientsRefused({"a@b.se": (452, b"full")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b.se": (550, b"no")}), False),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad password"), False),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), False),
        (ValueError("bad header"), False),
    ],
)
def test_transient_and_permanent_failures(error, transient):
    assert mail.is_transient(error) is transient


def test_a_lost_announcement_is_sent_again_by_the_sweep(mail_app, client, smtp_server, monkeypatch):
    write(client, mail_app, "Vi svarar gärna.", email=EMMA)
    link = verification_link(smtp_server)
    real_send = jobs.send_now
    monkeypatch.setattr(
        jobs,
        "send_now",
        lambda name, *args: name == jobs.COMMENT_PUBLISHED or real_send(name, *args),
    )
    follow(client, link)  # the broker "loses" samtal.comment_published
    assert smtp_server.to(AUTHOR) == []
    monkeypatch.setattr(jobs, "send_now", real_send)

    mail_app.config["SAMTAL_SWEEP_AFTER_SECONDS"] = 0
    comment_id = newest(mail_app).id
    with mail_app.app_context():
        assert notifications.sweep_unannounced() == [comment_id]
        assert notifications.sweep_unannounced() == []
        assert db.session.get(CommentAnnouncement, comment_id) is not None
    smtp_server.wait_for(2)
    assert len(smtp_server.to(AUTHOR)) == 1


def test_the_tasks_exist_and_e_mail_goes_to_its_own_queue(app):
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    for name in ("samtal.comment_published", "samtal.send_email", "samtal.send_moderator_digests"):
        assert name in celery.tasks
    assert celery.amqp.router.route({}, "samtal.send_email")["queue"].name == "email"
    schedule = {entry["task"] for entry in celery.conf.beat_schedule.values()}
    assert {"samtal.sweep", "samtal.send_moderator_digests"} <= schedule


# --- what the e-mail looks like ------------------------------------------------------------------


def test_the_embedded_default_writes_eml_files_with_swedish_intact(app, sample_posts, client):
    assert not app.config["SAMTAL_SMTP_HOST"]
    with app.app_context():
        organisations.add_organisation("Kommunal", ["kommunal.se"])
        db.session.commit()
    write(client, app, "Åsa är här – öl och ärtsoppa på torsdag?", email=EMMA)

    outbox = mail_outbox(app)
    files = sorted(outbox.glob("*.eml"))
    assert [f.name for f in files] == ["000001-verification.eml"]
    raw = files[0].read_bytes()
    assert raw.isascii()  # headers encoded, bodies quoted-printable: 7-bit safe everywhere
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "Bekräfta din adress hos Kommunal"
    assert message["To"] == EMMA
    assert str(message["From"]) == "Samtal <samtal@localhost>"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    assert "Åsa är här – öl och ärtsoppa på torsdag?" in plain.get_content()
    assert "Åsa är här – öl och ärtsoppa på torsdag?" in html.get_content()
    assert "Bekräfta min adress" in html.get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    with app.app_context():  # a second run rewrites nothing and adds no file
        assert mail.deliver(1) is None
    assert len(list(outbox.glob("*.eml"))) == 1


def mail_outbox(app):
    with app.app_context():
        return mail.outbox_dir()


def published(comment_id: int) -> None:
    """Approve a comment the spam check held (these tests are about e-mail, not routing)."""
    comment = db.session.get(Comment, comment_id)
    if comment.state != CommentState.APPROVED:
        lifecycle.change_state(comment, CommentState.APPROVED, action="approve")
        db.session.commit()


def test_header_injection_in_names_questions_and_titles_fails_safely(mail_app, smtp_server):
    evil = "Kommunal\r\nBcc: victim@example.com\r\nX-Evil: 1"
    with mail_app.app_context():
        # Straight into the database, past the service that refuses such names.
        organisation = Organisation(name=evil, badge="Kommunal\nBcc: x@example.com")
        organisation.domains.append(OrganisationDomain(domain="evil-kommunal.se"))
        db.session.add(organisation)
        question = db.session.scalar(select(Question).where(Question.text == QUESTION))
        question.text = "Vad tror du?\r\nBcc: victim@example.com"
        question.post.title = "Titel\nSubject: falsk"
        comment = posting.post_comment(
            question, name="Eve\r\nBcc: victim@example.com", body="Hej\r\nBcc: x@example.com"
        )
        db.session.commit()
        published(comment.id)
        answers.mark_answer(
            db.session.get(Comment, comment.id),
            organisation,
            db.session.scalar(select(User).where(User.email == AUTHOR)),
        )
        db.session.commit()

    received = smtp_server.handler.received
    smtp_server.wait_for(1)
    assert len(received) == 1
    assert received[0].rcpt_tos == [AUTHOR]
    message = received[0].message
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Subject"].startswith("Kommunal Bcc: victim@example.com")
    assert "Eve" in text_of(message)  # the reader's name is in the body, and only there


def test_a_name_with_line_breaks_stays_in_the_body_of_a_reply_notification(mail_app, smtp_server):
    confirmed_reader(mail_app)
    comment_id = anna_comment(mail_app)
    with mail_app.app_context():
        parent = db.session.get(Comment, comment_id)
        evil = posting.post_comment(
            parent.question,
            name="Eve\r\nBcc: victim@example.com",
            body="Svar",
            parent_id=comment_id,
        )
        db.session.commit()
        published(evil.id)
    smtp_server.wait_for(1)
    (only,) = smtp_server.handler.received
    assert only.rcpt_tos == [ANNA]
    assert only.message["Bcc"] is None
    assert "Eve" in text_of(only.message)


# --- reply notifications: double opt-in, unsubscribing -----------------------------------------


def confirmed_reader(app):
    with app.app_context():
        subscriptions.reader_address(ANNA).replies_confirmed_at = utcnow()
        db.session.commit()


def anna_comment(app) -> int:
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.text == QUESTION))
        comment = posting.post_comment(
            question, name="Anna", body="Vad menar de?", email=ANNA, notify_replies=True
        )
        db.session.commit()
        return comment.id


def reply(client, app, parent_id: int, body: str, **fields):
    return write(client, app, body, parent_id=str(parent_id), **fields)


def test_reply_notifications_ask_first_then_arrive_then_stop(mail_app, client, smtp_server):
    response = write(client, mail_app, "Vad menar de?", name="Anna", email=ANNA, notify="y")
    assert response.status_code == 302
    anna = newest(mail_app)
    assert anna.notify_replies is True

    reply(client, mail_app, anna.id, "Jag tror de menar yrket.", name="Bo", email="bo@example.se")
    (confirmation,) = smtp_server.wait_for(1)
    assert confirmation["To"] == ANNA
    assert confirmation["Subject"] == "Vill du få e-post när någon svarar dig på Samtal?"
    assert "Jag tror de menar yrket." not in text_of(confirmation)  # nothing before consent
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    reply(client, mail_app, anna.id, "Och jag håller med Bo.", name="Cia")
    assert len(smtp_server.wait_for(2, timeout=0.3)) == 1  # one confirmation per address, ever

    confirm_link = CONFIRM.search(text_of(confirmation)).group(0)
    done = follow(client, confirm_link)
    assert done.status_code == 302 and "#kommentar-" in done.headers["Location"]

    write(client, mail_app, "Vi menar nätverket i yrket.", email=EMMA, parent_id=str(anna.id))
    follow(client, verification_link(smtp_server))  # Kommunal answers Anna, verified
    smtp_server.wait_for(4)
    (notice,) = smtp_server.to(ANNA)[1:]
    assert notice["Subject"] == "Nytt svar på din kommentar om ”Strateger sökes. Eller kontaktnät?”"
    body = text_of(notice)
    assert "\u2068Emma Nilsson\u2069 har svarat på din kommentar" in body  # isolated
    assert "Svaret kommer från Kommunal (bekräftad adress)." in body
    assert "Vi menar nätverket i yrket." in body
    unsubscribe_url = notice["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith(f"{BASE}/epost/avregistrera/")
    assert unsubscribe_url in body

    path = unsubscribe_url.removeprefix(BASE)
    assert client.get(path).status_code == 200  # the page alone unsubscribes nobody
    with mail_app.app_context():
        assert not subscriptions.unsubscribed(ANNA)
    one_click = client.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # as a mail client does it (RFC 8058): no session, no CSRF token
    assert one_click.status_code == 200 and "avregistrerad" in one_click.get_data(as_text=True)

    before = len(smtp_server.messages)
    reply(client, mail_app, anna.id, "Ett sista svar.", name="Dan")
    assert len(smtp_server.wait_for(before + 1, timeout=0.3)) == before
    assert len(smtp_server.to(ANNA)) == 2
    assert client.post("/epost/avregistrera/forged").status_code == 400


def test_staff_replies_are_marked_as_such(mail_app, smtp_server):
    confirmed_reader(mail_app)
    comment_id = anna_comment(mail_app)
    with mail_app.app_context():
        author = db.session.scalar(select(User).where(User.email == AUTHOR))
        parent = db.session.get(Comment, comment_id)
        posting.post_comment(
            parent.question, name="", body="Bra fråga!", parent_id=comment_id, user=author
        )
        db.session.commit()
    (notice,) = smtp_server.wait_for(1)
    assert "Svaret kommer från redaktionen." in text_of(notice)


def test_no_mail_for_a_reply_to_oneself_or_without_the_tick(mail_app, client, smtp_server):
    confirmed_reader(mail_app)
    comment_id = anna_comment(mail_app)
    reply(client, mail_app, comment_id, "Jag svarar mig själv.", name="Anna", email=ANNA)
    write(client, mail_app, "Utan bock.", name="Bo", email="bo@example.se")
    reply(client, mail_app, newest(mail_app).id, "Svar till Bo.", name="Cia")
    assert smtp_server.wait_for(1, timeout=0.3) == []


def test_asking_for_notifications_needs_an_address(mail_app, client):
    response = write(client, mail_app, "Hej", name="Anna", email="", notify="y")
    assert response.status_code == 422
    assert "Skriv din e-postadress för att få meddelanden om svar." in response.get_data(
        as_text=True
    )


# --- the moderators' digest -----------------------------------------------------------------------


def test_moderators_get_at_most_one_digest_per_period(mail_app, client, smtp_server):
    mail_app.config.update(SAMTAL_MODERATION_POLICY="pre", SAMTAL_DIGEST_MINUTES=30)
    add_user(mail_app, "mod@example.se", Role.MODERATOR)
    with mail_app.app_context():
        assert notifications.send_moderator_digests() == 0  # nothing waits
    write(client, mail_app, "Väntar på granskning.", name="Åke")
    write(client, mail_app, "Jag med.", name="Örjan")
    with mail_app.app_context():
        assert notifications.send_moderator_digests() == 1
        assert notifications.send_moderator_digests() == 0
    (digest,) = smtp_server.wait_for(1)
    assert digest["To"] == "mod@example.se"
    assert digest["Subject"] == "2 kommentarer väntar på granskning"
    assert "\u2068Åke\u2069 om ”Strateger sökes. Eller kontaktnät?”" in text_of(digest)
    # Times in the site's zone (Stockholm), as people read them, not UTC.
    assert "UTC" not in text_of(digest)
    assert re.search(r"\d{1,2} \w+\.? \d{4} \d{2}:\d{2}\)", text_of(digest))
    assert f"{BASE}/moderera" in text_of(digest)

    write(client, mail_app, "En till.", name="Ulla")
    with mail_app.app_context():
        assert notifications.send_moderator_digests() == 0  # within the period
        last = db.session.scalar(select(OutgoingEmail).where(OutgoingEmail.kind == "digest"))
        last.created_at -= timedelta(minutes=31)  # as if sent in an earlier period
        last.event = "digest:0"
        db.session.commit()
        assert notifications.send_moderator_digests() == 1
        assert notifications.send_moderator_digests() == 0
    assert len(smtp_server.wait_for(2)) == 2


# --- the badge on the page -------------------------------------------------------------------


def test_badges_cost_no_extra_queries(mail_app, client):
    qid = question_id(mail_app, STRATEGER, QUESTION)
    with mail_app.app_context():
        names = ["Unionen", "Vision", "Akademikerförbundet"]
        for name in names:
            organisations.add_organisation(name, [f"{name.lower()}.example.se"])
        db.session.commit()
        orgs = list(db.session.scalars(select(Organisation.id)))
    add_approved_comments(
        mail_app,
        qid,
        40,  # all on the page's first 50 top-level comments
        lambda number: {"organisation_id": orgs[number % len(orgs)] if number % 2 else None},
    )
    with counted_queries(mail_app) as statements:
        html = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert html.count('class="badge badge-org"') == 20
    assert len(statements) <= 4


def test_the_verified_writer_cookie_is_bound_to_the_address_and_the_record(mail_app):
    with mail_app.test_request_context():
        value, max_age = verification.writer_cookie(EMMA)
        assert max_age == 180 * 86400
        kommunal = organisations.find("Kommunal")
        comment = Comment(email=EMMA)
        assert verification.recognise_writer(comment, value) is None  # no verified record yet
        verification.remember(EMMA, kommunal)
        assert verification.recognise_writer(Comment(email="annan@kommunal.se"), value) is None
        assert verification.recognise_writer(comment, value + "x") is None
        assert verification.recognise_writer(comment, value) is kommunal
        assert comment.organisation is kommunal
