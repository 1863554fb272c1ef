"""Text Samtal cannot store faithfully (NUL, invalid UTF-8, lone surrogates) is refused with a
readable 400 whatever the content type, on SQLite and on PostgreSQL, and nothing is stored."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from discussion.extensions import db
from discussion.models import Comment
from tests.helpers import csrf_token

SLUG = "strateger-sokes-eller-kontaktnat"
BOUNDARY = "samtalgrans"


def multipart(fields: dict[str, bytes]) -> bytes:
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (BOUNDARY.encode(), name.encode(), value)
        for name, value in fields.items()
    ]
    return b"".join(parts) + b"--%s--\r\n" % BOUNDARY.encode()


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Comment))


def thread_url(app) -> str:
    with app.app_context():
        from tests.staff import question_id

        return f"/{SLUG}/trad/{question_id(app, SLUG, 'Vad tror du?')}"


@pytest.mark.parametrize(
    "name, body, message",
    [
        (b"Nul\x00Namn", b"En kommentar.", "NUL"),
        (b"Karin", b"Ett \x00 tecken", "NUL"),
        (b"Karin \xff\xfe", b"En kommentar.", "UTF-8"),
        (b"Karin", b"Trasig \xc3", "UTF-8"),
    ],
)
def test_multipart_forms_are_refused_like_urlencoded_ones(
    app_on_each_database, name, body, message
):
    client = app_on_each_database.test_client()
    url = thread_url(app_on_each_database)
    token = csrf_token(client, f"/{SLUG}").encode()
    response = client.post(
        url,
        data=multipart({"csrf_token": token, "name": name, "body": body}),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(app_on_each_database) == 0
    # A clean multipart form from the same browser goes through.
    fine = client.post(
        url,
        data=multipart({"csrf_token": token, "name": b"Karin", "body": "Hej då".encode()}),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert fine.status_code == 302 and stored(app_on_each_database) == 1


@pytest.mark.parametrize(
    "raw, message",
    [
        (json.dumps({"name": "Nul\x00Namn", "body": "Hej"}).encode(), "NUL"),
        (json.dumps({"name": "Karin", "body": "\ud800"}).encode(), "UTF-8"),
        ('{"name": "Karin", "body": "Hej \xff"}'.encode("latin-1"), "UTF-8"),
    ],
)
def test_the_api_refuses_the_same_text_with_the_same_400(app_on_each_database, raw, message):
    client = app_on_each_database.test_client()
    token = client.get(f"/api/v1/posts/{SLUG}/token").get_json()["token"]
    response = client.post(
        "/api/v1"
        + thread_url(app_on_each_database).replace(f"/{SLUG}/trad/", f"/posts/{SLUG}/questions/")
        + "/comments",
        data=raw,
        headers={"X-Samtal-Token": token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and message in error["detail"]
    assert stored(app_on_each_database) == 0


def test_urlencoded_forms_are_refused_on_every_database(app_on_each_database):
    client = app_on_each_database.test_client()
    token = csrf_token(client, f"/{SLUG}")
    response = client.post(
        thread_url(app_on_each_database),
        data=f"csrf_token={token}&name=Nul%00Namn&body=Hej",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400 and re.search("NUL", response.get_data(as_text=True))
    assert stored(app_on_each_database) == 0
