"""Helpers for tests against a running service: waiting for something to happen, holding its writes in
flight, and watching it from outside (its waiting writes, its listening port)."""

import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests


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
