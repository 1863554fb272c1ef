"""Tasks are sent only after the commit, once, and never for a rolled-back write."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from discussion import jobs
from discussion.comments import posting, processing
from discussion.extensions import db
from discussion.models import Comment, CommentState, Post
from worker import tasks


@pytest.fixture
def sent(monkeypatch):
    """Record what would reach the broker instead of running it."""
    calls: list[tuple] = []
    monkeypatch.setattr(jobs, "send_now", lambda name, *args: calls.append((name, args)) or True)
    return calls


def general_question(app):
    post = db.session.scalar(select(Post).where(Post.slug == "kommunal-svarar"))
    return post.questions[-1]


def test_nothing_is_sent_before_commit_and_once_after(app, sample_posts, sent):
    with app.app_context():
        comment = posting.post_comment(general_question(app), name="A", body="Hej")
        assert sent == []
        db.session.commit()
        assert sent == [("samtal.process_comment", (comment.id,))]
        db.session.commit()
        assert len(sent) == 1


def test_rollback_sends_nothing(app, sample_posts, sent):
    with app.app_context():
        posting.post_comment(general_question(app), name="A", body="Hej")
        db.session.rollback()
        db.session.commit()
        assert sent == []
        assert db.session.scalar(select(Comment)) is None


def received(app, body: str) -> int:
    """A comment stored as the form stores it, not processed yet; its id."""
    with app.app_context():
        comment = posting.post_comment(general_question(app), name="A", body=body)
        db.session.commit()
        return comment.id


def test_an_edited_comment_is_processed_again_and_announced_once(app, sample_posts, sent):
    """Its writer's edit sends an approved comment back to received; processing publishes it
    again, and its announcement (its e-mails) is not made a second time."""
    from discussion.comments import editing
    from discussion.models import CommentAnnouncement

    comment_id = received(app, "Första.")
    with app.app_context():
        assert tasks.process_comment.run(comment_id) is True
        first = db.session.get(CommentAnnouncement, comment_id).created_at
        assert editing.edit_own(db.session.get(Comment, comment_id), "Andra, rättad.")
        db.session.commit()
    with app.app_context():
        assert tasks.process_comment.run(comment_id) is True
        again = db.session.get(Comment, comment_id)
        assert again.state == CommentState.APPROVED
        assert again.body_html.strip() == "<p>Andra, rättad.</p>"
        announcements = db.session.scalars(select(CommentAnnouncement)).all()
        assert [(a.comment_id, a.created_at) for a in announcements] == [(comment_id, first)]


def test_process_task_is_idempotent(app, sample_posts, sent):
    comment_id = received(app, "**Hej**")
    with app.app_context():
        assert tasks.process_comment.run(comment_id) is True
        processed_at = db.session.get(Comment, comment_id).processed_at
    with app.app_context():
        assert tasks.process_comment.run(comment_id) is False
        again = db.session.get(Comment, comment_id)
        assert again.state == CommentState.APPROVED
        assert again.processed_at == processed_at
        assert again.body_html.strip() == "<p><strong>Hej</strong></p>"


def test_process_task_for_a_deleted_comment_does_nothing(app):
    with app.app_context():
        assert tasks.process_comment.run(123456) is False


def test_eager_mode_processes_in_process_after_commit(app, sample_posts):
    with app.app_context():
        comment = posting.post_comment(general_question(app), name="A", body="Hej")
        db.session.commit()
        assert db.session.get(Comment, comment.id).state == CommentState.APPROVED


def test_sweep_resends_only_old_unprocessed_comments(app, sample_posts, sent):
    app.config["SAMTAL_SWEEP_AFTER_SECONDS"] = 0
    with app.app_context():
        stuck = posting.post_comment(general_question(app), name="A", body="Hej")
        db.session.commit()
        sent.clear()
        done = posting.post_comment(general_question(app), name="B", body="Hå")
        done.state = CommentState.APPROVED
        db.session.commit()
        sent.clear()
        assert processing.sweep_unprocessed() == [stuck.id]
        assert sent == [("samtal.process_comment", (stuck.id,))]
    app.config["SAMTAL_SWEEP_AFTER_SECONDS"] = 3600
    with app.app_context():
        assert processing.sweep_unprocessed() == []


def test_broker_failure_keeps_the_comment_and_logs(app, sample_posts, caplog):
    """A send that fails leaves the comment stored as received for the sweep."""
    celery = app.extensions["celery"]
    celery.conf.task_always_eager = False
    celery.conf.broker_url = "redis://127.0.0.1:1/0"
    with app.app_context():
        comment = posting.post_comment(general_question(app), name="A", body="Hej")
        db.session.commit()
        stored = db.session.get(Comment, comment.id)
        assert stored.state == CommentState.RECEIVED
    assert "the sweep will send it again" in caplog.text
