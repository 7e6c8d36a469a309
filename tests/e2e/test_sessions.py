"""Sessions against the running service, through its proxy: refresh tokens rotated, one presented at once by many
clients making one new pair, a reuse ending its session, a device's session ended from another, and the account's
activity with the client's own address (not the proxy's)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from project.tests.contract import GOOD_PASSWORD, INVALID_REFRESH_TOKEN, NOT_SIGNED_IN, TOKEN
from tests.e2e.test_contract import assert_json

RACERS = 6
REUSE_GRACE = 5  # REFRESH_REUSE_GRACE's default, which the stacks keep


def sign_in(http, email: str, user_agent: str) -> dict:
    signed = http.post(
        "/auth/login", json={"email": email, "password": GOOD_PASSWORD}, headers={"User-Agent": user_agent}
    )
    assert signed.status_code == 200
    return signed.json()["data"]


def auth(signed: dict) -> dict:
    return {"Authorization": f"Bearer {signed['token']}"}


def test_refresh_rotates_and_a_reuse_ends_the_session(http, account):
    phone, laptop = sign_in(http, account["email"], "Phone/1.0"), sign_in(http, account["email"], "Laptop/1.0")
    assert TOKEN.fullmatch(laptop["refresh_token"]) and laptop["refresh_expires_in"] == 30 * 24 * 3600
    renewed = http.post("/auth/refresh", json={"refresh_token": laptop["refresh_token"]})
    assert renewed.status_code == 200 and renewed.json()["message"] == "Successfully refreshed."
    renewed = renewed.json()["data"]
    assert http.get("/auth/me", headers=auth(renewed)).status_code == 200
    time.sleep(REUSE_GRACE + 0.5)
    assert_json(http.post("/auth/refresh", json={"refresh_token": laptop["refresh_token"]}), 401, INVALID_REFRESH_TOKEN)
    assert_json(http.get("/auth/me", headers=auth(renewed)), 401, NOT_SIGNED_IN)
    assert_json(
        http.post("/auth/refresh", json={"refresh_token": renewed["refresh_token"]}), 401, INVALID_REFRESH_TOKEN
    )
    assert http.get("/auth/me", headers=auth(phone)).status_code == 200
    events = http.get("/auth/events", headers=auth(phone)).json()["data"]["events"]
    assert [event["type"] for event in events][:3] == ["refresh_reuse_detected", "signed_in", "signed_in"]


def test_one_refresh_token_at_once_makes_one_new_pair(base_url, http, account):
    signed = sign_in(http, account["email"], "Racer/1.0")
    barrier = threading.Barrier(RACERS)

    def refresh(_) -> int:
        barrier.wait()
        answer = requests.post(f"{base_url}/auth/refresh", json={"refresh_token": signed["refresh_token"]}, timeout=10)
        return answer.status_code

    with ThreadPoolExecutor(RACERS) as pool:
        assert sorted(pool.map(refresh, range(RACERS))) == [200] + [401] * (RACERS - 1)


def test_a_device_is_signed_out_from_another(http, account, client_address):
    phone, laptop = sign_in(http, account["email"], "Phone/1.0"), sign_in(http, account["email"], "Laptop/1.0")
    listed = http.get("/auth/sessions", headers=auth(laptop))
    sessions = listed.json()["data"]["sessions"]
    assert listed.status_code == 200
    assert [(s["user_agent"], s["current"]) for s in sessions[:2]] == [("Laptop/1.0", True), ("Phone/1.0", False)]
    assert {s["address"] for s in sessions} == {client_address}  # the client's, as the proxy passed it on
    ended = http.delete(f"/auth/sessions/{sessions[1]['id']}", headers=auth(laptop))
    assert (ended.status_code, ended.content) == (204, b"")
    assert_json(http.get("/auth/me", headers=auth(phone)), 401, NOT_SIGNED_IN)
    assert_json(http.post("/auth/refresh", json={"refresh_token": phone["refresh_token"]}), 401, INVALID_REFRESH_TOKEN)
    assert http.delete("/auth/sessions", headers=auth(laptop)).status_code == 204
    assert_json(http.get("/auth/me", headers=auth(laptop)), 401, NOT_SIGNED_IN)
