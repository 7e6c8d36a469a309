"""The migrations build exactly the schema the models describe, on SQLite and on MySQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from project.database import drop_schema
from project.extensions import db
from project.tests.base import BaseTestCase, build_schema


class TestMigrations(BaseTestCase):
    def setUp(self) -> None:
        """Start from an empty database: the migrations build it."""
        drop_schema()

    def tearDown(self) -> None:
        """Leave the schema as the rest of the suite expects it."""
        db.session.remove()
        build_schema()

    def test_upgrade_builds_the_schema_of_the_models(self):
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            self.assertEqual(compare_metadata(context, db.metadata), [])

    def test_downgrade_to_base_removes_the_tables(self):
        upgrade()
        downgrade(revision="base")
        self.assertEqual(inspect(db.engine).get_table_names(), ["alembic_version"])
