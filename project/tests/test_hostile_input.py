"""Hostile input, by category: each case ends in a precise 4xx envelope, stores nothing, never a 5xx."""

from project.tests.base import BaseTestCase, invalid
from project.tests.contract import BAD_ID, EMAIL_TAKEN, NOT_FOUND

INVALID_JSON = {"status": "fail", "message": "Invalid payload.", "errors": {"_schema": ["Invalid JSON body."]}}


class HostileTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = self.add_user("victim", "victim@example.com")

    def post(self, body, content_type="application/json"):
        return self.client.post("/users", data=body, content_type=content_type)

    def assertNothingStored(self) -> None:
        self.assertEqual(self.user_count(), 1)


class TestBodiesThatAreNotJson(HostileTestCase):
    def test_json_the_parser_cannot_take(self):
        bodies = [
            "[" * 100_000 + "]" * 100_000,  # nesting deeper than any parser's recursion
            '{"username": ' + "1" * 5_000 + ', "email": "a@example.com"}',  # an integer too long to convert
            '{"username": NaN, "email": "a@example.com"}',
            '{"username": -Infinity, "email": "a@example.com"}',
            '\ufeff{"username": "bom", "email": "bom@example.com"}',
            '{"username": "u16", "email": "u16@example.com"}'.encode("utf-16"),
            b'{"username": "\xc3\x28", "email": "a@example.com"}',  # invalid UTF-8
            '{"username": "x", "email": "a@example.com"} trailing',
        ]
        for body in bodies:
            with self.subTest(body=body[:40]):
                self.assertJson(self.post(body), 400, INVALID_JSON)
        self.assertNothingStored()

    def test_wrong_content_types_on_every_write(self):
        body = '{"username": "x", "email": "x@example.com"}'
        for method, path in (
            ("post", "/users"),
            ("put", f"/users/{self.user.id}"),
            ("patch", f"/users/{self.user.id}"),
        ):
            for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "json"):
                with self.subTest(method=method, content_type=content_type):
                    response = getattr(self.client, method)(path, data=body, content_type=content_type)
                    self.assertJson(
                        response, 415, {"status": "fail", "message": "Content-Type must be application/json."}
                    )
        self.assertNothingStored()

    def test_encoded_bodies(self):
        body = '{"username": "x", "email": "x@example.com"}'
        encoded = {"status": "fail", "message": "Content-Encoding is not supported: send the JSON body as it is."}
        for encoding in ("gzip", "deflate", "br, gzip"):
            with self.subTest(encoding=encoding):
                headers = {"Content-Encoding": encoding}
                response = self.client.post("/users", data=body, content_type="application/json", headers=headers)
                self.assertJson(response, 415, encoded)
        self.assertNothingStored()
        response = self.client.post(
            "/users", data=body, content_type="application/json", headers={"Content-Encoding": "identity"}
        )
        self.assertEqual(response.status_code, 201)


class TestFieldValues(HostileTestCase):
    def test_wrong_types(self):
        for value in (1, 1.5, True, None, [], {}, ["x"], {"$gt": ""}):
            with self.subTest(value=value):
                response = self.client.post("/users", json={"username": value, "email": "x@example.com"})
                self.assertEqual(response.status_code, 400)
                self.assertEqual(set(response.get_json()["errors"]), {"username"})
        self.assertNothingStored()

    def test_text_that_cannot_be_stored(self):
        cases = [
            ("\ud800", "Must be valid Unicode text."),
            ("abc\udfff", "Must be valid Unicode text."),
            ("\x00", "Must not contain control characters."),
            ("tab\there", "Must not contain control characters."),
            ("next\x85line", "Must not contain control characters."),
            (" " * 200, "Length must be between 1 and 128."),
            ("x" * 10_000, "Length must be between 1 and 128."),
        ]
        for username, message in cases:
            with self.subTest(username=username[:20]):
                response = self.client.post("/users", json={"username": username, "email": "x@example.com"})
                self.assertJson(response, 400, invalid({"username": [message]}))
        self.assertNothingStored()

    def test_invalid_and_duplicate_emails(self):
        for email in ("victim@example.com", " VICTIM@Example.COM ", "Victim@EXAMPLE.com"):
            with self.subTest(email=email):
                response = self.client.post("/users", json={"username": "x", "email": email})
                self.assertJson(response, 400, EMAIL_TAKEN)
        for email in ("a@b", "a@b.test", "x@localhost", "x@[127.0.0.1]", '"quoted"@example.com', "a\n@example.com"):
            with self.subTest(email=email):
                response = self.client.post("/users", json={"username": "x", "email": email})
                self.assertEqual(response.status_code, 400)
                self.assertEqual(set(response.get_json()["errors"]), {"email"})
        self.assertNothingStored()

    def test_markup_and_sql_are_stored_as_text(self):
        for number, username in enumerate(
            ("<img src=x onerror=alert(1)>", "1; DROP TABLE users", "' OR 1=1 --", "${jndi:x}")
        ):
            with self.subTest(username=username):
                response = self.client.post("/users", json={"username": username, "email": f"h{number}@example.com"})
                self.assertEqual(response.get_json()["data"]["username"], username)
        page = self.client.get("/").get_data(as_text=True)
        self.assertNotIn("<img src=x", page)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", page)


class TestIdsRoutesAndParameters(HostileTestCase):
    def test_odd_ids(self):
        for method in ("get", "put", "patch", "delete"):
            for user_id, status, body in (
                ("0", 404, NOT_FOUND),
                ("-5", 404, NOT_FOUND),
                ("9" * 40, 404, NOT_FOUND),
                ("9" * 5000, 404, NOT_FOUND),  # past int()'s limit on digits
                ("-" + "0" * 5000 + "7", 404, NOT_FOUND),
                ("1e9", 400, BAD_ID),
                ("0x1", 400, BAD_ID),
                ("%F0%9F%98%80", 400, BAD_ID),
                ("1%00", 400, BAD_ID),
            ):
                with self.subTest(method=method, user_id=user_id):
                    kwargs = (
                        {"json": {"username": "x", "email": "odd@example.com"}} if method in ("put", "patch") else {}
                    )
                    self.assertJson(getattr(self.client, method)(f"/users/{user_id}", **kwargs), status, body)
        self.assertNothingStored()

    def test_unknown_routes_and_methods(self):
        for method, path, status in (
            ("get", "/users/1/secrets", 404),
            ("get", "/admin", 404),
            ("get", "/.env", 404),
            ("get", "/users/..%2F..%2Fetc%2Fpasswd", 404),
            ("post", "/ping", 405),
            ("put", "/users", 405),
            ("patch", "/health", 405),
            ("delete", "/openapi.json", 405),
        ):
            with self.subTest(method=method, path=path):
                response = getattr(self.client, method)(path)
                self.assertEqual((response.status_code, response.mimetype), (status, "application/json"))
        self.assertNothingStored()

    def test_bad_query_parameters(self):
        for query in ("page=x&page=1", "per_page=%00", "sort=id;DROP", "active=TRUE", "q=%00", "email=%40", "page=1e3"):
            with self.subTest(query=query):
                response = self.client.get(f"/users?{query}")
                self.assertEqual((response.status_code, response.get_json()["message"]), (400, "Invalid parameters."))

    def test_header_abuse(self):
        cases = [
            {"X-Request-ID": "x" * 10_000},
            {"Content-Length": "-1"},
            {"Accept": "*/*;q=" + "9" * 1000},
            {"X-Forwarded-For": "1.2.3.4, " * 200},
        ]
        for headers in cases:
            with self.subTest(headers=str(headers)[:40]):
                response = self.client.get("/users", headers=headers)
                self.assertLess(response.status_code, 500)
                self.assertEqual(response.mimetype, "application/json")
