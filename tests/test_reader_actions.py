"""What a reader may do beyond writing, through the API and the page: like, sort, edit or delete
their own comment for a while, preview; and the small things mended while there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from discussion.api.threads import cache
from discussion.extensions import db
from discussion.models import Comment, CommentRevision, CommentState, ModerationDecision
from tests.staff import KOMMUNAL, STRATEGER, add_approved_comments, login, question_id
from tests.staff import answer as post_answer
from tests.test_api import API, send, thread_of, token

SLUG = STRATEGER


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def qid(app, sample_posts):
    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    return question_id(app, SLUG, "Vad tror du?")


def written(client, qid, **fields) -> tuple[int, str]:
    """Post through the API: the comment's id and the signed list of this browser's own."""
    answer = send(client, qid, **fields)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["comment"]["id"], answer.get_json()["own"]


def like(client, comment_id, reader=None, slug=SLUG):
    headers = {"X-Samtal-Token": token(client, slug)} | (
        {"X-Samtal-Reader": reader} if reader else {}
    )
    return client.post(f"{API}/comments/{comment_id}/likes", json={}, headers=headers)


def stored(app, comment_id) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


# --- likes ---------------------------------------------------------------------------------


def test_a_like_is_one_per_browser_and_toggles(app, client, qid):
    comment_id, _ = written(client, qid)
    widget = app.test_client()  # a widget: no cookies, its id in a header
    first = like(widget, comment_id)
    assert first.status_code == 200 and first.get_json()["liked"] is True
    reader = first.get_json()["reader"]
    assert like(widget, comment_id, reader).get_json() == {
        "liked": False,
        "likes": 0,
        "reader": reader,
    }
    assert like(widget, comment_id, reader).get_json()["likes"] == 1
    assert like(app.test_client(), comment_id).get_json()["likes"] == 2  # another browser
    assert stored(app, comment_id).like_count == 2
    body = client.get(f"{API}/posts/{SLUG}").get_json()
    assert thread_of(body, qid)["comments"][0]["likes"] == 2
    mine = widget.get(f"{API}/posts/{SLUG}/mine", headers={"X-Samtal-Reader": reader})
    assert mine.get_json()["liked"] == [comment_id]


def test_mine_lists_this_browsers_likes_of_the_posts_visible_comments_only(app, qid):
    other_qid = question_id(app, KOMMUNAL, "Vad tror du, är jag ute och cyklar?")
    for question in (qid, other_qid):
        add_approved_comments(app, question, 3)
    with app.app_context():
        here = db.session.scalars(
            select(Comment.id).where(Comment.question_id == qid).order_by(Comment.id)
        ).all()
        there = db.session.scalar(select(Comment.id).where(Comment.question_id == other_qid))
    widget = app.test_client()
    reader = like(widget, here[0]).get_json()["reader"]
    assert like(widget, here[2], reader).get_json()["liked"] is True
    assert like(widget, there, reader, slug=KOMMUNAL).get_json()["liked"] is True
    like(app.test_client(), here[1])  # another browser's like
    with app.app_context():  # a liked comment taken down is no longer listed
        db.session.get(Comment, here[2]).state = CommentState.REJECTED
        db.session.commit()
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    record = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    mine = widget.get(f"{API}/posts/{SLUG}/mine", headers={"X-Samtal-Reader": reader})
    event.remove(engine, "before_cursor_execute", record)
    assert mine.get_json()["liked"] == [here[0]]
    # The post, the browser's own comments, its likes: never a list of every comment of the post.
    assert len(seen) == 3, seen
    assert "browser_hash" in seen[-1]
    elsewhere = widget.get(f"{API}/posts/{KOMMUNAL}/mine", headers={"X-Samtal-Reader": reader})
    assert elsewhere.get_json()["liked"] == [there]
    assert app.test_client().get(f"{API}/posts/{SLUG}/mine").get_json()["liked"] == []


def test_a_forged_browser_id_is_not_taken_and_one_network_likes_a_few_times(app, client, qid):
    comment_id, _ = written(client, qid)
    forged = like(app.test_client(), comment_id, reader="abc.def")
    assert forged.status_code == 200 and forged.get_json()["reader"] != "abc.def"
    for _ in range(4):  # cleared cookies, new browser ids, the same IP
        assert like(app.test_client(), comment_id).status_code == 200
    refused = like(app.test_client(), comment_id)
    assert refused.status_code == 409
    assert "många gånger" in refused.get_json()["error"]["message"]
    assert stored(app, comment_id).like_count == 5


def test_a_comment_that_is_not_shown_cannot_be_liked(app, client, qid):
    app.config["SAMTAL_MODERATION_POLICY"] = "pre"
    waiting, _ = written(client, qid)
    refused = like(app.test_client(), waiting)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_likeable"
    assert like(app.test_client(), 10**6).status_code == 404
    assert stored(app, waiting).like_count == 0


def test_likes_are_rate_limited(app, client, qid):
    app.config["SAMTAL_LIKE_RATE_LIMIT"] = "3 per minute"
    comment_id, _ = written(client, qid)
    reader = app.test_client()
    answers = [like(reader, comment_id).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_the_page_s_like_button_works_without_javascript(app, client, qid):
    post_answer(client, SLUG, qid, "Gilla mig.")
    comment_id = db_ids(app)[0]
    page = client.get(f"/{SLUG}").get_data(as_text=True)
    assert f'data-like="{comment_id}"' in page and 'aria-pressed="false"' in page
    token_ = page.split('name="csrf_token" value="')[1].split('"')[0]
    liked = client.post(f"/{SLUG}/kommentar/{comment_id}/gilla", data={"csrf_token": token_})
    assert liked.status_code == 302
    assert 'aria-pressed="true"' in client.get(f"/{SLUG}").get_data(as_text=True)
    assert stored(app, comment_id).like_count == 1


def db_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Comment.id).order_by(Comment.id)))


# --- sorting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order, expected", [("oldest", [0, 1, 2, 3]), ("newest", [3, 2, 1, 0]), ("liked", [1, 3, 0, 2])]
)
def test_each_order_pages_through_every_comment_once(app, client, qid, order, expected):
    add_approved_comments(app, qid, 4, lambda number: {"like_count": [2, 9, 0, 5][number]})
    seen, after = [], None
    while True:
        query = f"sort={order}&limit=1" + (f"&after={after}" if after else "")
        page = client.get(f"{API}/posts/{SLUG}/questions/{qid}/comments?{query}").get_json()
        seen += [int(c["author"].split()[-1]) for c in page["comments"]]
        after = page["next"]
        if after is None:
            break
    assert seen == expected


def test_a_cursor_of_one_order_is_refused_in_another(app, client, qid):
    add_approved_comments(app, qid, 3)
    url = f"{API}/posts/{SLUG}/questions/{qid}/comments"
    after = client.get(f"{url}?sort=newest&limit=1").get_json()["next"]
    mixed = client.get(f"{url}?sort=liked&after={after}")
    assert mixed.status_code == 400
    assert client.get(f"{url}?sort=random").status_code == 400


# --- editing and deleting one's own comment -------------------------------------------------


def change(client, comment_id, own, method="PATCH", **body):
    headers = {"X-Samtal-Token": token(client), "X-Samtal-Own": own}
    if method == "DELETE":
        return client.delete(f"{API}/comments/{comment_id}", headers=headers)
    return client.patch(f"{API}/comments/{comment_id}", json=body, headers=headers)


def test_the_writer_edits_within_the_window_and_the_text_is_checked_again(app, client, qid):
    comment_id, own = written(client, qid, body="Första versionen.")
    app.config["SAMTAL_MODERATION_POLICY"] = "pre"  # an edit is checked like a new comment
    edited = change(app.test_client(), comment_id, own, body="Andra *versionen*.")
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["comment"]["state"] == "pending"
    comment = stored(app, comment_id)
    assert comment.body_html.strip() == "<p>Andra <em>versionen</em>.</p>" and comment.edited_at
    with app.app_context():
        revisions = db.session.scalars(select(CommentRevision.body_raw)).all()
        actions = db.session.scalars(
            select(ModerationDecision.action).where(ModerationDecision.comment_id == comment_id)
        ).all()
    assert revisions == ["Första versionen."]
    assert "edited" in actions
    body = client.get(f"{API}/posts/{SLUG}").get_json()
    assert thread_of(body, qid)["comments"] == []  # back in the queue, out of sight


def test_no_one_else_and_not_after_the_window_may_change_it(app, client, qid):
    comment_id, own = written(client, qid)
    other = change(app.test_client(), comment_id, "forged", body="Kapad.")
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "not_yours"
    with app.app_context():
        db.session.get(Comment, comment_id).created_at -= timedelta(minutes=16)
        db.session.commit()
    late = change(app.test_client(), comment_id, own, body="För sent.")
    assert late.status_code == 403
    assert change(app.test_client(), comment_id, own, method="DELETE").status_code == 403
    assert stored(app, comment_id).body_raw == "Jag tror att nätverket spelar roll."


def test_an_empty_or_wrong_edit_is_refused_and_keeps_the_text(app, client, qid):
    comment_id, own = written(client, qid)
    assert change(app.test_client(), comment_id, own, body="   ").status_code == 422
    assert change(app.test_client(), comment_id, own, body=42).status_code == 422
    assert change(app.test_client(), comment_id, own, body="x" * 5001).status_code == 422
    assert stored(app, comment_id).body_raw == "Jag tror att nätverket spelar roll."


def test_a_deleted_comment_with_replies_keeps_its_place(app, client, qid):
    comment_id, own = written(client, qid, body="Ta bort mig.")
    written(app.test_client(), qid, body="Svaret blir kvar.", parent_id=comment_id)
    assert change(app.test_client(), comment_id, own, method="DELETE").status_code == 204
    assert stored(app, comment_id).state == CommentState.DELETED
    (shown,) = thread_of(client.get(f"{API}/posts/{SLUG}").get_json(), qid)["comments"]
    assert shown["removed"] is True and shown["html"] is None
    assert shown["replies"][0]["html"].strip() == "<p>Svaret blir kvar.</p>"
    page = app.test_client().get(f"/{SLUG}").get_data(as_text=True)
    assert "Ta bort mig." not in page and "Kommentaren är borttagen." in page


def test_the_page_s_own_forms_edit_and_delete(app, client, qid):
    post_answer(client, SLUG, qid, "Skrivet på sidan.")
    (comment_id,) = db_ids(app)
    page = client.get(f"/{SLUG}").get_data(as_text=True)
    assert "Ändra eller ta bort" in page
    assert "Ändra eller ta bort" not in app.test_client().get(f"/{SLUG}").get_data(as_text=True)
    token_ = page.split('name="csrf_token" value="')[1].split('"')[0]
    edited = client.post(
        f"/{SLUG}/kommentar/{comment_id}/andra", data={"csrf_token": token_, "body": "Rättat."}
    )
    assert edited.status_code == 302
    assert stored(app, comment_id).body_raw == "Rättat."
    deleted = client.post(f"/{SLUG}/kommentar/{comment_id}/ta-bort", data={"csrf_token": token_})
    assert deleted.status_code == 302
    assert stored(app, comment_id).state == CommentState.DELETED


# --- previews --------------------------------------------------------------------------------


def test_the_preview_is_the_stored_sanitised_html(app, client, qid):
    headers = {"X-CSRFToken": page_token(client)}
    text = "**Fet** <script>alert(1)</script> https://exempel.se"
    answer = client.post(f"{API}/preview", json={"body": text}, headers=headers)
    assert answer.status_code == 200
    html = answer.get_json()["html"]
    assert "<strong>Fet</strong>" in html and "<script" not in html
    assert 'href="https://exempel.se"' in html
    comment_id, _ = written(client, qid, body=text)
    assert stored(app, comment_id).body_html == html


def page_token(client) -> str:
    page = client.get(f"/{SLUG}").get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_previews_refuse_bad_bodies_and_are_rate_limited(app, client, qid):
    app.config["SAMTAL_PREVIEW_RATE_LIMIT"] = "2 per minute"
    assert client.post(f"{API}/preview", json={"body": 42}).status_code == 422
    assert client.post(f"{API}/preview", json={"body": "x" * 5001}).status_code == 422
    assert client.post(f"{API}/preview", json={"body": "Ok"}).status_code == 429


def test_the_page_s_preview_button_shows_the_text_in_the_form(app, client, qid):
    page = client.post(
        f"/{SLUG}/trad/{qid}",
        data={"csrf_token": page_token(client), "body": "*Lutande*", "forhandsgranska": "1"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<em>Lutande</em>" in html
    assert "*Lutande*</textarea>" in html
    assert db_ids(app) == []


# --- mended while there ----------------------------------------------------------------------


def test_a_body_that_is_not_text_is_422(app, client, qid):
    answer = send(client, qid, body=42)
    assert answer.status_code == 422
    assert "body" in answer.get_json()["error"]["fields"]
    assert db_ids(app) == []


def test_reporting_twice_on_the_page_says_it_was_already_reported(app, client, qid):
    post_answer(app.test_client(), SLUG, qid, "Anmäl mig.")
    (comment_id,) = db_ids(app)
    for expected in ("Tack", "Du har redan anmält den här kommentaren."):
        answer = client.post(
            f"/{SLUG}/kommentar/{comment_id}/anmal",
            data={"csrf_token": page_token(client), "reason": "spam"},
            follow_redirects=True,
        )
        assert expected in answer.get_data(as_text=True)


def test_favicon_is_served(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_spam_evaluate_on_a_fresh_instance_says_what_to_run(tmp_path):
    from discussion import create_app
    from tests.helpers import base_config

    fresh = create_app(base_config(tmp_path))  # no tables
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("CONTENT,CLASS\nBuy now,1\nNice post,0\n", encoding="utf-8")
    result = fresh.test_cli_runner().invoke(args=["spam", "evaluate", "--csv", str(labelled)])
    assert result.exit_code != 0
    assert "flask --app app db upgrade" in result.output
    assert "Traceback" not in result.output


def test_the_queue_words_its_reasons_for_what_it_knows(app, client, runner):
    app.config["SAMTAL_MODERATION_POLICY"] = "first_time"
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    qid = question_id(app, SLUG, "Vad tror du?")
    post_answer(app.test_client(), SLUG, qid, "Utan adress.", name="Anon")
    post_answer(app.test_client(), SLUG, qid, "Med lurig adress.", email="emma@kommunаl.se")
    assert login(client, "admin@example.se", password="samtal-demo").status_code == 302
    queue = client.get("/moderera/").get_data(as_text=True)
    without = queue.split("Utan adress.")[0].rsplit('<li class="queue-item', 1)[1]
    assert "Tidigare:" not in without and "ingen e-post" in without
    item = queue.split("Utan adress.")[1].split("</li>")[0]
    assert "utan e-postadress" in item and "från den här e-postadressen" not in item
    look_alike = queue.split("Med lurig adress.")[0].rsplit('<li class="queue-item', 1)[1]
    assert "blandade alfabet" in look_alike and "Tidigare: 0 godkända" in look_alike
    assert queue.count("blandade alfabet") == 1
    answers = client.get("/moderera/organisationssvar").get_data(as_text=True)
    assert "Godkänd" in answers and "<td>approved</td>" not in answers
