"""manage.py's command group and commands, run through Flask's CLI test runner."""

import http.client
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
from pathlib import Path
from unittest import mock

from alembic.script import ScriptDirectory
from click.testing import CliRunner
from flask_migrate import downgrade
from sqlalchemy import func, inspect, make_url, select, text, update

from project import config, create_app
from project.cli import ManageGroup
from project.extensions import db
from project.tests.base import ROOT, BaseTestCase, bearer, free_port
from project.tests.contract import GOOD_PASSWORD, PONG
from project.tests.test_config import environment
from project.tests.test_passwords import ANOTHER_WORD
from project.users.models import User, UserCount

# What the migrations build.
SCHEMA_TABLES = {
    "users",
    "user_counts",
    "auth_tokens",
    "auth_sessions",
    "refresh_tokens",
    "account_events",
    "sign_in_attempts",
    "recent_writers",
    "mail_outbox",
    "mail_requests",
    "alembic_version",
}
MANAGE = ManageGroup(create_app)  # manage.py's group; Flask's test runner hands it the app under test instead


def temporary_directory(test: unittest.TestCase) -> Path:
    """A directory removed when the test ends."""
    directory = tempfile.TemporaryDirectory()
    test.addCleanup(directory.cleanup)
    return Path(directory.name)


class TestOptions(unittest.TestCase):
    """The group's own options, run as manage.py runs them: the app built from the environment."""

    def test_env_file_settings_are_read_before_the_app_is_built(self):
        directory = temporary_directory(self)
        database = directory / "from-the-file.db"
        (directory / "settings.env").write_text(f"DATABASE_URL=sqlite:///{database}\n")
        with environment():
            result = CliRunner().invoke(MANAGE, ["-e", str(directory / "settings.env"), "recreate_db", "--yes"])
        self.assertEqual(
            (result.exit_code, result.output), (0, f"Recreated the database schema of sqlite:///{database}.\n")
        )
        with sqlite3.connect(database) as connection:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        self.assertEqual(tables, {*SCHEMA_TABLES, "sqlite_sequence"})

    def test_the_environment_wins_over_the_env_file(self):
        directory = temporary_directory(self)
        (directory / "settings.env").write_text("APP_SETTINGS=project.config.DevelopmentConfig\n")
        with environment(APP_SETTINGS="project.config.ProductionConfig"):
            result = CliRunner().invoke(MANAGE, ["-e", str(directory / "settings.env"), "seed_db"])
        message = "Error: ProductionConfig needs SECRET_KEY and DATABASE_URL set in the environment\n"
        self.assertEqual((result.exit_code, result.output), (1, message))

    def test_a_wrong_setting_stops_every_command_with_one_line(self):
        message = "Error: APP_SETTINGS=nope is not a config class: use one of "
        for args in (["seed_db"], ["run"], ["--help"], []):
            with self.subTest(args=args), environment(APP_SETTINGS="nope"):
                result = CliRunner().invoke(MANAGE, args)
            self.assertEqual(result.exit_code, 1)
            self.assertEqual(len(result.output.splitlines()), 1, result.output)
            self.assertTrue(result.output.startswith(message), result.output)

    def test_no_app_option(self):
        """manage.py serves this app alone: an --app would be ignored, so it is not offered."""
        with environment():
            result = CliRunner().invoke(MANAGE, ["--app", "other:app", "routes"])
        self.assertEqual(result.exit_code, 2)
        self.assertTrue(result.output.endswith("\nError: No such option '--app'.\n"), result.output)


class CliTestCase(BaseTestCase):
    def invoke(self, *args: str, input: str | None = None):
        """Run a command as a new process would: with no transaction of the test's left open."""
        db.session.remove()
        result = self.app.test_cli_runner().invoke(MANAGE, list(args), input=input)
        db.session.expire_all()
        return result


class TestRecreateDb(CliTestCase):
    def test_drops_the_data_and_builds_the_schema_from_the_migrations(self):
        self.add_user()
        result = self.invoke("recreate_db", "--yes")
        self.assertEqual((result.exit_code, result.output), (0, f"Recreated the database schema of {self.url()}.\n"))
        self.assertEqual(self.user_count(), 0)
        tables = set(inspect(db.engine).get_table_names())
        self.assertEqual(tables, SCHEMA_TABLES)
        self.assertEqual(self.invoke("recreate_db", "--yes").exit_code, 0)

    def test_asks_first_naming_the_database(self):
        self.add_user()
        question = f"Drop every table of {self.url()}, and every user with them? [y/N]: "
        for answer in ("n\n", "\n"):  # no, and the default
            with self.subTest(answer=answer):
                result = self.invoke("recreate_db", input=answer)
                self.assertEqual((result.exit_code, result.output), (1, f"{question}{answer.strip()}\nAborted!\n"))
                self.assertEqual(self.user_count(), 1)
        unanswered = self.invoke("recreate_db", input="")  # a script that passed no --yes
        self.assertEqual(unanswered.exit_code, 1)
        self.assertEqual(sorted(unanswered.output.splitlines()), ["Aborted!", question])
        self.assertEqual(self.user_count(), 1)
        result = self.invoke("recreate_db", input="y\n")
        self.assertEqual(result.output, f"{question}y\nRecreated the database schema of {self.url()}.\n")
        self.assertEqual(self.user_count(), 0)

    def url(self) -> str:
        """The test database's URL as the command names it: the password hidden."""
        return db.engine.url.render_as_string(hide_password=True)


class TestMigrateSaysWhatItDid(CliTestCase):
    """`migrate` says whether it created the schema, brought it up to date, or found nothing to do."""

    def test_a_new_database_then_an_up_to_date_one(self):
        directory = temporary_directory(self)
        url = f"sqlite:///{directory}/new.db"
        with environment(DATABASE_TEST_URL=url):
            app = create_app(config.TestingConfig)
        total = len(list(ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).walk_revisions()))
        first = app.test_cli_runner().invoke(MANAGE, ["migrate"])
        self.assertEqual(first.output, f"Created the database schema of {url}: {total} migrations applied.\n")
        again = app.test_cli_runner().invoke(MANAGE, ["migrate"])
        self.assertEqual(again.output, f"The database schema of {url} is already up to date.\n")
        with app.app_context():
            downgrade(revision="-1")
            db.engine.dispose()
        behind = app.test_cli_runner().invoke(MANAGE, ["migrate"])
        self.assertEqual(behind.output, f"Brought the database schema of {url} up to date: 1 migration applied.\n")


class TestDatabaseTrouble(CliTestCase):
    """A database a command cannot use is one line: which it is, what went wrong, and what to do."""

    def run_on(self, url: str, *args: str):
        """Run a command on the app configured with this test database URL."""
        with environment(DATABASE_TEST_URL=url):
            app = create_app(config.TestingConfig)
        return app.test_cli_runner().invoke(MANAGE, list(args))

    def assertTrouble(self, result, url: str, problem: str, advice: str) -> None:
        """The command failed with exactly this line (the URL's password hidden)."""
        shown = make_url(url).render_as_string(hide_password=True)
        self.assertEqual((result.exit_code, result.output), (1, f"Error: {shown}: {problem}. To fix it, {advice}.\n"))

    def test_a_server_that_does_not_answer(self):
        url = "mysql+pymysql://users:x@127.0.0.1:9/users_test?charset=utf8mb4"  # nothing listens on port 9
        for command in (["seed_db"], ["recreate_db", "--yes"], ["db", "upgrade"]):
            with self.subTest(command=command):
                self.assertTrouble(
                    self.run_on(url, *command),
                    url,
                    "Can't connect to MySQL server ([Errno 111] Connection refused) (2003)",
                    "start the database server, or fix the host and port in DATABASE_TEST_URL",
                )

    def test_a_sqlite_file_without_tables_or_folder(self):
        directory = temporary_directory(self)
        empty = f"sqlite:///{directory}/empty.db"
        self.assertTrouble(
            self.run_on(empty, "seed_db"), empty, "no such table: users", "build the tables: manage.py migrate"
        )
        nowhere = f"sqlite:///{directory}/missing/users.db"
        self.assertTrouble(
            self.run_on(nowhere, "seed_db"),
            nowhere,
            "unable to open database file",
            "create the SQLite file's folder, or fix the path in DATABASE_TEST_URL",
        )

    def may_use_any_database(self) -> bool:
        """Whether the test database's user has rights on every database (root has; the service's user not)."""
        grants = db.session.execute(text("SHOW GRANTS")).scalars()
        return any(" ON *.* " in grant and not grant.startswith("GRANT USAGE ") for grant in grants)

    def test_an_unknown_database_or_wrong_password_on_mysql(self):
        if db.engine.dialect.name == "sqlite":
            self.skipTest("needs the MySQL server DATABASE_TEST_URL names")
        unknown = db.engine.url.set(database="users_no_such_database").render_as_string(hide_password=False)
        if self.may_use_any_database():
            problem = "Unknown database 'users_no_such_database' (1049)"
            advice = "create it (CREATE DATABASE name CHARACTER SET utf8mb4), or fix its name in DATABASE_TEST_URL"
        else:  # a user with rights on some databases alone (the service's own, in its containers) is told less
            problem = "Access denied to database 'users_no_such_database' (1044)"
            advice = "grant the user rights on that database, or name another in DATABASE_TEST_URL"
        self.assertTrouble(self.run_on(unknown, "seed_db"), unknown, problem, advice)
        wrong = db.engine.url.set(password="not-the-password").render_as_string(hide_password=False)
        self.assertTrouble(
            self.run_on(wrong, "seed_db"),
            wrong,
            "Access denied (using password: YES) (1045)",
            "check the user and password in DATABASE_TEST_URL",
        )


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
        db.session.rollback()  # the test's session lets go of the table, as TRUNCATE needs of every client
        with db.engine.begin() as connection:
            connection.execute(text("TRUNCATE TABLE users"))
        self.assertEqual(self.total(), 1)
        self.assertEqual(self.invoke("recount_users").exit_code, 0)
        self.assertEqual(self.total(), 0)

    def test_an_empty_table_counts_zero(self):
        result = self.invoke("recount_users")
        self.assertEqual((result.exit_code, result.output), (0, "Users counted: 0 active, 0 inactive.\n"))
        self.assertEqual(self.total(), 0)


class TestRun(unittest.TestCase):
    def test_the_development_server_answers_its_own_errors_in_the_envelope(self):
        """Errors found before the app sees the request, as a request line over 64 KiB, are the envelope too."""
        port = free_port()
        log = (temporary_directory(self) / "run.log").open("w")
        self.addCleanup(log.close)
        server = subprocess.Popen(
            [sys.executable, "manage.py", "run", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "APP_SETTINGS": "project.config.TestingConfig"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.addCleanup(server.wait)
        self.addCleanup(server.terminate)
        self.assertEqual(self.get(port, "/ping", wait=20), (200, "application/json", PONG))
        too_long = {"status": "fail", "message": "Request URI Too Long"}
        self.assertEqual(self.get(port, "/users?q=" + "x" * 70_000), (414, "application/json", too_long))

    def get(self, port: int, path: str, wait: float = 0) -> tuple[int, str, dict]:
        """GET the path from the server; its status, content type and JSON body. Retries while it starts."""
        deadline = time.monotonic() + wait
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                return response.status, response.getheader("Content-Type"), json.loads(response.read())
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
            finally:
                connection.close()


class TestTestCommand(CliTestCase):
    def run_tests(self, body: str) -> int:
        path = self.tmp_path / "test_sample.py"
        path.write_text(textwrap.dedent(body))
        # The child pytest loads no plugins: hypothesis' and schemathesis' imports would be most of its run.
        with mock.patch.dict(os.environ, {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}):
            return self.invoke("test", str(path), "-q", "-p", "no:cacheprovider").exit_code

    def setUp(self):
        super().setUp()
        self.tmp_path = temporary_directory(self)

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
            result = app.test_cli_runner().invoke(MANAGE, ["wait_db", "--timeout", "1.5"])
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

    def test_reads_the_password_from_admin_password_file(self):
        secret = Path(temporary_directory(self)) / "admin_password"
        secret.write_text(GOOD_PASSWORD + "\n")
        with environment(ADMIN_PASSWORD_FILE=str(secret)):
            result = self.invoke("create_admin", "--username", "root", "--email", "root@example.com")
        self.assertEqual(
            (result.exit_code, result.output), (0, "root@example.com is a new admin; its password is set.\n")
        )
        self.assertTrue(self.signs_in("root@example.com", GOOD_PASSWORD))

    def test_without_a_password_or_a_terminal_it_says_how_to_give_one(self):
        with environment():
            result = self.app.test_cli_runner().invoke(
                args=["create_admin", "--username", "root", "--email", "root@example.com"], input=""
            )
        expected = (
            "Password: \n\nError: no password: set ADMIN_PASSWORD or ADMIN_PASSWORD_FILE (docker compose run -e"
            " ADMIN_PASSWORD ...), or run it in a terminal to be asked\n"
        )
        self.assertEqual((result.exit_code, result.output), (1, expected))
        self.assertEqual(self.user_count(), 0)

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
