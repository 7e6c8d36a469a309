"""Account recovery over a real SMTP server (project/tests/mailbox.py): forgot and reset a password, verify an
email, the limits, and mail delivered once whatever the server does, in whichever store the suite runs with."""

import time
from unittest import mock

import pytest
from sqlalchemy import func, select

from project.auth.models import MailRequest
from project.auth.recovery import answer_requests
from project.extensions import db
from project.mail.delivery import BATCH, deliver_due
from project.mail.models import OutboxMail
from project.tests.base import BaseTestCase, bearer, invalid
from project.tests.contract import (
    EMAIL_VERIFIED,
    GOOD_PASSWORD,
    INVALID_LINK,
    NOT_SIGNED_IN,
    NOT_VERIFIED,
    PASSWORD_RESET,
    RESET_LINK_SENT,
    TOO_MANY_ATTEMPTS,
    TOO_MANY_REQUESTS,
    VERIFY_LINK_SENT,
)
from project.tests.mailbox import html_of, link_in, text_of, token_in
from project.users import writes
from project.users.models import AccountEvent, User

EMAIL = "michael@realpython.com"
NEW_PASSWORD = "purple elephants juggle quietly"
LATER = 10**10  # seconds since the epoch: every retry is due by then


class MailTestCase(BaseTestCase):
    """A signed-up user, and the suite's SMTP server, emptied for each test."""

    @pytest.fixture(autouse=True)
    def use_mailbox(self, mailbox):
        self.mailbox = mailbox
        mailbox.mails.clear()
        mailbox.refused.clear()

    def setUp(self) -> None:
        super().setUp()
        self.user = self.add_user("michael", EMAIL, GOOD_PASSWORD)

    def post(self, path: str, body: dict, **kwargs):
        return self.client.post(path, json=body, **kwargs)

    def delivered(self, address: str = EMAIL) -> list:
        """Do the mail worker's work now: answer the requests for links, deliver the outbox; the mails the address
        received so far."""
        answer_requests()
        deliver_due()
        return self.mailbox.to(address)

    def reset_link(self) -> str:
        """Ask for a reset, and the token of the link mailed."""
        self.assertJson(self.post("/auth/forgot-password", {"email": EMAIL}), 202, RESET_LINK_SENT)
        return token_in(self.delivered()[-1])

    def queued(self) -> int:
        return db.session.scalar(select(func.count()).select_from(OutboxMail))

    def requests(self) -> int:
        return db.session.scalar(select(func.count()).select_from(MailRequest))

    def sign_in(self, password: str):
        return self.post("/auth/login", {"email": EMAIL, "password": password})


class TestForgotPassword(MailTestCase):
    def test_a_known_email_gets_a_link_in_text_and_html(self):
        token = self.reset_link()
        (mail,) = self.mailbox.to(EMAIL)
        self.assertEqual(mail["Subject"], "Reset your password")
        link = f"http://localhost/reset-password?token={token}"  # PUBLIC_URL's, not the request's host
        self.assertIn(link, text_of(mail))
        self.assertIn(f'href="{link}"', html_of(mail))
        self.assertEqual(self.queued(), 0)  # delivered: gone from the outbox

    def test_unknown_and_inactive_emails_get_the_same_answer_and_no_mail(self):
        self.add_user("gone", "gone@example.com", GOOD_PASSWORD)
        db.session.execute(User.__table__.update().where(User.email == "gone@example.com").values(active=False))
        db.session.commit()
        for email in ("nobody@example.com", "gone@example.com"):
            self.assertJson(self.post("/auth/forgot-password", {"email": email}), 202, RESET_LINK_SENT)
        self.assertEqual(self.requests(), 2)  # each recorded alike, whoever has the email
        self.assertEqual(answer_requests(), 2)
        self.assertEqual((self.requests(), self.queued()), (0, 0))

    def test_links_use_public_url_whatever_host_the_request_names(self):
        self.post("/auth/forgot-password", {"email": EMAIL}, headers={"Host": "127.0.0.1"})
        self.assertTrue(link_in(text_of(self.delivered()[0])).startswith("http://localhost/reset-password?token="))

    def test_the_answer_does_not_wait_for_the_smtp_server(self):
        self.mailbox.stop()
        try:
            self.assertJson(self.post("/auth/forgot-password", {"email": EMAIL}), 202, RESET_LINK_SENT)
            answer_requests()
            self.assertEqual(self.queued(), 1)
        finally:
            self.mailbox.start()

    def test_an_invalid_email_is_refused(self):
        response = self.post("/auth/forgot-password", {"email": "not an email"})
        self.assertJson(response, 400, invalid({"email": ["Not a valid email address."]}))

    def test_three_mails_per_email_in_the_window(self):
        for _ in range(5):
            self.assertJson(self.post("/auth/forgot-password", {"email": EMAIL}), 202, RESET_LINK_SENT)
        self.assertEqual(len(self.delivered()), 3)

    def test_one_client_address_asks_twenty_times_a_minute(self):
        for number in range(20):
            self.post("/auth/forgot-password", {"email": f"user{number}@example.com"})
        response = self.post("/auth/forgot-password", {"email": EMAIL})
        self.assertJson(response, 429, TOO_MANY_REQUESTS)
        self.assertGreaterEqual(int(response.headers["Retry-After"]), 1)
        other = self.post("/auth/forgot-password", {"email": EMAIL}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
        self.assertJson(other, 202, RESET_LINK_SENT)


class TestResetPassword(MailTestCase):
    def test_a_reset_sets_the_password_and_signs_out_everywhere(self):
        signed_in = bearer(self.user)
        token = self.reset_link()
        self.assertJson(
            self.post("/auth/reset-password", {"token": token, "password": NEW_PASSWORD}), 200, PASSWORD_RESET
        )
        self.assertJson(self.client.get("/auth/me", headers={"Authorization": signed_in}), 401, NOT_SIGNED_IN)
        self.assertEqual(self.sign_in(GOOD_PASSWORD).status_code, 401)
        me = self.client.get(
            "/auth/me", headers={"Authorization": f"Bearer {self.sign_in(NEW_PASSWORD).get_json()['data']['token']}"}
        )
        self.assertTrue(me.get_json()["data"]["verified"])  # the link reached the address

    def test_the_request_and_the_reset_are_events_of_the_account_from_where_they_came(self):
        self.post("/auth/forgot-password", {"email": EMAIL}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
        token = token_in(self.delivered()[-1])
        self.post("/auth/reset-password", {"token": token, "password": NEW_PASSWORD})
        signed = self.sign_in(NEW_PASSWORD).get_json()["data"]
        listed = self.client.get("/auth/events", headers={"Authorization": f"Bearer {signed['token']}"})
        events = [(event["type"], event["address"]) for event in listed.get_json()["data"]["events"]]
        self.assertEqual(
            events,
            [("signed_in", "127.0.0.1"), ("password_reset", "127.0.0.1"), ("password_reset_requested", "203.0.113.7")],
        )

    def test_a_link_works_once(self):
        token = self.reset_link()
        self.post("/auth/reset-password", {"token": token, "password": NEW_PASSWORD})
        again = self.post("/auth/reset-password", {"token": token, "password": "another long passphrase here"})
        self.assertJson(again, 400, INVALID_LINK)

    def test_an_older_mail_dies_with_the_reset(self):
        older, newer = self.reset_link(), self.reset_link()
        self.assertEqual(self.post("/auth/reset-password", {"token": newer, "password": NEW_PASSWORD}).status_code, 200)
        self.assertJson(
            self.post("/auth/reset-password", {"token": older, "password": NEW_PASSWORD}), 400, INVALID_LINK
        )

    def test_a_weak_password_is_refused_and_the_link_still_works(self):
        token = self.reset_link()
        weak = self.post("/auth/reset-password", {"token": token, "password": "michael123"})
        self.assertEqual(weak.status_code, 400)
        self.assertEqual(set(weak.get_json()["errors"]), {"password"})
        self.assertEqual(weak.get_json()["message"], "Invalid payload.")
        short = self.post("/auth/reset-password", {"token": token, "password": "short"})
        self.assertJson(short, 400, invalid({"password": ["Length must be between 8 and 256."]}))
        self.assertJson(
            self.post("/auth/reset-password", {"token": token, "password": NEW_PASSWORD}), 200, PASSWORD_RESET
        )

    def test_bad_tokens(self):
        token = self.reset_link()
        verify_token = self.verification_token()
        for bad in (
            "",
            "nonsense",
            token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1],
            token + "x",
            verify_token,
        ):
            with self.subTest(token=bad):
                response = self.post("/auth/reset-password", {"token": bad, "password": NEW_PASSWORD})
                if bad == "":
                    self.assertJson(response, 400, invalid({"token": ["Length must be between 1 and 512."]}))
                else:
                    self.assertJson(response, 400, INVALID_LINK)

    def verification_token(self) -> str:
        self.assertJson(self.post("/auth/request-verify-token", {"email": EMAIL}), 202, VERIFY_LINK_SENT)
        return token_in(self.delivered()[-1])

    def test_an_expired_link(self):
        token = self.reset_link()
        with mock.patch.dict(self.app.config, RESET_TOKEN_TTL=-1):
            self.assertJson(
                self.post("/auth/reset-password", {"token": token, "password": NEW_PASSWORD}), 400, INVALID_LINK
            )

    def test_a_deactivated_user_cannot_reset(self):
        token = self.reset_link()
        self.user.active = False
        db.session.commit()
        self.assertJson(
            self.post("/auth/reset-password", {"token": token, "password": NEW_PASSWORD}), 400, INVALID_LINK
        )

    def test_a_reset_clears_the_email_s_failed_sign_ins(self):
        for _ in range(self.app.config["SIGN_IN_FAILURES_PER_EMAIL"]):
            self.sign_in("wrong password")
        self.assertJson(self.sign_in(GOOD_PASSWORD), 429, TOO_MANY_ATTEMPTS)
        self.post("/auth/reset-password", {"token": self.reset_link(), "password": NEW_PASSWORD})
        self.assertEqual(self.sign_in(NEW_PASSWORD).status_code, 200)


class TestVerifyEmail(MailTestCase):
    def sign_up(self, email: str = "ada@example.com"):
        response = self.post("/users", {"username": "ada", "email": email, "password": NEW_PASSWORD})
        self.assertEqual(response.status_code, 201)
        return token_in(self.delivered(email)[-1])

    def me(self, email: str = "ada@example.com") -> dict:
        token = self.post("/auth/login", {"email": email, "password": NEW_PASSWORD}).get_json()["data"]["token"]
        return self.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).get_json()["data"]

    def test_sign_up_mails_a_link_that_verifies_once(self):
        token = self.sign_up()
        (mail,) = self.mailbox.to("ada@example.com")
        self.assertEqual(mail["Subject"], "Verify your email address")
        self.assertIn("http://localhost/verify-email?token=", html_of(mail))
        self.assertFalse(self.me()["verified"])
        self.assertJson(self.post("/auth/verify", {"token": token}), 200, EMAIL_VERIFIED)
        self.assertTrue(self.me()["verified"])
        self.assertJson(self.post("/auth/verify", {"token": token}), 400, INVALID_LINK)
        (user_id,) = db.session.scalars(select(AccountEvent.user_id).where(AccountEvent.type == "email_verified"))
        self.assertEqual(user_id, self.me()["id"])

    def test_a_user_without_a_password_gets_no_mail(self):
        self.post("/users", {"username": "bob", "email": "bob@example.com"})
        self.assertEqual(self.delivered("bob@example.com"), [])

    def test_a_reset_token_verifies_nothing(self):
        reset = self.reset_link()
        self.assertJson(self.post("/auth/verify", {"token": reset}), 400, INVALID_LINK)

    def test_request_a_new_link(self):
        self.sign_up()
        for email in ("ada@example.com", "nobody@example.com", EMAIL):
            self.assertJson(self.post("/auth/request-verify-token", {"email": email}), 202, VERIFY_LINK_SENT)
        self.assertEqual(len(self.delivered("ada@example.com")), 2)
        self.post("/auth/verify", {"token": token_in(self.mailbox.to("ada@example.com")[-1])})
        self.post("/auth/request-verify-token", {"email": "ada@example.com"})  # verified: nothing to send
        self.assertEqual(len(self.delivered("ada@example.com")), 2)

    def test_a_new_email_is_unverified_and_both_addresses_are_told(self):
        token = self.sign_up()
        self.post("/auth/verify", {"token": token})
        user = db.session.scalar(select(User).where(User.email == "ada@example.com"))
        response = self.client.patch(
            f"/users/{user.id}", json={"email": "ada@example.org"}, headers={"Authorization": bearer(user)}
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.me("ada@example.org")["verified"])
        (notice,) = self.delivered("ada@example.com")[1:]
        self.assertEqual(notice["Subject"], "Your email address was changed")
        self.assertIn("ada@example.org", text_of(notice))
        (verify,) = self.mailbox.to("ada@example.org")
        self.assertJson(self.post("/auth/verify", {"token": token}), 400, INVALID_LINK)  # the old address's link
        self.assertJson(self.post("/auth/verify", {"token": token_in(verify)}), 200, EMAIL_VERIFIED)

    def test_the_same_email_again_stays_verified(self):
        self.post("/auth/verify", {"token": self.sign_up()})
        user = db.session.scalar(select(User).where(User.email == "ada@example.com"))
        self.client.put(
            f"/users/{user.id}",
            json={"username": "ada", "email": "ada@example.com"},
            headers={"Authorization": bearer(user)},
        )
        self.assertTrue(self.me()["verified"])
        self.assertEqual(len(self.delivered("ada@example.com")), 1)

    def test_required_verification_refuses_sign_in_after_the_password(self):
        self.sign_up()
        with mock.patch.dict(self.app.config, REQUIRE_VERIFIED_EMAIL=True):
            wrong = self.post("/auth/login", {"email": "ada@example.com", "password": "wrong password"})
            self.assertEqual(wrong.status_code, 401)
            self.assertJson(
                self.post("/auth/login", {"email": "ada@example.com", "password": NEW_PASSWORD}), 403, NOT_VERIFIED
            )
            self.post("/auth/verify", {"token": token_in(self.mailbox.to("ada@example.com")[0])})
            self.assertEqual(
                self.post("/auth/login", {"email": "ada@example.com", "password": NEW_PASSWORD}).status_code, 200
            )


class TestDelivery(MailTestCase):
    def test_smtp_down_then_back_delivers_once(self):
        self.mailbox.stop()
        try:
            self.post("/auth/forgot-password", {"email": EMAIL})
            answer_requests()
            failed = deliver_due()
            self.assertEqual((failed.sent, failed.failed), (0, 1))
            mail = db.session.scalar(select(OutboxMail))
            self.assertEqual(mail.attempts, 1)
            self.assertGreater(mail.due_at, time.time())  # backing off
            self.assertEqual(deliver_due().failed, 0)  # not due yet: not tried
        finally:
            self.mailbox.start()
        self.assertEqual(deliver_due(now=LATER).sent, 1)
        self.assertEqual(deliver_due(now=LATER).sent, 0)
        self.assertEqual(len(self.mailbox.to(EMAIL)), 1)

    def test_a_recipient_refused_for_good_is_dropped_and_the_others_go(self):
        self.add_user("ada", "ada@example.com", GOOD_PASSWORD)
        self.mailbox.refused.add(EMAIL)
        for email in (EMAIL, "ada@example.com"):
            self.post("/auth/forgot-password", {"email": email})
        answer_requests()
        done = deliver_due()
        self.assertEqual((done.sent, done.dropped, done.failed), (1, 1, 0))
        self.assertEqual(self.queued(), 0)
        self.assertEqual(len(self.mailbox.to("ada@example.com")), 1)

    def test_the_command_delivers(self):
        self.post("/auth/forgot-password", {"email": EMAIL})
        result = self.app.test_cli_runner().invoke(args=["deliver_mail", "--once"])
        self.assertEqual(result.exit_code, 0, result.output)
        self.assertEqual(len(self.mailbox.to(EMAIL)), 1)

    def test_the_command_delivers_batch_after_batch(self):
        for number in range(BATCH + 5):
            writes.add_user(f"user {number}", f"user{number}@example.com", NEW_PASSWORD)  # a verification mail each
        self.assertEqual(deliver_due().sent, BATCH)  # one batch
        result = self.app.test_cli_runner().invoke(args=["deliver_mail", "--once"])
        self.assertEqual(result.exit_code, 0, result.output)
        self.assertEqual((len(self.mailbox.mails), self.queued()), (BATCH + 5, 0))

    def test_without_a_mail_server_mails_go_to_the_log(self):
        with mock.patch.dict(self.app.config, MAIL_SERVER=None), self.assertLogs("project.mail", "INFO") as logged:
            self.post("/auth/forgot-password", {"email": EMAIL})
        self.assertEqual((self.requests(), self.queued()), (0, 0))
        self.assertIn("http://localhost/reset-password?token=", logged.output[0])
        with mock.patch.dict(self.app.config, MAIL_SERVER=None):
            result = self.app.test_cli_runner().invoke(args=["deliver_mail", "--once"])
        self.assertEqual(result.exit_code, 1)
        self.assertIn("no MAIL_SERVER is set", result.output)
