"""Passwords at sign-up: optional, 8 to 256 characters, not too easy to guess, stored only as an Argon2id hash
and never shown, logged or echoed."""

import logging

from flask import Flask

from project import config, create_app
from project.extensions import db
from project.tests.base import BaseTestCase, bearer, invalid
from project.tests.contract import EMAIL_TAKEN, GOOD_PASSWORD
from project.users import passwords
from project.users.models import User

TOO_EASY = "This password is too easy to guess."
ANOTHER_WORD = "Add another word or two. Uncommon words are better."


class TestSignUpPasswords(BaseTestCase):
    def sign_up(self, password, email: str = "michael@realpython.com"):
        return self.client.post("/users", json={"username": "michael", "email": email, "password": password})

    def stored(self, email: str = "michael@realpython.com") -> User:
        db.session.expire_all()
        return db.session.scalars(db.select(User).where(User.email == email)).one()

    def test_a_password_is_stored_as_an_argon2id_hash_and_never_shown(self):
        response = self.sign_up(GOOD_PASSWORD)
        user = self.stored()
        expected = {
            "id": user.id,
            "username": "michael",
            "email": "michael@realpython.com",
            "active": True,
            "created_at": user.created_at.isoformat(),
        }
        self.assertJson(
            response, 201, {"status": "success", "message": "michael@realpython.com was added!", "data": expected}
        )
        self.assertRegex(user.password_hash, r"^\$argon2id\$v=19\$m=8,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$")
        self.assertNotIn(GOOD_PASSWORD, user.password_hash)
        for path in (f"/users/{user.id}", "/users"):
            self.assertNotIn("password", self.client.get(path).get_data(as_text=True))

    def test_without_a_password_the_user_exists_but_cannot_sign_in(self):
        self.assertEqual(self.client.post("/users", json={"username": "m", "email": "m@example.com"}).status_code, 201)
        self.assertIsNone(self.stored("m@example.com").password_hash)

    def test_passwords_too_short_too_long_or_not_text(self):
        cases = [
            ("seven77", ["Length must be between 8 and 256."]),
            ("x" * 257, ["Length must be between 8 and 256."]),
            ("", ["Length must be between 8 and 256."]),
            (None, ["Field may not be null."]),
            (12345678, ["Not a valid string."]),
            ("\ud800 lone surrogate half", ["Must be valid Unicode text."]),
        ]
        for password, errors in cases:
            with self.subTest(password=password):
                self.assertJson(self.sign_up(password), 400, invalid({"password": errors}))
        self.assertEqual(self.user_count(), 0)

    def test_passwords_too_easy_to_guess(self):
        cases = {
            "password": [TOO_EASY, "This is a top-10 common password.", ANOTHER_WORD],
            "12345678": [TOO_EASY, "This is a top-10 common password.", ANOTHER_WORD],
            "qwertyuiop": [TOO_EASY, "This is a top-100 common password.", ANOTHER_WORD],
            "michael@realpython.com": [TOO_EASY, ANOTHER_WORD],  # what else is known of the user
            "ab" * 128: [
                TOO_EASY,
                'Repeats like "abcabcabc" are only slightly harder to guess than "abc".',
                ANOTHER_WORD,
                "Avoid repeated words and characters.",
            ],
        }
        for password, reasons in cases.items():
            with self.subTest(password=password[:20]):
                self.assertJson(self.sign_up(password), 400, invalid({"password": reasons}))
        self.assertEqual(self.user_count(), 0)

    def test_strong_passwords_of_every_length_are_taken(self):
        for number, password in enumerate(("Tr0ub4dor&3x", GOOD_PASSWORD, "ñandú cóndor 🦙 llama", "y7#Kq" * 51 + "z")):
            with self.subTest(password=password[:20]):
                self.assertEqual(self.sign_up(password, f"u{number}@example.com").status_code, 201)

    def test_no_password_reaches_a_log_line_or_an_error(self):
        with self.assertLogs("project", level=logging.DEBUG) as logs:
            logging.getLogger("project").info("marker")
            for password in (GOOD_PASSWORD, "12345678", "x" * 300):
                answer = self.sign_up(password, "logged@example.com").get_data(as_text=True)
                self.assertNotIn(password, answer)
            failed = self.client.post("/auth/login", json={"email": "logged@example.com", "password": "wrong guess 1"})
            self.assertNotIn("wrong guess 1", failed.get_data(as_text=True))
        written = "\n".join(logs.output)
        for password in (GOOD_PASSWORD, "wrong guess 1"):
            self.assertNotIn(password, written)


class OneHashingSlot(config.TestingConfig):
    """A process that hashes one password at a time, as production's does."""

    PASSWORD_HASHING_SLOTS = 1


class TestHashingSlots(BaseTestCase):
    """Argon2id runs in a bounded number of slots per process; while they are all taken, whatever needs a hash is
    answered 503 at once (never queued), and whatever can be refused without one is refused first."""

    BUSY = {"status": "fail", "message": "Too many passwords are being checked. Try again shortly."}

    def create_app(self) -> Flask:
        return create_app(OneHashingSlot)

    def assertBusy(self, response) -> None:
        self.assertJson(response, 503, self.BUSY)
        self.assertEqual(response.headers["Retry-After"], "1")

    def test_what_needs_a_hash_is_refused_at_once_while_the_slots_are_taken(self):
        user = self.add_user(password=GOOD_PASSWORD)
        token = {"Authorization": bearer(user)}
        with passwords.hashing_slot():
            self.assertBusy(self.client.post("/auth/login", json={"email": user.email, "password": GOOD_PASSWORD}))
            self.assertBusy(self.client.post("/auth/login", json={"email": "nobody@example.com", "password": "x"}))
            new_user = {"username": "ada", "email": "ada@example.com", "password": GOOD_PASSWORD}
            self.assertBusy(self.client.post("/users", json=new_user))
            change = {"password": "another " + GOOD_PASSWORD, "current_password": GOOD_PASSWORD}
            self.assertBusy(self.client.patch(f"/users/{user.id}", json=change, headers=token))
            without_password = self.client.post("/users", json={"username": "bob", "email": "bob@example.com"})
            self.assertEqual(without_password.status_code, 201)
        signed_in = self.client.post("/auth/login", json={"email": user.email, "password": GOOD_PASSWORD})
        self.assertEqual(signed_in.status_code, 200)

    def test_what_is_refused_anyway_is_refused_before_hashing(self):
        user = self.add_user(password=GOOD_PASSWORD)
        with passwords.hashing_slot():
            duplicate = {"username": "other", "email": user.email, "password": GOOD_PASSWORD}
            self.assertJson(self.client.post("/users", json=duplicate), 400, EMAIL_TAKEN)
            too_long = {"username": "ada", "email": "ada@example.com", "password": "x" * 257}
            self.assertJson(
                self.client.post("/users", json=too_long),
                400,
                invalid({"password": ["Length must be between 8 and 256."]}),
            )
            login = {"email": user.email, "password": "x" * 257}
            self.assertJson(
                self.client.post("/auth/login", json=login),
                400,
                invalid({"password": ["Longer than maximum length 256."]}),
            )
        self.assertEqual(self.user_count(), 1)
