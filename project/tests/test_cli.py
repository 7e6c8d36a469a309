"""manage.py's commands, run through Flask's CLI test runner."""

import tempfile
import textwrap
from pathlib import Path

from sqlalchemy import delete, insert, inspect

from project import config, create_app
from project.api.models import User, utcnow
from project.extensions import db
from project.tests.base import BaseTestCase
from project.tests.test_config import environment


class CliTestCase(BaseTestCase):
    def invoke(self, *args: str):
        """Run a command as a new process would: with no transaction of the test's left open."""
        db.session.remove()
        result = self.app.test_cli_runner().invoke(args=list(args))
        db.session.expire_all()
        return result


class TestRecreateDb(CliTestCase):
    def test_drops_the_data_and_builds_the_schema_from_the_migrations(self):
        self.add_user()
        result = self.invoke("recreate_db")
        self.assertEqual((result.exit_code, result.output), (0, "Recreated the database schema.\n"))
        self.assertEqual(self.user_count(), 0)
        tables = set(inspect(db.engine).get_table_names())
        self.assertEqual(tables, {"users", "user_counts", "alembic_version"})
        self.assertEqual(self.invoke("recreate_db").exit_code, 0)


class TestSeedDb(CliTestCase):
    def test_adds_the_seed_users_once(self):
        first = self.invoke("seed_db")
        self.assertEqual((first.exit_code, first.output), (0, "Seed users: 2 added, 0 already there.\n"))
        second = self.invoke("seed_db")
        self.assertEqual((second.exit_code, second.output), (0, "Seed users: 0 added, 2 already there.\n"))
        users = db.session.scalars(db.select(User).order_by(User.id)).all()
        self.assertEqual(
            [(user.username, user.email) for user in users],
            [("michael", "michael@realpython.com"), ("michaelherman", "michael@mherman.org")],
        )

    def test_count_adds_generated_users_in_bulk(self):
        result = self.invoke("seed_db", "--count", "25")
        self.assertEqual(result.exit_code, 0)
        self.assertIn("Generated users: 25 added.", result.output)
        self.assertEqual(self.user_count(), 27)
        self.assertEqual(self.invoke("seed_db", "--count", "25").exit_code, 0)
        self.assertEqual(self.user_count(), 52)
        emails = db.session.scalars(db.select(User.email)).all()
        self.assertEqual(len(set(emails)), 52)

    def test_count_must_not_be_negative(self):
        result = self.invoke("seed_db", "--count", "-1")
        self.assertEqual(result.exit_code, 2)
        self.assertEqual(self.user_count(), 0)


class TestRecountUsers(CliTestCase):
    def total(self, **filters: str) -> int:
        """The users list's total, as a client reads it."""
        return self.client.get("/users", query_string=filters).get_json()["data"]["pagination"]["total"]

    def test_sets_the_totals_to_what_the_table_holds(self):
        self.add_user("kept", "kept@example.com")
        self.add_user("gone", "gone@example.com")
        now = utcnow()
        by_hand = [
            {"username": "sql", "email": f"{n}@example.com", "active": n % 2 == 0, "created_at": now} for n in range(5)
        ]
        db.session.execute(insert(User.__table__), by_hand)  # past the service: the running totals miss these
        db.session.execute(delete(User.__table__).where(User.email == "gone@example.com"))
        db.session.commit()
        self.assertEqual(self.total(), 2)
        result = self.invoke("recount_users")
        self.assertEqual((result.exit_code, result.output), (0, "Users counted: 4 active, 2 inactive.\n"))
        self.assertEqual((self.total(), self.total(active="true"), self.total(active="false")), (6, 4, 2))
        self.client.post("/users", json={"username": "new", "email": "new@example.com"})  # counted on from there
        self.assertEqual(self.total(), 7)

    def test_an_empty_table_counts_zero(self):
        result = self.invoke("recount_users")
        self.assertEqual((result.exit_code, result.output), (0, "Users counted: 0 active, 0 inactive.\n"))
        self.assertEqual(self.total(), 0)


class TestTestCommand(CliTestCase):
    def run_tests(self, body: str) -> int:
        path = self.tmp_path / "test_sample.py"
        path.write_text(textwrap.dedent(body))
        return self.invoke("test", str(path), "-q", "-p", "no:cacheprovider").exit_code

    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.tmp_path = Path(directory.name)

    def test_exit_code_is_zero_when_tests_pass(self):
        self.assertEqual(self.run_tests("def test_passes():\n    assert True\n"), 0)

    def test_exit_code_is_not_zero_when_a_test_fails(self):
        self.assertEqual(self.run_tests("def test_fails():\n    assert False\n"), 1)


class TestWaitDb(CliTestCase):
    def test_returns_once_the_database_answers(self):
        result = self.invoke("wait_db", "--timeout", "5")
        self.assertEqual((result.exit_code, result.output), (0, "The database is up.\n"))

    def test_gives_up_after_the_timeout(self):
        with environment(DATABASE_TEST_URL="mysql+pymysql://users:x@127.0.0.1:9/users_test"):
            app = create_app(config.TestingConfig)
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["wait_db", "--timeout", "1.5"])
        self.assertEqual(result.exit_code, 1)
        self.assertRegex(result.output, r"Waiting for the database: \(2003, .*\n")
        self.assertIn("Error: the database did not answer within 1.5 s: (2003, ", result.output)
