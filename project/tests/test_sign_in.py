"""POST /auth/login, GET /auth/me and POST /auth/logout: tokens issued, checked and revoked, in whichever
store the suite runs with (REDIS_TEST_URL: Redis; otherwise the database)."""

import hashlib
import time
from unittest import mock

from argon2 import PasswordHasher
from sqlalchemy import select

from project import config, create_app
from project.auth.models import AuthToken
from project.auth.stores import RedisStore, store
from project.auth.stores.redis import REDIS_PREFIX
from project.extensions import db
from project.tests.base import BaseTestCase, bearer, invalid
from project.tests.contract import GOOD_PASSWORD, INVALID_CREDENTIALS, NOT_SIGNED_IN, TOKEN
from project.users import writes
from project.users.models import User

MISSING = "Missing data for required field."


class SignInTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = self.add_user("michael", "michael@realpython.com", GOOD_PASSWORD)

    def login(self, email: str = "michael@realpython.com", password: str = GOOD_PASSWORD, **kwargs):
        return self.client.post("/auth/login", json={"email": email, "password": password}, **kwargs)

    def token(self) -> str:
        """A token from a successful sign-in."""
        return self.login().get_json()["data"]["token"]

    def me(self, authorization: str | None):
        return self.client.get("/auth/me", headers={"Authorization": authorization} if authorization else {})

    def assertNotSignedIn(self, response) -> None:
        self.assertJson(response, 401, NOT_SIGNED_IN)
        self.assertEqual(response.headers["WWW-Authenticate"], "Bearer")


class TestLogin(SignInTestCase):
    def test_the_right_password_gets_a_bearer_token(self):
        response = self.login(email=" Michael@RealPython.com ")  # normalised as at sign-up
        body = response.get_json()
        self.assertJson(
            response,
            200,
            {
                "status": "success",
                "message": "Successfully logged in.",
                "data": {
                    "token": body["data"]["token"],
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "refresh_token": body["data"]["refresh_token"],
                    "refresh_expires_in": 30 * 24 * 3600,
                },
            },
        )
        self.assertRegex(body["data"]["token"], TOKEN)
        self.assertRegex(body["data"]["refresh_token"], TOKEN)
        self.assertNotEqual(body["data"]["token"], body["data"]["refresh_token"])
        self.assertNotEqual(self.token(), body["data"]["token"])  # a new one each time

    def test_every_wrong_answer_is_the_same_and_checks_a_hash(self):
        self.add_user("nopass", "nopass@example.com")
        inactive = self.add_user("inactive", "inactive@example.com", GOOD_PASSWORD)
        writes.change_user(inactive.id, {"active": False})
        cases = {
            "wrong password": ("michael@realpython.com", "correct horse battery stapler"),
            "unknown email": ("nobody@example.com", GOOD_PASSWORD),
            "no password": ("nopass@example.com", GOOD_PASSWORD),
            "inactive": ("inactive@example.com", GOOD_PASSWORD),
        }
        for case, (email, password) in cases.items():
            with (
                self.subTest(case=case),
                mock.patch.object(PasswordHasher, "verify", autospec=True, side_effect=PasswordHasher.verify) as verify,
            ):
                response = self.login(email, password)
                self.assertJson(response, 401, INVALID_CREDENTIALS)
                self.assertEqual(response.headers["WWW-Authenticate"], "Bearer")
                self.assertEqual(verify.call_count, 1)  # as long a check, whatever was wrong

    def test_malformed_bodies(self):
        cases = [
            ({}, {"email": [MISSING], "password": [MISSING]}),
            ({"email": "michael@realpython.com"}, {"password": [MISSING]}),
            ({"email": "not an email", "password": "x"}, {"email": ["Not a valid email address."]}),
            ({"email": "michael@realpython.com", "password": 12345678}, {"password": ["Not a valid string."]}),
            (
                {"email": "michael@realpython.com", "password": "x" * 257},
                {"password": ["Longer than maximum length 256."]},
            ),
            ({"email": "michael@realpython.com", "password": "x", "admin": True}, {"admin": ["Unknown field."]}),
            ([], {"_schema": ["Invalid input type."]}),
        ]
        for body, errors in cases:
            with self.subTest(body=body):
                self.assertJson(self.client.post("/auth/login", json=body), 400, invalid(errors))
        not_json = self.client.post("/auth/login", data="{", content_type="application/json")
        self.assertJson(not_json, 400, invalid({"_schema": ["Invalid JSON body."]}))

    def test_a_changed_hashing_cost_rehashes_the_password_at_sign_in(self):
        stored = db.session.get(User, self.user.id).password_hash
        self.assertIn("$argon2id$v=19$m=8,t=1,p=1$", stored)
        with mock.patch.dict(self.app.config, {"PASSWORD_TIME_COST": 2, "PASSWORD_MEMORY_COST": 16}):
            self.assertEqual(self.login().status_code, 200)
        db.session.expire_all()
        rehashed = db.session.get(User, self.user.id).password_hash
        self.assertIn("$argon2id$v=19$m=16,t=2,p=1$", rehashed)
        self.assertEqual(self.login().status_code, 200)  # the same password, still


class TestTokens(SignInTestCase):
    def test_me_answers_the_user_with_admin(self):
        token = self.token()
        expected = {
            "id": self.user.id,
            "username": "michael",
            "email": "michael@realpython.com",
            "active": True,
            "created_at": self.user.created_at.isoformat(),
            "admin": False,
            "verified": False,
        }
        self.assertJson(self.me(f"Bearer {token}"), 200, {"status": "success", "data": expected})
        self.assertJson(self.me(f"bearer {token}"), 200, {"status": "success", "data": expected})  # any case
        admin = self.add_admin()
        self.assertEqual(self.me(bearer(admin)).get_json()["data"]["admin"], True)

    def test_missing_malformed_and_unknown_tokens(self):
        token = self.token()
        for authorization in (
            None,
            "Bearer",
            "Bearer ",
            f"Basic {token}",
            token,
            f"Bearer {token}x",
            f"Bearer {token[:-1]}",
            f"Bearer {token[:-1]}!",
            "Bearer " + "A" * 43,
            f"Bearer {token} {token}",
        ):
            with self.subTest(authorization=authorization):
                self.assertNotSignedIn(self.me(authorization))

    def test_logout_revokes_that_token_only(self):
        token, other = self.token(), self.token()
        response = self.client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
        self.assertEqual((response.status_code, response.data, response.content_type), (204, b"", None))
        self.assertNotSignedIn(self.me(f"Bearer {token}"))
        self.assertNotSignedIn(self.client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"}))
        self.assertEqual(self.me(f"Bearer {other}").status_code, 200)
        self.assertNotSignedIn(self.client.post("/auth/logout"))

    def test_a_token_expires_after_token_ttl(self):
        with mock.patch.dict(self.app.config, {"TOKEN_TTL": 1}):
            login = self.login().get_json()["data"]
        self.assertEqual(login["expires_in"], 1)
        self.assertEqual(self.me(f"Bearer {login['token']}").status_code, 200)
        time.sleep(1.1)
        self.assertNotSignedIn(self.me(f"Bearer {login['token']}"))

    def test_the_store_keeps_a_digest_of_the_token_only(self):
        token = self.token()
        digest = hashlib.sha256(token.encode()).hexdigest()
        if isinstance(store(), RedisStore):
            keys = store().redis.keys(f"{REDIS_PREFIX}token:*")
            self.assertEqual(keys, [f"{REDIS_PREFIX}token:{digest}"])
            user_id, version, session_id = store().redis.get(keys[0]).split(":")
            self.assertEqual((user_id, version, len(session_id)), (str(self.user.id), "0", 22))
            self.assertLessEqual(store().redis.ttl(keys[0]), 3600)
        else:
            [row] = db.session.execute(select(AuthToken)).scalars()
            self.assertEqual((row.digest, row.user_id, row.version), (digest, self.user.id, 0))
            self.assertAlmostEqual(row.expires_at, time.time() + 3600, delta=60)

    def test_tokens_work_from_every_instance_of_the_service(self):
        """Two apps stand for two workers (or hosts): a token one issued works, and is revoked, at the other."""
        other = create_app(config.TestingConfig).test_client()
        token = {"Authorization": f"Bearer {self.token()}"}
        self.assertEqual(other.get("/auth/me", headers=token).status_code, 200)
        self.assertEqual(other.post("/auth/logout", headers=token).status_code, 204)
        self.assertNotSignedIn(self.client.get("/auth/me", headers=token))
