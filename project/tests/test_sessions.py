"""Sessions: refresh tokens rotated, a reuse ending its session, a user's sessions listed and ended, in whichever
store the suite runs with (REDIS_TEST_URL: Redis; otherwise the database); and concurrent refreshes with one token."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

from project.tests.base import BaseTestCase, invalid
from project.tests.contract import (
    FORBIDDEN,
    GOOD_PASSWORD,
    INVALID_REFRESH_TOKEN,
    NOT_SIGNED_IN,
    SESSION_NOT_FOUND,
    TOKEN,
)
from project.users import writes

EMAIL = "michael@realpython.com"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
RACERS = 8


class SessionTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = self.add_user("michael", EMAIL, GOOD_PASSWORD)

    def login(self, user_agent: str = BROWSER, address: str = "127.0.0.1") -> dict:
        """A sign-in's data: its tokens."""
        response = self.client.post(
            "/auth/login",
            json={"email": EMAIL, "password": GOOD_PASSWORD},
            headers={"User-Agent": user_agent},
            environ_base={"REMOTE_ADDR": address},
        )
        self.assertEqual(response.status_code, 200)
        return response.get_json()["data"]

    def refresh(self, refresh_token, **kwargs):
        return self.client.post("/auth/refresh", json={"refresh_token": refresh_token}, **kwargs)

    def get(self, path: str, signed: dict):
        return self.client.get(path, headers=auth(signed))

    def delete(self, path: str, signed: dict):
        return self.client.delete(path, headers=auth(signed))

    def assertSignedIn(self, signed: dict) -> None:
        self.assertEqual(self.get("/auth/me", signed).status_code, 200)

    def assertSignedOut(self, signed: dict) -> None:
        """Neither the access token nor the refresh token works."""
        self.assertJson(self.get("/auth/me", signed), 401, NOT_SIGNED_IN)
        self.assertJson(self.refresh(signed["refresh_token"]), 401, INVALID_REFRESH_TOKEN)

    def session_ids(self, signed: dict) -> list[str]:
        return [session["id"] for session in self.get("/auth/sessions", signed).get_json()["data"]["sessions"]]


def auth(signed: dict) -> dict:
    return {"Authorization": f"Bearer {signed['token']}"}


class TestRefresh(SessionTestCase):
    def test_a_refresh_token_buys_a_new_pair_once(self):
        signed = self.login()
        response = self.refresh(signed["refresh_token"])
        renewed = response.get_json()["data"]
        self.assertJson(
            response,
            200,
            {
                "status": "success",
                "message": "Successfully refreshed.",
                "data": {
                    "token": renewed["token"],
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "refresh_token": renewed["refresh_token"],
                    "refresh_expires_in": 30 * 24 * 3600,
                },
            },
        )
        self.assertRegex(renewed["token"], TOKEN)
        self.assertRegex(renewed["refresh_token"], TOKEN)
        self.assertNotIn(renewed["token"], (signed["token"], signed["refresh_token"]))
        self.assertNotEqual(renewed["refresh_token"], signed["refresh_token"])
        self.assertSignedIn(renewed)
        self.assertSignedIn(signed)  # the older access token lives on, until it expires
        self.assertEqual(self.session_ids(renewed), self.session_ids(signed))  # the same session
        self.assertEqual(self.refresh(renewed["refresh_token"]).status_code, 200)

    def test_a_spent_token_within_the_grace_is_refused_and_ends_nothing(self):
        signed = self.login()
        renewed = self.refresh(signed["refresh_token"]).get_json()["data"]
        self.assertJson(self.refresh(signed["refresh_token"]), 401, INVALID_REFRESH_TOKEN)
        self.assertSignedIn(renewed)
        self.assertEqual(self.refresh(renewed["refresh_token"]).status_code, 200)

    def test_a_spent_token_after_the_grace_is_a_reuse_and_ends_its_session_alone(self):
        other = self.login()
        signed = self.login()
        renewed = self.refresh(signed["refresh_token"]).get_json()["data"]
        with mock.patch.dict(self.app.config, {"REFRESH_REUSE_GRACE": 0.05}):
            time.sleep(0.1)
            self.assertJson(self.refresh(signed["refresh_token"]), 401, INVALID_REFRESH_TOKEN)
        self.assertSignedOut(renewed)
        self.assertSignedOut(signed)
        self.assertSignedIn(other)
        self.assertEqual(self.refresh(other["refresh_token"]).status_code, 200)
        types = [event["type"] for event in self.get("/auth/events", other).get_json()["data"]["events"]]
        self.assertEqual(types, ["refresh_reuse_detected", "signed_in", "signed_in"])

    def test_unknown_malformed_and_access_tokens_are_refused(self):
        signed = self.login()
        for token in ("", "x", "A" * 43, "A" * 44, signed["token"], " " + signed["refresh_token"], "é" * 43):
            with self.subTest(token=token):
                self.assertJson(self.refresh(token), 401, INVALID_REFRESH_TOKEN)
        self.assertSignedIn(signed)

    def test_a_body_that_is_not_a_refresh_token_is_invalid(self):
        missing = "Missing data for required field."
        for body, errors in (
            ({}, {"refresh_token": [missing]}),
            ({"refresh_token": 5}, {"refresh_token": ["Not a valid string."]}),
            ({"refresh_token": None}, {"refresh_token": ["Field may not be null."]}),
            ({"refresh_token": "x", "token": "y"}, {"token": ["Unknown field."]}),
        ):
            with self.subTest(body=body):
                self.assertJson(self.client.post("/auth/refresh", json=body), 400, invalid(errors))

    def test_an_expired_refresh_token_is_refused(self):
        with mock.patch.dict(self.app.config, {"REFRESH_TOKEN_TTL": 1}):
            signed = self.login()
        self.assertEqual(signed["refresh_expires_in"], 1)
        time.sleep(1.1)
        self.assertJson(self.refresh(signed["refresh_token"]), 401, INVALID_REFRESH_TOKEN)

    def test_a_new_password_or_a_deactivation_ends_every_session(self):
        for change in ({"password": "an entirely new passphrase"}, {"active": False}):
            with self.subTest(change=change):
                signed = self.login()
                writes.change_user(self.user.id, change)
                self.assertSignedOut(signed)
                writes.change_user(self.user.id, {"password": GOOD_PASSWORD, "active": True})

    def test_a_deleted_users_refresh_token_is_refused(self):
        signed = self.login()
        writes.delete_user(self.user.id)
        self.assertJson(self.refresh(signed["refresh_token"]), 401, INVALID_REFRESH_TOKEN)


class TestSessions(SessionTestCase):
    def test_the_list_shows_each_sign_in_newest_first_and_the_current_one(self):
        phone = self.login("Phone/1.0", "203.0.113.7")
        laptop = self.login(BROWSER, "198.51.100.23")
        response = self.get("/auth/sessions", phone)
        sessions = response.get_json()["data"]["sessions"]
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [(s["user_agent"], s["address"], s["current"]) for s in sessions],
            [(BROWSER, "198.51.100.23", False), ("Phone/1.0", "203.0.113.7", True)],
        )
        for session in sessions:
            self.assertEqual(set(session), {"id", "created_at", "last_used_at", "user_agent", "address", "current"})
            self.assertRegex(session["id"], r"^[A-Za-z0-9_-]{22}$")
            self.assertRegex(session["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")
        self.assertEqual(
            [s["current"] for s in self.get("/auth/sessions", laptop).get_json()["data"]["sessions"]], [True, False]
        )

    def test_a_user_sees_its_own_sessions_alone(self):
        signed = self.login()
        self.add_user("other", "other@example.com", GOOD_PASSWORD)
        other = self.client.post("/auth/login", json={"email": "other@example.com", "password": GOOD_PASSWORD})
        other = other.get_json()["data"]
        self.assertEqual(len(self.session_ids(signed)), 1)
        self.assertEqual(len(self.session_ids(other)), 1)
        self.assertNotEqual(self.session_ids(signed), self.session_ids(other))

    def test_ending_one_session_signs_that_device_out_at_once(self):
        phone, laptop = self.login("Phone/1.0"), self.login()
        [_, phone_id] = self.session_ids(laptop)
        response = self.delete(f"/auth/sessions/{phone_id}", laptop)
        self.assertEqual((response.status_code, response.data), (204, b""))
        self.assertSignedOut(phone)
        self.assertSignedIn(laptop)
        self.assertEqual(len(self.session_ids(laptop)), 1)
        self.assertJson(self.delete(f"/auth/sessions/{phone_id}", laptop), 404, SESSION_NOT_FOUND)

    def test_another_users_or_an_unknown_session_is_not_found(self):
        signed = self.login()
        self.add_user("other", "other@example.com", GOOD_PASSWORD)
        other = self.client.post("/auth/login", json={"email": "other@example.com", "password": GOOD_PASSWORD})
        other = other.get_json()["data"]
        [other_id] = self.session_ids(other)
        for session_id in (other_id, "A" * 22, "x", "%00"):
            with self.subTest(session_id=session_id):
                self.assertJson(self.delete(f"/auth/sessions/{session_id}", signed), 404, SESSION_NOT_FOUND)
        self.assertSignedIn(other)

    def test_ending_every_session_signs_out_everywhere(self):
        phone, laptop = self.login("Phone/1.0"), self.login()
        response = self.delete("/auth/sessions", laptop)
        self.assertEqual((response.status_code, response.data), (204, b""))
        self.assertSignedOut(phone)
        self.assertSignedOut(laptop)

    def test_logout_ends_the_session_refresh_token_included(self):
        phone, laptop = self.login("Phone/1.0"), self.login()
        self.assertEqual(self.client.post("/auth/logout", headers=auth(laptop)).status_code, 204)
        self.assertSignedOut(laptop)
        self.assertSignedIn(phone)

    def test_the_session_endpoints_need_a_token(self):
        for method, path in (("GET", "/auth/sessions"), ("DELETE", "/auth/sessions"), ("DELETE", "/auth/sessions/x")):
            with self.subTest(method=method, path=path):
                response = self.client.open(path, method=method)
                self.assertJson(response, 401, NOT_SIGNED_IN)
                self.assertEqual(response.headers["WWW-Authenticate"], "Bearer")

    def test_last_use_is_written_at_most_once_a_touch_interval(self):
        signed = self.login()
        [before] = self.get("/auth/sessions", signed).get_json()["data"]["sessions"]
        time.sleep(0.01)
        self.assertSignedIn(signed)
        [kept] = self.get("/auth/sessions", signed).get_json()["data"]["sessions"]
        self.assertEqual(kept["last_used_at"], before["last_used_at"])  # within the minute: not written
        with mock.patch.dict(self.app.config, {"SESSION_TOUCH_SECONDS": 0}):
            self.assertSignedIn(signed)
        [touched] = self.get("/auth/sessions", signed).get_json()["data"]["sessions"]
        self.assertGreater(touched["last_used_at"], before["last_used_at"])
        self.assertEqual(touched["created_at"], before["created_at"])


class TestConcurrentRefreshes(SessionTestCase):
    def refresh_together(self, refresh_token: str) -> list[tuple[int, dict]]:
        """Present one refresh token RACERS times at once, each from its own thread, client and connection."""
        barrier = threading.Barrier(RACERS)

        def call(_) -> tuple[int, dict]:
            client = self.app.test_client()
            barrier.wait()
            response = client.post("/auth/refresh", json={"refresh_token": refresh_token})
            return response.status_code, response.get_json()

        with ThreadPoolExecutor(RACERS) as pool:
            return list(pool.map(call, range(RACERS)))

    def test_one_token_at_once_makes_one_new_pair_and_clean_refusals(self):
        signed = self.login()
        answers = self.refresh_together(signed["refresh_token"])
        self.assertEqual(sorted(status for status, _ in answers), [200] + [401] * (RACERS - 1))
        self.assertEqual([body for status, body in answers if status == 401], [INVALID_REFRESH_TOKEN] * (RACERS - 1))
        [renewed] = [body["data"] for status, body in answers if status == 200]
        self.assertSignedIn(renewed)
        self.assertEqual(len(self.session_ids(renewed)), 1)  # one chain, still alive (all came within the grace)
        self.assertEqual(self.refresh(renewed["refresh_token"]).status_code, 200)

    def test_a_reuse_at_once_with_a_refresh_ends_the_chain(self):
        signed = self.login()
        renewed = self.refresh(signed["refresh_token"]).get_json()["data"]
        with mock.patch.dict(self.app.config, {"REFRESH_REUSE_GRACE": 0}):
            time.sleep(0.01)
            answers = self.refresh_together(signed["refresh_token"])
        self.assertEqual({status for status, _ in answers}, {401})
        self.assertSignedOut(renewed)


class TestEvents(SessionTestCase):
    def events(self, signed: dict, path: str = "/auth/events") -> list[tuple[str, str | None]]:
        return [(e["type"], e["address"]) for e in self.get(path, signed).get_json()["data"]["events"]]

    def test_the_account_records_what_happened_to_it_newest_first(self):
        self.client.post("/auth/login", json={"email": EMAIL, "password": "not the password"})
        phone = self.login("Phone/1.0", "203.0.113.7")
        laptop = self.login()
        [_, phone_id] = self.session_ids(laptop)
        self.delete(f"/auth/sessions/{phone_id}", laptop)
        self.client.patch(f"/users/{self.user.id}", json={"email": "mike@realpython.com"}, headers=auth(laptop))
        response = self.get("/auth/events", laptop)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.events(laptop),
            [
                ("email_changed", "127.0.0.1"),
                ("session_ended", "127.0.0.1"),
                ("signed_in", "127.0.0.1"),
                ("signed_in", "203.0.113.7"),
                ("sign_in_failed", "127.0.0.1"),
            ],
        )
        [first, *_] = response.get_json()["data"]["events"]
        self.assertEqual(set(first), {"type", "at", "address", "user_agent", "session_id"})
        self.assertEqual(response.get_json()["data"]["pagination"], {"page": 1, "per_page": 20, "total": 5, "pages": 1})
        self.assertEqual(phone["token"] != laptop["token"], True)

    def test_signing_out_and_a_new_password_are_events(self):
        signed = self.login()
        body = {"password": "an entirely new passphrase", "current_password": GOOD_PASSWORD}
        self.assertEqual(self.client.patch(f"/users/{self.user.id}", json=body, headers=auth(signed)).status_code, 200)
        self.assertEqual(
            self.client.post("/auth/login", json={"email": EMAIL, "password": body["password"]}).status_code, 200
        )
        again = self.client.post("/auth/login", json={"email": EMAIL, "password": body["password"]}).get_json()["data"]
        self.client.post("/auth/logout", headers=auth(again))
        other = self.client.post("/auth/login", json={"email": EMAIL, "password": body["password"]}).get_json()["data"]
        self.assertEqual(
            [kind for kind, _ in self.events(other)],
            ["signed_in", "signed_out", "signed_in", "signed_in", "password_changed", "signed_in"],
        )

    def test_events_are_paged_with_a_link_header(self):
        signed = self.login()
        for _ in range(4):
            self.login()
        response = self.client.get("/auth/events?per_page=2&page=2", headers=auth(signed))
        self.assertEqual(response.get_json()["data"]["pagination"], {"page": 2, "per_page": 2, "total": 5, "pages": 3})
        self.assertEqual(
            response.headers["Link"],
            '<http://localhost/auth/events?per_page=2&page=1>; rel="first", '
            '<http://localhost/auth/events?per_page=2&page=1>; rel="prev", '
            '<http://localhost/auth/events?per_page=2&page=3>; rel="next", '
            '<http://localhost/auth/events?per_page=2&page=3>; rel="last"',
        )
        self.assertJson(
            self.client.get("/auth/events?per_page=0&x=1", headers=auth(signed)),
            400,
            {
                "status": "fail",
                "message": "Invalid parameters.",
                "errors": {
                    "per_page": ["Must be greater than or equal to 1 and less than or equal to 100."],
                    "x": ["Unknown field."],
                },
            },
        )

    def test_an_admin_reads_any_users_events_and_nobody_else(self):
        signed = self.login()
        admin = self.add_admin()
        writes.change_user(admin.id, {"password": GOOD_PASSWORD})
        admin_signed = self.client.post("/auth/login", json={"email": "admin@example.com", "password": GOOD_PASSWORD})
        admin_signed = admin_signed.get_json()["data"]
        path = f"/users/{self.user.id}/events"
        self.assertEqual(self.events(admin_signed, path), [("signed_in", "127.0.0.1")])
        link = self.get(path, admin_signed).headers["Link"]
        self.assertIn(f'<http://localhost/users/{self.user.id}/events?page=1>; rel="first"', link)
        self.assertJson(self.get(path, signed), 403, FORBIDDEN)
        self.assertJson(self.get(f"/users/{admin.id}/events", signed), 403, FORBIDDEN)
        self.assertJson(
            self.get("/users/999999/events", admin_signed), 404, {"status": "fail", "message": "User does not exist"}
        )
        self.assertJson(self.client.get(path), 401, NOT_SIGNED_IN)

    def test_events_past_their_retention_are_deleted_as_new_ones_come(self):
        signed = self.login()
        with mock.patch.dict(self.app.config, {"EVENTS_RETENTION_DAYS": 0}):
            self.login()
        self.assertEqual([kind for kind, _ in self.events(signed)], ["signed_in"])
