"""Signing in and out on the web pages: a token in the session cookie, CSRF on every form, and Delete
buttons only where the signed-in user may delete."""

import re

from project import config, create_app
from project.tests.base import BaseTestCase
from project.tests.contract import CSRF_FIELD, GOOD_PASSWORD
from project.tests.test_config import DELIVERY, MYSQL_URL, environment
from project.users import writes

BROWSER = "text/html,application/xhtml+xml"
DELETE_BUTTON = re.compile(r'action="/delete/(\d+)"')


class PagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = self.add_user("michael", "michael@realpython.com", GOOD_PASSWORD)
        self.other = self.add_user("fletcher", "fletcher@realpython.com", GOOD_PASSWORD)

    def sign_in(self, email: str = "michael@realpython.com", password: str = GOOD_PASSWORD):
        token = CSRF_FIELD.search(self.client.get("/sign-in").get_data(as_text=True)).group(1)
        return self.client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})

    def deletable(self) -> set[int]:
        """The ids the index page shows a Delete button for."""
        return {int(user_id) for user_id in DELETE_BUTTON.findall(self.client.get("/").get_data(as_text=True))}


class TestSignIn(PagesTestCase):
    def test_the_page_has_a_form(self):
        response = self.client.get("/sign-in")
        page = response.get_data(as_text=True)
        self.assertEqual((response.status_code, response.mimetype), (200, "text/html"))
        self.assertIn("<title>Sign in</title>", page)
        self.assertRegex(page, CSRF_FIELD)
        self.assertIn('autocomplete="current-password" id="password" name="password" required type="password"', page)
        self.assertIn('<a href="/sign-in">Sign in</a>', self.client.get("/").get_data(as_text=True))

    def test_signing_in_keeps_a_token_in_the_session_cookie(self):
        response = self.sign_in(email=" Michael@RealPython.com")
        self.assertEqual((response.status_code, response.headers["Location"]), (303, "/"))
        cookie = response.headers["Set-Cookie"]
        self.assertRegex(cookie, r"^session=[^;]+; HttpOnly; Path=/; SameSite=Lax$")
        page = self.client.get("/").get_data(as_text=True)
        self.assertIn('<p class="notice" role="status">Signed in as michael@realpython.com.</p>', page)
        self.assertIn("<span>Signed in as <strong>michael</strong></span>", page)
        self.assertIn('<form method="post" action="/sign-out" class="inline-form">', page)

    def test_production_cookies_are_secure(self):
        with environment(**DELIVERY, SECRET_KEY="s3cret", DATABASE_URL=MYSQL_URL):
            app = create_app(config.ProductionConfig)
        self.assertEqual(
            (app.config["SESSION_COOKIE_SECURE"], app.config["SESSION_COOKIE_HTTPONLY"]),
            (True, True),
        )
        self.assertEqual(app.config["SESSION_COOKIE_SAMESITE"], "Lax")

    def test_wrong_credentials_show_the_form_again(self):
        for email, password in (("michael@realpython.com", "not it at all"), ("nobody@example.com", GOOD_PASSWORD)):
            with self.subTest(email=email):
                response = self.sign_in(email, password)
                page = response.get_data(as_text=True)
                self.assertEqual(response.status_code, 401)
                self.assertIn('<p class="notice error" role="alert">Invalid email or password.</p>', page)
                self.assertIn(f'value="{email}"', page)
                self.assertNotIn(password, page)
        self.assertIn("Sign in", self.client.get("/").get_data(as_text=True))

    def test_invalid_input_is_a_400(self):
        response = self.sign_in("not an email", "x")
        self.assertEqual(response.status_code, 400)
        self.assertIn("<li>Not a valid email address.</li>", response.get_data(as_text=True))

    def test_too_many_failures_are_a_429_with_retry_after(self):
        for attempt in range(10):
            self.assertEqual(self.sign_in(password=f"guess {attempt}").status_code, 401)
        response = self.sign_in()
        self.assertEqual(response.status_code, 429)
        self.assertTrue(0 < int(response.headers["Retry-After"]) <= 900)
        self.assertIn("Too many failed sign-in attempts. Try again later.", response.get_data(as_text=True))

    def test_signing_out_revokes_the_token(self):
        self.sign_in()
        with self.client.session_transaction() as session:
            token = session["token"]
        self.assertEqual(self.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code, 200)
        csrf = CSRF_FIELD.search(self.client.get("/").get_data(as_text=True)).group(1)
        response = self.client.post("/sign-out", data={"csrf_token": csrf})
        self.assertEqual((response.status_code, response.headers["Location"]), (303, "/"))
        self.assertEqual(self.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code, 401)
        page = self.client.get("/").get_data(as_text=True)
        self.assertIn('<p class="notice" role="status">Signed out.</p>', page)
        self.assertIn('<a href="/sign-in">Sign in</a>', page)

    def test_a_revoked_token_signs_the_page_out(self):
        self.sign_in()
        writes.change_user(self.user.id, {"active": False})
        self.assertIn('<a href="/sign-in">Sign in</a>', self.client.get("/").get_data(as_text=True))
        with self.client.session_transaction() as session:
            self.assertNotIn("token", session)


class TestDeleteButtons(PagesTestCase):
    def test_nobody_signed_in_sees_none(self):
        self.assertEqual(self.deletable(), set())

    def test_a_user_sees_its_own(self):
        self.sign_in()
        self.assertEqual(self.deletable(), {self.user.id})

    def test_an_admin_sees_every_one(self):
        admin = self.add_admin()
        self.sign_in_page(admin)
        self.assertEqual(self.deletable(), {self.user.id, self.other.id, admin.id})

    def test_deleting_someone_else_is_forbidden(self):
        self.sign_in()
        asked = self.client.get(f"/delete/{self.other.id}", headers={"Accept": BROWSER})
        response = self.client.post(
            f"/delete/{self.other.id}", data={"csrf_token": self.csrf_token()}, headers={"Accept": BROWSER}
        )
        for answer in (asked, response):
            self.assertEqual(answer.status_code, 403)
            self.assertIn("You do not have permission to do that.", answer.get_data(as_text=True))
        self.assertEqual(self.user_count(), 2)

    def test_deleting_while_signed_out_leads_to_the_sign_in_page(self):
        asked = self.client.get(f"/delete/{self.user.id}")
        self.assertEqual((asked.status_code, asked.headers["Location"]), (303, "/sign-in"))
        response = self.client.post(f"/delete/{self.user.id}", data={"csrf_token": self.csrf_token()})
        self.assertEqual((response.status_code, response.headers["Location"]), (303, "/sign-in"))
        self.assertIn("Sign in to delete users.", self.client.get("/sign-in").get_data(as_text=True))
        self.assertEqual(self.user_count(), 2)

    def test_deleting_oneself_signs_out(self):
        self.sign_in()
        response = self.client.post(f"/delete/{self.user.id}", data={"csrf_token": self.csrf_token()})
        self.assertEqual(response.status_code, 303)
        page = self.client.get("/").get_data(as_text=True)
        self.assertIn("michael@realpython.com was deleted.", page)
        self.assertIn('<a href="/sign-in">Sign in</a>', page)


class TestAddUserForm(PagesTestCase):
    def submit(self, **fields):
        return self.client.post("/", data={"csrf_token": self.csrf_token(), **fields})

    def test_a_password_lets_the_new_user_sign_in(self):
        response = self.submit(username="ada", email="ada@example.com", password="ada's analytical engine")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.sign_in("ada@example.com", "ada's analytical engine").status_code, 303)

    def test_a_weak_password_is_shown_and_never_echoed(self):
        response = self.submit(username="ada", email="ada@example.com", password="12345678")
        page = response.get_data(as_text=True)
        self.assertEqual(response.status_code, 400)
        self.assertIn("<li>This password is too easy to guess.</li>", page)
        self.assertIn('name="password" type="password" value=""', page)
        self.assertNotIn("12345678", page)
        self.assertEqual(self.user_count(), 2)

    def test_the_form_stays_open_to_everyone(self):
        self.assertEqual(self.submit(username="ada", email="ada@example.com").status_code, 303)
