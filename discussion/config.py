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


def as_count(value: str) -> int:
    """A whole number of at least 1, e.g. a batch size or a page's length."""
    number = int(value.strip())
    if number < 1:
        raise ValueError(f"not a whole number of at least 1: {value!r}")
    return number


def as_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def as_policy(value: str) -> str:
    """A moderation policy name, checked at start-up rather than at the first comment."""
    lowered = value.strip().lower().replace("-", "_")
    if lowered not in {"post", "pre", "first_time"}:
        raise ValueError(f"not a moderation policy (post, pre, first_time): {value!r}")
    return lowered


def as_smtp_security(value: str) -> str:
    lowered = value.strip().lower()
    if lowered not in {"starttls", "tls", "none"}:
        raise ValueError(f"not an SMTP security mode (starttls, tls, none): {value!r}")
    return lowered


LOCALES = ("sv", "en")  # the UI's languages: Swedish first, English too


def as_locale(value: str) -> str:
    lowered = value.strip().lower().replace("-", "_").split("_")[0]
    if lowered not in LOCALES:
        raise ValueError(f"not a language Samtal speaks ({', '.join(LOCALES)}): {value!r}")
    return lowered


def as_timezone(value: str) -> str:
    """An IANA time zone name such as Europe/Stockholm, checked at start-up."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"not a time zone (e.g. Europe/Stockholm): {value!r}") from None
    return name


def as_log_format(value: str) -> str:
    lowered = value.strip().lower()
    if lowered not in {"text", "json"}:
        raise ValueError(f"not a log format (text, json): {value!r}")
    return lowered


@dataclass(frozen=True)
class Setting:
    key: str
    env: str
    default: Any
    coerce: Callable[[str], Any]
    doc: str


# Each setting by area: the same groups, in the same order, as the README's settings table.
AREAS: tuple[tuple[str, tuple[Setting, ...]], ...] = (
    (
        "Site and instance",
        (
            Setting(
                "SAMTAL_SITE_NAME",
                "SAMTAL_SITE_NAME",
                "Samtal",
                str,
                "Name shown in page titles and e-mails.",
            ),
            Setting(
                "SAMTAL_BASE_URL",
                "SAMTAL_BASE_URL",
                "http://127.0.0.1:5000",
                str,
                "Public address of the site, for the absolute links in e-mails.",
            ),
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
                "Signs sessions, CSRF tokens and links. Unset: a random key kept in the instance "
                "folder.",
            ),
        ),
    ),
    (
        "Database",
        (
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
                "SAMTAL_DB_MAX_OVERFLOW",
                "SAMTAL_DB_MAX_OVERFLOW",
                10,
                int,
                "Extra connections a process may open beyond the pool at busy moments (PostgreSQL "
                "only).",
            ),
            Setting(
                "SAMTAL_SQLITE_BUSY_TIMEOUT_SECONDS",
                "SAMTAL_SQLITE_BUSY_TIMEOUT_SECONDS",
                15,
                float,
                "How long a SQLite writer waits for another one before giving up (embedded "
                "default).",
            ),
        ),
    ),
    (
        "Workers and the broker",
        (
            Setting(
                "SAMTAL_BROKER_URL",
                "SAMTAL_BROKER_URL",
                "",
                str,
                "Celery broker, e.g. redis://redis:6379/0. Unset: tasks run in-process right "
                "after commit.",
            ),
            Setting(
                "SAMTAL_BROKER_VISIBILITY_TIMEOUT",
                "SAMTAL_BROKER_VISIBILITY_TIMEOUT",
                3600,
                int,
                "Seconds after which Redis hands a task whose worker died unacknowledged to "
                "another "
                "worker. Keep it above the longest task's run time.",
            ),
            Setting(
                "SAMTAL_WORKER_CONCURRENCY",
                "SAMTAL_WORKER_CONCURRENCY",
                0,
                int,
                "Tasks one Celery worker runs at once (0: one per CPU core).",
            ),
            Setting(
                "SAMTAL_WORKER_BATCH",
                "SAMTAL_WORKER_BATCH",
                50,
                as_count,
                "Received comments a worker processes in one transaction on PostgreSQL "
                "(1: one at a time). The embedded default always takes one at a time.",
            ),
            Setting(
                "SAMTAL_SWEEP_AFTER_SECONDS",
                "SAMTAL_SWEEP_AFTER_SECONDS",
                60,
                int,
                "A comment still unprocessed after this long is sent to the workers again by the "
                "sweep.",
            ),
            Setting(
                "SAMTAL_SWEEP_INTERVAL_SECONDS",
                "SAMTAL_SWEEP_INTERVAL_SECONDS",
                30,
                int,
                "How often Celery beat runs the sweep.",
            ),
        ),
    ),
    (
        "Web processes",
        (
            Setting(
                "SAMTAL_WEB_BIND",
                "SAMTAL_WEB_BIND",
                "127.0.0.1:8000",
                str,
                "Address gunicorn listens on (gunicorn.conf.py), e.g. 0.0.0.0:8000 in a container.",
            ),
            Setting(
                "SAMTAL_WEB_WORKERS",
                "SAMTAL_WEB_WORKERS",
                2,
                int,
                "gunicorn worker processes per web instance (gunicorn.conf.py).",
            ),
            Setting(
                "SAMTAL_PROXY_COUNT",
                "SAMTAL_PROXY_COUNT",
                0,
                int,
                "Reverse proxies in front of the web process whose X-Forwarded-For/-Proto/-Host "
                "headers are trusted (0: none; the client's address is the peer's).",
            ),
            Setting(
                "MAX_CONTENT_LENGTH",
                "SAMTAL_MAX_REQUEST_BYTES",
                64 * 1024,
                int,
                "Largest request body accepted; larger ones get 413.",
            ),
            Setting(
                "SESSION_COOKIE_SECURE",
                "SAMTAL_COOKIE_SECURE",
                True,
                as_bool,
                "Send the login cookie over HTTPS only. Set 0 only for development over plain "
                "http.",
            ),
            Setting(
                "SAMTAL_STAFF_IDLE_HOURS",
                "SAMTAL_STAFF_IDLE_HOURS",
                12.0,
                float,
                "A staff login unused for this long ends; the next page asks to log in again.",
            ),
            Setting(
                "SAMTAL_DEFAULT_LOCALE",
                "SAMTAL_DEFAULT_LOCALE",
                "sv",
                as_locale,
                "Language of the UI when the reader's browser asks for none we have (sv or en).",
            ),
            Setting(
                "SAMTAL_TIMEZONE",
                "SAMTAL_TIMEZONE",
                "Europe/Stockholm",
                as_timezone,
                "Time zone of every time shown to people (pages, the widget, e-mails); feeds "
                "and the API give UTC.",
            ),
        ),
    ),
    (
        "Logs",
        (
            Setting(
                "SAMTAL_LOG_FORMAT",
                "SAMTAL_LOG_FORMAT",
                "text",
                as_log_format,
                "Log lines as text or json (one object per line); lines about a comment carry its "
                "id.",
            ),
            Setting(
                "SAMTAL_LOG_LEVEL",
                "SAMTAL_LOG_LEVEL",
                "INFO",
                str,
                "Least severe log level written: DEBUG, INFO, WARNING or ERROR.",
            ),
        ),
    ),
    (
        "Moderation",
        (
            Setting(
                "SAMTAL_MODERATION_POLICY",
                "SAMTAL_MODERATION_POLICY",
                "first_time",
                as_policy,
                "Site-wide moderation policy, overridable per post: post (live unless flagged), "
                "pre (every comment waits) or first_time (waits until one of the writer's is "
                "approved).",
            ),
            Setting(
                "SAMTAL_REPORT_THRESHOLD",
                "SAMTAL_REPORT_THRESHOLD",
                3,
                int,
                "Reader reports after which a visible comment is hidden and returns to the queue.",
            ),
            Setting(
                "SAMTAL_DIGEST_MINUTES",
                "SAMTAL_DIGEST_MINUTES",
                60,
                int,
                "At most one e-mail per moderator this often listing the comments waiting in the "
                "queue.",
            ),
            Setting(
                "SAMTAL_EDIT_MINUTES",
                "SAMTAL_EDIT_MINUTES",
                15,
                int,
                "How long a reader may edit or delete their own comment, from the browser that "
                "wrote it.",
            ),
            Setting(
                "SAMTAL_THREAD_PAGE",
                "SAMTAL_THREAD_PAGE",
                50,
                as_count,
                "Top-level comments of a thread on the post's page (each with its replies); "
                '"Visa fler" links to the next ones.',
            ),
            Setting(
                "SAMTAL_AVATARS",
                "SAMTAL_AVATARS",
                True,
                as_bool,
                "Show an avatar made here from each commenter's e-mail hash (no request to "
                "anyone else); 0 turns them off.",
            ),
        ),
    ),
    (
        "Rate limits",
        (
            Setting(
                "SAMTAL_COMMENT_RATE_LIMIT",
                "SAMTAL_COMMENT_RATE_LIMIT",
                "5 per minute;30 per hour",
                str,
                "Posting limit per IP address (Flask-Limiter syntax); over it the answer is 429.",
            ),
            Setting(
                "SAMTAL_REPORT_RATE_LIMIT",
                "SAMTAL_REPORT_RATE_LIMIT",
                "10 per hour",
                str,
                "Reader reports of comments allowed per IP address (Flask-Limiter notation).",
            ),
            Setting(
                "SAMTAL_LOGIN_RATE_LIMIT",
                "SAMTAL_LOGIN_RATE_LIMIT",
                "10 per minute;50 per day",
                str,
                "Login attempts allowed per IP address (Flask-Limiter notation).",
            ),
            Setting(
                "SAMTAL_LIKE_RATE_LIMIT",
                "SAMTAL_LIKE_RATE_LIMIT",
                "30 per minute;300 per day",
                str,
                "Likes (and taking them back) allowed per IP address.",
            ),
            Setting(
                "SAMTAL_PREVIEW_RATE_LIMIT",
                "SAMTAL_PREVIEW_RATE_LIMIT",
                "30 per minute",
                str,
                "Comment previews allowed per IP address.",
            ),
            Setting(
                "RATELIMIT_STORAGE_URI",
                "SAMTAL_RATELIMIT_STORAGE_URL",
                None,
                str,
                "Where rate-limit counters live. Unset: the broker's Redis, else in memory.",
            ),
        ),
    ),
    (
        "Spam",
        (
            Setting(
                "SAMTAL_SPAM_QUEUE_THRESHOLD",
                "SAMTAL_SPAM_QUEUE_THRESHOLD",
                0.5,
                float,
                "Spam score (0-1) from which a comment waits for a moderator (Väntar).",
            ),
            Setting(
                "SAMTAL_SPAM_THRESHOLD",
                "SAMTAL_SPAM_THRESHOLD",
                0.85,
                float,
                "Spam score (0-1) from which a comment goes to Skräp.",
            ),
            Setting(
                "SAMTAL_SPAM_MODEL_PATH",
                "SAMTAL_SPAM_MODEL_PATH",
                None,
                str,
                "The spam model file, on storage every worker reads. Unset: spam-model.joblib in "
                "the "
                "instance folder (trained from the shipped data on first use).",
            ),
            Setting(
                "SAMTAL_SPAM_RETRAIN_HOURS",
                "SAMTAL_SPAM_RETRAIN_HOURS",
                24.0,
                float,
                "How often Celery beat retrains the spam model from moderators' decisions.",
            ),
            Setting(
                "SAMTAL_SPAM_MIN_SECONDS",
                "SAMTAL_SPAM_MIN_SECONDS",
                3.0,
                float,
                "A form posted sooner than this after it was shown raises the spam score.",
            ),
            Setting(
                "SAMTAL_SPAM_FORM_MAX_AGE_SECONDS",
                "SAMTAL_SPAM_FORM_MAX_AGE_SECONDS",
                7 * 24 * 3600,
                int,
                "A form's signed timestamp older than this counts as expired (no score added).",
            ),
            Setting(
                "SAMTAL_SPAM_WINDOW_HOURS",
                "SAMTAL_SPAM_WINDOW_HOURS",
                24,
                int,
                "How far back the spam check looks for the same text in other threads or names.",
            ),
            Setting(
                "SAMTAL_SPAM_MAX_PER_HOUR",
                "SAMTAL_SPAM_MAX_PER_HOUR",
                10,
                int,
                "More comments than this in an hour from one IP or e-mail hash raise the spam "
                "score.",
            ),
        ),
    ),
    (
        "E-mail",
        (
            Setting(
                "SAMTAL_SMTP_HOST",
                "SAMTAL_SMTP_HOST",
                "",
                str,
                "SMTP server for e-mail. Unset: e-mails are written as .eml files to "
                "instance/outbox "
                "and listed at /moderera/utkorg.",
            ),
            Setting("SAMTAL_SMTP_PORT", "SAMTAL_SMTP_PORT", 587, int, "SMTP port."),
            Setting(
                "SAMTAL_SMTP_SECURITY",
                "SAMTAL_SMTP_SECURITY",
                "starttls",
                as_smtp_security,
                "starttls (upgrade a plain connection), tls (TLS from the start, usually port 465) "
                "or none (only for a server on the same host).",
            ),
            Setting(
                "SAMTAL_SMTP_CA_FILE",
                "SAMTAL_SMTP_CA_FILE",
                "",
                str,
                "PEM file of the certificate authorities that vouch for the SMTP server (a private "
                "relay's own CA); unset: the system's.",
            ),
            Setting(
                "SAMTAL_SMTP_USER", "SAMTAL_SMTP_USER", "", str, "SMTP login; unset: no login."
            ),
            Setting("SAMTAL_SMTP_PASSWORD", "SAMTAL_SMTP_PASSWORD", "", str, "SMTP password."),
            Setting(
                "SAMTAL_SMTP_TIMEOUT_SECONDS",
                "SAMTAL_SMTP_TIMEOUT_SECONDS",
                10,
                int,
                "How long to wait for the SMTP server before counting the attempt as failed.",
            ),
            Setting(
                "SAMTAL_MAIL_SENDER",
                "SAMTAL_MAIL_SENDER",
                "samtal@localhost",
                str,
                "From address of every e-mail; the site name is its display name.",
            ),
            Setting(
                "SAMTAL_EMAIL_RETRY_FIRST_SECONDS",
                "SAMTAL_EMAIL_RETRY_FIRST_SECONDS",
                30,
                float,
                "First wait after a transient SMTP failure; each further wait doubles (at most 30 "
                "min).",
            ),
            Setting(
                "SAMTAL_EMAIL_RETRY_FOR_SECONDS",
                "SAMTAL_EMAIL_RETRY_FOR_SECONDS",
                3600,
                float,
                "How long transient SMTP failures are retried before the e-mail is marked failed.",
            ),
        ),
    ),
    (
        "Organisations",
        (
            Setting(
                "SAMTAL_VERIFIED_DAYS",
                "SAMTAL_VERIFIED_DAYS",
                180,
                int,
                "How long a verified organisation address (and the browser that verified it) is "
                "remembered, so later comments need no new link.",
            ),
            Setting(
                "SAMTAL_AUTHOR_FALLBACK_EMAIL",
                "SAMTAL_AUTHOR_FALLBACK_EMAIL",
                "",
                str,
                "Gets the author notification for a post whose author has no active account. "
                "Unset: the active admins get it.",
            ),
        ),
    ),
    (
        "The API and the embed widget",
        (
            Setting(
                "SAMTAL_ALLOWED_ORIGINS",
                "SAMTAL_ALLOWED_ORIGINS",
                [],
                as_list,
                "Origins of the blogs that embed the comments (comma list, e.g. "
                "https://blogg.example,https://www.blogg.example): the only ones the API answers "
                "cross-origin (CORS) and accepts comments from. Unset: no cross-origin use.",
            ),
            Setting(
                "SAMTAL_WRITE_TOKEN_SECONDS",
                "SAMTAL_WRITE_TOKEN_SECONDS",
                7200,
                int,
                "How long a post's signed write token from the API is valid.",
            ),
        ),
    ),
    (
        "Privacy",
        (
            Setting(
                "SAMTAL_IP_RETENTION_DAYS",
                "SAMTAL_IP_RETENTION_DAYS",
                90,
                int,
                "IP address hashes (of comments, reports and likes) older than this are cleared "
                "by Celery beat every day.",
            ),
            Setting(
                "SAMTAL_DATA_REQUEST_RATE_LIMIT",
                "SAMTAL_DATA_REQUEST_RATE_LIMIT",
                "5 per hour;20 per day",
                str,
                "Requests for a data link (/mina-uppgifter) allowed per IP address.",
            ),
        ),
    ),
    (
        "Webhooks",
        (
            Setting(
                "SAMTAL_WEBHOOKS_ALLOW_PRIVATE",
                "SAMTAL_WEBHOOKS_ALLOW_PRIVATE",
                False,
                as_bool,
                "Allow webhook endpoints on private, loopback, link-local or reserved addresses "
                "(checked when saved and again at each delivery). Off: only public addresses.",
            ),
            Setting(
                "SAMTAL_WEBHOOKS_TIMEOUT_SECONDS",
                "SAMTAL_WEBHOOKS_TIMEOUT_SECONDS",
                10.0,
                float,
                "How long to wait for an endpoint to connect and to answer before the attempt "
                "counts as failed (and is retried).",
            ),
            Setting(
                "SAMTAL_WEBHOOKS_RETRY_FIRST_SECONDS",
                "SAMTAL_WEBHOOKS_RETRY_FIRST_SECONDS",
                30.0,
                float,
                "First wait after a timeout, a connection error, a 5xx or a 429; each further "
                "wait doubles (at most 30 min).",
            ),
            Setting(
                "SAMTAL_WEBHOOKS_RETRY_FOR_SECONDS",
                "SAMTAL_WEBHOOKS_RETRY_FOR_SECONDS",
                6 * 3600.0,
                float,
                "How long failed deliveries are retried before they are marked failed.",
            ),
            Setting(
                "SAMTAL_WEBHOOKS_MAX_ATTEMPTS",
                "SAMTAL_WEBHOOKS_MAX_ATTEMPTS",
                10,
                int,
                "Attempts per delivery at most, whatever time is left.",
            ),
        ),
    ),
)
SETTINGS: tuple[Setting, ...] = tuple(setting for _, group in AREAS for setting in group)

# Fixed rules of the domain rather than deployment choices.
NAME_MAX_LENGTH = 80
COMMENT_MAX_LENGTH = 5_000
VERIFY_LINK_HOURS = 48  # an organisation address's verification link, single use
DATA_LINK_HOURS = 48  # a reader's link to download or erase their data, single use


def default_of(key: str) -> Any:
    """One setting's default, for code that needs it outside an app (pure scoring, benches)."""
    return next(setting.default for setting in SETTINGS if setting.key == key)


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
