"""Stopping the stack lets requests in flight finish and refuses new connections. It stops the stack: run it last."""

import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.live import posts_in_flight, refuses_connections, wait_until

pytestmark = pytest.mark.shutdown

STACK = Path(__file__).resolve().parents[2] / "scripts" / "stack"
IN_FLIGHT = 4


def test_stack_down_finishes_requests_in_flight(base_url, admin_connection, email):
    bodies = [{"username": "late", "email": f"{n}.{email}"} for n in range(IN_FLIGHT)]
    with posts_in_flight(admin_connection, f"{base_url}/users", bodies) as posts:
        stopping = subprocess.Popen([STACK, "down"], env=os.environ)
        wait_until(lambda: refuses_connections(urlsplit(base_url).port), what="nginx refusing new connections")
        assert stopping.poll() is None, "the stack stopped before its requests finished"
    assert [post.result().status_code for post in posts] == [201] * IN_FLIGHT
    assert stopping.wait(timeout=60) == 0
    assert subprocess.run([STACK, "status"], capture_output=True).returncode == 1
