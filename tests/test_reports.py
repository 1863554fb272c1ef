"""Readers report comments without an account; enough reports send a comment back to the queue."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from discussion import create_app
from discussion.extensions import db
from discussion.models import CommentState, Report
from discussion.posts.importing import import_files, post_files
from tests.helpers import SAMPLE_POSTS, base_config, csrf_token
from tests.staff import (
    STRATEGER,
    add_staff,
    answer,
    comment_by_id,
    decisions,
    latest_comment,
    login_as,
    question_id,
    staff_post,
)

pytestmark = pytest.mark.usefixtures("spam_check_passes")


def published(app, client, body="Ett svar att anmäla") -> int:
    answer(client, STRATEGER, question_id(app, STRATEGER, "Vad tror du?"), body)
    comment = latest_comment(app)
    assert comment.state == CommentState.APPROVED
    return comment.id


def report(client, comment_id: int, reason="personangrepp", ip="10.1.1.1", note=""):
    token = csrf_token(client, f"/{STRATEGER}?anmal={comment_id}")
    return client.post(
        f"/{STRATEGER}/kommentar/{comment_id}/anmal",
        data={"csrf_token": token, "reason": reason, "note": note},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_each_comment_has_a_report_form_without_javascript(app, client, sample_posts):
    comment_id = published(app, client)
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert f'href="?anmal={comment_id}#anmal-{comment_id}"' in page
    assert 'class="report-form"' not in page
    opened = client.get(f"/{STRATEGER}?anmal={comment_id}").get_data(as_text=True)
    form = opened.split(f'id="anmal-{comment_id}"')[1].split("</form>")[0]
    for reason in ("spam", "personangrepp", "annat"):
        assert f'value="{reason}"' in form
    assert f'action="/{STRATEGER}/kommentar/{comment_id}/anmal"' in opened


def test_reports_below_the_threshold_keep_the_comment_visible(app, client, sample_posts):
    comment_id = published(app, client)
    response = report(client, comment_id, note="Elakt")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tack! En moderator tittar på kommentaren." in page
    assert "Ett svar att anmäla" in page
    comment = comment_by_id(app, comment_id)
    assert comment.report_count == 1 and comment.state == CommentState.APPROVED


def test_the_same_reader_counts_once(app, client, sample_posts):
    comment_id = published(app, client)
    for _ in range(3):
        report(client, comment_id, ip="10.2.2.2")
    assert comment_by_id(app, comment_id).report_count == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 1


def test_at_the_threshold_the_comment_is_hidden_and_back_in_the_queue(app, client, sample_posts):
    staff = add_staff(app)
    comment_id = published(app, client, "Elakt sagt")
    for number, reason in enumerate(["personangrepp", "spam", "annat"]):
        report(client, comment_id, reason=reason, ip=f"10.3.3.{number}", note=f"not {number}")
    comment = comment_by_id(app, comment_id)
    assert comment.state == CommentState.PENDING and comment.report_count == 3
    assert decisions(app, comment_id)[-1] == ("reported", "approved", "pending", None, "reports:3")
    page = app.test_client().get(f"/{STRATEGER}").get_data(as_text=True)  # not its writer
    assert "Elakt sagt" not in page

    login_as(client, "moderator")
    reported = client.get("/moderera/?flik=anmalda").get_data(as_text=True)
    assert 'Anmälda <span class="count">1</span>' in reported
    assert 'Väntar <span class="count">0</span>' in reported
    item = reported.split(f'id="k-{comment_id}"')[1].split('class="decision"')[0]
    assert "Personangrepp: <bdi>not 0</bdi>" in item and "Spam: <bdi>not 1</bdi>" in item
    assert "Annat: <bdi>not 2</bdi>" in item
    assert "Skäl: 3 anmälningar" in item

    staff_post(client, f"/moderera/kommentar/{comment_id}", {"action": "approve"})
    comment = comment_by_id(app, comment_id)
    assert comment.state == CommentState.APPROVED and comment.report_count == 0
    assert decisions(app, comment_id)[-1][:4] == (
        "approve",
        "pending",
        "approved",
        staff["moderator"],
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Report.resolved.is_(False))) == 0
    assert "Elakt sagt" in client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert 'Anmälda <span class="count">0</span>' in client.get("/moderera/").get_data(as_text=True)


def test_a_reported_but_visible_comment_can_be_kept_or_rejected(app, client, sample_posts):
    add_staff(app)
    comment_id = published(app, client, "Gränsfall")
    report(client, comment_id)
    login_as(client, "moderator")
    html = client.get("/moderera/?flik=anmalda").get_data(as_text=True)
    assert "Behåll (avfärda anmälningar)" in html
    staff_post(client, f"/moderera/kommentar/{comment_id}", {"action": "reject"})
    assert comment_by_id(app, comment_id).state == CommentState.REJECTED
    assert "Gränsfall" not in client.get(f"/{STRATEGER}").get_data(as_text=True)


def test_a_hidden_or_unknown_comment_cannot_be_reported(app, client, sample_posts):
    comment_id = published(app, client)
    with app.app_context():
        from discussion.models import Comment

        db.session.get(Comment, comment_id).state = CommentState.REJECTED
        db.session.commit()
    assert report(client, comment_id).status_code == 404
    assert report(client, 9999).status_code == 404


def test_a_report_without_a_reason_is_sent_back_to_the_form(app, client, sample_posts):
    comment_id = published(app, client)
    response = report(client, comment_id, reason="")
    assert response.status_code == 302
    assert f"anmal={comment_id}" in response.headers["Location"]
    assert comment_by_id(app, comment_id).report_count == 0


def test_reports_are_rate_limited_per_ip(tmp_path):
    app = create_app(base_config(tmp_path) | {"SAMTAL_REPORT_RATE_LIMIT": "2 per hour"})
    with app.app_context():
        db.create_all()
        import_files(post_files(SAMPLE_POSTS))
    client = app.test_client()
    ids = [published(app, client, f"Kommentar {n}") for n in range(4)]
    statuses = [report(client, comment_id, ip="10.4.4.4").status_code for comment_id in ids[:3]]
    assert statuses == [302, 302, 429]
    limited = report(client, ids[3], ip="10.4.4.4")
    assert "Du har skickat för mycket på kort tid" in limited.get_data(as_text=True)
    assert report(client, ids[3], ip="10.4.4.5").status_code == 302  # another reader
