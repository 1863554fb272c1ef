"""Every setting of Samtal in one place: its config key, environment variable and default.

`create_app` applies the defaults, then the environment, then a test mapping. The README's
settings table is checked against SETTINGS by a test, so a new setting is documented or CI fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def as_bool(value: str) -> bool:
    """Read the usual spellings of yes and no, and refuse anything else."""
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


def as_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class Setting:
    key: str
    env: str
    default: Any
    coerce: Callable[[str], Any]
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "INSTANCE_PATH",
        "SAMTAL_INSTANCE_PATH",
        None,
        str,
        "Folder for the SQLite file, the secret key, the spam model and the e-mail outbox. "
        "Unset: ./instance beside app.py.",
    ),
    Setting(
        "SECRET_KEY",
        "SAMTAL_SECRET_KEY",
        None,
        str,
        "Signs sessions, CSRF tokens and links. Unset: a random key kept in the instance folder.",
    ),
    Setting(
        "SQLALCHEMY_DATABASE_URI",
        "SAMTAL_DATABASE_URL",
        None,
        str,
        "SQLAlchemy URL, e.g. postgresql+psycopg://samtal@db/samtal. "
        "Unset: SQLite file samtal.db in the instance folder.",
    ),
    Setting(
        "SAMTAL_DB_POOL_SIZE",
        "SAMTAL_DB_POOL_SIZE",
        5,
        int,
        "Connections kept open per process (PostgreSQL only).",
    ),
    Setting(
        "SAMTAL_BROKER_URL",
        "SAMTAL_BROKER_URL",
        "",
        str,
        "Celery broker, e.g. redis://redis:6379/0. Unset: tasks run in-process right after commit.",
    ),
    Setting(
        "SAMTAL_SWEEP_AFTER_SECONDS",
        "SAMTAL_SWEEP_AFTER_SECONDS",
        60,
        int,
        "A comment still unprocessed after this long is sent to the workers again by the sweep.",
    ),
    Setting(
        "SAMTAL_SWEEP_INTERVAL_SECONDS",
        "SAMTAL_SWEEP_INTERVAL_SECONDS",
        30,
        int,
        "How often Celery beat runs the sweep.",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        "SAMTAL_MAX_REQUEST_BYTES",
        64 * 1024,
        int,
        "Largest request body accepted; larger ones get 413.",
    ),
    Setting(
        "SAMTAL_SITE_NAME",
        "SAMTAL_SITE_NAME",
        "Samtal",
        str,
        "Name shown in page titles and e-mails.",
    ),
    Setting(
        "SAMTAL_DEFAULT_LOCALE",
        "SAMTAL_DEFAULT_LOCALE",
        "sv",
        str,
        "Language of the UI when the reader's browser asks for none we have (sv or en).",
    ),
)

# Fixed rules of the domain rather than deployment choices.
NAME_MAX_LENGTH = 80
COMMENT_MAX_LENGTH = 5_000


def defaults() -> dict[str, Any]:
    return {setting.key: setting.default for setting in SETTINGS if setting.default is not None}


def from_environment(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """Read each setting's variable, coerced, so that a typo fails at start-up, not mid-request."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            continue
        try:
            values[setting.key] = setting.coerce(raw)
        except ValueError as error:
            raise RuntimeError(f"{setting.env}: {error}") from None
    return values
