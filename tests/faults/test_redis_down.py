"""Redis, where the stack keeps tokens and sign-in failures, stopped and started again: sign-in and
authenticated writes answer 503 while it is away, public reads and sign-up keep working, /health names it,
and signing in works again as soon as it is back, with no restart."""

import requests

from project.tests.contract import GOOD_PASSWORD, PONG, STORE_UNAVAILABLE
from tests.faults.conftest import client

READS_TO_REACH_EVERY_WORKER = 40


def signs_in(stack, email: str, number: int) -> int:
    """Sign in as a client of its own address (nginx limits each address's writes)."""
    with client(f"127.0.4.{number + 10}") as http:
        return http.post(f"{stack.url}/auth/login", json={"email": email, "password": GOOD_PASSWORD}).status_code


def test_while_redis_is_down_and_after_it_is_back(stack, redis, account, tag):
    # Every worker has a pooled Redis connection before Redis goes away.
    for _ in range(READS_TO_REACH_EVERY_WORKER):
        assert requests.get(f"{stack.url}/auth/me", headers=account["auth"], timeout=5).status_code == 200
    redis.stop()
    with requests.Session() as http:
        refused = [
            http.post(f"{stack.url}/auth/login", json={"email": account["email"], "password": GOOD_PASSWORD}),
            http.get(f"{stack.url}/auth/me", headers=account["auth"]),
            http.patch(f"{stack.url}/users/{account['id']}", json={"username": "x"}, headers=account["auth"]),
            http.delete(f"{stack.url}/users/{account['id']}", headers=account["auth"]),
        ]
        for response in refused:
            assert (response.status_code, response.json()) == (503, STORE_UNAVAILABLE), response.request.url
            assert response.headers["Retry-After"] == "5"
        assert http.get(f"{stack.url}/users/{account['id']}", timeout=5).status_code == 200
        assert http.get(f"{stack.url}/users?per_page=5", timeout=5).status_code == 200
        page = http.get(f"{stack.url}/", headers={"Accept": "text/html"}, timeout=5)
        assert page.status_code == 200
        added = http.post(f"{stack.url}/users", json={"username": "r", "email": f"redis-down-{tag}@example.com"})
        assert added.status_code == 201
        health = http.get(f"{stack.url}/health", timeout=5)
        reason = "Error 111 connecting. Connection refused."
        assert (health.status_code, health.json()) == (503, {**STORE_UNAVAILABLE, "errors": {"redis": [reason]}})
        assert http.get(f"{stack.url}/ping", timeout=5).json() == PONG
    redis.start()
    # The first sign-ins after Redis is back succeed, on every worker: a pooled connection that Redis
    # closed is replaced at once. This Redis kept nothing on disk, so the old token is gone with it.
    signed_in = [signs_in(stack, account["email"], number) for number in range(READS_TO_REACH_EVERY_WORKER)]
    assert signed_in == [200] * READS_TO_REACH_EVERY_WORKER
    assert requests.get(f"{stack.url}/health", timeout=5).status_code == 200
    assert requests.get(f"{stack.url}/auth/me", headers=account["auth"], timeout=5).status_code == 401
