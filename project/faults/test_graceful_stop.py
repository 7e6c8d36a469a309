"""SIGTERM to gunicorn with requests in flight: they all finish, new connections are refused, exit status 0."""

import os
import signal

import requests

from project.e2e.live import posts_in_flight, refuses_connections, wait_until

IN_FLIGHT = 6


def test_sigterm_finishes_requests_in_flight(stack, admin, tag):
    exit_file = stack.run_dir / "gunicorn.exit"
    bodies = [{"username": "in flight", "email": f"flight-{tag}-{n}@example.com"} for n in range(IN_FLIGHT)]
    try:
        with posts_in_flight(admin, f"{stack.url}/users", bodies) as posts:
            os.kill(stack.gunicorn_pid(), signal.SIGTERM)
            wait_until(lambda: refuses_connections(stack.app_port), what="gunicorn refusing new connections")
            refused = requests.get(f"{stack.url}/ping", timeout=5)  # nginx answers for the stopped app
            assert (refused.status_code, refused.json()) == (502, {"status": "fail", "message": "Bad Gateway"})
        assert [post.result().status_code for post in posts] == [201] * IN_FLIGHT
        wait_until(lambda: exit_file.exists() and exit_file.read_text().strip() != "", what="gunicorn exiting")
        assert exit_file.read_text().strip() == "0"
    finally:
        stack.restart()  # the tables are unlocked by then: the restart creates its databases
