"""The seed's API contract, row by row: /ping and /users."""

import re
from datetime import UTC, datetime, timedelta

from project.extensions import db
from project.tests.base import BaseTestCase, user_json
from project.users.models import User

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00")


class TestPing(BaseTestCase):
    def test_ping(self):
        self.assertJson(self.client.get("/ping"), 200, {"status": "success", "message": "pong!"})


class TestAddUser(BaseTestCase):
    def test_add_user(self):
        response = self.client.post("/users", json={"username": "michael", "email": "michael@realpython.com"})
        user = db.session.scalars(db.select(User)).one()
        self.assertJson(
            response,
            201,
            {"status": "success", "message": "michael@realpython.com was added!", "data": user_json(user)},
        )
        self.assertEqual(response.headers["Location"], f"/users/{user.id}")
        self.assertEqual((user.username, user.email, user.active), ("michael", "michael@realpython.com", True))

    def test_add_user_empty_json(self):
        response = self.client.post("/users", json={})
        self.assertJson(
            response,
            400,
            {
                "status": "fail",
                "message": "Invalid payload.",
                "errors": {
                    "username": ["Missing data for required field."],
                    "email": ["Missing data for required field."],
                },
            },
        )

    def test_add_user_missing_username(self):
        response = self.client.post("/users", json={"email": "michael@realpython.com"})
        self.assertJson(
            response,
            400,
            {
                "status": "fail",
                "message": "Invalid payload.",
                "errors": {"username": ["Missing data for required field."]},
            },
        )

    def test_add_user_missing_email(self):
        response = self.client.post("/users", json={"username": "michael"})
        self.assertJson(
            response,
            400,
            {
                "status": "fail",
                "message": "Invalid payload.",
                "errors": {"email": ["Missing data for required field."]},
            },
        )

    def test_add_user_duplicate_email(self):
        self.client.post("/users", json={"username": "michael", "email": "michael@realpython.com"})
        response = self.client.post("/users", json={"username": "michael", "email": "michael@realpython.com"})
        self.assertJson(response, 400, {"status": "fail", "message": "Sorry. That email already exists."})
        self.assertEqual(self.user_count(), 1)

    def test_add_user_duplicate_email_in_other_case_and_spacing(self):
        self.add_user(email="michael@realpython.com")
        response = self.client.post("/users", json={"username": "m", "email": "  Michael@RealPython.COM "})
        self.assertJson(response, 400, {"status": "fail", "message": "Sorry. That email already exists."})
        self.assertEqual(self.user_count(), 1)

    def test_add_user_stores_fields_trimmed_and_email_lower_cased(self):
        response = self.client.post("/users", json={"username": "  Michael  ", "email": " Michael@RealPython.COM"})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.get_json()["message"], "michael@realpython.com was added!")
        user = db.session.scalars(db.select(User)).one()
        self.assertEqual((user.username, user.email), ("Michael", "michael@realpython.com"))

    def test_add_user_unicode_and_emoji_round_trip(self):
        names = {"😀 Zoë 测试 ℌ𝔢𝔩𝔩𝔬": "zoë@例え.テスト", "Ærøskøbing 🇩🇰": "ærø@bücher.de"}
        for username, email in names.items():
            with self.subTest(username=username):
                created = self.client.post("/users", json={"username": username, "email": email}).get_json()["data"]
                db.session.expire_all()
                fetched = self.client.get(f"/users/{created['id']}").get_json()["data"]
                self.assertEqual((fetched["username"], fetched["email"]), (username, email))
                self.assertEqual(db.session.get(User, created["id"]).username, username)

    def test_answers_carry_text_as_utf8_not_escaped(self):
        response = self.client.post("/users", json={"username": "Jürgen 😀", "email": "jürgen@bücher.de"})
        self.assertEqual(response.status_code, 201)
        for body in (response.data, self.client.get(response.headers["Location"]).data):
            self.assertIn('"username":"Jürgen 😀"'.encode(), body)
            self.assertIn('"email":"jürgen@bücher.de"'.encode(), body)
            self.assertNotIn(b"\\u", body)


class TestGetUser(BaseTestCase):
    def test_single_user(self):
        user = self.add_user()
        response = self.client.get(f"/users/{user.id}")
        self.assertJson(response, 200, {"status": "success", "data": user_json(user)})
        self.assertRegex(response.get_json()["data"]["created_at"], ISO_UTC)

    def test_single_user_no_id(self):
        for user_id in ("xxx", "1.5", "1e3", "0x10", "%20", "١", "--1", "1-"):
            with self.subTest(user_id=user_id):
                self.assertJson(
                    self.client.get(f"/users/{user_id}"), 400, {"status": "fail", "message": "Param id error"}
                )

    def test_single_user_incorrect_id(self):
        self.add_user()
        for user_id in ("-1", "0", "999", "2147483648", "99999999999999999999999999"):
            with self.subTest(user_id=user_id):
                self.assertJson(
                    self.client.get(f"/users/{user_id}"), 404, {"status": "fail", "message": "User does not exist"}
                )

    def test_single_user_id_with_leading_zeros(self):
        user = self.add_user()
        self.assertJson(self.client.get(f"/users/000{user.id}"), 200, {"status": "success", "data": user_json(user)})


class TestListUsers(BaseTestCase):
    def test_all_users_newest_first(self):
        michael = self.add_user("michael", "michael@realpython.com")
        fletcher = self.add_user("fletcher", "fletcher@realpython.com")
        response = self.client.get("/users")
        self.assertJson(
            response,
            200,
            {
                "status": "success",
                "data": {
                    "users": [user_json(fletcher), user_json(michael)],
                    "pagination": {"page": 1, "per_page": 20, "total": 2, "pages": 1},
                },
            },
        )
        link = '<http://localhost/users?page=1>; rel="first", <http://localhost/users?page=1>; rel="last"'
        self.assertEqual(response.headers["Link"], link)

    def test_order_follows_created_at_not_id(self):
        older = self.add_user("older", "older@example.com")
        newer = self.add_user("newer", "newer@example.com")
        older.created_at = newer.created_at + timedelta(seconds=1)
        db.session.commit()
        users = self.client.get("/users").get_json()["data"]["users"]
        self.assertEqual([user["id"] for user in users], [older.id, newer.id])

    def test_no_users(self):
        self.assertJson(
            self.client.get("/users"),
            200,
            {
                "status": "success",
                "data": {"users": [], "pagination": {"page": 1, "per_page": 20, "total": 0, "pages": 0}},
            },
        )

    def test_created_at_is_utc_iso_8601(self):
        before = datetime.now(UTC)
        self.client.post("/users", json={"username": "michael", "email": "michael@realpython.com"})
        created_at = self.client.get("/users").get_json()["data"]["users"][0]["created_at"]
        self.assertRegex(created_at, ISO_UTC)
        self.assertLessEqual(before, datetime.fromisoformat(created_at))
