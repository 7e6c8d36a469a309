"""The migrations build exactly the schema the models describe, on SQLite and on MySQL."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Connection, Engine, inspect, text

from project import config, create_app
from project.database import drop_schema, migration_lock, upgrade_schema
from project.extensions import db
from project.tests.base import BaseTestCase, build_schema

INSTANCES = 3


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
        """Three instances (apps of their own) migrate the empty database at once, as instances starting together
        would: one applies the migrations, the others wait their turn on the migration lock and find nothing to
        do. Each has one thread, so a pool of one connection: the one that holds the lock migrates too (it used to
        wait for a second one until the pool gave up)."""
        with mock.patch.dict(os.environ, {"GUNICORN_THREADS": "1"}):
            instances = [create_app(config.TestingConfig) for _ in range(INSTANCES)]
        barrier = threading.Barrier(INSTANCES)

        def migrate(app: Flask) -> str | None:
            """The revision the instance found once it held the lock; then it migrates."""
            with app.app_context():
                barrier.wait()
                with migration_lock(timeout=60) as connection:
                    found = revision(connection) if connection is not None else revision_on(db.engine)
                    upgrade_schema(connection)
            return found

        with ThreadPoolExecutor(INSTANCES) as pool:
            found = list(pool.map(migrate, instances))
        head = ScriptDirectory.from_config(self.app.extensions["migrate"].migrate.get_config()).get_current_head()
        self.assertEqual(sorted(found, key=str), [None, *[head] * (INSTANCES - 1)])
        with db.engine.connect() as connection:
            self.assertEqual(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all(), [head]
            )
            self.assertEqual(compare_metadata(MigrationContext.configure(connection), db.metadata), [])


def revision(connection: Connection) -> str | None:
    """The database's revision, as the migrations' version table holds it."""
    return MigrationContext.configure(connection).get_current_revision()


def revision_on(engine: Engine) -> str | None:
    """The database's revision, read on a connection of the engine's."""
    with engine.connect() as connection:
        return revision(connection)


class TestNormalisedEmails(BaseTestCase):
    """The migration to NFKC-normalised, case-folded emails rewrites the addresses it changes, unless another user
    has the result already."""

    BEFORE = "a3c5e7f9b1d2"

    def setUp(self) -> None:
        drop_schema()
        upgrade(revision=self.BEFORE)

    def tearDown(self) -> None:
        db.session.remove()
        build_schema()

    def test_emails_are_normalised_where_no_other_user_has_the_result(self):
        kept_as_lower_cased = {
            1: "michael@example.com",
            2: "stra\u00dfe@example.de",  # ß folds to ss
            3: "\uff55ser@example.com",  # a fullwidth u
            4: "user@example.com",  # what 3 normalises to: 3 keeps its own
            5: "zo\u00eb@b\u00fccher.de",
        }
        with db.engine.begin() as connection:
            for user_id, email in kept_as_lower_cased.items():
                connection.execute(
                    text(
                        "INSERT INTO users (id, username, email, active, created_at, admin, token_version)"
                        " VALUES (:id, 'u', :email, 1, '2026-12-01 00:00:00', 0, 0)"
                    ),
                    {"id": user_id, "email": email},
                )
        with self.assertLogs("alembic.runtime.migration", "WARNING") as logged:
            upgrade()
        with db.engine.connect() as connection:
            emails = dict(connection.execute(text("SELECT id, email FROM users")).all())
        expected = {**kept_as_lower_cased, 2: "strasse@example.de"}
        self.assertEqual(emails, expected)
        self.assertEqual(
            logged.output,
            [
                "WARNING:alembic.runtime.migration:user 3 keeps its email '\uff55ser@example.com': another user has"
                " 'user@example.com'"
            ],
        )
