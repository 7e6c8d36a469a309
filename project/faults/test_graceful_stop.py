"""SIGTERM to gunicorn with requests in flight: they all finish, new connections are refused, exit status 0."""

import os
import signal
from concurrent.futures import ThreadPoolExecutor

import requests

from project.e2e.live import refuses_connections, wait_until, writers_waiting

IN_FLIGHT = 6


def unlock(admin) -> None:
    with admin.cursor() as cursor:
        cursor.execute("UNLOCK TABLES")


def test_sigterm_finishes_requests_in_flight(stack, admin, tag):
    exit_file = stack.run_dir / "gunicorn.exit"
    try:
        with admin.cursor() as cursor:
            cursor.execute("LOCK TABLES users WRITE")
        with ThreadPoolExecutor(IN_FLIGHT) as pool:
            posts = [
                pool.submit(
                    requests.post,
                    f"{stack.url}/users",
                    json={"username": "in flight", "email": f"flight-{tag}-{n}@example.com"},
                    timeout=60,
                )
                for n in range(IN_FLIGHT)
            ]
            wait_until(lambda: writers_waiting(admin) == IN_FLIGHT, what="the writes reaching MySQL")
            os.kill(stack.gunicorn_pid(), signal.SIGTERM)
            wait_until(lambda: refuses_connections(stack.app_port), what="gunicorn refusing new connections")
            refused = requests.get(f"{stack.url}/ping", timeout=5)  # nginx answers for the stopped app
            assert (refused.status_code, refused.json()) == (502, {"status": "fail", "message": "Bad Gateway"})
            unlock(admin)
            answers = [post.result() for post in posts]
        assert [answer.status_code for answer in answers] == [201] * IN_FLIGHT
        wait_until(lambda: exit_file.exists() and exit_file.read_text().strip() != "", what="gunicorn exiting")
        assert exit_file.read_text().strip() == "0"
    finally:
        unlock(admin)  # before the restart, which must create its databases
        stack.restart()
