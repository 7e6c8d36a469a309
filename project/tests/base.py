"""The base test case: the app on the testing config, built once per run, and empty tables for every test
(the schema itself is built once per run, by the migrations: see conftest.py)."""

import socket
from functools import cache
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from flask_testing import TestCase
from sqlalchemy import delete, func, select, update

from project import create_app
from project.auth import sessions
from project.auth.models import AuthSession, AuthToken, MailRequest, RecentWriter, RefreshToken, SignInAttempt
from project.auth.stores import RedisStore, store
from project.config import TestingConfig
from project.database import drop_schema
from project.extensions import db
from project.mail.models import OutboxMail
from project.tests.contract import CSRF_FIELD
from project.users import passwords, writes
from project.users.models import AccountEvent, User, UserCount
from project.users.reads import count_users

ROOT = Path(__file__).resolve().parents[2]  # the repository


@cache
def testing_app() -> Flask:
    """The app every test case shares: building one per test would cost more than most tests."""
    return create_app(TestingConfig)


def free_port() -> int:
    """A TCP port nothing listens on now, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def counted(active: bool | None = None) -> int:
    """The running total of users (with this `active` value), as the users list reads it."""
    with db.engine.connect() as connection:
        return count_users(connection, active)


def invalid(errors: dict) -> dict:
    """The 400 envelope naming the fields that failed."""
    return {"status": "fail", "message": "Invalid payload.", "errors": errors}


def build_schema() -> None:
    """The schema as the migrations build it, from nothing (whatever an earlier run left behind)."""
    drop_schema()
    upgrade()


def clear_tables() -> None:
    """Delete every user, session, token, event, sign-in attempt, recent writer, request for a mail and mail, and
    zero the running totals (which a test may have set by hand); in Redis too, where the tests keep tokens there
    (REDIS_TEST_URL: a database of the tests' own)."""
    for model in (
        User,
        AuthSession,
        RefreshToken,
        AuthToken,
        AccountEvent,
        SignInAttempt,
        RecentWriter,
        MailRequest,
        OutboxMail,
    ):
        db.session.execute(delete(model))
    db.session.execute(update(UserCount).values(users=0))
    db.session.commit()
    if isinstance(store(), RedisStore):
        store().redis.flushdb()


class BaseTestCase(TestCase):
    """Runs each test on empty tables of the database DATABASE_TEST_URL names."""

    def create_app(self) -> Flask:
        return testing_app()

    def tearDown(self) -> None:
        db.session.remove()
        clear_tables()
        db.session.remove()

    def add_user(
        self, username: str = "michael", email: str = "michael@realpython.com", password: str | None = None
    ) -> User:
        """Store a user directly, as the service itself does, with its password's hash (the password's strength is
        judged by tests of its own); the User of the test's session, which the test may change and commit."""
        user_id = writes.add_user(username, email)["id"]
        if password is not None:
            with db.engine.begin() as connection:
                statement = update(User).where(User.id == user_id)
                connection.execute(statement.values(password_hash=passwords.hash_password(password)))
        return db.session.get(User, user_id)

    def add_admin(self, username: str = "admin", email: str = "admin@example.com") -> User:
        """Store an admin, who may change anyone."""
        return db.session.get(User, writes.add_user(username, email, admin=True)["id"])

    def act_as(self, user: User) -> User:
        """Send a token of this user's with every request of the test's client from now on."""
        self.client.environ_base["HTTP_AUTHORIZATION"] = bearer(user)
        return user

    def sign_in_page(self, user: User) -> User:
        """Sign the test's client in on the web pages as this user (a token in its session cookie)."""
        with self.client.session_transaction() as session:
            signed = sessions.start(user.id, user.token_version)
            session["token"], session["refresh_token"] = signed.token, signed.refresh_token
        return user

    def user_count(self) -> int:
        """How many users the database holds, asked through a fresh session."""
        db.session.expire_all()
        return db.session.scalar(select(func.count()).select_from(User))

    def assertJson(self, response, status: int, body: dict) -> None:
        """The response has exactly this status code and this JSON body."""
        self.assertEqual((response.status_code, response.content_type), (status, "application/json"))
        self.assertEqual(response.get_json(), body)

    def csrf_token(self) -> str:
        """The CSRF token the index page's form carries."""
        return CSRF_FIELD.search(self.client.get("/").get_data(as_text=True)).group(1)


def bearer(user: User) -> str:
    """An Authorization header's value: a fresh token of the user's, as signing in would issue."""
    return f"Bearer {sessions.start(user.id, user.token_version).token}"


def user_json(user: User) -> dict:
    """A stored user as the API must show it."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "active": user.active,
        "created_at": user.created_at.isoformat(),
    }
