"""The real path: PostgreSQL, a Redis broker and a real Celery worker."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from discussion.extensions import db
from discussion.models import Comment, CommentState, Post
from discussion.posts.importing import import_files, post_files
from tests.helpers import SAMPLE_POSTS, csrf_token

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def wait_for_state(app, comment_id: int, state: CommentState, timeout: float = 20.0) -> Comment:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            comment = db.session.get(Comment, comment_id)
            if comment is not None and comment.state == state:
                return comment
        time.sleep(0.1)
    raise AssertionError(f"comment {comment_id} did not reach {state} in {timeout}s")


def test_comment_goes_from_received_to_approved_through_a_real_worker(stack_app, celery_worker):
    with stack_app.app_context():
        assert not import_files(post_files(SAMPLE_POSTS)).failed
        post = db.session.scalar(select(Post).where(Post.slug == "kommunal-svarar"))
        question_id = post.questions[0].id
    client = stack_app.test_client()
    response = client.post(
        f"/kommunal-svarar/trad/{question_id}",
        data={
            "csrf_token": csrf_token(client, "/kommunal-svarar"),
            "name": "Emma",
            "body": "Jag tror **inte** det. <script>x()</script>",
        },
    )
    assert response.status_code == 302
    with stack_app.app_context():
        comment = db.session.scalar(select(Comment))
        comment_id = comment.id
        assert comment.state in (CommentState.RECEIVED, CommentState.APPROVED)
    approved = wait_for_state(stack_app, comment_id, CommentState.APPROVED)
    assert "<strong>inte</strong>" in approved.body_html
    assert "<script>" not in approved.body_html
    html = client.get("/kommunal-svarar").get_data(as_text=True)
    assert "<strong>inte</strong>" in html
