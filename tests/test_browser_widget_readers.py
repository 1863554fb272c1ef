"""What readers get in the embed widget on someone's blog, at a desktop and a phone width:
likes, the thread's order, their own comment (waiting, edited, deleted), previews, avatars
and local relative times, all without cookies across origins."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from discussion.extensions import db
from discussion.models import Comment, CommentState
from tests.staff import STRATEGER, add_approved_comments, question_id
from tests.staff import answer as post_answer
from tests.test_browser_embed import QUESTION, answer, blog, thread
from tests.test_browser_readers import assert_fits

pytestmark = pytest.mark.browser


@pytest.fixture
def reader(sized_page):
    return sized_page


@pytest.fixture
def blog_page(app, sample_posts, live_server):
    """A blog on another origin with the widget; returns (samtal, blog)."""
    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    samtal = live_server(app)
    host = live_server(blog(samtal))
    app.config["SAMTAL_ALLOWED_ORIGINS"] = [host]
    return samtal, host


def test_a_like_in_the_widget_toggles_and_is_remembered(app, blog_page, reader):
    post_answer(app.test_client(), STRATEGER, question_id(app, STRATEGER, QUESTION), "Gilla!")
    _, host = blog_page
    reader.goto(host)
    like = thread(reader).locator(".samtal-like")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    assert like.inner_text().endswith("· 1")
    reader.reload()
    expect(thread(reader).locator(".samtal-like")).to_have_attribute("aria-pressed", "true")
    with app.app_context():
        assert db.session.get(Comment, 1).like_count == 1
    assert reader.context.cookies() == [] or all(
        cookie["domain"] != "127.0.0.1" or "samtal" not in cookie["name"]
        for cookie in reader.context.cookies()
    )
    assert_fits(reader)


def test_the_widget_s_order_is_chosen_and_remembered(app, blog_page, reader):
    qid = question_id(app, STRATEGER, QUESTION)
    add_approved_comments(app, qid, 3, lambda number: {"like_count": [1, 5, 0][number]})
    _, host = blog_page
    reader.goto(host)
    names = thread(reader).locator("ol.samtal-comments > li .samtal-byline strong")
    names.first.wait_for()
    oldest = names.all_inner_texts()
    thread(reader).get_by_label("Ordning").select_option("liked")
    expect(names.first).to_have_text(oldest[1])
    assert names.all_inner_texts() == [oldest[1], oldest[0], oldest[2]]
    reader.reload()
    expect(names.first).to_have_text(oldest[1])
    assert thread(reader).get_by_label("Ordning").input_value() == "liked"


def test_the_writer_s_waiting_comment_is_edited_then_deleted_in_the_widget(app, blog_page, reader):
    app.config["SAMTAL_MODERATION_POLICY"] = "pre"
    _, host = blog_page
    reader.goto(host)
    answer(reader, "Första versionen.")
    own = thread(reader).locator(".samtal-own")
    own.wait_for()
    assert "väntar på granskning" in own.inner_text()
    reader.reload()  # the widget asks Samtal which comments this browser wrote
    own = thread(reader).locator(".samtal-own")
    expect(own).to_contain_text("Första versionen.")
    own.get_by_role("button", name="Ändra").click()
    own.locator("textarea").fill("Andra versionen.")
    own.get_by_role("button", name="Spara").click()
    expect(thread(reader).locator(".samtal-own")).to_contain_text("Andra versionen.")
    with app.app_context():
        edited = db.session.get(Comment, 1)
        assert edited.body_raw == "Andra versionen." and edited.edited_at is not None
    reader.once("dialog", lambda dialog: dialog.accept())
    thread(reader).locator(".samtal-own").get_by_role("button", name="Ta bort").click()
    expect(reader.get_by_role("status")).to_have_text("Din kommentar är borttagen.")
    with app.app_context():
        assert db.session.get(Comment, 1).state == CommentState.DELETED
    assert_fits(reader)


def test_the_widget_previews_with_the_sanitiser_and_shows_avatars_and_times(app, blog_page, reader):
    samtal, host = blog_page
    post_answer(
        app.test_client(),
        STRATEGER,
        question_id(app, STRATEGER, QUESTION),
        "Med adress.",
        email="bo@example.se",
    )
    requests: list[str] = []
    reader.on("request", lambda request: requests.append(request.url))
    reader.goto(host)
    box = thread(reader)
    box.get_by_role("button", name="Svara på frågan").click()
    assert reader.evaluate("document.activeElement.name") == "body"
    box.get_by_label("Din kommentar").fill("**Fet** <script>alert(1)</script>")
    box.get_by_role("button", name="Förhandsgranska").click()
    shown = box.locator(".samtal-preview .samtal-text")
    expect(shown.locator("strong")).to_have_text("Fet")
    assert shown.locator("script").count() == 0
    avatar = box.locator("img.samtal-avatar").first
    assert avatar.get_attribute("src").startswith(f"{samtal}/avatar/")
    when = box.locator("time").first
    assert when.inner_text() == "nyss"
    assert re.search(r"\d{2}:\d{2}", when.get_attribute("title"))
    assert all(url.startswith((samtal, host)) for url in requests), requests
    assert_fits(reader)
