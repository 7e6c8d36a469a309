"""gunicorn's port believes X-Forwarded-For from nginx's address alone (TRUSTED_PROXIES, loopback's 127.0.0.1 on
the native stack): a client that reaches the port itself, forging another address with every request, is still
throttled by its own."""

import uuid

from tests.faults.conftest import client

FAILURES_PER_ADDRESS = 100  # SIGN_IN_FAILURES_PER_ADDRESS's default


def test_a_forged_x_forwarded_for_does_not_escape_the_throttle(stack):
    statuses = []
    with client("127.0.5.1") as http:
        for number in range(FAILURES_PER_ADDRESS + 1):
            forged = {"X-Forwarded-For": f"198.51.100.{number % 250}, 203.0.113.{number % 250}"}
            body = {"email": f"nobody-{uuid.uuid4().hex}@example.com", "password": "wrong password"}
            answer = http.post(f"{stack.app_url}/auth/login", json=body, headers=forged, timeout=30)
            statuses.append(answer.status_code)
    assert statuses[:FAILURES_PER_ADDRESS] == [401] * FAILURES_PER_ADDRESS
    assert statuses[-1] == 429
