"""SIGTERM to gunicorn with requests in flight: they all finish, gunicorn exits with status 0, and nginx then
answers for the stopped app."""

import os
import signal

import requests

from tests.e2e.live import posts_in_flight, wait_until

IN_FLIGHT = 6


def test_sigterm_finishes_requests_in_flight(stack, admin, tag):
    exit_file = stack.run_dir / "gunicorn.exit"
    log = stack.run_dir / "gunicorn.log"
    bodies = [{"username": "in flight", "email": f"flight-{tag}-{n}@example.com"} for n in range(IN_FLIGHT)]
    try:
        with posts_in_flight(admin, f"{stack.url}/users", bodies) as posts:
            os.kill(stack.gunicorn_pid(), signal.SIGTERM)
            wait_until(lambda: "Handling signal: term" in log.read_text(), what="gunicorn taking the signal")
        assert [post.result().status_code for post in posts] == [201] * IN_FLIGHT
        wait_until(lambda: exit_file.exists() and exit_file.read_text().strip() != "", what="gunicorn exiting")
        assert exit_file.read_text().strip() == "0"
        stopped = requests.get(f"{stack.url}/ping", timeout=5)
        assert (stopped.status_code, stopped.json()) == (502, {"status": "fail", "message": "Bad Gateway"})
    finally:
        stack.restart()  # the tables are unlocked by then: the restart creates its databases
