"""Helpers shared by the tests: where the sample data is, service checks, CSRF tokens."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from discussion.spam.labels import spam_reason_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_POSTS = ROOT / "discussion" / "data" / "sample-blog" / "posts"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
POSTGRES_ADMIN_URL = os.environ.get(
    "SAMTAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("SAMTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def start_stack(*args, **kwargs):
    """bench/stack.py's Stack, or a skip (a failure with REQUIRE_SERVICES=1) without Redis."""
    from bench.stack import ServiceMissing, Stack

    try:
        return Stack(*args, **kwargs)
    except ServiceMissing as error:
        require("Redis", str(error))


def require(service: str, problem: str | None) -> None:
    """Skip (or, with REQUIRE_SERVICES=1, fail) when a service a test needs is missing."""
    if problem is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{service} is required (REQUIRE_SERVICES=1) but {problem}")
    pytest.skip(f"{service} not available: {problem}")


SESSION_SPAM_MODEL = Path(tempfile.gettempdir()) / f"samtal-test-spam-model-{os.getpid()}.joblib"


def base_config(tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        "SAMTAL_BROKER_URL": "",
        # Post-moderation, so tests about reading see their comments at once; the policy
        # tests (tests/test_policies.py) set each policy themselves.
        "SAMTAL_MODERATION_POLICY": "post",
        # One default spam model file for the whole session (trained on first use); tests
        # that retrain point this setting at their own file.
        "SAMTAL_SPAM_MODEL_PATH": str(SESSION_SPAM_MODEL),
        # Tests post the instant a form is shown; the fast-posting signal has its own tests.
        "SAMTAL_SPAM_MIN_SECONDS": 0,
        # Tests post many comments from one address; tests of the limit set their own.
        "SAMTAL_COMMENT_RATE_LIMIT": "10000 per minute",
    }


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


_FORM_TIME = re.compile(r'name="ts" value="([^"]+)"')


def form_fields(client, url: str) -> dict[str, str]:
    """The hidden fields a reader's browser sends back: CSRF token and the form's timestamp."""
    html = client.get(url).get_data(as_text=True)
    csrf, shown = _CSRF.search(html), _FORM_TIME.search(html)
    assert csrf and shown, f"no comment form on {url}"
    return {"csrf_token": csrf.group(1), "ts": shown.group(1)}


def csrf_token(client, url: str = "/") -> str:
    """The CSRF token a reader's browser would get from a page."""
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_problem() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"playwright is not installed: {error}"
    return None


def worded(reasons) -> list[str]:
    """Spam reasons as the queue shows them, in Swedish (no request: the source language)."""
    return [spam_reason_text(found) for found in reasons]
