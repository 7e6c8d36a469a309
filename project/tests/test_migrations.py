"""The migrations build exactly the schema the models describe, on SQLite and on MySQL."""

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from project.database import drop_schema
from project.extensions import db
from project.tests.base import ROOT, BaseTestCase, build_schema


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

    def test_instances_started_together_migrate_once(self):
        """Five processes migrate the empty database at once, as replicas starting together would: one applies
        the migrations, the others wait their turn on the migration lock and find nothing to do."""
        self.migrate_together(threads=4)

    def test_a_pool_of_one_connection_migrates(self):
        """With one thread a worker, the pool holds one connection: the one that holds the migration lock
        migrates too (it used to wait for a second one until the pool gave up)."""
        self.migrate_together(threads=1)

    def migrate_together(self, threads: int) -> None:
        """Five `manage.py migrate` at once, with a pool of `threads` connections each: exactly one migrates."""
        environment = {**os.environ, "APP_SETTINGS": "project.config.TestingConfig", "GUNICORN_THREADS": str(threads)}
        command = [sys.executable, "manage.py", "migrate"]
        starting = [
            subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(5)
        ]
        answers = [(*process.communicate(timeout=300), process.returncode) for process in starting]
        done = f"The database schema of {db.engine.url.render_as_string(hide_password=True)} is up to date.\n"
        self.assertEqual(answers, [(done, "", 0)] * 5)
        head = ScriptDirectory.from_config(self.app.extensions["migrate"].migrate.get_config()).get_current_head()
        with db.engine.connect() as connection:
            self.assertEqual(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all(), [head]
            )
            self.assertEqual(compare_metadata(MigrationContext.configure(connection), db.metadata), [])
