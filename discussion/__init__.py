"""Samtal: reader discussions on a blog, one thread per closing question of each post."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_babel import get_locale

from . import config, errors, jobs
from .extensions import babel, csrf, db, migrate

LOCALES = ("sv", "en")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then environment variables, then the test mapping."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "SAMTAL_INSTANCE_PATH"
    )
    app = Flask(
        __name__,
        template_folder="../templates",
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )
    app.config.from_mapping(config.defaults())
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _apply_embedded_defaults(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    errors.init_app(app)  # first: its input guard must see the raw body before CSRF parses it
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    jobs.init_app(app)

    from . import cli, health
    from .reader import bp as reader_bp

    app.register_blueprint(health.bp)
    app.register_blueprint(reader_bp)
    cli.init_app(app)
    return app


def _apply_embedded_defaults(app: Flask) -> None:
    """Fill in what the embedded default needs: a SQLite file and a persistent secret key."""
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = Path(app.instance_path) / "samtal.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app))


def _engine_options(app: Flask) -> dict[str, Any]:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {"pool_size": app.config["SAMTAL_DB_POOL_SIZE"], "pool_pre_ping": True}


def _instance_secret(path: Path) -> str:
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _select_locale() -> str:
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or "sv"
