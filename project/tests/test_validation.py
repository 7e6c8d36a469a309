"""Bad input to the API, careless or hostile: a precise 4xx envelope, nothing stored, never a 5xx."""

from project.tests.base import BaseTestCase, invalid, user_json
from project.tests.contract import BAD_ID, EMAIL_TAKEN, NOT_FOUND

VALID = {"username": "michael", "email": "michael@realpython.com"}
MISSING = "Missing data for required field."
NOT_A_STRING = "Not a valid string."
LENGTH = "Length must be between 1 and 128."
CONTROL = "Must not contain control characters."
NOT_UNICODE = "Must be valid Unicode text."
NOT_AN_EMAIL = "Not a valid email address."
NO_MAIL = "Not a valid email address: its domain is reserved and cannot receive mail."
BLANK = "Must not be blank."
CYRILLIC = "Cyrillic, Latin"
LOOK_ALIKE = "Not a valid email address: its {} mixes look-alike letters of different scripts ({})."
NOT_JSON = {"status": "fail", "message": "Content-Type must be application/json."}

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"  # what a browser accepts


class TestInvalidFields(BaseTestCase):
    """Each payload is refused with the fields it got wrong."""

    CASES = [
        ({**VALID, "username": None}, {"username": ["Field may not be null."]}),
        ({**VALID, "username": 42}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": 1.5}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": ["michael"]}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": []}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": {"a": 1}}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": {}}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": {"$gt": ""}}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": True}, {"username": [NOT_A_STRING]}),
        ({**VALID, "username": ""}, {"username": [LENGTH]}),
        ({**VALID, "username": "   "}, {"username": [BLANK]}),
        ({**VALID, "username": "   \u3000 "}, {"username": [BLANK]}),
        ({**VALID, "username": "   \t\n "}, {"username": [CONTROL]}),
        ({**VALID, "username": " " + "x" * 128}, {"username": [LENGTH]}),  # as sent, spaces and all
        ({**VALID, "username": " " * 200}, {"username": [LENGTH]}),
        ({**VALID, "username": "x" * 129}, {"username": [LENGTH]}),
        ({**VALID, "username": "x" * 10_000}, {"username": [LENGTH]}),
        ({**VALID, "username": "\x00"}, {"username": [CONTROL]}),
        ({**VALID, "username": "null\x00byte"}, {"username": [CONTROL]}),
        ({**VALID, "username": "bell\x07"}, {"username": [CONTROL]}),
        ({**VALID, "username": "line\nbreak"}, {"username": [CONTROL]}),
        ({**VALID, "username": "tab\there"}, {"username": [CONTROL]}),
        ({**VALID, "username": "next\x85line"}, {"username": [CONTROL]}),  # a C1 control character
        ({**VALID, "username": "\ud800"}, {"username": [NOT_UNICODE]}),  # a lone surrogate: no database stores it
        ({**VALID, "username": "abc\udfff"}, {"username": [NOT_UNICODE]}),
        ({**VALID, "email": 7}, {"email": [NOT_A_STRING]}),
        ({**VALID, "email": ""}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "   "}, {"email": [BLANK]}),
        ({**VALID, "email": "not-an-email"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "two@@example.com"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "no-domain@"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "@no-local.com"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "spaces in@example.com"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "dot.@example.com"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "a@b"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "user@localhost"}, {"email": [NO_MAIL]}),  # special-use domains
        ({**VALID, "email": "bob@example.test"}, {"email": [NO_MAIL]}),
        ({**VALID, "email": "a@b.Invalid"}, {"email": [NO_MAIL]}),
        ({**VALID, "email": "printer@office.local"}, {"email": [NO_MAIL]}),
        ({**VALID, "email": "x@[127.0.0.1]"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": '"quoted"@example.com'}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "<script>@example.com"}, {"email": [NOT_AN_EMAIL]}),
        ({**VALID, "email": "a\n@example.com"}, {"email": [CONTROL]}),
        ({**VALID, "email": "a@" + "b" * 124 + ".com"}, {"email": [LENGTH]}),
        ({**VALID, "email": "a@" + "b" * 64 + ".com"}, {"email": [NOT_AN_EMAIL]}),  # a label has 63 at most
        ({**VALID, "email": "a" * 64 + "@" + "b" * 60 + ".com"}, {"email": [LENGTH]}),
        (
            {**VALID, "email": "p\u0430ypal@example.com"},
            {"email": [LOOK_ALIKE.format("local part", "Cyrillic, Latin")]},
        ),
        ({**VALID, "email": "\u03c1aypal@example.com"}, {"email": [LOOK_ALIKE.format("local part", "Greek, Latin")]}),
        ({**VALID, "email": "user@ex\u0430mple.com"}, {"email": [LOOK_ALIKE.format("domain", "Cyrillic, Latin")]}),
        ({**VALID, "id": 5}, {"id": ["Unknown field."]}),
        ({**VALID, "created_at": "2020-01-01T00:00:00+00:00"}, {"created_at": ["Unknown field."]}),
        ({**VALID, "active": False}, {"active": ["Unknown field."]}),
        ({**VALID, "admin": True}, {"admin": ["Unknown field."]}),
        ({**VALID, "\ud800": 1}, {"\ud800": ["Unknown field."]}),  # named in the answer, which escapes it
        ({"username": 1, "email": 2}, {"username": [NOT_A_STRING], "email": [NOT_A_STRING]}),
    ]

    def test_invalid_fields(self):
        for payload, errors in self.CASES:
            with self.subTest(payload=str(payload)[:60]):
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
        usernames = (
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "Robert'); DROP TABLE users;--",
            "1; DROP TABLE users",
            "' OR '1'='1",
            "' OR 1=1 --",
            "${jndi:x}",
        )
        for number, username in enumerate(usernames):
            with self.subTest(username=username):
                response = self.client.post("/users", json={"username": username, "email": f"u{number}@example.com"})
                fetched = self.client.get(f"/users/{response.get_json()['data']['id']}").get_json()["data"]
                self.assertEqual(fetched["username"], username)
        self.assertEqual(self.user_count(), len(usernames))


class TestBodies(BaseTestCase):
    """Bodies that are not a JSON object."""

    def post(self, data, content_type="application/json", **kwargs):
        return self.client.post("/users", data=data, content_type=content_type, **kwargs)

    def test_bodies_that_are_not_objects(self):
        for body in ("[]", '["michael"]', '"michael"', "42", "true", "null"):
            with self.subTest(body=body):
                self.assertJson(self.post(body), 400, invalid({"_schema": ["Invalid input type."]}))

    def test_malformed_json(self):
        bodies = [
            "{",
            '{"username": "michael",}',
            "{'username': 'michael'}",
            b"\xff\xfe",
            "NaN!",
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
                self.assertJson(self.post(body), 400, invalid({"_schema": ["Invalid JSON body."]}))
        self.assertEqual(self.user_count(), 0)

    def test_empty_body(self):
        self.assertJson(self.post(b""), 400, invalid({"username": [MISSING], "email": [MISSING]}))

    def test_content_types_other_than_json_on_every_write(self):
        user = self.act_as(self.add_user())
        body = '{"username": "x", "email": "x@example.com"}'
        for method, path in (("POST", "/users"), ("PUT", f"/users/{user.id}"), ("PATCH", f"/users/{user.id}")):
            for content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "text/plain",
                "application/xml",
                "json",
                None,
            ):
                with self.subTest(method=method, content_type=content_type):
                    response = self.client.open(path, method=method, data=body, content_type=content_type)
                    self.assertJson(response, 415, NOT_JSON)
        self.assertEqual(self.user_count(), 1)
        self.assertEqual(self.client.get(f"/users/{user.id}").get_json()["data"], user_json(user))

    def test_json_content_type_variants_are_accepted(self):
        for number, content_type in enumerate(("application/json; charset=utf-8", "application/merge-patch+json")):
            with self.subTest(content_type=content_type):
                body = f'{{"username": "m", "email": "m{number}@example.com"}}'
                self.assertEqual(self.post(body, content_type).status_code, 201)

    def test_encoded_bodies(self):
        body = '{"username": "x", "email": "x@example.com"}'
        encoded = {"status": "fail", "message": "Content-Encoding is not supported: send the JSON body as it is."}
        for encoding in ("gzip", "deflate", "br, gzip"):
            with self.subTest(encoding=encoding):
                self.assertJson(self.post(body, headers={"Content-Encoding": encoding}), 415, encoded)
        self.assertEqual(self.user_count(), 0)
        self.assertEqual(self.post(body, headers={"Content-Encoding": "identity"}).status_code, 201)

    def test_oversize_body(self):
        body = '{"username": "' + "x" * (1024 * 1024) + '", "email": "a@example.com"}'
        self.assertJson(self.post(body), 413, {"status": "fail", "message": "Request Entity Too Large"})
        self.assertEqual(self.user_count(), 0)


class TestIds(BaseTestCase):
    def test_odd_ids_on_every_method(self):
        self.act_as(self.add_admin())  # an admin, who may change any id there is
        user = self.add_user("victim", "victim@example.com")
        cases = [
            ("0", 404, NOT_FOUND),
            ("-5", 404, NOT_FOUND),
            (str(user.id + 1), 404, NOT_FOUND),  # no user has it
            ("9" * 40, 404, NOT_FOUND),
            ("9" * 5000, 404, NOT_FOUND),  # past int()'s limit on digits
            ("-" + "0" * 5000 + "7", 404, NOT_FOUND),
            ("xxx", 400, BAD_ID),
            ("1.0", 400, BAD_ID),
            ("1e9", 400, BAD_ID),
            ("0x1", 400, BAD_ID),
            ("%F0%9F%98%80", 400, BAD_ID),
            ("1%00", 400, BAD_ID),
        ]
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            body = {"username": "x", "email": "odd@example.com"} if method in ("PUT", "PATCH") else None
            for user_id, status, answer in cases:
                with self.subTest(method=method, user_id=user_id[:20]):
                    self.assertJson(self.client.open(f"/users/{user_id}", method=method, json=body), status, answer)
        self.assertEqual(self.user_count(), 2)
        self.assertEqual(self.client.get(f"/users/{user.id}").get_json()["data"], user_json(user))


class TestRoutes(BaseTestCase):
    """Unknown routes and wrong methods answer in the envelope."""

    def test_unknown_routes(self):
        paths = (
            "/nope",
            "/users/1/extra",
            "/users/",
            "/ping/x",
            "/static/missing.css",
            "/admin",
            "/.env",
            "/users/..%2F..%2Fetc%2Fpasswd",
        )
        for path in paths:
            with self.subTest(path=path):
                self.assertJson(self.client.get(path), 404, {"status": "fail", "message": "Not Found"})

    def test_wrong_methods(self):
        cases = [
            ("delete", "/ping", "GET, HEAD, OPTIONS"),
            ("post", "/ping", "GET, HEAD, OPTIONS"),
            ("patch", "/health", "GET, HEAD, OPTIONS"),
            ("delete", "/openapi.json", "GET, HEAD, OPTIONS"),
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
        response = self.client.get("/nope", headers={"Accept": BROWSER})
        self.assertEqual((response.status_code, response.content_type), (404, "text/html; charset=utf-8"))
        self.assertIn("<h1>404</h1>", response.get_data(as_text=True))

    def test_error_pages_carry_the_errors_headers(self):
        response = self.client.put("/", headers={"Accept": BROWSER})
        self.assertEqual((response.status_code, response.content_type), (405, "text/html; charset=utf-8"))
        self.assertEqual(sorted(response.headers["Allow"].split(", ")), ["GET", "HEAD", "OPTIONS", "POST"])

    def test_browsers_get_json_on_the_api(self):
        response = self.client.get("/users/xxx", headers={"Accept": BROWSER})
        self.assertJson(response, 400, BAD_ID)


class TestHeaders(BaseTestCase):
    def test_abusive_headers_are_ignored(self):
        user = self.add_user()
        listed = {
            "status": "success",
            "data": {"users": [user_json(user)], "pagination": {"page": 1, "per_page": 20, "total": 1, "pages": 1}},
        }
        cases = [
            {"X-Request-ID": "x" * 10_000},
            {"Content-Length": "-1"},
            {"Accept": "*/*;q=" + "9" * 1000},
            {"X-Forwarded-For": "1.2.3.4, " * 200},
        ]
        for headers in cases:
            with self.subTest(headers=str(headers)[:40]):
                self.assertJson(self.client.get("/users", headers=headers), 200, listed)


class TestEmailForms(BaseTestCase):
    """An email is one address however it is written: NFKC-normalised and case-folded when kept and compared."""

    FULLWIDTH = "\uff2d\uff29\uff23\uff28\uff21\uff25\uff2c@example.com"  # MICHAEL, in fullwidth letters

    def test_a_fullwidth_address_is_the_same_address(self):
        self.add_user(email="michael@example.com")
        response = self.client.post("/users", json={"username": "other", "email": self.FULLWIDTH})
        self.assertJson(response, 400, EMAIL_TAKEN)
        self.assertEqual(self.user_count(), 1)

    def test_kept_normalised_and_signed_in_with_any_form(self):
        response = self.client.post(
            "/users", json={"username": "m", "email": self.FULLWIDTH, "password": "first password"}
        )
        self.assertEqual(response.get_json()["data"]["email"], "michael@example.com")
        for email in ("michael@example.com", "MICHAEL@EXAMPLE.COM", self.FULLWIDTH):
            with self.subTest(email=email):
                signed_in = self.client.post("/auth/login", json={"email": email, "password": "first password"})
                self.assertEqual(signed_in.status_code, 200)

    def test_scripts_written_together_are_not_mixed(self):
        for number, local in enumerate(
            (
                "zo\u00eb",
                "\u5f20wei",
                "\uae40min",
                "\u4f8b\u3048\u30c6\u30b9\u30c8",
                "\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae",
            )
        ):
            with self.subTest(local=local):
                response = self.client.post("/users", json={"username": f"u{number}", "email": f"{local}@example.com"})
                self.assertEqual(response.status_code, 201)


class TestLoneSurrogates(BaseTestCase):
    """A lone surrogate (a JSON \\ud800 escape) in any string field of any body is refused as text that is not
    Unicode, under that field's name: never hashed, stored or compared, never a 5xx."""

    def test_in_every_string_field_of_every_body(self):
        user = self.act_as(self.add_user(password="first password"))
        cases = [
            ("post", "/users", {**VALID, "password": "abc\ud800def"}, "password"),
            ("post", "/users", {**VALID, "email": "a\udfff@example.com"}, "email"),
            ("post", "/auth/login", {"email": user.email, "password": "abc\ud800def"}, "password"),
            ("post", "/auth/login", {"email": "\ud800@example.com", "password": "x"}, "email"),
            ("put", f"/users/{user.id}", {"username": "x\ud800", "email": user.email}, "username"),
            (
                "patch",
                f"/users/{user.id}",
                {"password": "second password", "current_password": "\udbff"},
                "current_password",
            ),
        ]
        for method, path, body, field in cases:
            with self.subTest(method=method, path=path, field=field):
                response = getattr(self.client, method)(path, json=body)
                self.assertJson(response, 400, invalid({field: [NOT_UNICODE]}))

    def test_every_field_at_fault_is_named(self):
        body = {"username": "\ud800", "email": "michael@realpython.com", "password": "\ud800" * 9}
        self.assertJson(
            self.client.post("/users", json=body), 400, invalid({"username": [NOT_UNICODE], "password": [NOT_UNICODE]})
        )
        self.assertEqual(self.user_count(), 0)

    def test_an_over_long_current_password_is_refused_before_it_is_checked(self):
        user = self.act_as(self.add_user(password="first password"))
        body = {"password": "second password", "current_password": "x" * 257}
        response = self.client.patch(f"/users/{user.id}", json=body)
        self.assertJson(response, 400, invalid({"current_password": ["Longer than maximum length 256."]}))
