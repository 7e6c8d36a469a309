"""manage.py's commands, run through Flask's CLI test runner."""

import os
import tempfile
import textwrap
from pathlib import Path
from unittest import mock

from sqlalchemy import func, inspect, select, text, update

from project import config, create_app
from project.extensions import db
from project.tests.base import BaseTestCase, bearer
from project.tests.contract import GOOD_PASSWORD
from project.tests.test_config import environment
from project.tests.test_passwords import ANOTHER_WORD
from project.users.models import User, UserCount


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
        self.assertEqual(tables, {"users", "user_counts", "auth_tokens", "sign_in_attempts", "alembic_version"})
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
        for n in range(6):
            self.client.post("/users", json={"username": "u", "email": f"{n}@example.com"})
        first = db.session.scalar(select(func.min(User.id)))
        self.act_as(self.add_admin())
        self.assertEqual(self.client.patch(f"/users/{first}", json={"active": False}).status_code, 200)
        db.session.execute(update(UserCount).values(users=9))  # as a restore of user_counts alone might leave it
        db.session.commit()
        self.assertEqual(self.total(), 288)
        result = self.invoke("recount_users")
        self.assertEqual((result.exit_code, result.output), (0, "Users counted: 6 active, 1 inactive.\n"))
        self.assertEqual((self.total(), self.total(active="true"), self.total(active="false")), (7, 6, 1))
        self.client.post("/users", json={"username": "new", "email": "new@example.com"})  # counted on from there
        self.assertEqual(self.total(), 8)

    def test_after_a_truncate(self):
        """TRUNCATE fires no trigger on MySQL: the totals stay as they were until recount_users."""
        if db.engine.dialect.name == "sqlite":
            self.skipTest("SQLite has no TRUNCATE (its DELETE fires the triggers)")
        self.add_user()
        with db.engine.begin() as connection:
            connection.execute(text("TRUNCATE TABLE users"))
        self.assertEqual(self.total(), 1)
        self.assertEqual(self.invoke("recount_users").exit_code, 0)
        self.assertEqual(self.total(), 0)

    def test_an_empty_table_counts_zero(self):
        result = self.invoke("recount_users")
        self.assertEqual((result.exit_code, result.output), (0, "Users counted: 0 active, 0 inactive.\n"))
        self.assertEqual(self.total(), 0)


class TestTestCommand(CliTestCase):
    def run_tests(self, body: str) -> int:
        path = self.tmp_path / "test_sample.py"
        path.write_text(textwrap.dedent(body))
        # The child pytest loads no plugins: hypothesis' and schemathesis' imports would be most of its run.
        with mock.patch.dict(os.environ, {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}):
            return self.invoke("test", str(path), "-q", "-p", "no:cacheprovider").exit_code

    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.tmp_path = Path(directory.name)

    def test_passes_its_arguments_to_pytest_and_exits_with_its_code(self):
        body = "def test_passes():\n    assert True\n\ndef test_fails():\n    assert False\n"
        self.assertEqual(self.run_tests(body), 1)


class TestWaitDb(CliTestCase):
    def test_returns_once_the_database_answers(self):
        result = self.invoke("wait_db", "--timeout", "5")
        self.assertEqual((result.exit_code, result.output), (0, "The database is up.\n"))

    def test_gives_up_after_the_timeout(self):
        with environment(DATABASE_TEST_URL="mysql+pymysql://users:x@127.0.0.1:9/users_test"):
            app = create_app(config.TestingConfig)
        clock = FakeClock()
        with app.app_context(), mock.patch("project.commands.time", clock):
            result = app.test_cli_runner().invoke(args=["wait_db", "--timeout", "1.5"])
        self.assertEqual(result.exit_code, 1)
        self.assertEqual(clock.slept, [1, 1])  # tried at 0, 1 and 2 s: the third failure is past the deadline
        self.assertRegex(result.output, r"\A(Waiting for the database: \(2003, .*\n){2}Error: ")
        self.assertIn("Error: the database did not answer within 1.5 s: (2003, ", result.output)


class FakeClock:
    """The time module as wait_db sees it: sleeping moves the clock on at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class TestCreateAdmin(CliTestCase):
    def admin(self, email: str) -> User:
        return db.session.scalars(select(User).where(User.email == email)).one()

    def signs_in(self, email: str, password: str) -> bool:
        return self.client.post("/auth/login", json={"email": email, "password": password}).status_code == 200

    def test_creates_an_admin_with_the_password_from_admin_password(self):
        with mock.patch.dict(os.environ, {"ADMIN_PASSWORD": GOOD_PASSWORD}):
            result = self.invoke("create_admin", "--username", "root", "--email", " Root@Example.com")
        self.assertEqual(
            (result.exit_code, result.output), (0, "root@example.com is a new admin; its password is set.\n")
        )
        admin = self.admin("root@example.com")
        self.assertEqual((admin.username, admin.admin, admin.active), ("root", True, True))
        self.assertTrue(self.signs_in("root@example.com", GOOD_PASSWORD))

    def test_promotes_the_user_with_that_email_and_sets_its_password(self):
        user = self.add_user("michael", "michael@realpython.com", "an older passphrase")
        token = {"Authorization": bearer(user)}
        with mock.patch.dict(os.environ, {"ADMIN_PASSWORD": GOOD_PASSWORD}):
            result = self.invoke("create_admin", "--username", "ignored", "--email", "michael@realpython.com")
        self.assertEqual(result.output, "michael@realpython.com is an admin now; its password is set.\n")
        admin = self.admin("michael@realpython.com")
        self.assertEqual((admin.id, admin.username, admin.admin), (user.id, "michael", True))
        self.assertTrue(self.signs_in("michael@realpython.com", GOOD_PASSWORD))
        self.assertEqual(self.client.get("/auth/me", headers=token).status_code, 401)  # the old password's tokens

    def test_asks_for_the_password_twice_without_admin_password(self):
        with environment():  # no ADMIN_PASSWORD
            mismatch = self.app.test_cli_runner().invoke(
                args=["create_admin", "--username", "root", "--email", "root@example.com"],
                input=f"{GOOD_PASSWORD}\nsomething else entirely\n{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
            )
        self.assertEqual(mismatch.exit_code, 0)
        self.assertIn("Error: The two entered values do not match.", mismatch.output)
        self.assertNotIn(GOOD_PASSWORD, mismatch.output)
        db.session.expire_all()
        self.assertTrue(self.signs_in("root@example.com", GOOD_PASSWORD))

    def test_refuses_bad_input_in_one_line(self):
        weak = "This password is too easy to guess. This is a top-10 common password. " + ANOTHER_WORD
        cases = [
            (("root", "root@example.com"), "password", f"Error: password: {weak}\n"),
            (("root", "root@example.com"), "short", "Error: password: Length must be between 8 and 256.\n"),
            (
                ("", "not an email"),
                GOOD_PASSWORD,
                "Error: username: Length must be between 1 and 128.; email: Not a valid email address.\n",
            ),
        ]
        for (username, email), password, output in cases:
            with self.subTest(password=password), mock.patch.dict(os.environ, {"ADMIN_PASSWORD": password}):
                result = self.invoke("create_admin", "--username", username, "--email", email)
                self.assertEqual((result.exit_code, result.output), (1, output))
        self.assertEqual(self.user_count(), 0)
