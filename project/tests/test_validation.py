"""Bad input to the API ends in a precise 4xx envelope and stores nothing."""

from project.tests.base import BaseTestCase, invalid
from project.tests.contract import BAD_ID

VALID = {"username": "michael", "email": "michael@realpython.com"}
MISSING = "Missing data for required field."
NOT_A_STRING = "Not a valid string."
LENGTH = "Length must be between 1 and 128."
CONTROL = "Must not contain control characters."
NOT_AN_EMAIL = "Not a valid email address."


class TestInvalidFields(BaseTestCase):
    """Each payload is refused with the fields it got wrong."""

    CASES = [
        ({**VALID, "username": None}, {"username": ["Field may not be null."]}),
        ({**VALID, "username": 42}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": ["michael"]}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": {"a": 1}}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": True}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": ""}, {"username": [LENGTH]}),
        ({**VALID, "username": "   \u3000 "}, {"username": [LENGTH]}),
        ({**VALID, "username": "   \t\n "}, {"username": [CONTROL]}),
        ({**VALID, "username": " " + "x" * 128}, {"username": [LENGTH]}),  # as sent, spaces and all
        ({**VALID, "username": "x" * 129}, {"username": [LENGTH]}),
        ({**VALID, "username": "null\x00byte"}, {"username": [CONTROL]}),
        ({**VALID, "username": "bell\x07"}, {"username": [CONTROL]}),
        ({**VALID, "username": "line\nbreak"}, {"username": [CONTROL]}),
        ({**VALID, "email": 7}, {"email": [NOT_A_STRING]}),
        ({**VALID, "email": ""}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "   "}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "not-an-email"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "two@@example.com"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "no-domain@"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "@no-local.com"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "spaces in@example.com"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "dot.@example.com"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "user@localhost"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "<script>@example.com"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "a@" + "b" * 124 + ".com"}, {"email": [LENGTH]}),
        ({**VALID, "email": "a@" + "b" * 64 + ".com"}, {"email": [NOT_AN_EMAIL]}),  # a label has 63 at most
        ({**VALID, "email": "a" * 64 + "@" + "b" * 60 + ".com"}, {"email": [LENGTH]}),
        ({**VALID, "id": 5}, {"id": ["Unknown field."]}),
        ({**VALID, "created_at": "2020-01-01T00:00:00+00:00"}, {"created_at": ["Unknown field."]}),
        ({**VALID, "active": False}, {"active": ["Unknown field."]}),
        ({**VALID, "admin": True}, {"admin": ["Unknown field."]}),
        ({"username": 1, "email": 2}, {"username": [NOT_A_STRING], "email": [NOT_A_STRING]}),
    ]

    def test_invalid_fields(self):
        for payload, errors in self.CASES:
            with self.subTest(payload=payload):
                self.assertJson(self.client.post("/users", json=payload), 400, invalid(errors))
        self.assertEqual(self.user_count(), 0)

    def test_longest_valid_values(self):
        username = "ü" * 128
        email = "a" * 64 + "@" + "b" * 59 + ".com"
        response = self.client.post("/users", json={"username": username, "email": email})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.get_json()["data"]["username"], username)
        self.assertEqual(len(response.get_json()["data"]["email"]), 128)
        padded = self.client.post(
            "/users", json={"username": f" \u3000{username[:124]}\u00a0 ", "email": "p@example.com"}
        )
        self.assertEqual(padded.get_json()["data"]["username"], username[:124])

    def test_html_and_sql_are_stored_literally(self):
        usernames = ("<script>alert(1)</script>", "Robert'); DROP TABLE users;--", "' OR '1'='1")
        for number, username in enumerate(usernames):
            with self.subTest(username=username):
                response = self.client.post("/users", json={"username": username, "email": f"u{number}@example.com"})
                fetched = self.client.get(f"/users/{response.get_json()['data']['id']}").get_json()["data"]
                self.assertEqual(fetched["username"], username)
        self.assertEqual(self.user_count(), 3)


class TestBodies(BaseTestCase):
    """Bodies that are not a JSON object."""

    def post(self, data, content_type="application/json"):
        return self.client.post("/users", data=data, content_type=content_type)

    def test_bodies_that_are_not_objects(self):
        for body in ("[]", '["michael"]', '"michael"', "42", "true", "null"):
            with self.subTest(body=body):
                self.assertJson(self.post(body), 400, invalid({"_schema": ["Invalid input type."]}))

    def test_malformed_json(self):
        for body in ("{", '{"username": "michael",}', "{'username': 'michael'}", "\xff\xfe", "NaN!"):
            with self.subTest(body=body):
                self.assertJson(self.post(body.encode("latin-1")), 400, invalid({"_schema": ["Invalid JSON body."]}))

    def test_empty_body(self):
        self.assertJson(
            self.post(b""),
            400,
            invalid({"username": ["Missing data for required field."], "email": ["Missing data for required field."]}),
        )

    def test_content_types_other_than_json(self):
        cases = [
            ("username=michael&email=michael%40realpython.com", "application/x-www-form-urlencoded"),
            ('{"username": "michael", "email": "michael@realpython.com"}', "text/plain"),
            ('{"username": "michael", "email": "michael@realpython.com"}', None),
            ("<user/>", "application/xml"),
        ]
        for body, content_type in cases:
            with self.subTest(content_type=content_type):
                self.assertJson(
                    self.post(body, content_type),
                    415,
                    {"status": "fail", "message": "Content-Type must be application/json."},
                )
        self.assertEqual(self.user_count(), 0)

    def test_json_content_type_variants_are_accepted(self):
        for number, content_type in enumerate(("application/json; charset=utf-8", "application/merge-patch+json")):
            with self.subTest(content_type=content_type):
                body = f'{{"username": "m", "email": "m{number}@example.com"}}'
                self.assertEqual(self.post(body, content_type).status_code, 201)

    def test_oversize_body(self):
        body = '{"username": "' + "x" * (1024 * 1024) + '", "email": "a@example.com"}'
        self.assertJson(self.post(body), 413, {"status": "fail", "message": "Request Entity Too Large"})
        self.assertEqual(self.user_count(), 0)


class TestRoutes(BaseTestCase):
    """Unknown routes and wrong methods answer in the envelope."""

    def test_unknown_routes(self):
        for path in ("/nope", "/users/1/extra", "/users/", "/ping/x", "/static/missing.css"):
            with self.subTest(path=path):
                self.assertJson(self.client.get(path), 404, {"status": "fail", "message": "Not Found"})

    def test_wrong_methods(self):
        cases = [
            ("delete", "/ping", "GET, HEAD, OPTIONS"),
            ("post", "/ping", "GET, HEAD, OPTIONS"),
            ("put", "/users", "GET, HEAD, OPTIONS, POST"),
            ("delete", "/users", "GET, HEAD, OPTIONS, POST"),
            ("post", "/users/1", "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"),
        ]
        for method, path, allowed in cases:
            with self.subTest(method=method, path=path):
                response = getattr(self.client, method)(path, json={})
                self.assertJson(response, 405, {"status": "fail", "message": "Method Not Allowed"})
                self.assertEqual(sorted(response.headers["Allow"].split(", ")), allowed.split(", "))

    def test_browsers_get_pages_off_the_api(self):
        response = self.client.get("/nope", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        self.assertEqual((response.status_code, response.content_type), (404, "text/html; charset=utf-8"))
        self.assertIn("<h1>404</h1>", response.get_data(as_text=True))

    def test_browsers_get_json_on_the_api(self):
        response = self.client.get("/users/xxx", headers={"Accept": "text/html,*/*;q=0.8"})
        self.assertJson(response, 400, BAD_ID)
