"""Accessibility in Chromium: axe-core finds nothing serious on the pages readers and moderators
use, a reader can do everything with the keyboard alone, and staff pages work on a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import require
from tests.staff import PASSWORD, STRATEGER, add_staff, question_id
from tests.staff import answer as post_answer
from tests.test_browser_embed import blog
from tests.test_browser_readers import assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("spam_check_passes")]

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
QUESTION = "Vad tror du?"


BYPASS_CSP = True  # for the injected axe-core only (see sized_page)


@pytest.fixture
def browser_page(sized_page):
    return sized_page


@pytest.fixture
def site(app, sample_posts, live_server):
    app.config["SAMTAL_MODERATION_POLICY"] = "pre"
    qid = question_id(app, STRATEGER, QUESTION)
    client = app.test_client()
    post_answer(client, STRATEGER, qid, "Ett svar som väntar i kön.", email="a@example.se")
    add_staff(app)
    return live_server(app)


def serious_violations(page) -> list[str]:
    require("axe-core", None if AXE.exists() else f"{AXE} is missing (scripts/test installs it)")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']}"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


def log_in(page, base: str, email: str = "mod@example.se") -> None:
    page.goto(f"{base}/logga-in")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(re.compile(r"/moderera/"))


def test_axe_finds_nothing_serious_on_the_post_page_login_and_queue(site, browser_page):
    page = browser_page
    page.goto(f"{site}/{STRATEGER}")
    page.locator("details.answer > summary").first.click()  # with a form open, too
    assert serious_violations(page) == []
    page.goto(f"{site}/logga-in")
    assert serious_violations(page) == []
    log_in(page, site)
    assert page.locator("li.queue-item").count() == 1
    assert serious_violations(page) == []
    assert_fits(page)


def test_axe_finds_nothing_serious_on_the_statistics_and_the_spam_filter(site, browser_page):
    log_in(browser_page, site, "admin@example.se")
    for path in ("/moderera/statistik?dagar=365", "/moderera/spamfilter"):
        browser_page.goto(f"{site}{path}")
        browser_page.locator("details.table-behind > summary").first.click()
        assert serious_violations(browser_page) == []
        assert_fits(browser_page)


def test_axe_finds_nothing_serious_in_the_widget(app, site, live_server, browser_page):
    host = live_server(blog(site))
    app.config["SAMTAL_ALLOWED_ORIGINS"] = [host]
    browser_page.goto(host)
    browser_page.locator("section.samtal-thread").first.wait_for()
    assert serious_violations(browser_page) == []


STAFF_PAGES = [
    "/moderera/",
    "/moderera/logg",
    "/moderera/avstangningar",
    "/moderera/obesvarade",
    "/moderera/inlagg",
    "/moderera/konton",
    "/moderera/utkorg",
    "/moderera/organisationer",
    "/moderera/organisationssvar",
    "/moderera/statistik",
    "/moderera/statistik?dagar=365",
    "/moderera/spamfilter",
    "/moderera/webhooks",
    "/moderera/webhooks/1",
    "/moderera/webhooks/leveranser",
]


@pytest.fixture
def webhook(app, site):
    """An endpoint (switched off: it sends nothing) with a failed delivery and a long answer."""
    from discussion.extensions import db
    from discussion.models import WebhookDelivery, WebhookEndpoint, WebhookStatus

    with app.app_context():
        endpoint = WebhookEndpoint(
            url="https://hooks.example.se/services/T0000/B0000/" + "X" * 40,
            secret="s" * 43,
            events=["comment.waiting", "comment.spam", "report.threshold"],
            active=False,
            slack=True,
        )
        db.session.add(endpoint)
        db.session.flush()
        db.session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event="comment.waiting",
                event_id="comment.waiting:1",
                body="{}",
                status=WebhookStatus.FAILED,
                attempts=10,
                last_status=503,
                last_response="<html><title>503 Service Temporarily Unavailable</title>" * 8,
            )
        )
        db.session.commit()
    return site


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_fit_a_phone(webhook, chromium, path):
    site = webhook
    context = chromium.new_context(locale="sv-SE", viewport={"width": 390, "height": 860})
    try:
        page = context.new_page()
        log_in(page, site, "admin@example.se")
        page.goto(f"{site}{path}")
        assert page.locator("h1").count() == 1
        assert_fits(page)
    finally:
        context.close()


def test_axe_finds_nothing_serious_on_the_webhook_pages(webhook, browser_page):
    log_in(browser_page, webhook, "admin@example.se")
    for path in ("/moderera/webhooks", "/moderera/webhooks/1", "/moderera/webhooks/leveranser"):
        browser_page.goto(f"{webhook}{path}")
        assert serious_violations(browser_page) == [], path
    browser_page.goto(f"{webhook}/moderera/webhooks")
    browser_page.get_by_label("Adress (URL)").fill("ftp://fel.example/")
    browser_page.get_by_role("button", name="Lägg till").click()
    assert browser_page.locator(".errors[role=alert]").count() == 1
    assert serious_violations(browser_page) == []


def focus_by_tab(page, locator, most: int = 300) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    handle = locator.element_handle()
    for _ in range(most):
        if page.evaluate("element => document.activeElement === element", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_a_reader_posts_replies_likes_and_reports_with_the_keyboard_alone(app, site, page):
    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    page.goto(f"{site}/{STRATEGER}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    assert page.evaluate("document.activeElement.textContent") == skip.inner_text()
    page.keyboard.press("Enter")
    assert page.url.endswith("#innehall")

    thread = page.locator("section.thread", has=page.get_by_role("heading", name=QUESTION))
    focus_by_tab(page, thread.locator("details.answer > summary"))
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("Skrivet med tangentbordet.")
    focus_by_tab(page, thread.get_by_label("Namn"))
    page.keyboard.type("Tove")
    focus_by_tab(page, thread.get_by_role("button", name="Skicka kommentar"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    mine = page.locator("li.comment.new")
    assert "Skrivet med tangentbordet." in mine.inner_text()

    focus_by_tab(page, mine.get_by_role("button", name=re.compile("Gilla")))
    page.keyboard.press("Enter")
    page.wait_for_selector("li.comment.new [aria-pressed=true]")

    focus_by_tab(page, mine.get_by_role("link", name="Svara"))
    page.keyboard.press("Enter")
    page.keyboard.type("Och ett svar, också med tangenter.")
    focus_by_tab(page, mine.locator("form.comment-form").get_by_label("Namn"))
    page.keyboard.type("Tove")
    focus_by_tab(page, mine.get_by_role("button", name="Skicka svar"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Och ett svar, också med tangenter." in page.locator("li.comment.new").inner_text()

    first = page.locator("li.comment", has_text="Ett svar som väntar i kön.")
    target = first if first.count() else page.locator("li.comment").first
    focus_by_tab(page, target.get_by_role("link", name="Anmäl"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    report = page.locator("form.report-form")
    focus_by_tab(page, report.get_by_role("radio").first)
    page.keyboard.press("Space")
    focus_by_tab(page, report.get_by_role("button", name="Skicka anmälan"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Tack" in page.get_by_role("status").first.inner_text()
