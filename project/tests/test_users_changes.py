"""PUT, PATCH and DELETE /users/<id>, made by the user itself: the same validation and messages as POST
/users (odd ids and bodies that are not JSON, on every method: test_validation.py; who may change whom:
test_permissions.py)."""

from project.extensions import db
from project.tests.base import BaseTestCase, invalid, user_json
from project.tests.contract import EMAIL_TAKEN, NOT_FOUND
from project.users.models import User


class ChangesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = self.act_as(self.add_user("michael", "michael@realpython.com"))
        self.other = self.add_user("fletcher", "fletcher@realpython.com")

    def stored(self) -> User:
        """The user as the database now holds it."""
        db.session.expire_all()
        return db.session.get(User, self.user.id)


class TestReplaceUser(ChangesTestCase):
    def test_replaces_username_and_email(self):
        response = self.client.put(f"/users/{self.user.id}", json={"username": " Mike ", "email": "MIKE@example.com"})
        user = self.stored()
        self.assertJson(response, 200, {"status": "success", "data": user_json(user)})
        self.assertEqual((user.username, user.email, user.active), ("Mike", "mike@example.com", True))

    def test_keeping_the_same_email_is_allowed(self):
        response = self.client.put(f"/users/{self.user.id}", json={"username": "mike", "email": self.user.email})
        self.assertEqual(response.status_code, 200)

    def test_both_fields_are_required(self):
        missing = "Missing data for required field."
        response = self.client.put(f"/users/{self.user.id}", json={"username": "mike"})
        self.assertJson(response, 400, invalid({"email": [missing]}))
        response = self.client.put(f"/users/{self.user.id}", json={})
        self.assertJson(response, 400, invalid({"username": [missing], "email": [missing]}))

    def test_another_users_email_is_refused(self):
        response = self.client.put(f"/users/{self.user.id}", json={"username": "m", "email": "Fletcher@RealPython.com"})
        self.assertJson(response, 400, EMAIL_TAKEN)
        self.assertEqual(self.stored().email, "michael@realpython.com")

    def test_read_only_and_unknown_fields_are_refused(self):
        for field, value in (("id", 99), ("created_at", "2020-01-01T00:00:00+00:00"), ("active", False), ("role", "x")):
            with self.subTest(field=field):
                body = {"username": "m", "email": "m@example.com", field: value}
                response = self.client.put(f"/users/{self.user.id}", json=body)
                self.assertJson(response, 400, invalid({field: ["Unknown field."]}))
        self.assertEqual(user_json(self.stored()), user_json(self.user))


class TestUpdateUser(ChangesTestCase):
    def test_changes_only_the_fields_given(self):
        self.act_as(self.add_admin())  # a user deactivating itself could not activate itself again
        cases = [
            ({"username": "  mike "}, ("mike", "michael@realpython.com", True)),
            ({"email": " MIKE@example.com"}, ("mike", "mike@example.com", True)),
            ({"active": False}, ("mike", "mike@example.com", False)),
            ({"active": True, "username": "michael"}, ("michael", "mike@example.com", True)),
        ]
        for fields, expected in cases:
            with self.subTest(fields=fields):
                response = self.client.patch(f"/users/{self.user.id}", json=fields)
                user = self.stored()
                self.assertJson(response, 200, {"status": "success", "data": user_json(user)})
                self.assertEqual((user.username, user.email, user.active), expected)

    def test_an_empty_patch_changes_nothing(self):
        response = self.client.patch(f"/users/{self.user.id}", json={})
        self.assertJson(response, 200, {"status": "success", "data": user_json(self.user)})

    def test_merge_patch_content_type_is_accepted(self):
        response = self.client.patch(
            f"/users/{self.user.id}", data='{"active": false}', content_type="application/merge-patch+json"
        )
        self.assertEqual((response.status_code, self.stored().active), (200, False))

    def test_invalid_values_are_refused(self):
        cases = [
            ({"username": ""}, {"username": ["Length must be between 1 and 128."]}),
            ({"username": None}, {"username": ["Field may not be null."]}),
            ({"email": "nope"}, {"email": ["Not a valid email address."]}),
            ({"active": "false"}, {"active": ["Not a valid boolean."]}),
            ({"active": 0}, {"active": ["Not a valid boolean."]}),
            ({"active": None}, {"active": ["Field may not be null."]}),
            ({"id": 5}, {"id": ["Unknown field."]}),
            ({"created_at": "2020-01-01T00:00:00+00:00"}, {"created_at": ["Unknown field."]}),
        ]
        for fields, errors in cases:
            with self.subTest(fields=fields):
                self.assertJson(self.client.patch(f"/users/{self.user.id}", json=fields), 400, invalid(errors))
        self.assertEqual(user_json(self.stored()), user_json(self.user))

    def test_another_users_email_is_refused(self):
        response = self.client.patch(f"/users/{self.user.id}", json={"email": "fletcher@realpython.com"})
        self.assertJson(response, 400, EMAIL_TAKEN)


class TestDeleteUser(ChangesTestCase):
    def test_deletes_the_user(self):
        user_id = self.user.id
        response = self.client.delete(f"/users/{user_id}")
        self.assertEqual((response.status_code, response.data, response.content_type), (204, b"", None))
        self.assertJson(self.client.get(f"/users/{user_id}"), 404, NOT_FOUND)
        self.assertEqual(self.user_count(), 1)
        self.act_as(self.add_admin())  # the deleted user's own token went with it
        self.assertJson(self.client.delete(f"/users/{user_id}"), 404, NOT_FOUND)

    def test_ids_are_never_reused(self):
        newest = self.client.post("/users", json={"username": "n", "email": "newest@example.com"}).get_json()["data"]
        self.act_as(self.add_admin())
        self.assertEqual(self.client.delete(f"/users/{newest['id']}").status_code, 204)
        again = self.client.post("/users", json={"username": "n", "email": "newest@example.com"}).get_json()["data"]
        self.assertGreater(again["id"], newest["id"])

    def test_the_email_is_free_again(self):
        self.client.delete(f"/users/{self.user.id}")
        response = self.client.post("/users", json={"username": "again", "email": "michael@realpython.com"})
        self.assertEqual(response.status_code, 201)
