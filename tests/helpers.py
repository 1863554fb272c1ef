"""Helpers shared by the tests: where the sample data is, service checks, CSRF tokens."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_POSTS = ROOT / "discussion" / "data" / "sample-blog" / "posts"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
POSTGRES_ADMIN_URL = os.environ.get(
    "SAMTAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("SAMTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require(service: str, problem: str | None) -> None:
    """Skip (or, with REQUIRE_SERVICES=1, fail) when a service a test needs is missing."""
    if problem is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{service} is required (REQUIRE_SERVICES=1) but {problem}")
    pytest.skip(f"{service} not available: {problem}")


def base_config(tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        "SAMTAL_BROKER_URL": "",
    }


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str = "/") -> str:
    """The CSRF token a reader's browser would get from a page."""
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)
