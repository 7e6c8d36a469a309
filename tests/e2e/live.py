"""Helpers for tests against a running service: waiting for something to happen, holding its writes in
flight, watching it from outside (its waiting writes, its listening port), and reading the mail it sent."""

import mailbox
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from email import message_from_bytes, policy

import pytest
import requests

from project.tests.mailbox import text_of


def wait_until(condition: Callable[[], bool], timeout: float = 30, what: str = "the condition") -> None:
    """Poll until the condition holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


def writers_waiting(connection) -> int:
    """How many of the service's inserts wait on the users table's lock (seen through a MySQL connection)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
            " WHERE STATE LIKE 'Waiting for table%' AND INFO LIKE 'INSERT INTO users%'"
        )
        return cursor.fetchone()[0]


@contextmanager
def posts_in_flight(admin, url: str, bodies: list[dict]) -> Iterator[list[Future]]:
    """POST each body to `url` at once, and hold every one at MySQL (a lock on the users table, taken
    through the `admin` connection) until the block ends; they finish after it."""
    with admin.cursor() as cursor:
        cursor.execute("LOCK TABLES users WRITE")
    pool = ThreadPoolExecutor(len(bodies))
    try:
        posts = [pool.submit(requests.post, url, json=body, timeout=60) for body in bodies]
        wait_until(lambda: writers_waiting(admin) == len(bodies), what="the writes reaching MySQL")
        yield posts
    finally:
        with admin.cursor() as cursor:
            cursor.execute("UNLOCK TABLES")
        pool.shutdown()


def refuses_connections(port: int) -> bool:
    """Whether nothing listens on this local port any more."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def maildir_mails(path: str) -> list[tuple[str, str, str, str]]:
    """Every mail in a catcher's Maildir: recipient, subject, date (ISO 8601) and text."""
    maildir = mailbox.Maildir(path, create=False)
    parsed = [message_from_bytes(maildir.get_bytes(key), policy=policy.default) for key in maildir.iterkeys()]
    return [(mail["To"], mail["Subject"], mail["Date"].datetime.isoformat(), text_of(mail)) for mail in parsed]


def maildev_mails(url: str) -> list[tuple[str, str, str, str]]:
    """Every mail MailDev holds (its REST API's GET /email): recipient, subject, date (ISO 8601) and text."""
    listed = requests.get(f"{url}/email", timeout=10).json()
    return [(mail["to"][0]["address"], mail["subject"], mail["date"], mail["text"]) for mail in listed]
