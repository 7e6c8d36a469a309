"""The account page: the signed-in user's sessions, each with a Sign out button, Sign out everywhere, and the
recent activity; CSRF on every form; and a browser that stays signed in past its access token's hour."""

import re
import time
from unittest import mock

from flask.testing import FlaskClient

from project import config, create_app
from project.tests.base import BaseTestCase
from project.tests.contract import CSRF_FIELD, GOOD_PASSWORD

EMAIL = "michael@realpython.com"
BUTTON_CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')  # a button's form
END_BUTTON = re.compile(r'action="/account/sessions/([A-Za-z0-9_-]{22})/end"')


class AccountPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = self.add_user("michael", EMAIL, GOOD_PASSWORD)
        # Another app for the second browser: each app's requests get an app context (and a CSRF token) of their own.
        self.phone, self.laptop = create_app(config.TestingConfig).test_client(), self.client

    def sign_in(self, client: FlaskClient, user_agent: str):
        """Sign this browser in, as a browser with this User-Agent."""
        token = CSRF_FIELD.search(client.get("/sign-in").get_data(as_text=True)).group(1)
        form = {"csrf_token": token, "email": EMAIL, "password": GOOD_PASSWORD}
        response = client.post("/sign-in", data=form, headers={"User-Agent": user_agent})
        self.assertEqual(response.status_code, 303)

    def post(self, client: FlaskClient, path: str):
        """Post a form of the account page, with its CSRF token."""
        token = BUTTON_CSRF_FIELD.search(client.get("/account").get_data(as_text=True)).group(1)
        return client.post(path, data={"csrf_token": token})

    def signed_in(self, client: FlaskClient) -> bool:
        return "<span>Signed in as" in client.get("/").get_data(as_text=True)


class TestAccountPage(AccountPageTestCase):
    def test_the_index_links_a_signed_in_user_to_the_account_page(self):
        self.assertNotIn('href="/account"', self.client.get("/").get_data(as_text=True))
        self.sign_in(self.laptop, "Laptop/1.0")
        self.assertIn('<a href="/account">Your account</a>', self.client.get("/").get_data(as_text=True))

    def test_a_visitor_is_sent_to_sign_in(self):
        response = self.client.get("/account")
        self.assertEqual((response.status_code, response.headers["Location"]), (302, "/sign-in"))

    def test_the_page_lists_the_sessions_and_the_activity(self):
        self.client.post("/auth/login", json={"email": EMAIL, "password": "not the password"})
        self.sign_in(self.phone, "Phone/1.0")
        self.sign_in(self.laptop, "Laptop/1.0")
        response = self.laptop.get("/account")
        page = response.get_data(as_text=True)
        self.assertEqual((response.status_code, response.mimetype), (200, "text/html"))
        self.assertIn("<title>Your account</title>", page)
        self.assertIn('<h2>Where you are signed in <span class="count">2</span></h2>', page)
        self.assertIn("<td>Laptop/1.0 <strong>(this browser)</strong></td>", page)
        self.assertIn("<td>Phone/1.0</td>", page)
        self.assertEqual(len(END_BUTTON.findall(page)), 2)
        self.assertIn('<button type="submit" class="danger">Sign out everywhere</button>', page)
        self.assertEqual(
            re.findall(r"<td>(Signed in|Sign in failed)</td>", page), ["Signed in", "Signed in", "Sign in failed"]
        )

    def test_ending_the_phones_session_from_the_laptop_signs_the_phone_out(self):
        self.sign_in(self.phone, "Phone/1.0")
        self.sign_in(self.laptop, "Laptop/1.0")
        page = self.laptop.get("/account").get_data(as_text=True)
        phone_id = re.search(r'<td>Phone/1.0</td>.*?action="/account/sessions/([^/]+)/end"', page, re.S).group(1)
        response = self.post(self.laptop, f"/account/sessions/{phone_id}/end")
        self.assertEqual((response.status_code, response.headers["Location"]), (303, "/account"))
        self.assertIn("Signed out of that session.", self.laptop.get("/account").get_data(as_text=True))
        self.assertFalse(self.signed_in(self.phone))
        self.assertTrue(self.signed_in(self.laptop))
        self.assertIn('<span class="count">1</span>', self.laptop.get("/account").get_data(as_text=True))

    def test_an_unknown_session_is_said_so(self):
        self.sign_in(self.laptop, "Laptop/1.0")
        self.post(self.laptop, "/account/sessions/AAAAAAAAAAAAAAAAAAAAAA/end")
        self.assertIn("Session does not exist", self.laptop.get("/account").get_data(as_text=True))

    def test_sign_out_everywhere(self):
        self.sign_in(self.phone, "Phone/1.0")
        self.sign_in(self.laptop, "Laptop/1.0")
        response = self.post(self.laptop, "/account/sessions/end")
        self.assertEqual((response.status_code, response.headers["Location"]), (303, "/"))
        self.assertIn("Signed out everywhere.", self.laptop.get("/").get_data(as_text=True))
        self.assertFalse(self.signed_in(self.phone))
        self.assertFalse(self.signed_in(self.laptop))

    def test_the_forms_need_a_csrf_token(self):
        self.sign_in(self.phone, "Phone/1.0")
        self.sign_in(self.laptop, "Laptop/1.0")
        for path in (
            "/account/sessions/end",
            f"/account/sessions/{END_BUTTON.findall(self.laptop.get('/account').get_data(as_text=True))[1]}/end",
        ):
            with self.subTest(path=path):
                self.assertEqual(self.laptop.post(path, data={}).status_code, 400)
        self.assertTrue(self.signed_in(self.phone))

    def test_a_browser_stays_signed_in_past_its_access_tokens_life(self):
        with mock.patch.dict(self.app.config, {"TOKEN_TTL": 1}):
            self.sign_in(self.laptop, "Laptop/1.0")
        time.sleep(1.1)
        self.assertTrue(self.signed_in(self.laptop))  # refreshed: a new pair in the cookie
        self.assertTrue(self.signed_in(self.laptop))
        self.assertIn('<span class="count">1</span>', self.laptop.get("/account").get_data(as_text=True))
