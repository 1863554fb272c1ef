"""The JSON API: reading threads, paging, caching, posting and reporting, and its guards."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from discussion.api.threads import cache
from discussion.comments import lifecycle, posting
from discussion.extensions import db
from discussion.models import ApiToken, Comment, CommentState, Post
from discussion.organisations import register as organisations
from discussion.reader.forms import CommentForm
from tests.helpers import csrf_token
from tests.staff import add_user, login_as
from tests.test_reader import counted_queries, question_id

SLUG = "strateger-sokes-eller-kontaktnat"
OTHER = "dansar-dina-kunder"
API = "/api/v1"
BLOG = "https://blogg.example"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def qid(app, sample_posts):
    return question_id(app, SLUG, "Vad tror du?")


def token(client, slug=SLUG, **headers):
    return client.get(f"{API}/posts/{slug}/token", headers=headers).get_json()["token"]


def send(client, qid, slug=SLUG, write_token=None, headers=None, **fields):
    payload = {"name": "Karin", "body": "Jag tror att nätverket spelar roll."} | fields
    return client.post(
        f"{API}/posts/{slug}/questions/{qid}/comments",
        json=payload,
        headers={"X-Samtal-Token": write_token or token(client, slug), **(headers or {})},
    )


def thread_of(body: dict, qid: int) -> dict:
    return next(q for q in body["questions"] if q["id"] == qid)


# --- reading -----------------------------------------------------------------------------------


def test_post_with_questions_and_nested_approved_comments(app, client, qid):
    first = send(client, qid, email="karin@example.se").get_json()["comment"]["id"]
    send(client, qid, name="Olle", body="Håller med.", parent_id=first)
    with app.app_context():
        held = db.session.get(Comment, first)
        lifecycle.change_state(
            db.session.get(Comment, send(client, qid, name="X").get_json()["comment"]["id"]),
            CommentState.REJECTED,
            action="reject",
        )
        db.session.commit()
        assert held.state == CommentState.APPROVED
    response = client.get(f"{API}/posts/{SLUG}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["slug"] == SLUG and body["title"] == "Strateger sökes. Eller kontaktnät?"
    texts = [q["text"] for q in body["questions"]]
    assert texts[-2:] == ["Vad tror du?", "Övriga kommentarer"]
    thread = thread_of(body, qid)
    assert thread["comment_count"] == 2 and body["comment_count"] == 2
    [root] = thread["comments"]
    assert (
        root["author"] == "Karin" and root["html"] == "<p>Jag tror att nätverket spelar roll.</p>\n"
    )
    assert root["created"].endswith("Z") and root["badges"] == []
    assert [reply["author"] for reply in root["replies"]] == ["Olle"]
    assert root["url"].endswith(f"/{SLUG}#kommentar-{first}")
    raw = response.get_data(as_text=True)
    assert "karin@example.se" not in raw and "127.0.0.1" not in raw and "ip" not in root


def test_badges_for_staff_and_verified_organisation(app, client, qid):
    user_id = add_user(app, "jm@example.se", "author", name="JM")
    with app.app_context():
        org = organisations.add_organisation("Kommunal", ["kommunal.se"], badge="Kommunal")
        from discussion.models import Question, User

        question = db.session.get(Question, qid)
        posting.post_comment(
            question, name="", body="Svar från skribenten.", user=db.session.get(User, user_id)
        )
        reader = posting.post_comment(question, name="Emma", body="Vi menar erfarenhet.")
        reader.organisation = org
        db.session.commit()
        lifecycle.change_state(reader, CommentState.APPROVED, action="verified")
        db.session.commit()
    comments = thread_of(client.get(f"{API}/posts/{SLUG}").get_json(), qid)["comments"]
    badges = {c["author"]: c["badges"] for c in comments}
    assert badges["JM"] == [{"kind": "staff", "role": "author", "label": "Skribent"}]
    assert badges["Emma"] == [{"kind": "organisation", "label": "Kommunal"}]


def test_removed_comment_keeps_its_replies_without_its_text(app, client, qid):
    parent = send(client, qid, body="Hemligt.").get_json()["comment"]["id"]
    send(client, qid, name="Olle", body="Svar.", parent_id=parent)
    with app.app_context():
        lifecycle.change_state(
            db.session.get(Comment, parent), CommentState.REJECTED, action="reject"
        )
        db.session.commit()
    response = client.get(f"{API}/posts/{SLUG}")
    [root] = thread_of(response.get_json(), qid)["comments"]
    assert root["removed"] is True and root["author"] is None and root["html"] is None
    assert root["replies"][0]["author"] == "Olle"
    assert "Hemligt" not in response.get_data(as_text=True)


def test_pages_are_stable_while_comments_arrive(app, client, qid):
    ids = [send(client, qid, body=f"Svar {n}.").get_json()["comment"]["id"] for n in range(7)]
    send(client, qid, name="Olle", body="Svar på det första.", parent_id=ids[0])
    first = client.get(f"{API}/posts/{SLUG}?limit=3").get_json()
    page = thread_of(first, qid)
    seen = [c["id"] for c in page["comments"]]
    assert seen == ids[:3] and page["comments"][0]["replies"][0]["author"] == "Olle"
    newest = send(client, qid, body="Kom under tiden.").get_json()["comment"]["id"]
    cursor = page["next"]
    while cursor:
        more = client.get(f"{API}/posts/{SLUG}/questions/{qid}/comments?limit=3&after={cursor}")
        assert more.status_code == 200
        body = more.get_json()
        seen += [c["id"] for c in body["comments"]]
        cursor = body["next"]
    assert seen == ids + [newest]
    assert body["comment_count"] == 9


@pytest.mark.parametrize(
    ("query", "code"),
    [("limit=0", "bad_parameter"), ("limit=201", "bad_parameter"), ("limit=x", "bad_parameter")],
)
def test_bad_paging_parameters_are_400(client, qid, query, code):
    response = client.get(f"{API}/posts/{SLUG}?{query}")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == code


@pytest.mark.parametrize("cursor", ["!!!", "bm9wZQ", "LTEuMQ"])
def test_bad_cursor_is_400(client, qid, cursor):
    response = client.get(f"{API}/posts/{SLUG}/questions/{qid}/comments?after={cursor}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_cursor"


def test_unknown_post_question_and_path_are_json_404s(client, qid):
    cases = {
        f"{API}/posts/nope": "post_not_found",
        f"{API}/posts/{SLUG}/questions/99999/comments": "question_not_found",
        f"{API}/nothing-here": "not_found",
    }
    for url, code in cases.items():
        response = client.get(url, headers={"Accept-Language": "en"})
        assert response.status_code == 404 and response.mimetype == "application/json"
        error = response.get_json()["error"]
        assert error["code"] == code and error["status"] == 404
        assert response.headers["Content-Language"] == "en"
    swedish = client.get(f"{API}/posts/nope", headers={"Accept-Language": "sv,en;q=0.5"})
    assert swedish.get_json()["error"]["message"] == "Det finns inget inlägg med den adressen."


def test_counts_for_many_posts_in_one_request(client, qid):
    send(client, qid)
    send(client, qid)
    response = client.get(f"{API}/counts?post={SLUG}&post={OTHER}&post=unknown")
    assert response.get_json() == {"counts": {SLUG: 2, OTHER: 0}}
    again = client.get(
        f"{API}/counts?post={SLUG}&post={OTHER}",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304
    many = "&".join(f"post=p{n}" for n in range(101))
    assert client.get(f"{API}/counts?{many}").get_json()["error"]["code"] == "too_many_posts"


# --- HTTP caching ------------------------------------------------------------------------------


def test_etag_and_last_modified_give_304_until_the_thread_changes(app, client, qid):
    url = f"{API}/posts/{SLUG}"
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    comment_id = send(client, qid).get_json()["comment"]["id"]
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and thread_of(changed.get_json(), qid)["comment_count"] == 1
    etag = changed.headers["ETag"]
    with app.app_context():  # a moderator's decision changes the thread too
        lifecycle.change_state(
            db.session.get(Comment, comment_id), CommentState.SPAM, action="spam"
        )
        db.session.commit()
    hidden = client.get(url, headers={"If-None-Match": etag})
    assert hidden.status_code == 200 and thread_of(hidden.get_json(), qid)["comment_count"] == 0
    etag = hidden.headers["ETag"]
    with app.app_context():  # and so does closing the post
        db.session.scalar(select(Post).where(Post.slug == SLUG)).closed = True
        db.session.commit()
    closed = client.get(url, headers={"If-None-Match": etag})
    assert closed.status_code == 200 and closed.get_json()["closed"] is True


def test_a_rolled_back_change_keeps_the_etag(app, client, qid):
    etag = client.get(f"{API}/posts/{SLUG}").headers["ETag"]
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert comment is None
        post = db.session.scalar(select(Post).where(Post.slug == SLUG))
        post.title = "Något annat"
        db.session.flush()
        db.session.rollback()
    assert client.get(f"{API}/posts/{SLUG}", headers={"If-None-Match": etag}).status_code == 304


def test_a_cached_read_costs_one_query_whatever_the_thread_size(app, client, qid):
    for n in range(30):
        send(client, qid, body=f"Svar {n}.")
    client.get(f"{API}/posts/{SLUG}")  # fills the cache
    with counted_queries(app) as statements:
        response = client.get(f"{API}/posts/{SLUG}")
    assert response.status_code == 200
    assert len(statements) == 1, statements


# --- writing -----------------------------------------------------------------------------------


def test_posting_answers_201_with_the_writers_own_comment(app, client, qid):
    response = send(client, qid, body="Mitt *eget* svar.")
    assert response.status_code == 201
    own = response.get_json()["comment"]
    assert own["text"] == "Mitt *eget* svar." and own["state"] == "approved"
    assert own["html"] == "<p>Mitt <em>eget</em> svar.</p>\n"
    assert response.headers["Location"].endswith(f"#kommentar-{own['id']}")
    with app.app_context():
        stored = db.session.get(Comment, own["id"])
        assert stored.question_id == qid and stored.signals["timestamp"] == "missing"


def test_same_validation_and_messages_as_the_reader_form(app, client, qid):
    response = send(client, qid, name="x" * 81, body="", email="inte-en-adress")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    with app.test_request_context():
        formdata = MultiDict({"name": "x" * 81, "body": "", "email": "inte-en-adress"})
        form = CommentForm(formdata=formdata, meta={"csrf": False})
        form.validate()
        assert error["fields"] == {k: [str(m) for m in v] for k, v in form.errors.items()}
    notify = send(client, qid, notify=True)
    assert "notify" in notify.get_json()["error"]["fields"]


@pytest.mark.parametrize("fields", [{"name": ["Karin"]}, {"name": 5.5}])
def test_values_that_are_not_clean_text_are_422(client, qid, fields):
    """Text Samtal cannot store (NUL, lone surrogates) is a 400 for every content type: see
    tests/test_input_guard.py."""
    response = send(client, qid, **fields)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_failed"


def test_reply_to_a_comment_in_another_thread_is_400(app, client, qid):
    other = question_id(app, SLUG, "Övriga kommentarer")
    parent = send(client, other).get_json()["comment"]["id"]
    response = send(client, qid, parent_id=parent)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "thread_mismatch"


def test_closed_thread_is_409(app, client, qid):
    with app.app_context():
        db.session.scalar(select(Post).where(Post.slug == SLUG)).closed = True
        db.session.commit()
    response = send(client, qid)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "closed"


def test_write_token_rules(app, client, qid):
    missing = client.post(
        f"{API}/posts/{SLUG}/questions/{qid}/comments", json={"name": "K", "body": "x"}
    )
    assert missing.status_code == 403 and missing.get_json()["error"]["code"] == "token_missing"
    assert send(client, qid, write_token="forged").get_json()["error"]["code"] == "token_invalid"
    wrong = send(client, qid, write_token=token(client, OTHER))
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "token_wrong_post"
    app.config["SAMTAL_WRITE_TOKEN_SECONDS"] = -1
    assert send(client, qid).get_json()["error"]["code"] == "token_expired"


def test_form_posts_and_other_content_types_are_refused(client, qid):
    url = f"{API}/posts/{SLUG}/questions/{qid}/comments"
    headers = {"X-Samtal-Token": token(client)}
    form = client.post(url, data={"name": "K", "body": "x"}, headers=headers)
    assert form.status_code == 415 and form.get_json()["error"]["code"] == "json_required"
    text = client.post(
        url, data='{"name": "K", "body": "x"}', content_type="text/plain", headers=headers
    )
    assert text.status_code == 415
    broken = client.post(url, data="{", content_type="application/json", headers=headers)
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "invalid_json"
    huge = client.post(url, json={"name": "K", "body": "x" * 70_000}, headers=headers)
    assert huge.status_code == 413 and huge.get_json()["error"]["code"] == "payload_too_large"


def test_same_origin_page_may_use_its_csrf_token_instead(app, client, qid):
    url = f"{API}/posts/{SLUG}/questions/{qid}/comments"
    good = client.post(
        url,
        json={"name": "K", "body": "Hej."},
        headers={"X-CSRFToken": csrf_token(client, f"/{SLUG}")},
    )
    assert good.status_code == 201
    bad = client.post(url, json={"name": "K", "body": "Hej."}, headers={"X-CSRFToken": "nope"})
    assert bad.status_code == 403 and bad.get_json()["error"]["code"] == "csrf_invalid"
    foreign = client.post(
        url,
        json={"name": "K", "body": "Hej."},
        headers={"X-CSRFToken": csrf_token(client, f"/{SLUG}"), "Origin": BLOG},
    )
    assert foreign.status_code == 403


def test_staff_on_samtals_own_page_posts_with_the_badge(app, client, qid):
    add_user(app, "jm@example.se", "author", name="JM")
    login_as(client, "author")
    url = f"{API}/posts/{SLUG}/questions/{qid}/comments"
    response = client.post(
        url,
        json={"body": "Tack för svaren!"},
        headers={"X-CSRFToken": csrf_token(client, f"/{SLUG}")},
    )
    assert response.status_code == 201 and response.get_json()["comment"]["author"] == "JM"
    comments = thread_of(client.get(f"{API}/posts/{SLUG}").get_json(), qid)["comments"]
    assert comments[0]["badges"] == [{"kind": "staff", "role": "author", "label": "Skribent"}]


def test_organisation_address_is_held_for_verification(app, client, qid):
    with app.app_context():
        organisations.add_organisation("Kommunal", ["kommunal.se"])
        db.session.commit()
    response = send(client, qid, name="Emma Nilsson", email="emma@kommunal.se")
    own = response.get_json()["comment"]
    assert response.status_code == 201
    assert own["state"] == "held" and own["awaiting_verification"] == "Kommunal"
    assert thread_of(client.get(f"{API}/posts/{SLUG}").get_json(), qid)["comments"] == []


# --- cross-origin --------------------------------------------------------------------------------


def test_cors_only_for_allowed_origins(app, client, qid):
    app.config["SAMTAL_ALLOWED_ORIGINS"] = [BLOG]
    allowed = client.get(f"{API}/posts/{SLUG}", headers={"Origin": BLOG})
    assert allowed.headers["Access-Control-Allow-Origin"] == BLOG
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    assert "Origin" in allowed.headers["Vary"]
    stranger = client.get(f"{API}/posts/{SLUG}", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    preflight = client.options(
        f"{API}/posts/{SLUG}/questions/{qid}/comments",
        headers={"Origin": BLOG, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == BLOG
    assert "X-Samtal-Token" in preflight.headers["Access-Control-Allow-Headers"]
    refused = client.options(
        f"{API}/posts/{SLUG}/questions/{qid}/comments",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_writes_from_an_origin_not_allowed_are_refused(app, client, qid):
    app.config["SAMTAL_ALLOWED_ORIGINS"] = [BLOG]
    evil = {"Origin": "https://evil.example"}
    assert client.get(f"{API}/posts/{SLUG}/token", headers=evil).status_code == 403
    refused = send(client, qid, headers=evil)
    assert (
        refused.status_code == 403 and refused.get_json()["error"]["code"] == "origin_not_allowed"
    )
    form = client.post(
        f"{API}/posts/{SLUG}/questions/{qid}/comments",
        data={"name": "K", "body": "x"},
        headers=evil,
    )
    assert form.status_code == 403
    welcome = send(client, qid, write_token=token(client, Origin=BLOG), headers={"Origin": BLOG})
    assert welcome.status_code == 201
    assert welcome.headers["Access-Control-Allow-Origin"] == BLOG
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Comment)) == 1


# --- reports -------------------------------------------------------------------------------------


def report(client, comment_id, slug=SLUG, ip="10.0.0.1", **fields):
    return client.post(
        f"{API}/comments/{comment_id}/reports",
        json={"reason": "personangrepp"} | fields,
        headers={"X-Samtal-Token": token(client, slug)},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_reports_reach_the_queue_after_the_threshold(app, client, qid):
    comment_id = send(client, qid).get_json()["comment"]["id"]
    assert report(client, comment_id, ip="10.0.0.1").status_code == 201
    again = report(client, comment_id, ip="10.0.0.1")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_reported"
    assert report(client, comment_id, ip="10.0.0.2").status_code == 201
    assert report(client, comment_id, ip="10.0.0.3", note="Elakt.").status_code == 201
    with app.app_context():
        assert db.session.get(Comment, comment_id).state == CommentState.PENDING
    assert thread_of(client.get(f"{API}/posts/{SLUG}").get_json(), qid)["comments"] == []
    hidden = report(client, comment_id, ip="10.0.0.4")
    assert hidden.status_code == 409 and hidden.get_json()["error"]["code"] == "not_reportable"


def test_report_input_and_token_are_checked(app, client, qid):
    comment_id = send(client, qid).get_json()["comment"]["id"]
    wrong = report(client, comment_id, reason="tråkig")
    assert wrong.status_code == 422 and "reason" in wrong.get_json()["error"]["fields"]
    assert report(client, comment_id, note="x" * 501).status_code == 422
    assert report(client, comment_id, slug=OTHER).get_json()["error"]["code"] == "token_wrong_post"
    assert report(client, 99999).get_json()["error"]["code"] == "comment_not_found"


def test_reports_are_rate_limited_per_ip(app, client, qid):
    app.config["SAMTAL_REPORT_RATE_LIMIT"] = "2 per hour"
    ids = [send(client, qid, body=f"Svar {n}.").get_json()["comment"]["id"] for n in range(3)]
    assert [report(client, i, ip="10.0.0.9").status_code for i in ids] == [201, 201, 429]
    limited = report(client, ids[2], ip="10.0.0.9")
    assert limited.get_json()["error"]["code"] == "rate_limited"


# --- staff tokens and posts --------------------------------------------------------------------


@pytest.fixture
def staff_token(app, runner):
    result = runner.invoke(args=["tokens", "create", "bloggen"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def put_post(client, slug, secret, **fields):
    body = {"title": "Nytt inlägg", "author": "@jmjobring", "date": "2024-05-01"} | fields
    return client.put(
        f"{API}/posts/{slug}", json=body, headers={"Authorization": f"Bearer {secret}"}
    )


def test_tokens_cli_stores_only_the_hash_and_revokes(app, runner, staff_token):
    assert staff_token.startswith("samtal_")
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == hashlib.sha256(staff_token.encode()).hexdigest()
    listed = runner.invoke(args=["tokens", "list"])
    assert "bloggen\tactive" in listed.output and staff_token not in listed.output
    assert runner.invoke(args=["tokens", "create", "bloggen"]).exit_code != 0
    assert runner.invoke(args=["tokens", "revoke", "bloggen"]).exit_code == 0
    assert "revoked" in runner.invoke(args=["tokens", "list"]).output
    assert runner.invoke(args=["tokens", "revoke", "nobody"]).exit_code != 0


def test_staff_token_creates_and_updates_a_post_from_markdown(app, client, staff_token):
    markdown = "Första stycket.\n\nVad tycker du? Och vad tror du om det?\n\n/ @jmjobring\n"
    created = put_post(client, "nytt-inlagg", staff_token, markdown=markdown)
    assert created.status_code == 201
    texts = [q["text"] for q in created.get_json()["questions"]]
    assert texts == ["Vad tycker du?", "Och vad tror du om det?", "Övriga kommentarer"]
    updated = put_post(client, "nytt-inlagg", staff_token, title="Nytt namn", markdown=markdown)
    assert updated.status_code == 200 and updated.get_json()["title"] == "Nytt namn"
    assert len(updated.get_json()["questions"]) == 3
    with app.app_context():
        assert db.session.scalar(select(ApiToken)).last_used_at is not None


def test_staff_token_creates_a_post_from_html(client, staff_token):
    html = (
        "<p>Inledning med <strong>fetstil</strong>.</p><script>alert(1)</script>"
        "<blockquote><p>Vad citeras?</p></blockquote><p>Hur gör ni? Berätta gärna!</p>"
    )
    created = put_post(client, "fran-html", staff_token, html=html)
    assert created.status_code == 201
    assert [q["text"] for q in created.get_json()["questions"]] == [
        "Hur gör ni?",
        "Övriga kommentarer",
    ]
    page = client.get("/fran-html").get_data(as_text=True)
    assert "<strong>fetstil</strong>" in page and "alert(1)" not in page


def test_staff_post_needs_a_valid_token_and_valid_fields(app, client, runner, staff_token):
    anonymous = client.put(f"{API}/posts/x", json={"title": "T", "author": "A", "markdown": "B"})
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith(
        "Bearer"
    )
    assert put_post(client, "x", "samtal_wrong", markdown="B").status_code == 401
    bad = put_post(
        client, "Inte En Slug", staff_token, title="", date="2024-13-01", markdown="B", html="C"
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"slug", "title", "date", "body"}
    runner.invoke(args=["tokens", "revoke", "bloggen"])
    assert put_post(client, "ok", staff_token, markdown="B").status_code == 401


def test_openapi_document_describes_every_api_route(app, client):
    document = client.get(f"{API}/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (f"/api/v1{path}", method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    routed = {
        (re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed


def test_ids_beyond_the_integer_range_are_answered_not_crashed_on(client, qid):
    reply = send(client, qid, parent_id=2**63)
    assert reply.status_code == 400 and reply.get_json()["error"]["code"] == "thread_mismatch"
    assert report(client, 2**63).get_json()["error"]["code"] == "comment_not_found"
    huge_question = send(client, 2**63)
    assert huge_question.get_json()["error"]["code"] == "question_not_found"


def test_notify_subscribes_the_writer_to_replies_like_the_form_box(app, client, qid):
    own = send(client, qid, email="karin@example.se", notify=True).get_json()["comment"]
    plain = send(client, qid, email="olle@example.se").get_json()["comment"]
    with app.app_context():
        assert db.session.get(Comment, own["id"]).notify_replies is True
        assert db.session.get(Comment, plain["id"]).notify_replies is False


def test_unicode_digits_are_not_numbers(client, qid):
    assert client.get(f"{API}/posts/{SLUG}?limit=²").status_code == 400
    response = send(client, qid, parent_id="²")  # like the form: not a reply, a new answer
    assert response.status_code == 201 and response.get_json()["comment"]["parent_id"] is None
