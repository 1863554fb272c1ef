"""Pre-moderation in a real browser: a reader answers, a moderator approves with the keyboard."""

from __future__ import annotations

import re

import pytest

from discussion import create_app
from discussion.extensions import db
from discussion.models import Role
from discussion.posts.importing import import_files, post_files
from tests.helpers import SAMPLE_POSTS, base_config
from tests.staff import (
    PASSWORD,
    STRATEGER,
    add_user,
    answer,
    latest_comment,
    question_id,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("spam_check_passes")]


@pytest.fixture
def premoderated(tmp_path):
    """Every comment waits for a moderator; the login cookie is Secure as in production."""
    app = create_app(base_config(tmp_path) | {"SAMTAL_MODERATION_POLICY": "pre"})
    with app.app_context():
        db.create_all()
        import_files(post_files(SAMPLE_POSTS))
    add_user(app, "moa@example.se", Role.MODERATOR, name="Moa")
    return app


def the_thread(page):
    return page.locator("section.thread", has=page.get_by_role("heading", name="Vad tror du?"))


def test_a_moderator_approves_a_reader_s_answer_with_the_keyboard(
    premoderated, live_server, page, chromium
):
    app = premoderated
    older = answer(
        app.test_client(), STRATEGER, question_id(app, STRATEGER, "Vad tror du?"), "Ett äldre svar"
    )
    assert older.status_code == 302
    older_id = latest_comment(app).id
    base = live_server(app)

    # The reader answers; under pre-moderation the answer waits.
    page.goto(f"{base}/{STRATEGER}")
    the_thread(page).get_by_text("Svara på frågan").click()
    the_thread(page).get_by_label("Din kommentar").fill("Erfarenhet, inte kontakter.")
    the_thread(page).get_by_label("Namn").fill("Karin")
    the_thread(page).get_by_role("button", name="Skicka kommentar").click()
    page.wait_for_url(f"**/{STRATEGER}?ny=*#kommentar-*")
    own = the_thread(page).locator("li.comment.waiting")
    assert "visas när den har granskats" in own.get_by_role("status").inner_text()
    assert "Erfarenhet, inte kontakter." in own.inner_text()  # to its writer alone

    # The moderator logs in from the queue's address and lands on the queue.
    moderator = chromium.new_context(locale="sv-SE").new_page()
    moderator.set_default_timeout(10_000)
    try:
        moderator.goto(f"{base}/moderera/")
        moderator.wait_for_url(re.compile(r"/logga-in\?next=/moderera/$"))
        moderator.get_by_label("E-post").fill("moa@example.se")
        moderator.get_by_label("Lösenord").fill(PASSWORD)
        moderator.get_by_role("button", name="Logga in").click()
        moderator.wait_for_url(f"{base}/moderera/")
        items = moderator.locator("li.queue-item")
        assert items.count() == 2
        newest = items.nth(0)
        assert "Erfarenhet, inte kontakter." in newest.inner_text()
        assert "selected" in (newest.get_attribute("class") or "")

        # j and k move the selection; a approves the selected comment.
        moderator.keyboard.press("j")
        assert "selected" in (items.nth(1).get_attribute("class") or "")
        moderator.keyboard.press("k")
        assert "selected" in (newest.get_attribute("class") or "")
        with moderator.expect_navigation():
            moderator.keyboard.press("a")
        assert moderator.get_by_role("status").inner_text() == "1 kommentar godkänd."
        assert moderator.locator("li.queue-item").count() == 1
        assert "Ett äldre svar" in moderator.locator("li.queue-item").inner_text()
    finally:
        moderator.context.close()

    # The reader's page now shows the answer; the other comment still waits.
    page.goto(f"{base}/{STRATEGER}")
    assert "Erfarenhet, inte kontakter." in the_thread(page).locator("ol.comments").inner_text()
    assert the_thread(page).locator("li.comment.waiting").count() == 0
    assert "Ett äldre svar" not in the_thread(page).inner_text()
    assert latest_comment(app).state == "approved"
    with app.app_context():
        from discussion.models import Comment

        assert db.session.get(Comment, older_id).state == "pending"


def test_r_asks_for_a_reason_before_it_rejects(premoderated, live_server, page):
    app = premoderated
    qid = question_id(app, STRATEGER, "Vad tror du?")
    assert answer(app.test_client(), STRATEGER, qid, "Ett svar att avvisa").status_code == 302
    base = live_server(app)
    page.goto(f"{base}/moderera/")
    page.get_by_label("E-post").fill("moa@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/moderera/")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.name") == "reason"
    assert "Enter avvisar" in page.locator(".reject-hint").inner_text()
    assert latest_comment(app).state == "pending"  # nothing decided yet
    page.keyboard.type("Inte på ämnet")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    rejected = latest_comment(app)
    assert rejected.state == "rejected"
    with app.app_context():
        from discussion.models import ModerationDecision

        decision = db.session.query(ModerationDecision).order_by(ModerationDecision.id.desc())
        assert decision.first().reason == "Inte på ämnet"
