"""Stopping the stack lets requests in flight finish and refuses new connections. It stops the stack: run it last."""

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from project.e2e.live import refuses_connections, wait_until, writers_waiting

pytestmark = pytest.mark.shutdown

STACK = Path(__file__).resolve().parents[2] / "scripts" / "stack"
IN_FLIGHT = 4


def test_stack_down_finishes_requests_in_flight(base_url, admin_connection, email):
    with admin_connection.cursor() as cursor:
        cursor.execute("LOCK TABLES users WRITE")
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        posts = [
            pool.submit(
                requests.post, f"{base_url}/users", json={"username": "late", "email": f"{n}.{email}"}, timeout=60
            )
            for n in range(IN_FLIGHT)
        ]
        wait_until(lambda: writers_waiting(admin_connection) == IN_FLIGHT, what="the writes reaching MySQL")
        stopping = subprocess.Popen([STACK, "down"], env=os.environ)
        wait_until(lambda: refuses_connections(urlsplit(base_url).port), what="nginx refusing new connections")
        assert stopping.poll() is None, "the stack stopped before its requests finished"
        with admin_connection.cursor() as cursor:
            cursor.execute("UNLOCK TABLES")
        answers = [post.result() for post in posts]
    assert [answer.status_code for answer in answers] == [201] * IN_FLIGHT
    assert stopping.wait(timeout=60) == 0
    assert subprocess.run([STACK, "status"], capture_output=True).returncode == 1
