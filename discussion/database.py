"""How Samtal talks to its database: a pooled PostgreSQL, or SQLite tuned for one machine.

PostgreSQL: a pool sized by a setting, each connection pinged before use so that a database
restart costs no failed request. SQLite (the embedded default): WAL, so readers never wait for
the writer, and a busy timeout, so a second writer waits instead of failing.

A connection can also end while a request holds it (a restart, `pg_terminate_backend`). Then a
read that has written nothing since the last commit runs again once on a fresh connection, the
end-of-request cleanup only logs and discards the dead connection, and a write that was cut
reaches the error pages as `DBAPIError` with `connection_invalidated` (Samtal's 503).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

_WROTE = "samtal_wrote"  # session.info: this transaction has flushed something


def connection_lost(error: BaseException) -> bool:
    """Whether `error` is the database connection ending under us (restart, terminated)."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


class Session(FlaskSession):
    """A session whose reads survive a connection the server ended while the request held it."""

    def _execute_internal(self, statement, *args, **kwargs):
        try:
            return super()._execute_internal(statement, *args, **kwargs)
        except DBAPIError as error:
            if not connection_lost(error) or not self._may_read_again():
                raise
            log.warning("database connection lost during a read; reading again on a new one")
            self.rollback()  # the dead connection's transaction; it held no writes
            return super()._execute_internal(statement, *args, **kwargs)

    def _may_read_again(self) -> bool:
        """Only when nothing would be lost: no write flushed or waiting in this transaction."""
        return not (self.info.get(_WROTE) or self.new or self.dirty or self.deleted)


@event.listens_for(Session, "after_flush")
def _note_write(session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writes(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


class Database(SQLAlchemy):
    """Flask-SQLAlchemy whose cleanup after a request is harmless on a dead connection.

    Its teardown (`session.remove()`) rolls back; on a connection the server has ended that
    ROLLBACK raises, after the answer was built and outside Flask's error handling, which
    gunicorn would turn into its bare 500. The connection is already invalidated by then.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("session_options", {}).setdefault("class_", Session)
        super().__init__(**kwargs)

    def _teardown_session(self, exc: BaseException | None) -> None:
        try:
            self.session.remove()
        except DBAPIError as error:
            if not connection_lost(error):
                raise
            log.warning("database connection lost after a request; discarded")
            with contextlib.suppress(DBAPIError):
                self.session.registry().invalidate()
            self.session.registry.clear()


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
