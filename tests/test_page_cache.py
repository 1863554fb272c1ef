"""The post page shared by readers: rendered once per thread version, each reader's own parts
filled in, 304 for a reader who has the page already, and nothing of one reader on another's."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from discussion.extensions import db
from discussion.models import Comment, CommentState
from discussion.reader import pages
from tests.staff import STRATEGER, add_approved_comments, question_id
from tests.staff import answer as post_answer

SLUG = STRATEGER
PAGE = f"/{SLUG}"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def qid(app, sample_posts):
    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    qid = question_id(app, SLUG, "Vad tror du?")
    add_approved_comments(app, qid, 3)
    return qid


def builds() -> int:
    return pages.cache.builds


def page_of(client, url: str = PAGE, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def comment_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Comment.id).order_by(Comment.id)))


def pressed(html: str) -> dict[int, str]:
    found = re.findall(r'aria-pressed="(\w+)" data-like="(\d+)"', html)
    return {int(comment_id): state for state, comment_id in found}


def like(client, html: str, comment_id: int):
    token = _TOKEN.search(html).group(1)
    return client.post(f"/{SLUG}/kommentar/{comment_id}/gilla", data={"csrf_token": token})


def test_the_page_is_rendered_once_for_many_readers(app, qid):
    before = builds()
    first, second = page_of(app.test_client()), page_of(app.test_client())
    assert builds() == before + 1
    assert first.count("Läsare") == second.count("Läsare") >= 3
    assert "\x00" not in first
    tokens = {_TOKEN.search(first).group(1), _TOKEN.search(second).group(1)}
    assert len(tokens) == 2, "each reader gets the CSRF token of their own session"
    page_of(app.test_client(), **{"Accept-Language": "en"})
    assert builds() == before + 2, "another language is another rendering"


def test_each_reader_token_works_for_that_reader_only(app, qid):
    anna, bo = app.test_client(), app.test_client()
    anna_page, bo_page = page_of(anna), page_of(bo)
    comment_id = comment_ids(app)[0]
    assert like(bo, anna_page, comment_id).status_code == 400  # Anna's token in Bo's session
    assert like(anna, anna_page, comment_id).status_code == 302
    assert like(bo, bo_page, comment_id).status_code == 302


@pytest.mark.parametrize("change", ["published", "edited", "deleted", "liked"])
def test_a_change_to_the_thread_builds_the_page_again(app, qid, change):
    client = app.test_client()
    if change == "published":
        page_of(client)
        before = builds()
        assert post_answer(client, SLUG, qid, "Ny och publicerad.").status_code == 302
        assert "Ny och publicerad." in page_of(app.test_client())
    elif change == "liked":
        html = page_of(client)
        first = comment_ids(app)[0]
        before = builds()
        assert like(client, html, first).status_code == 302
        other = page_of(app.test_client())
        assert re.search(
            rf'data-like="{first}"><span aria-hidden="true">♥</span> Gilla '
            r'<span class="like-count">1</span>',
            other,
        )
        assert pressed(other)[first] == "false", "Bo sees the count, not Anna's like"
    else:
        assert post_answer(client, SLUG, qid, "Min egen text.").status_code == 302
        mine = comment_ids(app)[-1]
        html = page_of(client)
        before = builds()
        token = _TOKEN.search(html).group(1)
        if change == "edited":
            url, data = f"/{SLUG}/kommentar/{mine}/andra", {"body": "Ändrad text."}
        else:
            url, data = f"/{SLUG}/kommentar/{mine}/ta-bort", {}
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 302
        other = page_of(app.test_client())
        assert "Min egen text." not in other
        if change == "edited":
            with app.app_context():
                state = db.session.get(Comment, mine).state
            assert ("Ändrad text." in other) == (state == CommentState.APPROVED)
    assert builds() == before + 1


def test_one_readers_waiting_comment_likes_and_forms_never_reach_another(app, qid):
    app.config["SAMTAL_MODERATION_POLICY"] = "pre"
    anna, bo = app.test_client(), app.test_client()
    html = page_of(anna)
    first = comment_ids(app)[0]
    assert like(anna, html, first).status_code == 302
    assert post_answer(anna, SLUG, qid, "Annas väntande kommentar.").status_code == 302
    anna_page, bo_page = page_of(anna), page_of(bo)
    assert "Annas väntande kommentar." in anna_page
    assert "Annas väntande kommentar." not in bo_page
    assert pressed(anna_page)[first] == "true"
    assert set(pressed(bo_page).values()) == {"false"}
    assert "own-change" in anna_page and "own-change" not in bo_page
    assert _TOKEN.search(anna_page).group(1) != _TOKEN.search(bo_page).group(1)


def test_a_readers_own_published_comment_gets_its_forms_from_the_shared_page(app, qid):
    anna, bo = app.test_client(), app.test_client()
    page_of(bo)
    before = builds()
    assert post_answer(anna, SLUG, qid, "Annas publicerade kommentar.").status_code == 302
    mine = comment_ids(app)[-1]
    anna_page, bo_page = page_of(anna), page_of(bo)
    assert builds() == before + 1, "Anna's forms are filled into the page Bo shares"
    form = f'action="/{SLUG}/kommentar/{mine}/andra"'
    assert form in anna_page and form not in bo_page
    token = _TOKEN.search(anna_page).group(1)
    edit = anna.post(f"/{SLUG}/kommentar/{mine}/andra", data={"csrf_token": token, "body": "Ny."})
    assert edit.status_code == 302


def test_304_for_a_reader_who_has_the_page_and_never_for_another(app, qid):
    anna, bo = app.test_client(), app.test_client()
    first = anna.get(PAGE)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert {"Cookie", "Accept-Language"} <= set(first.headers["Vary"].replace(" ", "").split(","))
    again = anna.get(PAGE, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    page_of(bo)
    assert bo.get(PAGE, headers={"If-None-Match": etag}).status_code == 200

    assert like(anna, first.get_data(as_text=True), comment_ids(app)[0]).status_code == 302
    after = anna.get(PAGE, headers={"If-None-Match": etag})
    assert after.status_code == 200, "the thread (and Anna's like) changed"
    assert anna.get(PAGE, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304


def test_a_form_sent_back_or_a_waiting_comment_is_rendered_for_that_reader(app, qid):
    app.config["SAMTAL_MODERATION_POLICY"] = "pre"
    client = app.test_client()
    page_of(client)
    before = builds()
    assert post_answer(client, SLUG, qid, "").status_code == 422  # an empty comment
    assert post_answer(client, SLUG, qid, "Väntar.").status_code == 302
    assert "Väntar." in page_of(client)
    assert builds() == before
