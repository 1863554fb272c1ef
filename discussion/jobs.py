"""Background work: the Celery app, and sending tasks only after the data they read is committed.

A service calls `enqueue("samtal.process_comment", comment.id)`; nothing is sent until the
session commits, and a rollback drops it. `discussion` names tasks as strings and never imports
`worker`, so the web process does not need the task code unless it runs tasks itself.
"""

from __future__ import annotations

import logging

from celery import Celery, Task
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_PENDING = "samtal.pending_tasks"
TASK_MODULES = ("worker.tasks",)


def init_app(app: Flask) -> Celery:
    """Build the Celery app from the Flask config, following Flask's Celery pattern."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
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
            "broker_transport_options": {"socket_connect_timeout": 1, "socket_timeout": 2},
            "task_routes": {"samtal.send_*": {"queue": "email"}},
            "task_default_queue": "comments",
            "beat_schedule": {
                "sweep-unprocessed-comments": {
                    "task": "samtal.sweep",
                    "schedule": float(app.config["SAMTAL_SWEEP_INTERVAL_SECONDS"]),
                },
            },
        }
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def enqueue(session: Session, task_name: str, *args) -> None:
    """Remember a task to send when `session` commits."""
    session.info.setdefault(_PENDING, []).append((task_name, args))


def send_now(task_name: str, *args) -> bool:
    """Send a task at once; False (and a log line) if the broker cannot take it."""
    celery: Celery = current_app.extensions["celery"]
    try:
        if celery.conf.task_always_eager:
            celery.loader.import_default_modules()
            celery.tasks[task_name].apply_async(args=args)
        else:
            celery.send_task(task_name, args=args)
    except Exception:
        log.exception("could not send %s%r; the sweep will send it again", task_name, args)
        return False
    return True


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for task_name, args in session.info.pop(_PENDING, []):
        send_now(task_name, *args)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)
