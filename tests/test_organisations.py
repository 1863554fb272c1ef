"""Organisations that answer: verified addresses earn the badge, and the author hears at once.

Everything here sends real e-mail to an aiosmtpd server on 127.0.0.1 (fixture `smtp_server`)
and reads it back, with tasks run in-process as on the embedded default.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from discussion.extensions import db
from discussion.mail import outbox as mail_outbox
from discussion.models import (
    Comment,
    CommentState,
    EmailVerification,
    Organisation,
    OrganisationDomain,
    Role,
    User,
    VerifiedAddress,
    utcnow,
)
from discussion.moderation import decisions
from discussion.organisations import answers
from discussion.organisations import register as organisations
from discussion.organisations.verification import COOKIE
from tests.helpers import csrf_token
from tests.staff import STRATEGER, add_user, question_id

BASE = "https://samtal.example"
AUTHOR = "jm@example.se"
EMMA = "emma.nilsson@kommunal.se"
QUESTION = "Vad tror du?"
LINK = re.compile(r"https://samtal\.example/epost/bekrafta/[^\s\"<]+")


def with_organisations(app, smtp_server, *added: dict):
    """The app with its author's account, e-mail to aiosmtpd, and these organisations added."""
    app.config.update(
        smtp_server.config() | {"SAMTAL_MODERATION_POLICY": "post", "SAMTAL_BASE_URL": BASE}
    )
    add_user(app, AUTHOR, Role.AUTHOR, handle="@jmjobring", name="JM")
    with app.app_context():
        for organisation in added:
            organisations.add_organisation(**organisation)
        db.session.commit()
    return app


KOMMUNAL = {"name": "Kommunal", "domains": ["kommunal.se"]}


@pytest.fixture
def org_app(app, sample_posts, smtp_server):
    """Sample posts with their author's account, Kommunal and Unionen, e-mail to aiosmtpd."""
    unionen = {"name": "Unionen", "domains": ["unionen.se"], "badge": "Unionen"}
    return with_organisations(app, smtp_server, KOMMUNAL, unionen)


def write(client, app, body, *, email="", name="Emma Nilsson", question=QUESTION, **extra):
    """Post a comment through the reader's form, as a browser would."""
    qid = question_id(app, STRATEGER, question)
    data = {"csrf_token": csrf_token(client, f"/{STRATEGER}"), "name": name, "email": email}
    return client.post(f"/{STRATEGER}/trad/{qid}", data=data | {"body": body} | extra)


def newest(app) -> Comment:
    with app.app_context():
        comment = db.session.scalar(select(Comment).order_by(Comment.id.desc()))
        organisation = comment.organisation.name if comment.organisation else None
        db.session.expunge(comment)
        comment.organisation_name = organisation
        return comment


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def verification_link(smtp_server, address=EMMA, index=-1) -> str:
    mails = smtp_server.to(address)
    assert mails, f"no mail to {address}"
    return LINK.search(text_of(mails[index])).group(0)


def follow(client, link: str):
    """Open the link's page, then press its button (the POST a mail scanner never makes)."""
    path = link.removeprefix(BASE)
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": token})


def test_an_unverified_address_holds_the_comment_and_sends_a_link(org_app, client, smtp_server):
    response = write(client, org_app, "Vi menar nätverket i yrket.", email=EMMA)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Adressen hör till Kommunal" in page
    # Its writer sees it in place, marked as waiting; no one else sees it.
    assert "Vi menar nätverket i yrket." in page and "Väntar på granskning" in page
    others = org_app.test_client().get(f"/{STRATEGER}").get_data(as_text=True)
    assert "Vi menar nätverket i yrket." not in others

    comment = newest(org_app)
    assert comment.state == CommentState.HELD
    assert comment.organisation_id is None
    mails = smtp_server.wait_for(1)
    assert len(mails) == 1 and len(smtp_server.to(EMMA)) == 1
    assert mails[0]["Subject"] == "Bekräfta din adress hos Kommunal"
    assert "Vi menar nätverket i yrket." in text_of(mails[0])
    assert mails[0]["List-Unsubscribe"].startswith(f"<{BASE}/epost/avregistrera/")
    assert LINK.search(text_of(mails[0]))
    assert smtp_server.to(AUTHOR) == []


def test_list_unsubscribe_is_a_plain_ascii_link_in_the_raw_message(org_app, client, smtp_server):
    """RFC 2369/8058: `<https://…>` as it is; an RFC 2047 word hides the link from mail clients."""
    write(client, org_app, "Vi menar nätverket i yrket.", email=EMMA)
    smtp_server.wait_for(1)
    raw = smtp_server.raw_to(EMMA)[0]
    headers = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    lines = re.findall(r"^List-Unsubscribe:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*", headers, re.M)
    assert len(lines) == 1
    assert "=?" not in lines[0]
    assert re.fullmatch(
        rf"List-Unsubscribe: <{re.escape(BASE)}/epost/avregistrera/[A-Za-z0-9._-]+>", lines[0]
    )
    assert "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in headers + "\r\n"


def test_the_link_publishes_with_the_badge_and_tells_the_author_once(org_app, client, smtp_server):
    write(client, org_app, "Vi menar nätverket i yrket, inte det privata.", email=EMMA)
    link = verification_link(smtp_server)
    client.get(link.removeprefix(BASE))
    assert newest(org_app).state == CommentState.HELD  # opening the page changes nothing

    response = follow(client, link)
    comment = newest(org_app)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#kommentar-{comment.id}")
    assert COOKIE in response.headers.get("Set-Cookie", "")
    assert comment.state == CommentState.APPROVED
    assert comment.organisation_name == "Kommunal"
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert re.search(
        r'<strong><bdi>Emma Nilsson</bdi></strong>\s*<span class="badge badge-org"[^>]*>Kommunal<',
        page,
    )

    smtp_server.wait_for(2)
    to_author = smtp_server.to(AUTHOR)
    assert len(to_author) == 1
    mail = to_author[0]
    assert mail["Subject"] == "Kommunal har svarat på ”Vad tror du?”"
    body = text_of(mail)
    assert "Vi menar nätverket i yrket, inte det privata." in body
    assert f"Frågan: {QUESTION}" in body
    assert f"{BASE}/{STRATEGER}#kommentar-{comment.id}" in body
    assert f"{BASE}/moderera" in body
    assert mail["List-Unsubscribe"] is None  # staff mail, not a reader's

    again = follow_again(client, link)
    assert again.status_code == 400 and "redan använd" in again.get_data(as_text=True)
    assert len(smtp_server.wait_for(3, timeout=0.5)) == 2


UNIONEN_ADDRESS = "info@unionen.se"
GENUINE = "Unionen menar att kontaktnätet är en del av yrket."
FORGED = "Unionen tycker att alla strateger ska sägas upp."


@pytest.mark.parametrize(
    "forged_address", ["info@unionen.se", "INFO@UNIONEN.SE", "info@ｕnionen.se", "info@unionen。se"]
)
def test_a_link_publishes_only_the_comment_it_was_sent_for(org_app, smtp_server, forged_address):
    """The attack: someone else posts with the same address before the holder presses the link."""
    holder = org_app.test_client()
    write(holder, org_app, GENUINE, name="Unionen", email=UNIONEN_ADDRESS)
    genuine = newest(org_app)
    smtp_server.wait_for(1)
    forger = org_app.test_client()  # another browser, from another IP
    forger.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    write(forger, org_app, FORGED, name="Unionen", email=forged_address)
    forged = newest(org_app)
    assert forged.state == CommentState.HELD

    mails = smtp_server.wait_for(2)
    assert len(smtp_server.to(UNIONEN_ADDRESS)) == 2  # the forged text gets its own e-mail
    first, second = (text_of(mail) for mail in smtp_server.to(UNIONEN_ADDRESS))
    assert GENUINE in first and FORGED not in first
    assert FORGED in second and GENUINE not in second
    assert len(mails) == 2

    link = verification_link(smtp_server, UNIONEN_ADDRESS, index=0)
    page = holder.get(link.removeprefix(BASE)).get_data(as_text=True)
    assert GENUINE in page and FORGED not in page  # the page shows what it will publish
    follow(holder, link)

    genuine, forged = refetch(org_app, genuine.id), refetch(org_app, forged.id)
    assert genuine.state == CommentState.APPROVED and genuine.organisation_name == "Unionen"
    assert forged.state == CommentState.HELD and forged.organisation_id is None
    reader_page = org_app.test_client().get(f"/{STRATEGER}").get_data(as_text=True)
    assert GENUINE in reader_page and FORGED not in reader_page

    smtp_server.wait_for(3)
    to_author = smtp_server.to(AUTHOR)
    assert len(to_author) == 1
    assert GENUINE in text_of(to_author[0]) and FORGED not in text_of(to_author[0])

    # The forger's browser has no cookie of the verified address: its next comment is held too.
    write(forger, org_app, "Och en till.", name="Unionen", email=UNIONEN_ADDRESS)
    assert newest(org_app).state == CommentState.HELD


def refetch(app, comment_id: int) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        comment.organisation_name = comment.organisation.name if comment.organisation else None
        db.session.expunge(comment)
        return comment


def test_a_link_sent_before_links_were_per_comment_publishes_nothing(org_app, client, smtp_server):
    write(client, org_app, "Svar.", email=EMMA)
    link = verification_link(smtp_server)
    with org_app.app_context():
        db.session.scalar(select(EmailVerification)).comment_id = None
        db.session.commit()
    assert "Inga kommentarer publiceras" in client.get(link.removeprefix(BASE)).get_data(True)
    follow(client, link)
    assert newest(org_app).state == CommentState.HELD
    with org_app.app_context():
        assert db.session.scalar(select(VerifiedAddress.email)) == EMMA


def follow_again(client, link):
    return client.post(
        link.removeprefix(BASE), data={"csrf_token": csrf_token(client, f"/{STRATEGER}")}
    )


def test_a_verified_browser_needs_no_new_link_and_another_browser_does(org_app, smtp_server):
    browser = org_app.test_client()
    write(browser, org_app, "Första svaret.", email=EMMA)
    follow(browser, verification_link(smtp_server))
    smtp_server.wait_for(2)

    write(browser, org_app, "Ett tillägg från oss.", email="Emma.Nilsson@Kommunal.SE")
    later = newest(org_app)
    assert later.state == CommentState.APPROVED and later.organisation_name == "Kommunal"
    smtp_server.wait_for(3)
    assert len(smtp_server.to(EMMA)) == 1  # no new link
    assert len(smtp_server.to(AUTHOR)) == 2  # one notification per answer

    stranger = org_app.test_client()  # knows the address, but never got the mail
    write(stranger, org_app, "Jag låtsas vara Emma.", email=EMMA)
    copy = newest(org_app)
    assert copy.state == CommentState.HELD and copy.organisation_id is None
    assert len(smtp_server.wait_for(4)) == 4 and len(smtp_server.to(EMMA)) == 2


def test_a_forged_cookie_earns_nothing(org_app, client, smtp_server):
    with org_app.app_context():
        db.session.add(
            VerifiedAddress(
                email=EMMA,
                organisation=organisations.find("Kommunal"),
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        db.session.commit()
    client.set_cookie(COOKIE, "ZW1tYS5uaWxzc29uQGtvbW11bmFsLnNl.forged.signature")
    write(client, org_app, "Falsk kaka.", email=EMMA)
    assert newest(org_app).state == CommentState.HELD


LOOK_ALIKES = [
    ("Emma Nilsson, Kommunal", "emma@gmail.com"),
    ("Kommunal", ""),
    ("Emma", "emma@kommunal.se.example.net"),
    ("Emma", "emma@kommunaI.se"),
    ("Emma", "emma@kommunаl.se"),
    ("Emma", "emma@xn--kommunl-7fg.se"),
    ("Emma", "kommunal.se@evil.example"),
]


def test_look_alikes_and_typed_names_get_nothing(org_app, client, smtp_server):
    for name, email in LOOK_ALIKES:
        response = write(
            client, org_app, f"Jag är visst från Kommunal ({email}).", name=name, email=email
        )
        assert response.status_code == 302, (email, response.get_data(as_text=True))
        comment = newest(org_app)
        assert comment.state == CommentState.APPROVED, email
        assert comment.organisation_id is None, email
    page = org_app.test_client().get(f"/{STRATEGER}").get_data(as_text=True)  # another reader
    assert page.count("Jag är visst från Kommunal") == len(LOOK_ALIKES)
    assert "badge-org" not in page
    assert smtp_server.wait_for(1, timeout=0.3) == []


def test_expired_and_forged_links_are_refused(org_app, client, smtp_server):
    write(client, org_app, "Svar.", email=EMMA)
    link = verification_link(smtp_server)
    with org_app.app_context():
        for verification in db.session.scalars(select(EmailVerification)):
            verification.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(link.removeprefix(BASE)).status_code == 400
    assert client.get("/epost/bekrafta/not-a-token").status_code == 400
    assert follow_again(client, link).status_code == 400
    assert newest(org_app).state == CommentState.HELD


def test_a_moderated_organisation_waits_for_a_moderator(org_app, client, smtp_server):
    with org_app.app_context():
        organisations.find("Kommunal").moderate_answers = True
        db.session.commit()
    write(client, org_app, "Vårt svar.", email=EMMA)
    follow(client, verification_link(smtp_server))
    comment = newest(org_app)
    assert comment.state == CommentState.PENDING and comment.organisation_name == "Kommunal"
    assert smtp_server.to(AUTHOR) == []

    moderator_id = add_user(org_app, "mod@example.se", Role.MODERATOR)
    with org_app.app_context():
        moderator = db.session.get(User, moderator_id)
        decisions.approve(db.session.get(Comment, comment.id), moderator)
        db.session.commit()
    smtp_server.wait_for(2)
    assert len(smtp_server.to(AUTHOR)) == 1


def test_staff_mark_an_answer_by_hand_with_the_same_notification(org_app, client, smtp_server):
    write(client, org_app, "Svar som kom med e-post.", name="Redaktionen", email="")
    comment = newest(org_app)
    assert comment.state == CommentState.APPROVED
    with org_app.app_context():
        author = db.session.scalar(select(User).where(User.email == AUTHOR))
        kommunal = organisations.find("Kommunal")
        answers.mark_answer(db.session.get(Comment, comment.id), kommunal, author)
        db.session.commit()
    mails = smtp_server.wait_for(1)
    assert [m["Subject"] for m in mails] == ["Kommunal har svarat på ”Vad tror du?”"]
    assert "markerade kommentaren som svar från Kommunal" in text_of(mails[0])
    assert newest(org_app).organisation_name == "Kommunal"


def test_without_an_author_account_the_fallback_address_is_told(org_app, client, smtp_server):
    org_app.config["SAMTAL_AUTHOR_FALLBACK_EMAIL"] = "redaktion@example.se"
    with org_app.app_context():
        db.session.scalar(select(User).where(User.email == AUTHOR)).active = False
        db.session.commit()
    write(client, org_app, "Svar.", email=EMMA)
    follow(client, verification_link(smtp_server))
    smtp_server.wait_for(2)
    assert len(smtp_server.to("redaktion@example.se")) == 1
    assert smtp_server.to(AUTHOR) == []


# --- the orgs command ----------------------------------------------------------------------------


def test_orgs_add_list_and_remove(app, runner):
    result = runner.invoke(
        args=["orgs", "add", "Vårdförbundet", "--domain", "Vardforbundet.SE", "--badge", "VF"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["orgs", "add", "Göteborgs stad", "--domain", "göteborg.se"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["orgs", "list"]).output
    assert "Vårdförbundet\t[VF]\tvardforbundet.se" in listing
    assert "xn--gteborg-90a.se" in listing

    taken = runner.invoke(args=["orgs", "add", "Kopia", "--domain", "vardforbundet.se"])
    assert taken.exit_code != 0 and "redan registrerad" in taken.output
    bad = runner.invoke(args=["orgs", "add", "Fel", "--domain", "se"])
    assert bad.exit_code != 0
    injected = runner.invoke(
        args=["orgs", "add", "Evil\r\nBcc: x@evil.example", "--domain", "e.se"]
    )
    assert injected.exit_code != 0

    assert runner.invoke(args=["orgs", "remove", "vårdförbundet"]).exit_code == 0
    with app.app_context():
        assert [o.name for o in db.session.scalars(select(Organisation))] == ["Göteborgs stad"]
        assert db.session.scalar(select(OrganisationDomain.domain)) == "xn--gteborg-90a.se"
    assert runner.invoke(args=["orgs", "remove", "Finns inte"]).exit_code != 0


def test_orgs_invite_sends_the_questions_once(org_app, smtp_server):
    runner = org_app.test_cli_runner()
    args = ["orgs", "invite", "Kommunal", "--post", STRATEGER, "--email", "press@kommunal.se"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    mails = smtp_server.wait_for(1)
    assert len(mails) == 1
    assert mails[0]["Subject"] == "Vad säger Kommunal? En fråga från Samtal"
    body = text_of(mails[0])
    assert "- Vad tror du?" in body and "- Vad tycker du om det?" in body
    assert f"{BASE}/{STRATEGER}#trad-" in body

    second = runner.invoke(args=args)
    assert second.exit_code == 0 and "already invited" in second.output
    assert len(smtp_server.wait_for(2, timeout=0.3)) == 1
    assert runner.invoke(args=[*args[:-1], "not-an-address"]).exit_code != 0


def test_the_demo_shows_kommunals_answer_with_its_badge(app, runner, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["orgs", "list"]).output
    assert "Kommunal\t[Kommunal]\tkommunal.se" in listing
    assert "Unionen\t[Unionen]\tunionen.se" in listing
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert re.search(
        r'<strong><bdi>Emma Nilsson</bdi></strong>\s*<span class="badge badge-org"[^>]*>Kommunal<',
        page,
    )
    with app.app_context():
        outbox = sorted(path.name for path in mail_outbox.outbox_dir().glob("*.eml"))
    assert outbox == ["000001-author.eml"]  # the demo author was told, in the outbox
    assert runner.invoke(args=["demo", "load"]).exit_code == 0  # and loading again adds nothing
    assert client.get(f"/{STRATEGER}").get_data(as_text=True).count("badge-org") == 1
