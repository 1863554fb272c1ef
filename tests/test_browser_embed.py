"""The embed widget in a real browser, on a blog page served from another origin (port)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from discussion.extensions import db
from discussion.models import Comment

pytestmark = pytest.mark.browser

SLUG = "strateger-sokes-eller-kontaktnat"
QUESTION = "Vad tror du?"


def blog(samtal: str, lang: str = "sv") -> Flask:
    """A stand-in for someone's blog: one page with the documented snippet."""
    app = Flask("blog")

    @app.get("/")
    def page():
        return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Bloggen</title></head>
<body><article><h1>Strateger sökes</h1><p>Inlägget.</p>
<p><span data-samtal-count="{SLUG}">Kommentarer</span></p></article>
<div id="samtal" data-post="{SLUG}"><noscript><a href="{samtal}/{SLUG}">Läs och skriv
kommentarer på Samtal</a></noscript></div>
<script src="{samtal}/embed.js" async></script></body></html>"""

    return app


def comment_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Comment))


@pytest.fixture
def embedded(app, sample_posts, live_server):
    """Samtal and a blog on two origins, the blog's origin allowed; returns (samtal, blog)."""
    samtal = live_server(app)
    host = live_server(blog(samtal))
    app.config["SAMTAL_ALLOWED_ORIGINS"] = [host]
    return samtal, host


def thread(page, question: str = QUESTION):
    return page.locator("section.samtal-thread", has=page.get_by_role("heading", name=question))


def answer(page, text: str, name: str = "Karin") -> None:
    box = thread(page)
    box.get_by_role("button", name=re.compile("Svara på frågan|Answer the question")).click()
    box.get_by_label("Din kommentar").fill(text)
    box.get_by_label("Namn").fill(name)
    box.get_by_role("button", name="Skicka kommentar").click()


def test_reader_answers_on_another_origin_and_sees_it(app, embedded, page):
    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    samtal, host = embedded
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(host)
    assert thread(page).locator(".samtal-count").inner_text() == "0 kommentarer"
    answer(page, "Jag tror att de menar erfarenhet, inte kontakter.")
    status = page.get_by_role("status")
    status.filter(has_text="publicerad").wait_for()
    assert status.inner_text() == "Tack! Din kommentar är publicerad."
    assert (
        "Jag tror att de menar erfarenhet"
        in thread(page).locator("ol.samtal-comments").inner_text()
    )
    assert thread(page).locator(".samtal-count").inner_text() == "1 kommentar"
    assert page.locator("[data-samtal-count]").inner_text() == "1 kommentar"
    assert comment_count(app) == 1
    assert all(url.startswith((samtal, host)) for url in requests), requests
    # The reader's strings are isolated from the text around them.
    assert thread(page).locator(".samtal-byline strong bdi").first.inner_text() == "Karin"
    assert thread(page).locator(".samtal-text").first.get_attribute("dir") == "auto"


def test_reply_by_keyboard_then_reload_shows_it_from_the_api(app, embedded, page):
    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    _, host = embedded
    page.goto(host)
    answer(page, "Nätverk är en del av jobbet.")
    page.get_by_role("status").filter(has_text="publicerad").wait_for()
    reply = thread(page).get_by_role("button", name="Svara").first
    reply.focus()
    page.keyboard.press("Enter")
    assert reply.get_attribute("aria-expanded") == "true"
    focused = page.evaluate("document.activeElement.labels[0].textContent")
    assert focused == "Ditt svar"
    page.keyboard.type("Håller med!")
    page.keyboard.press("Tab")
    page.keyboard.type("Olle")
    thread(page).get_by_role("button", name="Skicka svar").click()
    thread(page).locator(".samtal-replies").get_by_text("Håller med!").wait_for()
    assert reply.get_attribute("aria-expanded") == "false"
    page.reload()
    replies = thread(page).locator(".samtal-replies")
    replies.get_by_text("Håller med!").wait_for()
    assert thread(page).locator(".samtal-count").inner_text() == "2 kommentarer"


def test_writer_sees_own_comment_waiting_for_review(app, embedded, page):
    """Under pre-moderation the answer waits; only its writer sees it, marked as waiting."""
    app.config["SAMTAL_MODERATION_POLICY"] = "pre"
    _, host = embedded
    page.goto(host)
    answer(page, "Kanske menar de referenser?")
    page.get_by_role("status").filter(has_text="granskats").wait_for()
    own = thread(page).locator(".samtal-own")
    assert "Kanske menar de referenser?" in own.inner_text()
    assert "väntar på granskning" in own.inner_text()
    assert thread(page).locator(".samtal-count").inner_text() == "0 kommentarer"
    page.reload()
    thread(page).locator(".samtal-own").wait_for()
    assert "väntar på granskning" in thread(page).locator(".samtal-own").inner_text()


def test_english_page_gets_english_widget(app, sample_posts, live_server, page):
    samtal = live_server(app)
    host = live_server(blog(samtal, lang="en"))
    app.config["SAMTAL_ALLOWED_ORIGINS"] = [host]
    page.goto(host)
    thread(page).get_by_role("button", name="Answer the question").click()
    thread(page).get_by_role("button", name="Send comment").wait_for()
    assert thread(page).get_by_label("Your comment").is_visible()


def test_origin_not_allowed_cannot_post(app, embedded, live_server, page):
    samtal, _ = embedded
    stranger = live_server(blog(samtal))
    page.goto(stranger)
    page.get_by_text("Kommentarerna kunde inte visas här.").wait_for()
    link = page.get_by_role("link", name="Läs och skriv dem på Samtal")
    assert link.get_attribute("href") == f"{samtal}/{SLUG}"
    url = f"{samtal}/api/v1/posts/{SLUG}/questions/1/comments"
    outcome = page.evaluate(
        """async (url) => {
          const tries = [];
          for (const type of ["application/json", "text/plain"]) {
            try {
              await fetch(url, {method: "POST", headers: {"Content-Type": type},
                body: JSON.stringify({name: "Ond", body: "Från fel webbplats"})});
              tries.push("read an answer");
            } catch (error) { tries.push("blocked"); }
          }
          return tries;
        }""",
        url,
    )
    assert outcome == ["blocked", "blocked"]
    page.set_content(
        f'<form method="post" action="{url}"><input name="name" value="Ond">'
        '<input name="body" value="Formulär"><button>Skicka</button></form>'
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka").click()
    assert '"origin_not_allowed"' in page.content()
    assert comment_count(app) == 0


def test_without_javascript_the_snippet_links_to_samtal(app, embedded, chromium):
    samtal, host = embedded
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(host)
        link = page.get_by_role("link", name="Läs och skriv kommentarer på Samtal")
        assert link.get_attribute("href") == f"{samtal}/{SLUG}"
    finally:
        context.close()
