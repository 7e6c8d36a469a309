"""One way to write: every write is a transaction, committed whole or not at all, on SQLite as on MySQL. Each test
makes a write's second statement fail, and finds its first undone."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, insert, select, update

from project.auth.models import AuthToken
from project.auth.stores import SqlStore
from project.auth.stores.protocol import Lifetimes, NewSession
from project.extensions import db
from project.tests.base import BaseTestCase, bearer, counted
from project.users import writes
from project.users.models import UserCount

INTERNAL_ERROR = {"status": "fail", "message": "Internal Server Error"}


class InjectedFailureError(Exception):
    """The statement a test made fail."""


@contextmanager
def failing_after(first: str) -> Iterator[None]:
    """Make the statement that follows the first one beginning with `first` fail, whichever connection runs it."""
    seen: list[str] = []

    def check(connection, cursor, statement: str, *args) -> None:
        if seen:
            raise InjectedFailureError(statement)
        if statement.startswith(first):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", check)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", check)


class TestWritesAreAtomic(BaseTestCase):
    def test_a_change_whose_answer_cannot_be_read_is_undone(self):
        """PATCH updates the user, then reads it back for its answer: one transaction."""
        user = self.add_user("before", "before@example.com")
        authorization = {"Authorization": bearer(user)}
        with failing_after("UPDATE users"):
            response = self.client.patch(f"/users/{user.id}", json={"username": "after"}, headers=authorization)
        self.assertJson(response, 500, INTERNAL_ERROR)
        self.assertEqual(self.client.get(f"/users/{user.id}").get_json()["data"]["username"], "before")

    def test_a_recount_that_fails_midway_leaves_the_totals_as_they_were(self):
        """recount_users zeroes every total, counts the users, then sets the totals: one transaction."""
        self.add_user()
        with db.engine.begin() as connection:
            connection.execute(update(UserCount).values(users=9))
        before = counted()
        with failing_after("UPDATE user_counts"), self.assertRaises(InjectedFailureError):
            writes.recount()
        self.assertEqual(counted(), before)

    def test_a_session_that_cannot_be_stored_takes_no_expired_token_with_it(self):
        """Starting a session first removes the expired tokens and sessions, then inserts it: one transaction."""
        now = time.time()
        expired = {"digest": "expired", "user_id": 1, "version": 0, "session_id": "gone", "expires_at": now}
        with db.engine.begin() as connection:
            connection.execute(insert(AuthToken), expired)
        session = NewSession("new", 1, 0, "curl/8.11.1", "127.0.0.1")
        with failing_after("INSERT INTO auth_sessions"), self.assertRaises(InjectedFailureError):
            SqlStore().add_session(session, "refresh", "new", Lifetimes(60, 600, 5), now + 1)
        with db.engine.connect() as connection:
            self.assertEqual(connection.execute(select(AuthToken.digest)).scalars().all(), ["expired"])
