"""Health checks for load balancers: /healthz (the process answers), /readyz (it can work)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up and serving requests."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """The database answers, and so does the broker when one is configured."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(value in ("ok", "in-process") for value in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def _database_ok() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as error:
        db.session.rollback()
        current_app.logger.warning("readyz: database unreachable: %s", error)
        return "unreachable"


def _broker_ok() -> str:
    celery = current_app.extensions["celery"]
    if celery.conf.task_always_eager:
        return "in-process"
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:
        current_app.logger.warning("readyz: broker unreachable: %s", error)
        return "unreachable"
