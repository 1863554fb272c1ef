"""Property-based check that the API keeps to its OpenAPI document (schemathesis, in-process).

Schemathesis generates requests for every documented operation from /api/v1/openapi.json; the
checks fail on any 5xx, any status the document does not list, and any body or content type
that does not match it. Writes get real write and staff tokens, so they reach the services
instead of stopping at the token check. The number of examples is bounded to keep this < 60 s.
"""

from __future__ import annotations

import re

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select  # noqa: E402

from discussion.api import access  # noqa: E402
from discussion.extensions import db  # noqa: E402
from discussion.models import Comment, Post  # noqa: E402
from tests.test_reader import post_answer, question_id  # noqa: E402

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SLUG = "strateger-sokes-eller-kontaktnat"
EXAMPLES = 20  # per operation and path kind; keeps the whole run well under a minute


@pytest.fixture
def api_schema(app, client, sample_posts):
    """The app with some comments to read and report, and its own OpenAPI document."""
    asked = question_id(app, SLUG, "Vad tror du?")
    post_answer(client, SLUG, asked, "Första svaret.")
    post_answer(client, SLUG, asked, "Ett svar på svaret.", parent_id=1)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def staff_secret(app):
    with app.app_context():
        _, secret = access.create_token("schemathesis")
        db.session.commit()
    return secret


def _slug_of(case, app) -> str | None:
    if "slug" in (case.path_parameters or {}):
        return case.path_parameters["slug"]
    comment_id = (case.path_parameters or {}).get("comment_id")
    if not isinstance(comment_id, int) or not 0 < comment_id < 2**31:
        return None
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        return comment.post.slug if comment is not None else None


def _with_tokens(case, app, staff_secret) -> None:
    """Real tokens, so that generated writes reach the services behind the token check."""
    headers = dict(case.headers or {})
    if case.method == "POST":
        with app.test_request_context():
            headers[access.TOKEN_HEADER] = access.write_token(_slug_of(case, app) or "none")
    if case.method == "PUT":
        headers["Authorization"] = f"Bearer {staff_secret}"
    case.headers = headers


def _strategies(operation, known: dict):
    """Random paths, which mostly miss, and paths to real rows, which reach the services."""
    names = re.findall(r"{(\w+)}", operation.path)
    yield operation.as_strategy()
    if names:
        real = known | ({"slug": "fran-schemathesis"} if operation.method == "put" else {})
        yield operation.as_strategy(path_parameters={name: real[name] for name in names})


def test_api_answers_match_the_openapi_document(app, api_schema, staff_secret):
    known = {"slug": SLUG, "question_id": question_id(app, SLUG, "Vad tror du?"), "comment_id": 1}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 7, operations
    for operation in operations:
        for strategy in _strategies(operation, known):

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,  # the same cases every run: a pass or failure that repeats
                suppress_health_check=list(HealthCheck),
            )
            def answers_as_documented(case):
                _with_tokens(case, app, staff_secret)
                case.call_and_validate(checks=CHECKS)

            answers_as_documented()
    # Generated bodies rarely hold exactly one of markdown and html, so one valid write is
    # sent by hand: the document must describe what the services answer to it, too.
    put = api_schema["/posts/{slug}"]["PUT"].Case(
        path_parameters={"slug": "fran-schemathesis-for-hand"},
        body={"title": "För hand", "author": "Anna", "markdown": "Text.\n\nVad tror du?"},
        media_type="application/json",
    )
    _with_tokens(put, app, staff_secret)
    put.call_and_validate(checks=CHECKS)
    with app.app_context():  # the generated writes got past the guards to the services
        assert db.session.scalar(select(func.count()).select_from(Comment)) > 2
        assert db.session.scalar(select(Post).filter_by(slug="fran-schemathesis-for-hand"))
