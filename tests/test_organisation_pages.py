"""The staff pages for organisations: the register, answers marked by hand, invites, the outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from discussion.extensions import db
from discussion.models import Comment, EmailStatus, Organisation, OutgoingEmail, Post
from discussion.organisations import register as organisations
from tests.staff import STRATEGER, add_staff, login_as, staff_post
from tests.test_organisations import AUTHOR, BASE, QUESTION, newest, text_of, write

PAGES = ["/moderera/organisationer", "/moderera/utkorg", "/moderera/organisationssvar"]


@pytest.fixture
def staff_app(app, sample_posts, smtp_server):
    app.config.update(
        smtp_server.config() | {"SAMTAL_MODERATION_POLICY": "post", "SAMTAL_BASE_URL": BASE}
    )
    add_staff(app)
    with app.app_context():
        organisations.add_organisation("Kommunal", ["kommunal.se"])
        db.session.commit()
    return app


def post_id(app, slug=STRATEGER) -> int:
    with app.app_context():
        return db.session.scalar(select(Post.id).where(Post.slug == slug))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, [302, 302, 302]),
        ("author", [302, 302, 200]),
        ("moderator", [302, 302, 200]),
        ("admin", [200, 200, 200]),
    ],
)
def test_who_may_open_which_page(staff_app, client, role, expected):
    if role:
        login_as(client, role)
    assert [client.get(page).status_code for page in PAGES] == expected


def test_actions_refuse_readers_and_wrong_roles(staff_app, client):
    organisation_id = 1
    actions = [
        "/moderera/organisationer",
        f"/moderera/organisationer/{organisation_id}/ta-bort",
        f"/moderera/organisationer/{organisation_id}/domaner",
        "/moderera/utkorg/1/skicka-igen",
        "/moderera/organisationssvar",
        f"/moderera/inlagg/{post_id(staff_app)}/bjud-in",
    ]
    assert [staff_post(client, url).status_code for url in actions] == [403] * len(actions)
    login_as(client, "author")
    assert [staff_post(client, url).status_code for url in actions[:4]] == [403] * 4
    with staff_app.app_context():
        assert db.session.get(Organisation, organisation_id) is not None


def test_an_admin_registers_and_removes_organisations(staff_app, client):
    login_as(client, "admin")
    added = staff_post(
        client,
        "/moderera/organisationer",
        {
            "name": "Unionen",
            "domains": "unionen.se, Press.Unionen.se",
            "badge": "",
            "moderate": "y",
        },
    )
    assert added.status_code == 302
    page = client.get("/moderera/organisationer").get_data(as_text=True)
    assert "Unionen är registrerad." in page and "press.unionen.se" in page
    staff_post(client, "/moderera/organisationer", {"name": "Kopia", "domains": "unionen.se"})
    assert "Domänen unionen.se är redan registrerad." in client.get(
        "/moderera/organisationer"
    ).get_data(as_text=True)

    with staff_app.app_context():
        unionen = organisations.find("Unionen")
        assert unionen.moderate_answers and unionen.badge == "Unionen"
        unionen_id = unionen.id
    staff_post(
        client, f"/moderera/organisationer/{unionen_id}/domaner/ta-bort", {"domain": "unionen.se"}
    )
    staff_post(client, f"/moderera/organisationer/{unionen_id}/moderering", {})
    with staff_app.app_context():
        unionen = organisations.find("Unionen")
        assert [d.domain for d in unionen.domains] == ["press.unionen.se"]
        assert not unionen.moderate_answers
    staff_post(client, f"/moderera/organisationer/{unionen_id}/ta-bort")
    with staff_app.app_context():
        assert organisations.find("Unionen") is None and organisations.find("Kopia") is None


def test_an_author_marks_an_answer_on_their_post_and_is_told(staff_app, client, smtp_server):
    write(client, staff_app, "Svaret Kommunal mejlade oss.", name="Redaktionen")
    comment_id = newest(staff_app).id
    with staff_app.app_context():
        kommunal_id = organisations.find("Kommunal").id

    login_as(client, "other_author")  # not this post's author
    refused = staff_post(
        client,
        "/moderera/organisationssvar",
        {"comment_id": comment_id, "organisation_id": kommunal_id},
    )
    assert refused.status_code == 403

    client = staff_app.test_client()  # the post's own author, in another browser
    login_as(client, "author")
    done = staff_post(
        client,
        "/moderera/organisationssvar",
        {"comment_id": comment_id, "organisation_id": kommunal_id},
    )
    assert done.status_code == 302
    assert newest(staff_app).organisation_id == kommunal_id
    (told,) = smtp_server.wait_for(1)
    assert told["To"] == AUTHOR and told["Subject"] == f"Kommunal har svarat på ”{QUESTION}”"
    page = client.get("/moderera/organisationssvar").get_data(as_text=True)
    assert "Svaret Kommunal mejlade oss." not in page  # held list is empty
    assert "Ta bort märket" in page

    staff_post(client, "/moderera/organisationssvar", {"comment_id": comment_id})
    assert newest(staff_app).organisation_id is None
    assert "badge-org" not in client.get(f"/{STRATEGER}").get_data(as_text=True)


def test_the_post_page_for_staff_invites_an_organisation(staff_app, client, smtp_server):
    login_as(client, "author")
    target = f"/moderera/inlagg/{post_id(staff_app)}"
    page = client.get(target).get_data(as_text=True)
    assert "Bjud in en organisation" in page
    with staff_app.app_context():
        kommunal_id = organisations.find("Kommunal").id
    sent = staff_post(
        client,
        f"{target}/bjud-in",
        {"organisation_id": kommunal_id, "email": "press@kommunal.se"},
        token_page=target,
    )
    assert sent.status_code == 302
    (invitation,) = smtp_server.wait_for(1)
    assert invitation["To"] == "press@kommunal.se"
    assert "Vad tror du?" in text_of(invitation)
    assert "Inbjudan till Kommunal är skickad." in client.get(target).get_data(as_text=True)


def test_admins_see_failed_e_mail_in_the_outbox_and_can_send_it_again(
    staff_app, client, smtp_server
):
    smtp_server.handler.refuse.add("press@kommunal.se")
    runner = staff_app.test_cli_runner()
    args = ["orgs", "invite", "Kommunal", "--post", STRATEGER, "--email", "press@kommunal.se"]
    assert runner.invoke(args=args).exit_code == 0
    login_as(client, "admin")
    page = client.get("/moderera/utkorg?status=failed").get_data(as_text=True)
    assert "press@kommunal.se" in page and "Misslyckades" in page and "550" in page

    with staff_app.app_context():
        row_id = db.session.scalar(select(OutgoingEmail.id))
    assert "Vad tror du?" in client.get(f"/moderera/utkorg/{row_id}").get_data(as_text=True)
    smtp_server.handler.refuse.clear()
    staff_post(client, f"/moderera/utkorg/{row_id}/skicka-igen", token_page="/moderera/utkorg")
    assert len(smtp_server.wait_for(1)) == 1
    with staff_app.app_context():
        assert db.session.get(OutgoingEmail, row_id).status == EmailStatus.SENT
        assert db.session.scalar(select(Comment)) is None
