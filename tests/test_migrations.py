"""The migrations build the same schema as the models, so `db upgrade` is all a deploy needs."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

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
