"""Readers' data rights: /mina-uppgifter's e-mailed link to download or erase what is held about
an address, the admins' way to the same, and the retention of IP hashes.

E-mail goes over real SMTP (aiosmtpd on 127.0.0.1) and the links are taken from the messages.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from discussion.comments.identity import identity_hash
from discussion.extensions import db
from discussion.models import (
    Comment,
    CommentLike,
    CommentState,
    DataRequest,
    Erasure,
    ModerationDecision,
    Question,
    ReaderAddress,
    Report,
    utcnow,
)
from discussion.privacy import retention
from tests.helpers import csrf_token
from tests.staff import STRATEGER, add_staff, login_as
from tests.test_email import ANNA, CONFIRM, reply
from tests.test_organisations import (
    BASE,
    EMMA,
    KOMMUNAL,
    follow,
    newest,
    text_of,
    verification_link,
    with_organisations,
    write,
)

DATA_LINK = re.compile(r"https://samtal\.example/mina-uppgifter/[^\s\"<]+")
NOBODY = "ingen@example.se"


@pytest.fixture
def mail_app(app, sample_posts, smtp_server):
    return with_organisations(app, smtp_server, KOMMUNAL)


def ask(client, email: str):
    return client.post(
        "/mina-uppgifter",
        data={"csrf_token": csrf_token(client, "/mina-uppgifter"), "email": email},
    )


def data_link(smtp_server, address: str, count: int) -> str:
    smtp_server.wait_for(count)
    mails = [mail for mail in smtp_server.to(address) if "uppgifter" in mail["Subject"]]
    assert mails, f"no data link to {address}"
    return DATA_LINK.search(text_of(mails[-1])).group(0)


def press(client, link: str, **fields):
    """Open the link's page, then press one of its buttons."""
    path = link.removeprefix(BASE)
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": token} | fields)


def annas_history(client, app, smtp_server) -> dict:
    """Anna comments twice (one gets a reply from Bo), asks for reply mail and confirms it."""
    write(client, app, "Vad menar de?", name="Anna", email=ANNA, notify="y")
    answered = newest(app)
    write(client, app, "Och en sak till.", name="Anna", email=ANNA)
    alone = newest(app)
    reply(client, app, answered.id, "Jag tror de menar yrket.", name="Bo", email="bo@example.se")
    (confirmation,) = smtp_server.wait_for(1)
    follow(client, CONFIRM.search(text_of(confirmation)).group(0))
    bos = newest(app)
    return {"answered": answered.id, "alone": alone.id, "reply": bos.id}


def test_every_page_and_every_reader_e_mail_links_to_the_data_page(mail_app, client, smtp_server):
    for path in ("/", f"/{STRATEGER}", "/logga-in", "/mina-uppgifter"):
        assert 'href="/mina-uppgifter"' in client.get(path).get_data(as_text=True), path
    annas_history(client, mail_app, smtp_server)
    (confirmation,) = smtp_server.to(ANNA)
    assert f"{BASE}/mina-uppgifter" in text_of(confirmation)
    assert f'href="{BASE}/mina-uppgifter"' in confirmation.get_body(("html",)).get_content()


def test_the_answer_is_the_same_whether_the_address_has_data_or_not(mail_app, client, smtp_server):
    annas_history(client, mail_app, smtp_server)
    sent = len(smtp_server.messages)
    with_data = ask(client, ANNA)
    without = ask(client, NOBODY)
    assert with_data.status_code == without.status_code == 200
    assert with_data.get_data(as_text=True).replace(ANNA, "X") == without.get_data(
        as_text=True
    ).replace(NOBODY, "X")
    smtp_server.wait_for(sent + 2)
    assert len(smtp_server.to(NOBODY)) == 1
    with mail_app.app_context():
        # Only hashes of the addresses asked about are kept.
        assert db.session.scalar(select(func.count()).select_from(DataRequest)) == 2
        assert not db.session.scalars(
            select(DataRequest).where(DataRequest.email_hash == NOBODY)
        ).all()


def test_a_reader_downloads_everything_held_about_their_address_once(mail_app, client, smtp_server):
    ids = annas_history(client, mail_app, smtp_server)
    sent = len(smtp_server.messages)
    ask(client, ANNA)
    link = data_link(smtp_server, ANNA, sent + 1)
    page = client.get(link.removeprefix(BASE)).get_data(as_text=True)
    assert "2 kommentarer" in page and "En prenumeration på svar" in page
    download = press(client, link, action="download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    held = json.loads(download.get_data(as_text=True))
    assert held["address"] == ANNA
    texts = {comment["id"]: (comment["text"], comment["state"]) for comment in held["comments"]}
    assert texts == {
        ids["answered"]: ("Vad menar de?", "approved"),
        ids["alone"]: ("Och en sak till.", "approved"),
    }
    assert held["subscription"]["reply_notifications_confirmed_at"]
    assert "Jag tror de menar yrket." not in download.get_data(as_text=True)  # Bo's, not hers
    assert held["reports"] == [] and "without an address" in held["reports_and_likes_note"]
    used = client.get(link.removeprefix(BASE))
    assert used.status_code == 400 and "redan använd" in used.get_data(as_text=True)


def test_a_verified_organisation_address_is_in_the_download(mail_app, client, smtp_server):
    write(client, mail_app, "Vi menar nätverket i yrket.", email=EMMA)
    follow(client, verification_link(smtp_server))
    sent = len(smtp_server.wait_for(2))
    ask(client, EMMA)
    held = json.loads(
        press(client, data_link(smtp_server, EMMA, sent + 1), action="download").get_data(
            as_text=True
        )
    )
    assert [row["organisation"] for row in held["verified_organisation_addresses"]] == ["Kommunal"]
    assert held["verification_links"][0]["used_at"]


def test_a_reader_erases_their_data_and_replies_keep_their_place(mail_app, client, smtp_server):
    ids = annas_history(client, mail_app, smtp_server)
    sent = len(smtp_server.messages)
    ask(client, ANNA)
    link = data_link(smtp_server, ANNA, sent + 1)
    refused = press(client, link, action="erase")  # the box is not ticked
    assert refused.status_code == 400
    erased = press(client, link, action="erase", confirm="yes")
    assert erased.status_code == 200 and "raderade" in erased.get_data(as_text=True)
    with mail_app.app_context():
        assert db.session.get(Comment, ids["alone"]) is None
        kept = db.session.get(Comment, ids["answered"])
        assert kept.state == CommentState.DELETED
        assert (kept.author_name, kept.email, kept.email_hash, kept.ip_hash, kept.body_raw) == (
            "",
            None,
            None,
            None,
            "",
        )
        assert db.session.get(Comment, ids["reply"]).parent_id == kept.id
        assert not db.session.scalars(
            select(ReaderAddress).where(ReaderAddress.email == ANNA)
        ).all()
        assert not db.session.scalars(
            select(Comment).where(Comment.email_hash == identity_hash(ANNA))
        ).all()
        (erasure,) = db.session.scalars(select(Erasure)).all()
        assert (erasure.requested_by, erasure.comments_deleted, erasure.comments_replaced) == (
            "reader",
            1,
            1,
        )
        assert erasure.subscriptions_removed >= 1
        audit = db.session.scalars(
            select(ModerationDecision).where(ModerationDecision.comment_id == kept.id)
        ).all()
        assert audit[-1].action == "erased" and ANNA not in (audit[-1].reason or "")
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert "Kommentaren är borttagen." in page and "Jag tror de menar yrket." in page
    assert "Vad menar de?" not in page and "Och en sak till." not in page
    token = csrf_token(client, "/mina-uppgifter")
    again = client.post(link.removeprefix(BASE), data={"csrf_token": token, "action": "download"})
    assert again.status_code == 400


def test_a_bad_address_a_forged_link_and_an_expired_one_are_refused(mail_app, client, smtp_server):
    bad = ask(client, "inte en adress")
    assert bad.status_code == 400 and "Det ser inte ut som en e-postadress." in bad.get_data(
        as_text=True
    )
    assert client.get("/mina-uppgifter/forfalskad").status_code == 400
    ask(client, ANNA)
    link = data_link(smtp_server, ANNA, 1)
    with mail_app.app_context():
        for request in db.session.scalars(select(DataRequest)):
            request.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    expired = client.get(link.removeprefix(BASE))
    assert expired.status_code == 400 and "gått ut" in expired.get_data(as_text=True)


def test_asking_for_links_is_rate_limited(mail_app, client, smtp_server):
    mail_app.config["SAMTAL_DATA_REQUEST_RATE_LIMIT"] = "2 per hour"
    assert ask(client, ANNA).status_code == 200
    assert ask(client, NOBODY).status_code == 200
    assert ask(client, "tredje@example.se").status_code == 429


def test_admins_export_and_erase_from_the_command_line(mail_app, client, smtp_server, tmp_path):
    ids = annas_history(client, mail_app, smtp_server)
    runner = mail_app.test_cli_runner()
    path = tmp_path / "anna.json"
    result = runner.invoke(args=["readers", "export", ANNA, str(path)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(path.read_text(encoding="utf-8"))["comments"]) == 2
    result = runner.invoke(args=["readers", "erase", ANNA, "--yes"])
    assert result.exit_code == 0, result.output
    assert "1 comments deleted, 1 replaced" in result.output
    with mail_app.app_context():
        assert db.session.get(Comment, ids["alone"]) is None
        assert db.session.scalar(select(Erasure.requested_by)) == "admin"


def test_admins_export_and_erase_from_the_accounts_page(mail_app, client, smtp_server):
    ids = annas_history(client, mail_app, smtp_server)
    staff = mail_app.test_client()
    add_staff_accounts(mail_app)
    login_as(staff, "admin")
    page = staff.get("/moderera/konton").get_data(as_text=True)
    assert "/moderera/konton/uppgifter" in page
    token = csrf_token(staff, "/moderera/konton")
    download = staff.post(
        "/moderera/konton/uppgifter",
        data={"csrf_token": token, "email": ANNA, "action": "download"},
    )
    assert download.status_code == 200
    assert len(json.loads(download.get_data(as_text=True))["comments"]) == 2
    erased = staff.post(
        "/moderera/konton/uppgifter",
        data={"csrf_token": token, "email": ANNA, "action": "erase", "confirm": "yes"},
    )
    assert erased.status_code == 302
    with mail_app.app_context():
        assert db.session.get(Comment, ids["alone"]) is None
        erasure = db.session.scalar(select(Erasure))
        assert erasure.requested_by == "admin" and erasure.user.email == "admin@example.se"
    log = staff.get("/moderera/logg").get_data(as_text=True)
    assert "Raderade läsaruppgifter" in log and "admin@example.se" in log
    assert ANNA not in log and "Vad menar de?" not in log


def add_staff_accounts(app):
    """The usual cast, less the author the mail fixture already made."""
    from discussion.models import Role
    from tests.staff import add_user

    add_user(app, "mod@example.se", Role.MODERATOR)
    add_user(app, "admin@example.se", Role.ADMIN)


def test_a_moderator_may_not_erase_readers(app, client, sample_posts):
    add_staff(app)
    login_as(client, "moderator")
    refused = client.post(
        "/moderera/konton/uppgifter",
        data={"csrf_token": csrf_token(client, "/moderera/"), "email": ANNA, "action": "erase"},
    )
    assert refused.status_code == 403


def test_ip_hashes_older_than_the_retention_are_cleared(app, sample_posts):
    with app.app_context():
        question = db.session.scalars(select(Question)).first()
        old, new = (
            Comment(
                post_id=question.post_id,
                question_id=question.id,
                author_name=name,
                body_raw=name,
                ip_hash=identity_hash("192.0.2.1"),
                state=CommentState.APPROVED,
                created_at=utcnow() - timedelta(days=days),
            )
            for name, days in (("Gammal", 91), ("Ny", 89))
        )
        db.session.add_all([old, new])
        db.session.flush()
        db.session.add_all(
            [
                Report(comment_id=old.id, reason="spam", ip_hash="a", created_at=old.created_at),
                CommentLike(
                    comment_id=old.id, browser_hash="b", ip_hash="c", created_at=old.created_at
                ),
                Report(comment_id=new.id, reason="spam", ip_hash="d"),
            ]
        )
        db.session.commit()
        assert retention.clear_old_ip_hashes() == 3
        assert db.session.get(Comment, old.id).ip_hash is None
        assert db.session.get(Comment, new.id).ip_hash == identity_hash("192.0.2.1")
        assert db.session.scalar(select(Report.ip_hash).where(Report.comment_id == new.id)) == "d"
        assert retention.clear_old_ip_hashes() == 0


def test_beat_clears_ip_hashes_every_day(app):
    from discussion import jobs

    schedule = app.extensions["celery"].conf.beat_schedule
    entry = schedule["clear-old-ip-hashes"]
    assert entry["task"] == jobs.CLEAR_IP_HASHES and entry["schedule"] == 24 * 3600.0
