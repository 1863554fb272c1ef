"""How Samtal talks to its database: a pooled PostgreSQL, or SQLite tuned for one machine.

PostgreSQL: a pool sized by a setting, each connection pinged before use so that a database
restart costs no failed request. SQLite (the embedded default): WAL, so readers never wait for
the writer, and a busy timeout, so a second writer waits instead of failing.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options for the configured database URL."""
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return {"connect_args": {"timeout": config["SAMTAL_SQLITE_BUSY_TIMEOUT_SECONDS"]}}
    return {
        "pool_size": config["SAMTAL_DB_POOL_SIZE"],
        "max_overflow": config["SAMTAL_DB_MAX_OVERFLOW"],
        "pool_pre_ping": True,
        "pool_recycle": 1800,
    }


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; fsync at checkpoints only
    cursor.close()
