"""Rate limits: one budget per limit, shared by the reader's form and the API, and only what was
accepted counts, so a reader's mistakes never lock them out."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from discussion.extensions import db
from discussion.models import Comment
from tests.staff import STRATEGER, answer, question_id

API = "/api/v1"
QUESTION = "Vad tror du?"


@pytest.fixture
def qid(app, sample_posts):
    return question_id(app, STRATEGER, QUESTION)


def api_token(client) -> str:
    return client.get(f"{API}/posts/{STRATEGER}/token").get_json()["token"]


def api_post(client, qid, body="Ett svar från widgeten.", **options):
    headers = {"X-Samtal-Token": api_token(client)} | options.pop("headers", {})
    return client.post(
        f"{API}/posts/{STRATEGER}/questions/{qid}/comments",
        json={"name": "Karin", "body": body} | options,
        headers=headers,
    )


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Comment))


def test_the_form_and_the_api_share_one_posting_budget(app, client, qid):
    app.config["SAMTAL_COMMENT_RATE_LIMIT"] = "5 per minute"
    form = [answer(client, STRATEGER, qid, f"Från sidan {n}.").status_code for n in range(3)]
    api = [api_post(client, qid, f"Från widgeten {n}.").status_code for n in range(2)]
    assert form == [302, 302, 302] and api == [201, 201]
    assert answer(client, STRATEGER, qid, "En för mycket.").status_code == 429
    limited = api_post(client, qid, "En för mycket här med.")
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
    assert stored(app) == 5


def test_refused_posts_do_not_count_toward_the_limit(app, client, qid):
    app.config["SAMTAL_COMMENT_RATE_LIMIT"] = "2 per minute"
    refused = [answer(client, STRATEGER, qid, "   \n ").status_code for _ in range(5)]
    assert refused == [422] * 5
    url = f"{API}/posts/{STRATEGER}/questions/{qid}/comments"
    no_token = client.post(url, json={"name": "Karin", "body": "Utan nyckel."})
    not_json = client.post(url, data="body=x", headers={"X-Samtal-Token": api_token(client)})
    broken = client.post(
        url,
        data=b"{not json",
        headers={"X-Samtal-Token": api_token(client), "Content-Type": "application/json"},
    )
    invalid = api_post(client, qid, body="")
    assert [r.status_code for r in (no_token, not_json, broken, invalid)] == [403, 415, 400, 422]
    assert answer(client, STRATEGER, qid, "Nu med text.").status_code == 302
    assert api_post(client, qid, "Och från widgeten.").status_code == 201
    assert answer(client, STRATEGER, qid, "Men nu räcker det.").status_code == 429
    assert stored(app) == 2


def test_the_form_and_the_api_share_one_report_budget(app, client, qid):
    app.config["SAMTAL_REPORT_RATE_LIMIT"] = "2 per hour"
    ids = [api_post(client, qid, f"Svar {n}.").get_json()["comment"]["id"] for n in range(3)]
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    by_form = client.post(
        f"/{STRATEGER}/kommentar/{ids[0]}/anmal", data={"csrf_token": token, "reason": "spam"}
    )
    by_api = client.post(
        f"{API}/comments/{ids[1]}/reports",
        json={"reason": "spam"},
        headers={"X-Samtal-Token": api_token(client)},
    )
    assert (by_form.status_code, by_api.status_code) == (302, 201)
    again = client.post(
        f"{API}/comments/{ids[2]}/reports",
        json={"reason": "spam"},
        headers={"X-Samtal-Token": api_token(client)},
    )
    assert again.status_code == 429


def test_the_in_process_counters_expire_without_a_thread_per_request(monkeypatch):
    """The embedded default's counters: a window's count holds, ends with its window, and the
    expired ones are dropped in the request itself, not by a timer thread started for each."""
    import threading

    from limits import RateLimitItemPerSecond
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    from discussion.web import limit_storage

    storage = storage_from_string(f"{limit_storage.SCHEME}://")
    assert isinstance(storage, limit_storage.LazyMemoryStorage)
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread))
    clock = [1000.0]
    monkeypatch.setattr(limit_storage.time, "monotonic", lambda: clock[0])
    limiter = FixedWindowRateLimiter(storage)
    two_a_second = RateLimitItemPerSecond(2)
    assert limiter.hit(two_a_second, "reader") and limiter.hit(two_a_second, "reader")
    assert not limiter.hit(two_a_second, "reader")
    assert started == []
    (key,) = storage.expirations
    storage.expirations[key] = 0  # its window is over
    assert limiter.test(two_a_second, "reader")
    storage.expirations["gone"], storage.storage["gone"] = 0, 5
    clock[0] += limit_storage.SWEEP_SECONDS
    assert limiter.hit(two_a_second, "reader")
    assert "gone" not in storage.storage
