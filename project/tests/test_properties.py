"""Properties of the validation layer, checked by Hypothesis over generated input."""

import json
import re
import unittest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from project.api.schemas import NewUserSchema, UserPatchSchema, UserQuerySchema
from project.tests.base import BaseTestCase
from project.users.models import EMAIL_PATTERN, SPACES, TEXT_PATTERN

VALID_EMAIL = "valid@example.com"
SURROGATE = re.compile(r"[\ud800-\udfff]")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
usernames = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from(" \t\n\x00\x1c\x85\xa0\u3000\ufeff\ud800"), max_size=140
)


def load_username(username: str) -> str | ValidationError:
    try:
        return NewUserSchema().load({"username": username, "email": VALID_EMAIL})["username"]
    except ValidationError as error:
        return error


class TestTextFields(unittest.TestCase):
    @given(usernames)
    def test_a_username_is_accepted_exactly_when_the_openapi_document_allows_it(self, username):
        documented = 1 <= len(username) <= 128 and re.fullmatch(TEXT_PATTERN, username)
        acceptable = documented and not SURROGATE.search(username)  # JSON Schema has no word for these
        loaded = load_username(username)
        if acceptable:
            self.assertEqual(loaded, username.strip(SPACES))
            self.assertEqual(loaded, loaded.strip())
        else:
            self.assertIsInstance(loaded, ValidationError)
            self.assertEqual(set(loaded.messages), {"username"})

    @given(st.emails())
    def test_accepted_emails_are_normalised_and_stable(self, email):
        try:
            loaded = NewUserSchema().load({"username": "u", "email": f"  {email.upper()} "})["email"]
        except ValidationError as error:
            self.assertEqual(set(error.messages), {"email"})
            return
        self.assertEqual(loaded, loaded.strip().lower())
        self.assertLessEqual(len(loaded), 128)
        self.assertRegex(loaded, EMAIL_PATTERN)
        self.assertEqual(NewUserSchema().load({"username": "u", "email": loaded})["email"], loaded)

    @given(st.text(max_size=200))
    def test_any_text_as_an_email_is_refused_or_normalised(self, text):
        try:
            loaded = NewUserSchema().load({"username": "u", "email": text})["email"]
        except ValidationError as error:
            self.assertEqual(set(error.messages), {"email"})
        else:
            self.assertEqual(loaded, loaded.lower())
            self.assertIn("@", loaded)


class TestWholeBodies(unittest.TestCase):
    @given(json_values)
    def test_any_json_patch_fails_only_with_a_validation_error(self, body):
        """PATCH's schema refuses any JSON it cannot take with a ValidationError (POST's is held to the same
        through the API, by TestApiNeverFails)."""
        try:
            loaded = UserPatchSchema().load(body)
        except ValidationError as error:
            self.assertIsInstance(error.messages, dict)
        else:
            self.assertLessEqual(set(loaded), {"username", "email", "active"})

    @given(st.dictionaries(st.sampled_from(["page", "per_page", "sort", "active", "q", "email", "x"]), st.text()))
    def test_any_query_string_is_refused_or_within_bounds(self, query):
        try:
            loaded = UserQuerySchema().load(query)
        except ValidationError:
            return
        self.assertGreaterEqual(loaded.get("page", 1), 1)  # (without one, the list answers page 1)
        self.assertTrue(1 <= loaded["per_page"] <= 100)


class TestApiNeverFails(BaseTestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(json_values)
    def test_any_json_body_is_answered_201_or_400_and_a_400_stores_nothing(self, body):
        before = self.user_count()
        response = self.client.post("/users", data=json.dumps(body), content_type="application/json")
        self.assertIn(response.status_code, (201, 400))
        self.assertEqual(response.get_json()["status"], "success" if response.status_code == 201 else "fail")
        self.assertEqual(self.user_count(), before + (response.status_code == 201))
