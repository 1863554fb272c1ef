"""Fixtures: an app on a fresh SQLite file per test, and real services where a test asks for them.

Tests that need PostgreSQL, Redis or Chromium skip with a reason when the service is missing,
and fail instead when REQUIRE_SERVICES=1 (as in CI), so a missing service is never unseen.
"""

from __future__ import annotations

import uuid

import pytest

import worker.tasks  # noqa: F401  registers the tasks, so eager runs find them by name
from discussion import create_app
from discussion.extensions import db
from tests.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    POSTGRES_ADMIN_URL,
    REDIS_URL,
    SAMPLE_POSTS,
    base_config,
    chromium_problem,
    require,
)


@pytest.fixture
def app(tmp_path):
    app = create_app(base_config(tmp_path))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app_on_each_database(request, tmp_path):
    """The app with the sample posts on SQLite, then on a fresh PostgreSQL database, for the
    code whose SQL the two spell differently."""
    from discussion.posts.importing import import_files, post_files

    config = base_config(tmp_path)
    if request.param == "postgres":
        config["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("postgres_url")
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        assert not import_files(post_files(SAMPLE_POSTS)).failed
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def sample_posts(app):
    """The five sample posts, imported through the same service as the CLI."""
    from discussion.posts.importing import import_files, post_files

    with app.app_context():
        report = import_files(post_files(SAMPLE_POSTS))
        assert not report.failed
    return report


@pytest.fixture
def spam_check_passes(monkeypatch):
    """Let every comment pass the spam check, for tests about policies and the queue.

    The check's score depends on the model and on form timing, which these tests do not
    control; it has its own tests in tests/test_spamcheck.py.
    """
    from discussion.spam import check

    monkeypatch.setattr(check, "assess", lambda comment, setup=None: None)


# --- real services -------------------------------------------------------------------------


def _postgres_problem() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as error:  # any failure means: not usable here
        return f"cannot connect to {POSTGRES_ADMIN_URL}: {error}"


def _redis_problem() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return None
    except Exception as error:
        return f"cannot connect to {REDIS_URL}: {error}"


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    require("PostgreSQL", _postgres_problem())
    import psycopg

    name = f"samtal_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url():
    require("Redis", _redis_problem())
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    yield REDIS_URL
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def stack_app(tmp_path, postgres_url, redis_url):
    """The production shape: PostgreSQL and a Redis broker; tasks go to a worker."""
    config = base_config(tmp_path) | {
        "SQLALCHEMY_DATABASE_URI": postgres_url,
        "SAMTAL_BROKER_URL": redis_url,
    }
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def celery_worker(stack_app):
    """A real Celery worker consuming from Redis in a thread of this process."""
    from celery.contrib.testing.worker import start_worker

    celery = stack_app.extensions["celery"]
    with start_worker(
        celery,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        loglevel="WARNING",
        queues=["comments", "email", "webhooks"],
    ) as worker:
        yield worker


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free 127.0.0.1 port; `.messages` holds what it got."""
    try:
        from tests.smtp_server import SMTPServer
    except ImportError as error:
        require("aiosmtpd", f"it is not installed: {error}")
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


# --- a live server and a real browser ---------------------------------------------------------


@pytest.fixture
def live_server():
    """Serve a Flask app on a free 127.0.0.1 port in a thread: `base_url = live_server(app)`."""
    import threading

    from werkzeug.serving import make_server

    servers = []

    def serve(app) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server, thread in servers:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    require("Chromium", chromium_problem())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(params=[1280, 390], ids=lambda width: f"{width}px")
def sized_page(chromium, request):
    """A Swedish reader's page at a desktop and at a phone width (each test runs at both).

    A test module may set `BYPASS_CSP = True` to inject a checking script (axe-core); the
    pages' own scripts are checked against the CSP everywhere else."""
    context = chromium.new_context(
        locale="sv-SE",
        viewport={"width": request.param, "height": 860},
        bypass_csp=getattr(request.module, "BYPASS_CSP", False),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session", autouse=True)
def session_spam_model():
    """Train the default spam model once, up front, rather than inside whichever test first
    processes a comment (which would then wait for the training)."""
    from discussion.spam import model as spam
    from tests.helpers import SESSION_SPAM_MODEL

    spam.default_model().save(SESSION_SPAM_MODEL)


def pytest_sessionfinish(session, exitstatus):
    from tests.helpers import SESSION_SPAM_MODEL

    SESSION_SPAM_MODEL.unlink(missing_ok=True)
