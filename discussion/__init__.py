"""Samtal: reader discussions on a blog, one thread per closing question of each post."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli, config, database, jobs, logs, text, times
from .comments import freshness
from .extensions import babel, csrf, db, limiter, migrate
from .reader import browser
from .web import errors, headers, language, limit_storage

TRANSLATIONS = Path(__file__).parent / "translations"
# The templates: beside the package in the checkout, inside it once installed from a wheel.
TEMPLATES = next(
    folder
    for folder in (Path(__file__).parent / "templates", Path(__file__).parent.parent / "templates")
    if folder.is_dir()
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then environment variables, then the test mapping."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "SAMTAL_INSTANCE_PATH"
    )
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )
    app.config.from_mapping(config.defaults())
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _apply_embedded_defaults(app)
    logs.init_app(app)
    _trust_proxies(app)

    errors.init_app(app)  # first: its input guard must see the raw body before CSRF parses it
    headers.init_app(app)
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    freshness.init_app(app)  # thread versions for the caches, kept on every flush
    csrf.init_app(app)
    limiter.init_app(app)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["SAMTAL_TIMEZONE"]
    babel.init_app(app, locale_selector=language.select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters.update(text.FILTERS)
    app.jinja_env.filters.update(times.FILTERS)
    app.jinja_env.globals.update(
        COMMENT_MAX_LENGTH=config.COMMENT_MAX_LENGTH, NAME_MAX_LENGTH=config.NAME_MAX_LENGTH
    )
    jobs.init_app(app)
    browser.init_app(app)
    _register_pages(app)
    cli.init_app(app)
    return app


def _register_pages(app: Flask) -> None:
    """Every blueprint; each package's views module defines its own."""
    from .api import embed
    from .api import views as api
    from .auth import views as auth
    from .email_links import views as email_links
    from .mail import views as mail
    from .moderation import views as moderation
    from .organisations import views as organisations
    from .privacy import views as privacy
    from .reader import feeds
    from .reader import views as reader
    from .spam import views as spam
    from .statistics import views as statistics
    from .transfer import views as transfer
    from .web import health
    from .webhooks import events as webhook_events
    from .webhooks import views as webhooks

    app.register_blueprint(health.bp)
    app.register_blueprint(language.bp)
    app.register_blueprint(reader.bp)
    app.register_blueprint(email_links.bp)
    auth.init_app(app)
    moderation.init_app(app)
    app.register_blueprint(organisations.bp)
    app.register_blueprint(mail.bp)
    api.init_app(app)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(spam.bp)
    app.register_blueprint(transfer.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(privacy.staff_bp)
    app.register_blueprint(statistics.bp)
    app.register_blueprint(webhooks.bp)
    webhook_events.init_app()


def _apply_embedded_defaults(app: Flask) -> None:
    """Fill in what the embedded default needs: a SQLite file and a persistent secret key."""
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = Path(app.instance_path) / "samtal.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", database.engine_options(app.config))
    # Rate-limit counters shared by all processes through the broker's Redis when there is one;
    # if it is unreachable the limits still hold, counted per process.
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", app.config["SAMTAL_BROKER_URL"] or f"{limit_storage.SCHEME}://"
    )
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "samtal")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)  # Retry-After on a 429


def _trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies, take the client's address and scheme from their headers."""
    count = app.config["SAMTAL_PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _instance_secret(path: Path) -> str:
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
