"""The migrations build the same schema as the models, so `db upgrade` is all a deploy needs."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from bench.stack import create_database, drop_database, sqlalchemy_url
from discussion import create_app
from discussion.extensions import db
from tests.helpers import base_config


def test_upgrade_on_an_empty_sqlite_database_matches_the_models(tmp_path):
    app = create_app(base_config(tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        db.engine.dispose()
    assert diff == []


@pytest.mark.postgres
def test_upgrade_on_an_empty_postgresql_database_matches_the_models(tmp_path, postgres_url):
    """The production database: same check, on PostgreSQL's own types and constraints."""
    name = create_database("samtal_migrations")
    try:
        app = create_app(base_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(name)})
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
            db.engine.dispose()
    finally:
        drop_database(name)
    assert diff == []
