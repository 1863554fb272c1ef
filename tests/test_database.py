"""The database connection: SQLite tuned for the embedded default, a pooled PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import text

from discussion import create_app, database
from discussion.extensions import db
from tests.helpers import base_config


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15_000


def test_a_second_writer_waits_for_the_first_instead_of_failing(app):
    """The busy timeout: a worker's write and a reader's POST at once both succeed."""
    with app.app_context():
        first = db.engine.connect()
        first.exec_driver_sql("BEGIN IMMEDIATE")
        releaser = threading.Timer(0.5, first.rollback)
        releaser.start()
        try:
            with db.engine.connect() as second:
                second.exec_driver_sql("BEGIN IMMEDIATE")
                second.rollback()
        finally:
            releaser.join(timeout=5)
            first.close()


def test_postgresql_gets_a_sized_pool_that_pings_before_use():
    options = database.engine_options(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/samtal",
            "SAMTAL_DB_POOL_SIZE": 7,
            "SAMTAL_DB_MAX_OVERFLOW": 3,
        }
    )
    assert options["pool_size"] == 7
    assert options["max_overflow"] == 3
    assert options["pool_pre_ping"] is True


def proxied_app(tmp_path, proxies: int):
    app = create_app(base_config(tmp_path) | {"SAMTAL_PROXY_COUNT": proxies})

    @app.get("/_address")
    def address():
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    return app


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path):
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    client = proxied_app(tmp_path, 1).test_client()
    assert client.get("/_address", headers=headers).get_data(as_text=True) == "203.0.113.9 https"


def test_without_a_proxy_forwarded_headers_are_ignored(tmp_path):
    headers = {"X-Forwarded-For": "203.0.113.9"}
    client = proxied_app(tmp_path, 0).test_client()
    assert client.get("/_address", headers=headers).get_data(as_text=True) == "127.0.0.1 http"
