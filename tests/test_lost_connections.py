"""A PostgreSQL connection ended while a request holds it (a restart, `pg_terminate_backend`).

Each test ends exactly one connection, its own, at one chosen moment of a request on a real
PostgreSQL database: after the answer was built, before a read, after a commit, before a
commit. Nothing else on the server is touched (the backend is picked by pid and database).
The load test with gunicorn is in tests/test_nothing_lost.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text

from bench.stack import admin_connection
from discussion import create_app
from discussion.extensions import db
from discussion.models import Comment, Post
from discussion.posts.importing import import_files, post_files
from tests.helpers import base_config, csrf_token

pytestmark = pytest.mark.postgres

SLUG = "strateger-sokes-eller-kontaktnat"


@pytest.fixture
def pg_app(tmp_path, postgres_url):
    from discussion.demo import SAMPLE_POSTS

    app = create_app(base_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": postgres_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        assert not import_files(post_files(SAMPLE_POSTS)).failed
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def end_connection(connection) -> None:
    """End the server side of one SQLAlchemy connection, as a restart would, and only that."""
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    database = connection.exec_driver_sql("SELECT current_database()").scalar()
    with admin_connection() as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = %s"
            " AND datname = %s",
            (pid, database),
        ).fetchone()
    assert ended == (True,)


def end_session_connection() -> None:
    end_connection(db.session.connection())


def question_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Post).where(Post.slug == SLUG)).questions[0].id


def post_through_api(client, qid: int, body: str, **headers):
    api = f"/api/v1/posts/{SLUG}"
    write_token = client.get(f"{api}/token").get_json()["token"]
    return client.post(
        f"{api}/questions/{qid}/comments",
        json={"name": "Läsare", "body": body},
        headers={"X-Samtal-Token": write_token, **headers},
    )


def stored(app, body: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Comment.body_raw == body))


def test_a_connection_ended_after_the_answer_was_built_costs_nothing(pg_app, caplog):
    """The cleanup's ROLLBACK fails on the dead connection: logged, the answer stands."""

    @pg_app.get("/_ended-after")
    def ended_after():
        title = db.session.scalar(select(Post.title).where(Post.slug == SLUG))
        end_session_connection()
        return title

    response = pg_app.test_client().get("/_ended-after")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Strateger sökes. Eller kontaktnät?"
    assert "database connection lost after a request; discarded" in caplog.text
    assert pg_app.test_client().get(f"/{SLUG}").status_code == 200  # the pool recovered


def test_a_read_on_a_connection_ended_under_it_runs_again_on_a_new_one(pg_app, caplog):
    @pg_app.get("/_ended-before-read")
    def ended_before_read():
        end_session_connection()
        return db.session.scalar(select(Post.title).where(Post.slug == SLUG))

    response = pg_app.test_client().get("/_ended-before-read")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Strateger sökes. Eller kontaktnät?"
    assert "database connection lost during a read; reading again" in caplog.text


def end_the_next_read_after_a_commit(app):
    """Listeners that end the connection of the first read after the request's commit."""
    state = {"committed": False, "ended": 0}

    def committed(session):
        state["committed"] = True

    def reading(orm_execute_state):
        if state["committed"] and not state["ended"] and orm_execute_state.is_select:
            state["ended"] += 1
            end_connection(orm_execute_state.session.connection())

    return state, committed, reading


@pytest.mark.parametrize("where", ["page", "api"])
def test_a_comment_whose_commit_went_through_gets_its_normal_answer(pg_app, where):
    """The posting path reads the comment back after the commit; that read loses its
    connection, runs again, and the reader is told the comment was taken (not to post again)."""
    qid, body = question_id(pg_app), f"Sparad trots avbrott ({where})."
    client = pg_app.test_client()
    token = csrf_token(client, f"/{SLUG}")
    state, committed, reading = end_the_next_read_after_a_commit(pg_app)
    with pg_app.app_context():
        session_class = db.session.registry().__class__
    event.listen(session_class, "after_commit", committed)
    event.listen(session_class, "do_orm_execute", reading)
    try:
        if where == "page":
            fields = {"csrf_token": token, "name": "Läsare", "body": body}
            response = client.post(f"/{SLUG}/trad/{qid}", data=fields)
            assert response.status_code == 302
        else:
            response = post_through_api(client, qid, body)
            assert response.status_code == 201
            assert response.get_json()["comment"]["text"] == body
    finally:
        event.remove(session_class, "after_commit", committed)
        event.remove(session_class, "do_orm_execute", reading)
    assert state["ended"] == 1, "the test should have ended a connection after the commit"
    assert stored(pg_app, body) == 1


@pytest.mark.parametrize("where", ["page", "api"])
def test_a_comment_cut_before_its_commit_answers_503_and_is_not_stored(pg_app, where, caplog):
    qid, body = question_id(pg_app), f"Avbruten före commit ({where})."
    client = pg_app.test_client()
    token = csrf_token(client, f"/{SLUG}")

    def cut(session, flush_context):
        end_connection(session.connection())

    with pg_app.app_context():
        session_class = db.session.registry().__class__
    event.listen(session_class, "after_flush", cut)
    try:
        if where == "page":
            fields = {"csrf_token": token, "name": "Läsare", "body": body}
            response = client.post(f"/{SLUG}/trad/{qid}", data=fields)
        else:
            response = post_through_api(client, qid, body, **{"Accept-Language": "en"})
    finally:
        event.remove(session_class, "after_flush", cut)
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    if where == "page":
        page = response.get_data(as_text=True)
        assert "Tillfälligt avbrott" in page
        assert "Försök igen om en liten stund" in page
    else:
        error = response.get_json()["error"]
        assert error["code"] == "unavailable"
        assert error["message"] == "The database was briefly unavailable. Try again in a moment."
    assert "database unavailable on POST" in caplog.text
    assert stored(pg_app, body) == 0
    assert client.get(f"/{SLUG}").status_code == 200


def test_an_error_that_is_not_a_lost_connection_is_still_a_500(pg_app):
    @pg_app.get("/_bad-sql")
    def bad_sql():
        return str(db.session.execute(text("SELECT no_such_column FROM post")).all())

    response = pg_app.test_client().get("/_bad-sql")
    assert response.status_code == 500
