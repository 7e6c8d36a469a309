"""Signing in against the running service: tokens issued, refused and revoked, the throttle, and a token
revoked by a new password refused by every worker at once."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from project.tests.contract import (
    FORBIDDEN,
    GOOD_PASSWORD,
    INVALID_CREDENTIALS,
    NOT_SIGNED_IN,
    TOKEN,
    TOO_MANY_ATTEMPTS,
)
from tests.e2e.test_contract import assert_json

NEW_PASSWORD = "a brand new passphrase"


def test_sign_in_me_and_sign_out(http, account):
    signed_in = http.post("/auth/login", json={"email": account["email"], "password": GOOD_PASSWORD})
    body = signed_in.json()
    assert TOKEN.fullmatch(body["data"]["token"])
    expected = {
        "token": body["data"]["token"],
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": body["data"]["refresh_token"],
        "refresh_expires_in": 30 * 24 * 3600,
    }
    assert_json(signed_in, 200, {"status": "success", "message": "Successfully logged in.", "data": expected})
    me = http.get("/auth/me", headers=account["auth"])
    assert (me.status_code, me.json()["data"]["email"], me.json()["data"]["admin"]) == (200, account["email"], False)
    assert http.post("/auth/logout", headers=account["auth"]).status_code == 204
    refused = http.get("/auth/me", headers=account["auth"])
    assert_json(refused, 401, NOT_SIGNED_IN)
    assert refused.headers["WWW-Authenticate"] == "Bearer"


def test_wrong_credentials_and_someone_else(http, account):
    wrong = http.post("/auth/login", json={"email": account["email"], "password": "not the password"})
    assert_json(wrong, 401, INVALID_CREDENTIALS)
    other = http.post("/users", json={"username": "other", "email": f"other.{account['email']}"}).json()["data"]
    assert_json(http.delete(f"/users/{other['id']}", headers=account["auth"]), 403, FORBIDDEN)


def test_too_many_failures_for_one_email(http, base_url):
    email = f"throttle-{uuid.uuid4().hex}@example.com"
    for attempt in range(10):
        assert http.post("/auth/login", json={"email": email, "password": f"guess {attempt}"}).status_code == 401
    refused = http.post("/auth/login", json={"email": email, "password": GOOD_PASSWORD})
    assert_json(refused, 429, TOO_MANY_ATTEMPTS)
    assert 0 < int(refused.headers["Retry-After"]) <= 900


def test_a_new_password_revokes_the_token_on_every_worker_at_once(base_url, account):
    """Readers on fresh connections (spread over the workers) ask /auth/me with one token while the user
    changes its password: from the moment the change is answered, every request is refused."""
    auth, answered, changed_at, lock = account["auth"], threading.Event(), [], threading.Lock()
    counts = {"before": 0, "after": 0}

    def ask() -> list[tuple[float, int]]:
        seen = []
        while counts["after"] < 60:
            started = time.monotonic()
            status = requests.get(
                f"{base_url}/auth/me", headers={**auth, "Connection": "close"}, timeout=10
            ).status_code
            seen.append((started, status))
            with lock:
                counts["after" if answered.is_set() else "before"] += 1
        return seen

    with ThreadPoolExecutor(6) as pool:
        asking = [pool.submit(ask) for _ in range(6)]
        while counts["before"] < 30:
            time.sleep(0.01)
        body = {"password": NEW_PASSWORD, "current_password": GOOD_PASSWORD}
        changed = requests.patch(f"{base_url}/users/{account['id']}", json=body, headers=auth, timeout=10)
        changed_at.append(time.monotonic())
        answered.set()
        seen = [answer for reader in asking for answer in reader.result()]
    assert changed.status_code == 200
    assert 200 in {status for started, status in seen if started < changed_at[0]}
    after = [status for started, status in seen if started > changed_at[0]]
    assert len(after) >= 40 and set(after) == {401}
