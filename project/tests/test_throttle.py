"""The sign-in throttle: more than 10 failures for one email, or 100 from one address, in 15 minutes answer
429 until the window passes, counted in the shared store by every instance of the service."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

from project import config, create_app
from project.tests.base import BaseTestCase, bearer
from project.tests.contract import GOOD_PASSWORD, INVALID_CREDENTIALS, TOO_MANY_ATTEMPTS

EMAIL = "michael@realpython.com"
WINDOW = 15 * 60


class ThrottleTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = self.add_user("michael", EMAIL, GOOD_PASSWORD)

    def login(self, password: str, email: str = EMAIL, address: str = "203.0.113.1", client=None):
        client = client or self.client
        body = {"email": email, "password": password}
        return client.post("/auth/login", json=body, environ_base={"REMOTE_ADDR": address})

    def fail_sign_ins(self, times: int, **kwargs) -> None:
        for attempt in range(times):
            self.assertJson(self.login(f"wrong guess {attempt}", **kwargs), 401, INVALID_CREDENTIALS)

    def assertThrottled(self, response) -> int:
        """The 429 envelope; the seconds its Retry-After asks for."""
        self.assertJson(response, 429, TOO_MANY_ATTEMPTS)
        retry_after = int(response.headers["Retry-After"])
        self.assertTrue(0 < retry_after <= WINDOW, retry_after)
        return retry_after


class TestPerEmail(ThrottleTestCase):
    def test_past_ten_failures_even_the_right_password_is_refused(self):
        self.fail_sign_ins(10)
        self.assertThrottled(self.login(GOOD_PASSWORD))
        self.assertThrottled(self.login("wrong again"))
        self.assertThrottled(self.login(GOOD_PASSWORD, address="198.51.100.2"))  # from anywhere

    def test_other_accounts_are_not_affected(self):
        self.add_user("other", "other@example.com", GOOD_PASSWORD)
        self.fail_sign_ins(10)
        self.assertEqual(self.login(GOOD_PASSWORD, email="other@example.com").status_code, 200)

    def test_successes_and_refusals_are_not_failures(self):
        self.fail_sign_ins(9)
        for _ in range(3):
            self.assertEqual(self.login(GOOD_PASSWORD).status_code, 200)
        self.fail_sign_ins(1)
        self.assertThrottled(self.login(GOOD_PASSWORD))

    def test_unknown_emails_are_counted_as_well(self):
        self.fail_sign_ins(10, email="nobody@example.com")
        self.assertThrottled(self.login("anything", email="nobody@example.com"))

    def test_the_right_password_works_again_once_the_window_passes(self):
        with mock.patch.dict(self.app.config, {"SIGN_IN_WINDOW": 0.5}):  # ten failures take a tenth of it
            self.fail_sign_ins(10)
            self.assertEqual(self.assertThrottled(self.login(GOOD_PASSWORD)), 1)  # (a whole second, at least)
            time.sleep(0.6)
            self.assertEqual(self.login(GOOD_PASSWORD).status_code, 200)

    def test_attempts_made_at_once_cannot_slip_past_the_limit(self):
        """Each attempt is counted before its password is checked: of 30 wrong guesses sent together, at most
        10 are checked (those refused unchecked are taken back, so a few more may be checked later, up to 10
        in all)."""
        barrier = threading.Barrier(30)

        def guess(number: int) -> int:
            client = self.app.test_client()
            barrier.wait()
            return self.login(f"guess {number}", client=client).status_code

        with ThreadPoolExecutor(30) as pool:
            statuses = sorted(pool.map(guess, range(30)))
        self.assertLessEqual(statuses.count(401), 10)
        self.assertEqual(statuses.count(401) + statuses.count(429), 30)
        checked_later = 0
        while (answer := self.login(f"later guess {checked_later}")).status_code == 401:
            checked_later += 1
        self.assertThrottled(answer)
        self.assertEqual(statuses.count(401) + checked_later, 10)
        self.assertThrottled(self.login(GOOD_PASSWORD))

    def test_every_instance_counts_the_same_failures(self):
        other = create_app(config.TestingConfig).test_client()  # another worker, or another host
        self.fail_sign_ins(5)
        self.fail_sign_ins(5, client=other)
        self.assertThrottled(self.login(GOOD_PASSWORD))
        self.assertThrottled(self.login(GOOD_PASSWORD, client=other))

    def test_a_wrong_current_password_counts_as_a_failure(self):
        token = {"Authorization": bearer(self.user)}
        for attempt in range(10):
            body = {"password": "a new passphrase it is", "current_password": f"wrong {attempt}"}
            self.assertEqual(self.client.patch(f"/users/{self.user.id}", json=body, headers=token).status_code, 400)
        self.assertThrottled(self.login(GOOD_PASSWORD))
        body = {"password": "a new passphrase it is", "current_password": GOOD_PASSWORD}
        self.assertThrottled(self.client.patch(f"/users/{self.user.id}", json=body, headers=token))


class TestPerAddress(ThrottleTestCase):
    def test_past_a_hundred_failures_from_one_address_it_is_refused(self):
        for number in range(10):
            self.fail_sign_ins(10, email=f"user{number}@example.com")  # each email under its own limit
        self.assertThrottled(self.login(GOOD_PASSWORD))
        self.assertEqual(self.login(GOOD_PASSWORD, address="203.0.113.2").status_code, 200)  # the next address
