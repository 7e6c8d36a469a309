"""Who may change whom: PUT, PATCH and DELETE /users/<id> need a token (401 before the body is read); a user
may change itself, an admin anyone; only an admin sets `admin`; a new password needs the current one from the
user itself; a new password, a deactivation or a deletion revokes every token of the user."""

from project.tests.base import BaseTestCase, bearer, invalid, user_json
from project.tests.contract import FORBIDDEN, GOOD_PASSWORD, INVALID_CREDENTIALS, NOT_FOUND, NOT_SIGNED_IN
from project.users import writes

NEW_PASSWORD = "a brand new passphrase"
CHANGES = [
    ("PUT", {"username": "changed", "email": "changed@example.com"}),
    ("PATCH", {"username": "changed"}),
    ("DELETE", None),
]


class PermissionsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = self.add_user("michael", "michael@realpython.com", GOOD_PASSWORD)
        self.other = self.add_user("fletcher", "fletcher@realpython.com", GOOD_PASSWORD)
        self.admin = self.add_admin()

    def change(self, method: str, user_id: int, body, as_user=None, **kwargs):
        headers = {"Authorization": bearer(as_user)} if as_user is not None else {}
        return self.client.open(f"/users/{user_id}", method=method, json=body, headers=headers, **kwargs)

    def patch(self, user_id: int, body: dict, token: str):
        return self.client.patch(f"/users/{user_id}", json=body, headers={"Authorization": token})

    def signs_in(self, email: str, password: str) -> bool:
        answer = self.client.post("/auth/login", json={"email": email, "password": password})
        self.assertIn(answer.status_code, (200, 401))
        return answer.status_code == 200

    def works(self, token: str) -> bool:
        """Whether the token is still good."""
        return self.client.get("/auth/me", headers={"Authorization": token}).status_code == 200


class TestWhoMayChangeWhom(PermissionsTestCase):
    def test_no_token_is_a_401_before_the_body_is_read(self):
        for method, _body in CHANGES:
            for sent in (
                {"data": b"{not json", "content_type": "application/json"},
                {"data": b"x", "content_type": "text/plain"},
            ):
                with self.subTest(method=method, sent=sent):
                    response = self.client.open(f"/users/{self.user.id}", method=method, **sent)
                    self.assertJson(response, 401, NOT_SIGNED_IN)
                    self.assertEqual(response.headers["WWW-Authenticate"], "Bearer")
        self.assertEqual(user_json(self.user), self.client.get(f"/users/{self.user.id}").get_json()["data"])

    def test_a_user_may_not_change_anyone_else_existing_or_not(self):
        for method, body in CHANGES:
            for user_id in (self.other.id, self.admin.id, 999999, 0):
                with self.subTest(method=method, user_id=user_id):
                    self.assertJson(self.change(method, user_id, body, self.user), 403, FORBIDDEN)
                    self.assertJson(self.change(method, user_id, "not even an object", self.user), 403, FORBIDDEN)
        self.assertEqual(self.user_count(), 3)

    def test_a_user_may_change_itself(self):
        for method, body in CHANGES:
            with self.subTest(method=method):
                self.assertIn(self.change(method, self.user.id, body, self.user).status_code, (200, 204))
        self.assertEqual(self.user_count(), 2)

    def test_an_admin_may_change_anyone_and_unknown_ids_are_not_found(self):
        for method, body in CHANGES:
            with self.subTest(method=method):
                self.assertIn(self.change(method, self.user.id, body, self.admin).status_code, (200, 204))
                self.assertJson(self.change(method, 999999, body, self.admin), 404, NOT_FOUND)

    def test_only_an_admin_sets_admin(self):
        for value in (True, False):
            with self.subTest(value=value):
                self.assertJson(self.change("PATCH", self.user.id, {"admin": value}, self.user), 403, FORBIDDEN)
        made = self.change("PATCH", self.user.id, {"admin": True}, self.admin)
        self.assertJson(made, 200, {"status": "success", "data": user_json(self.user)})
        self.assertEqual(
            self.client.get("/auth/me", headers={"Authorization": bearer(self.user)}).get_json()["data"]["admin"], True
        )
        self.assertEqual(
            self.change("PATCH", self.other.id, {"username": "by a new admin"}, self.user).status_code, 200
        )
        self.assertJson(
            self.change("PATCH", self.admin.id, {"admin": "yes"}, self.admin),
            400,
            invalid({"admin": ["Not a valid boolean."]}),
        )

    def test_sign_up_and_put_take_no_privileged_fields(self):
        for field, value in (("admin", True), ("password_hash", "$argon2id$..."), ("token_version", 5), ("role", "x")):
            with self.subTest(field=field):
                body = {"username": "u", "email": "u@example.com", field: value}
                self.assertJson(self.client.post("/users", json=body), 400, invalid({field: ["Unknown field."]}))
                put = self.change("PUT", self.user.id, body, self.admin)
                self.assertJson(put, 400, invalid({field: ["Unknown field."]}))
        put = self.change(
            "PUT", self.user.id, {"username": "u", "email": "u@example.com", "password": GOOD_PASSWORD}, self.user
        )
        self.assertJson(put, 400, invalid({"password": ["Unknown field."]}))


class TestPasswordChanges(PermissionsTestCase):
    def test_a_user_changes_its_password_with_the_current_one(self):
        token = bearer(self.user)
        missing = self.patch(self.user.id, {"password": NEW_PASSWORD}, token)
        self.assertJson(missing, 400, invalid({"current_password": ["Missing data for required field."]}))
        wrong = self.patch(self.user.id, {"password": NEW_PASSWORD, "current_password": "not my password"}, token)
        self.assertJson(wrong, 400, invalid({"current_password": ["Does not match the current password."]}))
        self.assertTrue(self.works(token))
        changed = self.patch(self.user.id, {"password": NEW_PASSWORD, "current_password": GOOD_PASSWORD}, token)
        self.assertJson(changed, 200, {"status": "success", "data": user_json(self.user)})
        self.assertFalse(self.signs_in("michael@realpython.com", GOOD_PASSWORD))
        self.assertTrue(self.signs_in("michael@realpython.com", NEW_PASSWORD))

    def test_an_admin_sets_another_users_password_without_it_but_not_its_own(self):
        changed = self.patch(self.user.id, {"password": NEW_PASSWORD}, bearer(self.admin))
        self.assertEqual(changed.status_code, 200)
        self.assertTrue(self.signs_in("michael@realpython.com", NEW_PASSWORD))
        own = self.patch(self.admin.id, {"password": NEW_PASSWORD}, bearer(self.admin))
        self.assertJson(own, 400, invalid({"current_password": ["Missing data for required field."]}))

    def test_a_current_password_alone_is_refused(self):
        alone = self.patch(self.user.id, {"current_password": GOOD_PASSWORD}, bearer(self.user))
        self.assertJson(alone, 400, invalid({"current_password": ["Only sent with a new password."]}))

    def test_a_new_password_too_easy_to_guess_is_refused(self):
        weak = self.patch(
            self.user.id, {"password": "michaelrealpython", "current_password": GOOD_PASSWORD}, bearer(self.user)
        )
        self.assertJson(
            weak,
            400,
            invalid(
                {
                    "password": [
                        "This password is too easy to guess.",
                        "Add another word or two. Uncommon words are better.",
                    ]
                }
            ),
        )
        self.assertTrue(self.signs_in("michael@realpython.com", GOOD_PASSWORD))


class TestRevocation(PermissionsTestCase):
    def test_a_new_password_revokes_every_token_of_the_user_alone(self):
        tokens, others = [bearer(self.user) for _ in range(3)], bearer(self.other)
        self.patch(self.user.id, {"password": NEW_PASSWORD, "current_password": GOOD_PASSWORD}, tokens[0])
        self.assertEqual([self.works(token) for token in tokens], [False, False, False])
        self.assertTrue(self.works(others))
        signed_in = self.client.post("/auth/login", json={"email": "michael@realpython.com", "password": NEW_PASSWORD})
        self.assertTrue(self.works(f"Bearer {signed_in.get_json()['data']['token']}"))  # one issued since

    def test_a_deactivation_revokes_them_and_the_user_cannot_sign_in(self):
        token = bearer(self.user)
        self.assertEqual(self.patch(self.user.id, {"active": False}, bearer(self.admin)).status_code, 200)
        self.assertFalse(self.works(token))
        self.assertJson(
            self.client.post("/auth/login", json={"email": "michael@realpython.com", "password": GOOD_PASSWORD}),
            401,
            INVALID_CREDENTIALS,
        )
        self.assertEqual(self.patch(self.user.id, {"active": True}, bearer(self.admin)).status_code, 200)
        self.assertFalse(self.works(token))  # active again: its old tokens stay revoked
        self.assertTrue(self.signs_in("michael@realpython.com", GOOD_PASSWORD))

    def test_a_user_deactivating_itself_is_signed_out(self):
        token = bearer(self.user)
        self.assertEqual(self.patch(self.user.id, {"active": False}, token).status_code, 200)
        self.assertFalse(self.works(token))

    def test_a_deletion_revokes_them(self):
        token = bearer(self.user)
        self.assertEqual(self.change("DELETE", self.user.id, None, self.user).status_code, 204)
        self.assertFalse(self.works(token))

    def test_other_changes_keep_the_tokens(self):
        token = bearer(self.user)
        for body in ({"username": "mike"}, {"email": "mike@example.com"}, {"active": True}):
            self.assertEqual(self.patch(self.user.id, body, token).status_code, 200)
        writes.change_user(self.user.id, {"admin": True})
        self.assertTrue(self.works(token))
