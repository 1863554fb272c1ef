"""A reader in a real browser: open a post, answer a question, see the answer."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_reader_answers_a_question_in_chromium(app, sample_posts, live_server, page):
    base = live_server(app)
    page.goto(f"{base}/strateger-sokes-eller-kontaktnat")
    thread = page.locator("section.thread", has=page.get_by_role("heading", name="Vad tror du?"))
    thread.get_by_text("Svara på frågan").click()
    thread.get_by_label("Din kommentar").fill("Jag tror att de menar erfarenhet, inte kontakter.")
    thread.get_by_label("Namn").fill("Karin")
    thread.get_by_role("button", name="Skicka kommentar").click()
    page.wait_for_url("**/strateger-sokes-eller-kontaktnat?ny=*#kommentar-*")
    assert page.get_by_role("status").inner_text() == "Tack! Din kommentar är publicerad."
    answered = page.locator("section.thread", has=page.get_by_role("heading", name="Vad tror du?"))
    assert "Jag tror att de menar erfarenhet" in answered.locator("ol.comments").inner_text()
