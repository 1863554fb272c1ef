"""Background work: the Celery app, and sending tasks only after the data they read is committed.

A service calls `enqueue(PROCESS_COMMENT, comment.id)`; nothing is sent until the session
commits, and a rollback drops it. `discussion` names tasks by the constants below, defined once
and shared with `worker/tasks.py` (a test checks each one is a registered task), and never
imports `worker`, so the web process does not need the task code unless it runs tasks itself.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from celery import Celery, Task, signals
from flask import Flask, current_app
from kombu import Exchange, Queue
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from . import logs
from .extensions import db
from .models import utcnow

log = logging.getLogger(__name__)

# Every task, by the name it is registered and sent under.
PROCESS_COMMENT = "samtal.process_comment"
COMMENT_PUBLISHED = "samtal.comment_published"
SEND_EMAIL = "samtal.send_email"
SWEEP = "samtal.sweep"
MODERATOR_DIGESTS = "samtal.send_moderator_digests"
RETRAIN_SPAM_MODEL = "samtal.retrain_spam_model"
CLEAR_IP_HASHES = "samtal.clear_ip_hashes"
DELIVER_WEBHOOK = "samtal.deliver_webhook"
TASKS = (
    PROCESS_COMMENT,
    COMMENT_PUBLISHED,
    SEND_EMAIL,
    SWEEP,
    MODERATOR_DIGESTS,
    RETRAIN_SPAM_MODEL,
    CLEAR_IP_HASHES,
    DELIVER_WEBHOOK,
)

_PENDING = "samtal.pending_tasks"
_RAN_HERE = "samtal.ran_in_process"  # in session.info: a task ran in this process at commit
TASK_MODULES = ("worker.tasks",)
QUEUES = ("comments", "email", "webhooks")
MAX_RETRY_WAIT = 1800.0  # a back-off doubles up to half an hour between attempts


def init_app(app: Flask) -> Celery:
    """Build the Celery app from the Flask config, following Flask's Celery pattern."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            fields = logs.fields_of_call(self.run, args, kwargs)
            with app.app_context(), logs.bound(task=self.name, task_id=self.request.id, **fields):
                return self.run(*args, **kwargs)

    broker = app.config["SAMTAL_BROKER_URL"]
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(
        {
            "broker_url": broker or "memory://",
            "task_always_eager": not broker,
            "task_eager_propagates": False,
            "task_ignore_result": True,
            "task_serializer": "json",
            "accept_content": ["json"],
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "worker_concurrency": app.config["SAMTAL_WORKER_CONCURRENCY"] or None,
            # Lost connection: stop what runs, as the broker hands the unacked tasks out again.
            "worker_cancel_long_running_tasks_on_connection_loss": True,
            "worker_hijack_root_logger": False,
            "task_time_limit": 120,
            "task_soft_time_limit": 60,
            "imports": TASK_MODULES,
            "broker_connection_retry_on_startup": True,
            # A POST must not hang while Redis is down: the sweep sends the work later.
            "task_publish_retry_policy": {
                "max_retries": 1,
                "interval_start": 0,
                "interval_step": 0.2,
                "interval_max": 0.2,
            },
            "broker_transport_options": {
                "socket_connect_timeout": 1,
                "socket_timeout": 2,
                "visibility_timeout": app.config["SAMTAL_BROKER_VISIBILITY_TIMEOUT"],
                # Look for the tasks of dead workers every 10 s, not every 100 s (the default).
                "unacked_restore_throttle": 1,
            },
            # E-mail and webhooks have queues of their own, so a slow SMTP server or a slow
            # endpoint never delays publishing.
            "task_queues": [Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
            "task_routes": {
                SEND_EMAIL: {"queue": "email"},
                DELIVER_WEBHOOK: {"queue": "webhooks"},
            },
            "task_default_queue": "comments",
            "beat_schedule_filename": str(Path(app.instance_path) / "celerybeat-schedule"),
            "beat_schedule": {
                "sweep-unprocessed-comments": {
                    "task": SWEEP,
                    "schedule": float(app.config["SAMTAL_SWEEP_INTERVAL_SECONDS"]),
                },
                # Checks every minute; each moderator still gets at most one per period.
                "moderator-digest": {"task": MODERATOR_DIGESTS, "schedule": 60.0},
                "retrain-spam-model": {
                    "task": RETRAIN_SPAM_MODEL,
                    "schedule": float(app.config["SAMTAL_SPAM_RETRAIN_HOURS"]) * 3600,
                },
                "clear-old-ip-hashes": {"task": CLEAR_IP_HASHES, "schedule": 24 * 3600.0},
            },
        }
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


@signals.setup_logging.connect
def _keep_our_logging(**kwargs) -> None:
    """Workers and beat log like the web process (logs.init_app), not in Celery's format."""


def enqueue(session: Session, task_name: str, *args) -> None:
    """Remember a task to send when `session` commits."""
    session.info.setdefault(_PENDING, []).append((task_name, args))


def backoff_schedule(first: float, total: float) -> list[float]:
    """The waits between attempts: doubling from `first`, capped, until they cover `total`."""
    first = max(first, 0.01)
    waits: list[float] = []
    while sum(waits) < total:
        waits.append(min(first * 2 ** len(waits), MAX_RETRY_WAIT))
    return waits


def sweep_cutoff() -> datetime:
    """Work due before this should have been done by now; the sweeps send it again."""
    return utcnow() - timedelta(seconds=current_app.config["SAMTAL_SWEEP_AFTER_SECONDS"])


def resend_stuck(task_name: str, id_column, *conditions) -> list[int]:
    """Queue the task again for the rows that match (oldest 1000 first) and commit; their ids."""
    ids = list(
        db.session.scalars(select(id_column).where(*conditions).order_by(id_column).limit(1000))
    )
    for row_id in ids:
        enqueue(db.session, task_name, row_id)
    db.session.commit()
    return ids


def send_now(task_name: str, *args) -> bool:
    """Send a task at once; False (and a log line) if the broker cannot take it."""
    celery: Celery = current_app.extensions["celery"]
    try:
        if celery.conf.task_always_eager:
            celery.loader.import_default_modules()
            celery.tasks[task_name].apply_async(args=args)
            db.session.info[_RAN_HERE] = True
        else:
            celery.send_task(task_name, args=args)
    except Exception:
        log.exception("could not send %s%r; the sweep will send it again", task_name, args)
        return False
    return True


def ran_in_process(session: Session) -> bool:
    """True (once) if the last commit ran its tasks here, in other sessions that may have
    changed what this one wrote: the embedded default processes comments so."""
    return session.info.pop(_RAN_HERE, False)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for task_name, args in session.info.pop(_PENDING, []):
        send_now(task_name, *args)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)
