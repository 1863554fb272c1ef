"""Readers: the list of posts, a post with its threads, answering and replying, and bad input."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event, select

from discussion.extensions import db
from discussion.models import Comment, CommentState, utcnow
from tests.helpers import csrf_token
from tests.staff import STRATEGER, add_approved_comments, question_id
from tests.staff import answer as post_answer


@contextmanager
def counted_queries(app):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_index_lists_posts_newest_first_with_visible_counts(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    post_answer(client, STRATEGER, qid, "Jag tror att det är självklart.")
    html = client.get("/").get_data(as_text=True)
    titles = re.findall(r'<a href="/([a-z0-9-]+)">', html)
    assert titles == [
        "kommunal-svarar",
        STRATEGER,
        "pinterest-borjar-med-sponsrade-pins",
        "dansar-dina-kunder",
        "slapp-roi-och-borja-snacka-dhiv",
    ]
    assert "1 kommentar<" in html or "1 kommentar\n" in html
    assert html.count("0 kommentarer") == 4


def test_post_page_renders_markdown_questions_and_forms(client, sample_posts):
    page = client.get("/kommunal-svarar")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<blockquote>" in html
    assert " Vad tror du, är jag ute och cyklar?</h2>" in html
    assert " Och vad tycker du om Emmas Nilssons svar nedan?</h2>" in html
    assert ">Övriga kommentarer</h2>" in html
    # One form per thread, each folded behind its "Svara på frågan" (plus reader.js's template).
    page_itself = html.split('<template id="svar-mall">')[0]
    assert page_itself.count('class="comment-form"') == 3
    assert page_itself.count('<details class="answer">') == 3
    assert 'lang="sv"' in html


def test_answer_and_reply_appear_threaded_on_the_page(app, client, sample_posts):
    """The end-to-end path: import, answer "Vad tror du?", reply to the answer, see both."""
    qid = question_id(app, STRATEGER, "Vad tror du?")
    answer = post_answer(client, STRATEGER, qid, "Jag tror att *nätverket* är viktigt.")
    assert answer.status_code == 302
    with app.app_context():
        first = db.session.scalar(select(Comment))
        assert first.state == CommentState.APPROVED
        assert first.body_html.strip() == "<p>Jag tror att <em>nätverket</em> är viktigt.</p>"
    reply = post_answer(client, STRATEGER, qid, "Håller med!", name="Bo", parent_id=first.id)
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith(f"/{STRATEGER}?ny=")

    page = client.get(reply.headers["Location"])  # where the writer lands: at their reply
    html = page.get_data(as_text=True)
    thread = html.split(f'id="trad-{qid}"')[1].split('<section class="thread')[0]
    assert "Jag tror att <em>nätverket</em> är viktigt." in thread
    assert "Håller med!" in thread
    assert thread.index("Jag tror att") < thread.index("Håller med!")
    assert re.search(r'class="comment depth-1[^"]*" id="kommentar-\d+"', thread)
    assert "Tack! Din kommentar är publicerad." in html


def test_reply_to_reply_indents_four_levels_and_shows_deeper(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    token = csrf_token(client, f"/{STRATEGER}")
    parent = None
    for level in range(7):
        post_answer(client, STRATEGER, qid, f"Nivå {level}", parent_id=parent, token=token)
        with app.app_context():
            parent = db.session.scalar(select(Comment.id).order_by(Comment.id.desc()))
    html = client.get(f"/{STRATEGER}").get_data(as_text=True)
    for level in range(7):
        assert f"Nivå {level}" in html
    assert html.count("comment depth-4") == 3
    assert "depth-5" not in html


def test_raw_html_in_a_comment_is_never_rendered(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    post_answer(client, STRATEGER, qid, '<script>alert(1)</script> <a href="javascript:x">k</a>')
    html = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert 'href="javascript:' not in html


def test_missing_and_oversized_fields_show_swedish_errors_and_keep_text(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    response = post_answer(client, STRATEGER, qid, "Min text som inte får försvinna", name="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Skriv ditt namn." in html
    assert "Min text som inte får försvinna</textarea>" in html

    response = post_answer(
        client, STRATEGER, qid, "x" * 5001, name="A" * 81, email="inte-en-adress"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kommentaren får vara högst 5\u00a0000 tecken." in html
    assert "Namnet får vara högst 80 tecken." in html
    assert "Det ser inte ut som en e-postadress." in html
    with app.app_context():
        assert db.session.scalar(select(Comment)) is None


def test_email_is_never_shown(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    post_answer(client, STRATEGER, qid, "Hej", email="anna@example.se")
    assert "anna@example.se" not in client.get(f"/{STRATEGER}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Comment)).email == "anna@example.se"


def test_unknown_slug_and_question_are_404_pages(app, client, sample_posts):
    missing = client.get("/finns-inte")
    assert missing.status_code == 404
    assert "Det finns inget inlägg med adressen /finns-inte." in missing.get_data(as_text=True)
    other_post_question = question_id(app, "kommunal-svarar", "Vad tror du, är jag ute och cyklar?")
    response = post_answer(client, STRATEGER, other_post_question, "Hej")
    assert response.status_code == 404
    assert post_answer(client, STRATEGER, 999999, "Hej").status_code == 404


def test_reply_whose_parent_is_in_another_thread_is_400(app, client, sample_posts):
    first_q = question_id(app, STRATEGER, "Vad tror du?")
    other_q = question_id(app, STRATEGER, "Vad tycker du om det?")
    post_answer(client, STRATEGER, first_q, "Första")
    with app.app_context():
        parent = db.session.scalar(select(Comment.id))
    response = post_answer(client, STRATEGER, other_q, "Fel tråd", parent_id=parent)
    assert response.status_code == 400
    assert "hör inte till den här tråden" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Comment).count() == 1


def test_missing_or_wrong_csrf_token_gives_the_form_back_with_the_text(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    for token in ("", "forged"):
        response = client.post(
            f"/{STRATEGER}/trad/{qid}",
            data={"csrf_token": token, "name": "Anna", "body": "Min text som inte får tappas."},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Formuläret hade gått ut" in html
        assert "Min text som inte får tappas.</textarea>" in html
        assert 'value="Anna"' in html
        fresh = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert fresh and fresh.group(1) != token
    with app.app_context():
        assert db.session.query(Comment).count() == 0


def test_invalid_utf8_nul_and_huge_bodies_get_4xx_and_the_server_keeps_serving(
    app, client, sample_posts
):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    url = f"/{STRATEGER}/trad/{qid}"
    token = csrf_token(client, f"/{STRATEGER}")
    form = "application/x-www-form-urlencoded"
    bad_utf8 = client.post(url, data=f"csrf_token={token}&name=A&body=%ff%fe", content_type=form)
    assert bad_utf8.status_code == 400
    assert "UTF-8" in bad_utf8.get_data(as_text=True)
    raw_bytes = client.post(url, data=b"name=A&body=\xff", content_type=form)
    assert raw_bytes.status_code == 400
    nul = client.post(url, data=f"csrf_token={token}&name=A&body=a%00b", content_type=form)
    assert nul.status_code == 400
    assert "NUL" in nul.get_data(as_text=True)
    huge = client.post(url, data=b"body=" + b"a" * 1_000_000, content_type=form)
    assert huge.status_code == 413
    assert client.get(f"/{STRATEGER}").status_code == 200
    with app.app_context():
        assert db.session.query(Comment).count() == 0


def test_json_clients_get_json_errors(client, sample_posts):
    response = client.get("/finns-inte", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_post_page_costs_the_same_queries_for_2_and_200_comments(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    add_approved_comments(app, qid, 2)
    with counted_queries(app) as few:
        assert client.get(f"/{STRATEGER}").status_code == 200
    add_approved_comments(app, qid, 198)
    with counted_queries(app) as many:
        html = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert html.count("Läsare ") == 50  # the first 50 top-level comments, then "Visa fler"
    assert "Visa fler (150 till)" in html
    assert len(few) == len(many) <= 4


def test_removed_comment_keeps_its_visible_replies_readable(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    post_answer(client, STRATEGER, qid, "Ett inlägg som tas bort")
    with app.app_context():
        parent = db.session.scalar(select(Comment))
    post_answer(client, STRATEGER, qid, "Svaret finns kvar", parent_id=parent.id)
    with app.app_context():
        removed = db.session.get(Comment, parent.id)
        removed.state, removed.decided_at = CommentState.REJECTED, utcnow()  # a moderator's
        db.session.commit()
    html = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert "Ett inlägg som tas bort" not in html
    assert "Kommentaren är borttagen." in html
    assert "Svaret finns kvar" in html


def test_each_comment_offers_a_reply_form_without_javascript(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    post_answer(client, STRATEGER, qid, "Första svaret")
    with app.app_context():
        first = db.session.scalar(select(Comment.id))
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert f'href="?svara={first}#svara-{first}"' in page
    # No reply form on the page itself, only the template reader.js copies from.
    assert 'name="parent_id"' not in page.split('<template id="svar-mall">')[0]
    opened = client.get(f"/{STRATEGER}?svara={first}").get_data(as_text=True)
    assert f'<input type="hidden" name="parent_id" value="{first}">' in opened
    assert f'id="svara-{first}"' in opened


def test_failed_reply_reopens_its_own_form_with_the_text(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    post_answer(client, STRATEGER, qid, "Första svaret")
    with app.app_context():
        first = db.session.scalar(select(Comment.id))
    response = post_answer(client, STRATEGER, qid, "Mitt svar", name="", parent_id=first)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    form = html.split(f'id="svara-{first}"')[1].split("</form>")[0]
    assert "Skriv ditt namn." in form
    assert "Mitt svar</textarea>" in form


def test_post_page_opens_with_an_overview_of_its_questions(app, client, sample_posts):
    qid = question_id(app, STRATEGER, "Vad tror du?")
    post_answer(client, STRATEGER, qid, "Jag tror att det handlar om erfarenhet.")
    html = client.get(f"/{STRATEGER}").get_data(as_text=True)
    overview = html.split('class="questions-overview"')[1].split("</nav>")[0]
    assert "Inlägget frågar dig 5 saker" in overview
    assert overview.count("<li>") == 5
    assert f'<a href="#trad-{qid}">Vad tror du?</a>' in overview
    assert "1 svar" in overview
    no_questions = client.get("/pinterest-borjar-med-sponsrade-pins").get_data(as_text=True)
    assert "questions-overview" not in no_questions


def test_ids_beyond_the_database_range_are_404_not_errors(app, client, sample_posts):
    huge = 2**31
    assert client.get(f"/{STRATEGER}/trad/{huge}").status_code == 404
    token = csrf_token(client, f"/{STRATEGER}")
    response = client.post(
        f"/{STRATEGER}/kommentar/{huge}/anmal", data={"reason": "spam", "csrf_token": token}
    )
    assert response.status_code == 404
    assert client.get(f"/{STRATEGER}/trad/{huge - 1}").status_code == 404
