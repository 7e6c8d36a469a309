"""The pages mailed links open, without JavaScript: forgot a password, choose a new one, verify an email."""

from unittest import mock

from project.tests.base import invalid
from project.tests.contract import GOOD_PASSWORD, VERIFY_LINK_SENT
from project.tests.mailbox import link_in, text_of
from project.tests.test_recovery import EMAIL, NEW_PASSWORD, MailTestCase


class TestRecoveryPages(MailTestCase):
    def form(self, path: str, **fields):
        return self.client.post(path, data={**fields, "csrf_token": self.csrf_token()})

    def test_sign_in_links_to_the_forgotten_password_page(self):
        self.assertIn(
            '<a href="/forgot-password">Forgot your password?</a>', self.client.get("/sign-in").get_data(as_text=True)
        )
        page = self.client.get("/forgot-password")
        self.assertEqual(page.status_code, 200)
        self.assertIn('name="email"', page.get_data(as_text=True))

    def test_from_the_forgotten_password_to_signing_in_with_a_new_one(self):
        asked = self.form("/forgot-password", email=EMAIL)
        self.assertEqual((asked.status_code, asked.location), (303, "/sign-in"))
        told = self.client.get("/sign-in").get_data(as_text=True)
        self.assertIn("If that email has an account, a link to reset its password has been sent.", told)
        link = link_in(text_of(self.delivered()[0]))
        path = link.removeprefix("http://localhost")
        page = self.client.get(path)
        token = link.split("token=")[1]
        self.assertIn(f'name="token" type="hidden" value="{token}"', page.get_data(as_text=True))
        weak = self.form("/reset-password", token=token, password="short")
        self.assertEqual(weak.status_code, 400)
        self.assertIn("Length must be between 8 and 256.", weak.get_data(as_text=True))
        done = self.form("/reset-password", token=token, password=NEW_PASSWORD)
        self.assertEqual((done.status_code, done.location), (303, "/sign-in"))
        self.assertIn("Your password has been reset.", self.client.get("/sign-in").get_data(as_text=True))
        signed_in = self.form("/sign-in", email=EMAIL, password=NEW_PASSWORD)
        self.assertEqual((signed_in.status_code, signed_in.location), (303, "/"))
        again = self.form("/reset-password", token=token, password=NEW_PASSWORD)
        self.assertEqual(again.status_code, 400)
        self.assertIn("The link is invalid or has expired.", again.get_data(as_text=True))

    def test_a_reset_form_without_a_token(self):
        response = self.form("/reset-password", password=NEW_PASSWORD)
        self.assertEqual(response.status_code, 400)
        self.assertIn("The link is invalid or has expired.", response.get_data(as_text=True))

    def test_the_verification_page_verifies_once(self):
        self.client.post("/users", json={"username": "ada", "email": "ada@example.com", "password": NEW_PASSWORD})
        path = link_in(text_of(self.delivered("ada@example.com")[0])).removeprefix("http://localhost")
        first = self.client.get(path)
        self.assertEqual(first.status_code, 200)
        self.assertIn("Your email is verified.", first.get_data(as_text=True))
        second = self.client.get(path)
        self.assertEqual(second.status_code, 400)
        self.assertIn("The link is invalid or has expired.", second.get_data(as_text=True))
        self.assertEqual(self.client.get("/verify-email").status_code, 400)

    def test_the_api_and_the_page_refuse_the_same_email(self):
        page = self.form("/forgot-password", email="not an email")
        self.assertEqual(page.status_code, 400)
        self.assertIn("Not a valid email address.", page.get_data(as_text=True))
        api = self.client.post("/auth/forgot-password", json={"email": "not an email"})
        self.assertJson(api, 400, invalid({"email": ["Not a valid email address."]}))

    def test_signing_in_unverified_when_verification_is_required(self):
        with mock.patch.dict(self.app.config, REQUIRE_VERIFIED_EMAIL=True):
            refused = self.form("/sign-in", email=EMAIL, password=GOOD_PASSWORD)
        self.assertEqual(refused.status_code, 403)
        self.assertIn("Verify your email address first.", refused.get_data(as_text=True))
        self.assertIn('<a href="/verify-email/new">Mail me a new link', refused.get_data(as_text=True))
        asked = self.form("/verify-email/new", email=EMAIL)
        self.assertEqual((asked.status_code, asked.location), (303, "/sign-in"))
        told = self.client.get("/sign-in").get_data(as_text=True)
        self.assertIn(VERIFY_LINK_SENT["message"], told)
        self.assertNotIn("Mail me a new link", told)
        self.assertEqual(self.client.get(token_path(self.delivered()[-1])).status_code, 200)  # verified
        with mock.patch.dict(self.app.config, REQUIRE_VERIFIED_EMAIL=True):
            signed_in = self.form("/sign-in", email=EMAIL, password=GOOD_PASSWORD)
        self.assertEqual((signed_in.status_code, signed_in.location), (303, "/"))

    def test_an_admin_sees_whose_email_is_verified(self):
        self.assertNotIn("Email verified", self.client.get("/").get_data(as_text=True))  # nobody signed in
        self.sign_in_page(self.user)
        self.assertNotIn("Email verified", self.client.get("/").get_data(as_text=True))  # no admin
        self.sign_in_page(self.add_admin())
        page = self.client.get("/").get_data(as_text=True)
        self.assertIn('<th scope="col">Email verified</th>', page)
        self.assertIn(f"<td>{EMAIL}</td>\n        <td>yes</td>\n        <td>no</td>", page)


def token_path(mail) -> str:
    """The path of the link a mail carries, on the testing app."""
    return link_in(text_of(mail)).removeprefix("http://localhost")
