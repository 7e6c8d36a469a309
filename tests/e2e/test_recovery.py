"""Account recovery through the stack: mails go through the outbox, the worker and a real SMTP server (the stack's
catcher), and their links are followed."""

import pytest

from project.tests.contract import EMAIL_VERIFIED, GOOD_PASSWORD, INVALID_LINK, PASSWORD_RESET, RESET_LINK_SENT
from project.tests.mailbox import link_in

pytestmark = pytest.mark.mail

NEW_PASSWORD = "purple elephants juggle quietly"


def test_a_sign_up_is_mailed_a_link_that_verifies_it(http, email, public_url, inbox):
    created = http.post("/users", json={"username": "e2e", "email": email, "password": GOOD_PASSWORD})
    assert created.status_code == 201
    link = link_in(inbox(email, "Verify your email address"))
    assert link.startswith(f"{public_url}/verify-email?token=")
    page = http.get(link.removeprefix(public_url))
    assert page.status_code == 200
    assert EMAIL_VERIFIED["message"] in page.text
    token = link.split("token=")[1]
    assert (http.post("/auth/verify", json={"token": token}).json()) == INVALID_LINK  # used


def test_a_forgotten_password_is_reset_by_the_mailed_link(http, account, public_url, inbox):
    asked = http.post("/auth/forgot-password", json={"email": account["email"]})
    assert (asked.status_code, asked.json()) == (202, RESET_LINK_SENT)
    link = link_in(inbox(account["email"], "Reset your password"))
    assert link.startswith(f"{public_url}/reset-password?token=")
    assert http.get(link.removeprefix(public_url)).status_code == 200
    token = link.split("token=")[1]
    reset = http.post("/auth/reset-password", json={"token": token, "password": NEW_PASSWORD})
    assert (reset.status_code, reset.json()) == (200, PASSWORD_RESET)
    assert http.get("/auth/me", headers=account["auth"]).status_code == 401  # signed out everywhere
    old = http.post("/auth/login", json={"email": account["email"], "password": GOOD_PASSWORD})
    assert old.status_code == 401
    new = http.post("/auth/login", json={"email": account["email"], "password": NEW_PASSWORD})
    assert new.status_code == 200
