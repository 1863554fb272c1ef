"""Workers take received comments in batches on PostgreSQL, and still do everything once.

Real PostgreSQL and Redis of this module's own (bench/stack.py), real Celery workers started
with the Procfile's command; "once" is counted in the audit log (one `processed` entry per
comment), in the announcements, the webhook deliveries and the e-mails. The embedded default
(SQLite, tasks in-process) keeps processing one comment at a time.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bench.post_cost import SLUG, TEXTS, address
from bench.stack import wait_until
from discussion import create_app
from discussion.comments import posting, processing, routing
from discussion.demo import SAMPLE_POSTS
from discussion.extensions import db
from discussion.models import (
    Ban,
    Comment,
    CommentAnnouncement,
    CommentState,
    ModerationDecision,
    OutgoingEmail,
    Post,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from discussion.organisations import register as organisations
from discussion.posts.importing import import_files, post_files
from discussion.webhooks import events
from tests.helpers import base_config, start_stack

PROCESSED = re.compile(r"comment (\d+) processed")
FOUND_DONE = re.compile(r"samtal\.process_comment\[[^\]]+\] succeeded in [^:]+: False")
BATCH = 20
HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def stack(postgres_url, tmp_path_factory):
    stack = start_stack(
        tmp_path_factory.mktemp("batches"),
        settings={"SAMTAL_WORKER_BATCH": str(BATCH), "SAMTAL_MODERATION_POLICY": "post"},
    )
    try:
        stack.add_sample_posts()
        yield stack
    finally:
        stack.close()


@pytest.fixture
def web(stack):
    """The posting side in this process, on the stack's database and broker."""
    stack.reset_broker()
    processing._alone.clear()
    app = stack.app()
    yield app
    stack.stop_processes()
    processing._alone.clear()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def store_received(app, count: int, *, start: int, commit_every: int = 10, tag: str = "") -> list:
    """`count` received comments on the bench's post, each from its own addresses; every
    fourth a root whose writer wants e-mail about replies, the others replies to it. Each
    commit queues their tasks in Redis, as POSTs do. Their ids."""
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == SLUG))
        question = post.questions[0]
        ids: list[int] = []
        root = None
        for number in range(start, start + count):
            comment = posting.post_comment(
                question,
                name=f"Läsare {number}",
                email=f"lasare{number}@example.se",
                body=f"{TEXTS[number % len(TEXTS)]} {tag}({number})",
                parent_id=root if number % 4 else None,
                ip=address(number),
                notify_replies=number % 4 == 0,
                signals={"honeypot": False, "timestamp": "valid", "seconds_to_post": 60.0},
            )
            db.session.flush()
            if number % 4 == 0:
                root = comment.id
            ids.append(comment.id)
            if len(ids) % commit_every == 0:
                db.session.commit()
        db.session.commit()
        return ids


def processed_counts(app, ids: list[int]) -> dict[int, int]:
    with app.app_context():
        rows = db.session.execute(
            select(ModerationDecision.comment_id, func.count())
            .where(ModerationDecision.comment_id.in_(ids), ModerationDecision.action == "processed")
            .group_by(ModerationDecision.comment_id)
        )
        return {comment_id: 0 for comment_id in ids} | dict(rows.all())


def states(app, ids: list[int]) -> dict[int, CommentState]:
    with app.app_context():
        rows = db.session.execute(select(Comment.id, Comment.state).where(Comment.id.in_(ids)))
        return dict(rows.all())


def test_two_workers_share_batches_and_do_nothing_twice(stack, web):
    with web.app_context():
        db.session.add(
            WebhookEndpoint(url="http://127.0.0.1:9/hook", secret="s", events=[events.PUBLISHED])
        )
        db.session.commit()
    one = stack.start_worker("one", SAMTAL_WEBHOOKS_MAX_ATTEMPTS="1")
    two = stack.start_worker("two", SAMTAL_WEBHOOKS_MAX_ATTEMPTS="1")
    ids = store_received(web, 400, start=0)

    wait_until(
        lambda: CommentState.RECEIVED not in states(web, ids).values(),
        120,
        "the comments to be processed",
        interval=0.25,
    )
    assert set(states(web, ids).values()) == {CommentState.APPROVED}
    assert processed_counts(web, ids) == {comment_id: 1 for comment_id in ids}

    def processed_by(process) -> list[int]:
        return [int(number) for number in PROCESSED.findall(process.log())]

    wait_until(
        lambda: set(processed_by(one)) | set(processed_by(two)) >= set(ids), 10, "the log lines"
    )
    by_one, by_two = processed_by(one), processed_by(two)
    assert by_one and by_two, "both workers should have taken batches"
    assert len(by_one) == len(set(by_one)) and len(by_two) == len(set(by_two))
    assert set(by_one).isdisjoint(by_two)
    # Batches did happen: tasks found their comment processed in another task's batch.
    assert len(FOUND_DONE.findall(one.log() + two.log())) >= len(ids) // 2

    with web.app_context():
        announced = db.session.scalar(
            select(func.count()).where(CommentAnnouncement.comment_id.in_(ids))
        )
        deliveries = db.session.execute(
            select(WebhookDelivery.event_id, func.count())
            .where(WebhookDelivery.event == events.PUBLISHED)
            .group_by(WebhookDelivery.event_id)
        ).all()
        confirmations = db.session.execute(
            select(OutgoingEmail.event, func.count())
            .where(OutgoingEmail.event.like("confirm-replies:%"))
            .group_by(OutgoingEmail.event)
        ).all()
    assert announced == len(ids)
    assert len(deliveries) == len(ids) and {count for _, count in deliveries} == {1}
    # Each root's writer asked for e-mail about replies: one confirmation at most, however many
    # replies (none for a reply that another worker processed before its parent was published).
    assert 0 < len(confirmations) <= len(ids) // 4
    assert {count for _, count in confirmations} == {1}


def test_a_comment_that_fails_in_a_batch_does_not_hold_up_the_others(stack, web, monkeypatch):
    ids = store_received(web, 12, start=1000, commit_every=12, tag="batch-one ")
    broken = ids[5]
    route = routing.route

    def failing_route(comment, known=None):
        if comment.id == broken:
            raise RuntimeError("this comment cannot be routed")
        return route(comment, known)

    monkeypatch.setattr(routing, "route", failing_route)
    with web.app_context():
        assert processing.batch_size() == BATCH
        assert processing.process_comment(ids[0]) is True  # its batch, without the broken one

    others = [comment_id for comment_id in ids if comment_id != broken]
    assert states(web, others) == {comment_id: CommentState.APPROVED for comment_id in others}
    assert processed_counts(web, ids) == {i: int(i != broken) for i in ids}
    assert states(web, [broken]) == {broken: CommentState.RECEIVED}

    with web.app_context(), pytest.raises(RuntimeError, match="cannot be routed"):
        processing.process_comment(broken)  # its own task: alone, and the failure shows
    assert states(web, [broken]) == {broken: CommentState.RECEIVED}  # kept for a retry

    monkeypatch.setattr(routing, "route", route)
    with web.app_context():
        assert processing.process_comment(broken) is True
        assert processing.process_comment(broken) is False  # done: the task returns at once
    assert processed_counts(web, ids) == {i: 1 for i in ids}


def test_a_batch_whose_database_write_fails_leaves_each_to_its_own_task(stack, web, monkeypatch):
    ids = store_received(web, 6, start=2000, commit_every=6, tag="batch-two ")
    announce = processing.notifications.announce

    def announce_twice(comment):
        if comment.id == ids[3]:
            db.session.add(CommentAnnouncement(comment_id=comment.id))  # breaks the flush
        return announce(comment)

    monkeypatch.setattr(processing.notifications, "announce", announce_twice)
    with web.app_context():
        assert processing.process_comment(ids[0]) is True  # the batch failed; its own comment
    assert processed_counts(web, ids) == {i: int(i == ids[0]) for i in ids}
    assert processing._alone >= set(ids)  # each one alone from now on

    with web.app_context():
        for comment_id in ids[1:3]:
            assert processing.process_comment(comment_id) is True
    assert processed_counts(web, ids) == {i: int(i in ids[:3]) for i in ids}
    assert states(web, ids[3:]) == {i: CommentState.RECEIVED for i in ids[3:]}  # the batch's

    monkeypatch.setattr(processing.notifications, "announce", announce)
    with web.app_context():
        for comment_id in ids[3:]:
            assert processing.process_comment(comment_id) is True
    assert processed_counts(web, ids) == {i: 1 for i in ids}


def test_a_batch_routes_each_comment_as_one_at_a_time_would(stack, web):
    """Bans and organisations are looked up once for the batch, and still apply to each."""
    ids = store_received(web, 8, start=3000, commit_every=8, tag="batch-three ")
    with web.app_context():
        comments = {i: db.session.get(Comment, i) for i in ids}
        expired = Ban(ip_hash=comments[ids[1]].ip_hash, expires_at=utcnow() - timedelta(days=1))
        by_ip = Ban(ip_hash=comments[ids[2]].ip_hash)
        by_email = Ban(email_hash=comments[ids[3]].email_hash, expires_at=utcnow() + HOUR)
        db.session.add_all([expired, by_ip, by_email])
        kommunal = organisations.add_organisation("Kommunal", ["kommunal.se"])
        comments[ids[4]].email = "emma.nilsson@avd.kommunal.se"  # a subdomain's address
        db.session.commit()
        bans = {ids[2]: f"ban:{by_ip.id}", ids[3]: f"ban:{by_email.id}"}
        organisation_id = kommunal.id
        assert processing.process_comment(ids[0]) is True
    rows = {comment_id: (state, reason) for comment_id, state, reason in _decisions(web, ids)}
    assert rows[ids[2]] == (CommentState.REJECTED, bans[ids[2]])
    assert rows[ids[3]] == (CommentState.REJECTED, bans[ids[3]])
    assert rows[ids[4]] == (CommentState.HELD, f"verify:{organisation_id}")
    for comment_id in (ids[0], ids[1], *ids[5:]):
        assert rows[comment_id] == (CommentState.APPROVED, "policy:post")


def _decisions(app, ids):
    with app.app_context():
        return db.session.execute(
            select(ModerationDecision.comment_id, Comment.state, ModerationDecision.reason)
            .join(Comment, Comment.id == ModerationDecision.comment_id)
            .where(ModerationDecision.comment_id.in_(ids), ModerationDecision.action == "processed")
        ).all()


def test_the_embedded_default_processes_one_comment_at_a_time(app, sample_posts, tmp_path):
    """SQLite with tasks in-process, and SQLite with a broker: never a batch."""
    with app.app_context():
        assert app.config["SAMTAL_WORKER_BATCH"] == 50
        assert processing.batch_size() == 1
    folder = tmp_path / "queued"
    folder.mkdir()
    queued = create_app(base_config(folder) | {"SAMTAL_BROKER_URL": "memory://"})
    with queued.app_context():
        db.create_all()
        assert not import_files(post_files(SAMPLE_POSTS)).failed
        assert processing.batch_size() == 1
    ids = store_received(queued, 3, start=0)  # queued in memory, not run
    with queued.app_context():
        assert processing.process_comment(ids[0]) is True
    assert processed_counts(queued, ids) == {ids[0]: 1, ids[1]: 0, ids[2]: 0}
    assert states(queued, ids[1:]) == {i: CommentState.RECEIVED for i in ids[1:]}
    with queued.app_context():
        db.session.remove()
        db.engine.dispose()
