"""The reader's side of Samtal's own post page, in Chromium, at a desktop and a phone width.

Each test looks at one thing readers expect from a comment system (feedback where they are, a
compact page, replies in place, likes, sorting, their own edits, previews, avatars, local and
relative times, long threads) and checks that nothing is wider than the screen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from discussion.extensions import db
from discussion.models import Comment, CommentState
from tests.staff import STRATEGER, add_approved_comments, question_id
from tests.staff import answer as post_answer

pytestmark = pytest.mark.browser

QUESTION = "Vad tror du?"


@pytest.fixture
def reader(sized_page):
    return sized_page


@pytest.fixture
def site(app, sample_posts, live_server):
    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    return live_server(app)


def thread(page, question: str = QUESTION):
    return page.locator("section.thread", has=page.get_by_role("heading", name=question))


def assert_fits(page) -> None:
    """Nothing is wider than the window: no sideways scrolling, at any width."""
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    culprits = page.evaluate(
        """() => [...document.body.querySelectorAll('*')]
          .filter(e => e.getBoundingClientRect().right > innerWidth)
          .filter(e => !e.parentElement.closest("table, pre"))
          .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className)"""
    )
    # One pixel is sub-pixel rounding (a wide table scrolling inside itself can leave it).
    assert wide <= 1, f"{wide}px wider than the window: {culprits}"


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] < height and box["y"] + min(box["height"], 40) > 0


def write(page, text: str, name: str = "Karin", question: str = QUESTION) -> None:
    box = thread(page, question)
    box.locator("details.answer > summary").click()
    box.get_by_label("Din kommentar").fill(text)
    box.get_by_label("Namn").fill(name)
    box.get_by_role("button", name="Skicka kommentar").click()


def mark(page) -> None:
    """Something that only survives as long as the page is not reloaded."""
    page.evaluate("window.samtalNotReloaded = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.samtalNotReloaded === true")


def comments_of(app, state=None) -> list[Comment]:
    with app.app_context():
        query = select(Comment).order_by(Comment.id)
        if state is not None:
            query = query.where(Comment.state == state)
        return list(db.session.scalars(query))


# --- 1. feedback where the reader is -------------------------------------------------------------


def test_after_posting_the_reader_is_at_their_published_comment(site, reader):
    reader.goto(f"{site}/{STRATEGER}")
    write(reader, "Jag tror att de menar erfarenhet.")
    reader.wait_for_url(re.compile(r"\?ny=\d+#kommentar-\d+$"))
    mine = reader.locator("li.comment.new")
    assert "Jag tror att de menar erfarenhet." in mine.inner_text()
    assert mine.get_by_role("status").inner_text() == "Tack! Din kommentar är publicerad."
    assert in_view(reader, mine)
    assert reader.evaluate("document.activeElement.classList.contains('new')")
    assert thread(reader).locator(".thread-meta").inner_text().startswith("1 kommentar")
    assert_fits(reader)


def test_a_waiting_comment_is_shown_in_place_to_its_writer_alone(app, site, reader, chromium):
    app.config["SAMTAL_MODERATION_POLICY"] = "pre"
    reader.goto(f"{site}/{STRATEGER}")
    write(reader, "Det här väntar på en moderator.")
    reader.wait_for_url(re.compile(r"#kommentar-\d+$"))
    waiting = thread(reader).locator("li.comment.waiting")
    assert "Det här väntar på en moderator." in waiting.inner_text()
    assert "Väntar på granskning" in waiting.inner_text()
    assert in_view(reader, waiting)
    reader.goto(f"{site}/{STRATEGER}")  # later, in the same browser
    assert "Väntar på granskning" in thread(reader).locator("li.comment.waiting").inner_text()
    assert_fits(reader)
    other = chromium.new_context(locale="sv-SE").new_page()
    try:
        other.goto(f"{site}/{STRATEGER}")
        assert "Det här väntar på en moderator." not in other.content()
    finally:
        other.context.close()


def test_an_error_appears_at_the_form_which_keeps_the_text_and_the_focus(site, reader):
    reader.goto(f"{site}/{STRATEGER}")
    box = thread(reader)
    box.locator("details.answer > summary").click()
    box.get_by_label("Din kommentar").fill("En genomtänkt text som inte får tappas.")
    box.get_by_label("Namn").fill("\u200b\u200b")  # nothing a reader could see
    box.get_by_role("button", name="Skicka kommentar").click()
    reader.wait_for_load_state()
    errors = thread(reader).get_by_role("alert")
    assert "Kommentaren skickades inte" in errors.inner_text()
    assert in_view(reader, errors)
    body = thread(reader).get_by_label("Din kommentar")
    assert body.input_value() == "En genomtänkt text som inte får tappas."
    assert reader.evaluate("document.activeElement.name") == "name"
    assert_fits(reader)


def test_an_expired_form_comes_back_with_the_text_and_a_fresh_token(app, site, reader):
    reader.goto(f"{site}/{STRATEGER}")
    box = thread(reader)
    box.locator("details.answer > summary").click()
    box.locator("input[name=csrf_token]").evaluate("input => input.value = 'utgången'")
    box.get_by_label("Din kommentar").fill("Skrivet länge, skickat sent.")
    box.get_by_label("Namn").fill("Karin")
    box.get_by_role("button", name="Skicka kommentar").click()
    reader.wait_for_load_state()
    assert "Formuläret hade gått ut" in thread(reader).get_by_role("alert").inner_text()
    assert (
        thread(reader).get_by_label("Din kommentar").input_value() == "Skrivet länge, skickat sent."
    )
    assert comments_of(app) == []
    thread(reader).get_by_role("button", name="Skicka kommentar").click()
    reader.wait_for_url(re.compile(r"#kommentar-\d+$"))
    assert [c.body_raw for c in comments_of(app)] == ["Skrivet länge, skickat sent."]


# --- 3. a compact page; replies in place ------------------------------------------------------


def test_the_demo_post_is_mostly_its_text_and_comments(app, live_server, runner, reader):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    base = live_server(app)
    reader.goto(f"{base}/{STRATEGER}")
    sizes = reader.evaluate(
        """() => {
          const height = e => e.getBoundingClientRect().height;
          const lists = [...document.querySelectorAll('ol.comments')];
          return {page: document.documentElement.scrollHeight,
                  post: height(document.querySelector('article.post')),
                  comments: lists.reduce((sum, list) => sum + height(list), 0),
                  count: document.querySelectorAll('li.comment').length};
        }"""
    )
    assert sizes["count"] >= 10
    assert sizes["page"] <= 1.3 * (sizes["post"] + sizes["comments"]), sizes
    assert reader.locator("form.comment-form:visible").count() == 0  # folded until asked for
    assert_fits(reader)


def test_reply_opens_under_the_comment_without_a_reload(app, site, reader):
    qid = question_id(app, STRATEGER, QUESTION)
    post_answer(app.test_client(), STRATEGER, qid, "Ett svar att svara på.", name="Bo")
    parent = comments_of(app)[0]
    reader.goto(f"{site}/{STRATEGER}")
    mark(reader)
    item = reader.locator(f"#kommentar-{parent.id}")
    item.get_by_role("link", name="Svara").click()
    form = item.locator("form.comment-form")
    form.get_by_label("Ditt svar").fill("Ett svar i tråden.")
    assert not_reloaded(reader) and "?svara=" not in reader.url
    assert reader.evaluate("document.activeElement.name") == "body"
    form.get_by_label("Namn").fill("Karin")
    assert_fits(reader)
    form.get_by_role("button", name="Skicka svar").click()
    reader.wait_for_url(re.compile(r"#kommentar-\d+$"))
    reply = reader.locator("li.comment.new")
    assert "depth-1" in reply.get_attribute("class")
    assert comments_of(app)[-1].parent_id == parent.id


def test_replies_below_depth_four_say_whom_they_answer(app, site, reader):
    qid = question_id(app, STRATEGER, QUESTION)
    client = app.test_client()
    parent = None
    for level in range(6):
        post_answer(
            client, STRATEGER, qid, f"Nivå {level}", name=f"Läsare{level}", parent_id=parent
        )
        parent = comments_of(app)[-1].id
    reader.goto(f"{site}/{STRATEGER}")
    deepest = reader.locator(f"#kommentar-{parent}")
    assert "svar till Läsare4" in deepest.locator(".byline").inner_text()
    assert "depth-4" in deepest.get_attribute("class")
    assert_fits(reader)


def test_more_comments_load_in_place(app, site, reader):
    qid = question_id(app, STRATEGER, QUESTION)
    add_approved_comments(app, qid, 53)
    reader.goto(f"{site}/{STRATEGER}")
    listed = thread(reader).locator("ol.comments > li")
    assert listed.count() == 50
    mark(reader)
    thread(reader).get_by_role("link", name=re.compile("Visa fler")).click()
    listed.nth(52).wait_for()
    assert listed.count() == 53 and not_reloaded(reader)
    assert thread(reader).get_by_role("link", name=re.compile("Visa fler")).count() == 0
    assert_fits(reader)


# --- 4.–9. likes, sorting, own edits, previews, avatars, times ---------------------------------


def test_a_like_toggles_counts_and_is_remembered(app, site, reader):
    qid = question_id(app, STRATEGER, QUESTION)
    post_answer(app.test_client(), STRATEGER, qid, "Gilla mig.", name="Bo")
    reader.goto(f"{site}/{STRATEGER}")
    like = thread(reader).get_by_role("button", name=re.compile("Gilla"))
    assert like.get_attribute("aria-pressed") == "false"
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    assert like.locator(".like-count").inner_text() == "1"
    reader.reload()
    assert like.get_attribute("aria-pressed") == "true"
    assert like.locator(".like-count").inner_text() == "1"
    like.click()
    expect(like).to_have_attribute("aria-pressed", "false")
    assert like.locator(".like-count").inner_text() == "0"
    with app.app_context():
        assert db.session.get(Comment, comments_of(app)[0].id).like_count == 0
    assert_fits(reader)


def test_the_thread_order_is_chosen_and_remembered(app, site, reader):
    qid = question_id(app, STRATEGER, QUESTION)
    add_approved_comments(app, qid, 3, lambda number: {"like_count": [1, 5, 0][number]})
    reader.goto(f"{site}/{STRATEGER}")

    def authors():
        return thread(reader).locator("ol.comments > li .byline strong").all_inner_texts()

    oldest = authors()
    with reader.expect_navigation():
        thread(reader).get_by_role("link", name="nyast").click()
    assert authors() == list(reversed(oldest))
    with reader.expect_navigation():
        thread(reader).get_by_role("link", name="mest gillade").click()
    assert authors() == [oldest[1], oldest[0], oldest[2]]
    reader.goto(f"{site}/{STRATEGER}")
    assert authors() == [oldest[1], oldest[0], oldest[2]]  # remembered by this browser
    assert thread(reader).locator(".sort [aria-current]").inner_text() == "mest gillade"


def test_the_writer_edits_then_deletes_their_comment_and_replies_stay(app, site, reader):
    reader.goto(f"{site}/{STRATEGER}")
    write(reader, "Första versionen.")
    reader.wait_for_url(re.compile(r"#kommentar-\d+$"))
    own = comments_of(app)[0]
    item = reader.locator(f"#kommentar-{own.id}")
    item.get_by_text("Ändra eller ta bort").click()
    item.get_by_label("Din text").fill("Andra versionen, rättad.")
    item.get_by_role("button", name="Spara ändringen").click()
    reader.wait_for_load_state()
    item = reader.locator(f"#kommentar-{own.id}")
    assert "Andra versionen, rättad." in item.inner_text() and "(ändrad)" in item.inner_text()
    qid = question_id(app, STRATEGER, QUESTION)
    post_answer(app.test_client(), STRATEGER, qid, "Ett svar som blir kvar.", parent_id=own.id)
    reader.goto(f"{site}/{STRATEGER}")
    item = reader.locator(f"#kommentar-{own.id}")
    item.get_by_text("Ändra eller ta bort").click()
    item.get_by_role("button", name="Ta bort kommentaren").click()
    reader.wait_for_load_state()
    assert "Kommentaren är borttagen." in reader.locator(f"#kommentar-{own.id}").inner_text()
    assert "Ett svar som blir kvar." in thread(reader).inner_text()
    with app.app_context():
        assert db.session.get(Comment, own.id).state == CommentState.DELETED
    assert_fits(reader)


def test_the_preview_is_what_the_sanitiser_will_store(site, reader):
    reader.goto(f"{site}/{STRATEGER}")
    box = thread(reader)
    box.locator("details.answer > summary").click()
    box.get_by_label("Din kommentar").fill(
        "**Fet** text <script>alert(1)</script> https://exempel.se"
    )
    mark(reader)
    box.get_by_role("button", name="Förhandsgranska").click()
    preview = box.locator(".preview .text")
    preview.locator("strong").wait_for()
    assert preview.locator("strong").inner_text() == "Fet"
    assert preview.locator("a").get_attribute("href") == "https://exempel.se"
    assert preview.locator("script").count() == 0
    assert not_reloaded(reader)
    assert_fits(reader)


def test_avatars_are_drawn_here_and_times_are_local_and_relative(app, site, reader):
    qid = question_id(app, STRATEGER, QUESTION)
    client = app.test_client()
    post_answer(client, STRATEGER, qid, "Med adress.", name="Bo", email="bo@example.se")
    post_answer(client, STRATEGER, qid, "Utan adress.", name="Li")
    requests: list[str] = []
    reader.on("request", lambda request: requests.append(request.url))
    reader.goto(f"{site}/{STRATEGER}")
    avatars = thread(reader).locator("img.avatar")
    sources = [avatars.nth(n).get_attribute("src") for n in range(2)]
    assert sources[0] != sources[1] and all(s.startswith(f"{site}/avatar/") for s in sources)
    assert all(url.startswith(site) for url in requests), requests
    when = thread(reader).locator("time").first
    assert when.get_attribute("datetime").endswith("Z")
    assert when.inner_text() == "nyss"
    assert re.search(r"\d{1,2}:\d{2}:\d{2} (CET|CEST)$", when.get_attribute("title"))
