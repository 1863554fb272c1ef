"""Names that show as nothing are refused, bidirectional controls are stripped, and every
reader-supplied string is isolated where it is shown: the page, the queue and e-mails."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from discussion.extensions import db
from discussion.models import Comment
from discussion.text import clean_name, has_visible_character, isolate
from tests.staff import STRATEGER, add_staff, answer, login_as, question_id

API = "/api/v1"
INVISIBLE = ["\u200b\u200b\u200b", "\u2800", "\u3164\u3164", "\ufeff", " \u200b ", "\u202e"]


@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_names_are_refused_on_the_page(app, client, sample_posts, name):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    response = answer(client, STRATEGER, qid, "En kommentar.", name=name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "minst en synlig bokstav" in html or "Skriv ditt namn" in html
    with app.app_context():
        assert db.session.scalar(select(Comment)) is None


@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_names_are_refused_by_the_api(app, client, sample_posts, name):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    token = client.get(f"{API}/posts/{STRATEGER}/token").get_json()["token"]
    response = client.post(
        f"{API}/posts/{STRATEGER}/questions/{qid}/comments",
        json={"name": name, "body": "En kommentar."},
        headers={"X-Samtal-Token": token},
    )
    assert response.status_code == 422 and "name" in response.get_json()["error"]["fields"]


def test_a_right_to_left_override_is_stripped_from_the_name(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    assert answer(client, STRATEGER, qid, "Hej.", name="\u202eNILAM").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Comment.author_name)) == "NILAM"


def test_names_with_letters_digits_or_emoji_are_fine():
    assert all(has_visible_character(clean_name(n)) for n in ["Åsa", "R2", "😀", "ㅤKarin"])
    assert clean_name("\u2066Karin\u2069 \u200f") == "Karin"
    assert isolate("Karin") == "\u2068Karin\u2069"


def test_reader_strings_are_isolated_on_the_page_and_in_the_queue(app, client, sample_posts):
    """Even a name stored before the check (here: written straight to the table) cannot turn
    the text after it around: the markup isolates it."""
    add_staff(app)
    qid = question_id(app, STRATEGER, "Vad tror du?")
    answer(client, STRATEGER, qid, "Ett svar.", name="Karin", email="karin@example.se")
    with app.app_context():
        db.session.scalar(select(Comment)).author_name = "\u202eNILAM"
        db.session.commit()
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert "<strong><bdi>\u202eNILAM</bdi></strong>" in page
    assert '<div class="text" dir="auto">' in page
    login_as(client, "moderator")
    queue = client.get("/moderera/?flik=godkanda").get_data(as_text=True)
    assert "<bdi>\u202eNILAM</bdi>" in queue and "<bdi>karin@example.se</bdi>" in queue
    assert '<div class="text" dir="auto">' in queue
