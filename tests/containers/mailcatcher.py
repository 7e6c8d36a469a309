"""The mail catcher's REST API (MailDev's: GET /email), read as a user reads their mail: wait for the mail, take
the link in it, follow it through nginx. The container and swarm tests send mail through the catcher with it."""

import re
import secrets
from urllib.parse import parse_qs, urlsplit

import requests

from project.tests.contract import (
    EMAIL_VERIFIED,
    GOOD_PASSWORD,
    INVALID_CREDENTIALS,
    PASSWORD_RESET,
    RESET_LINK_SENT,
)
from tests.e2e.live import maildev_mails, wait_until

DEADLINE = 180  # seconds: the worker polls every 2 s, and backs off while the catcher is not up yet


def links_in_mails(catcher: str, address: str, page: str) -> list[str]:
    """The links to `page` (reset-password, verify-email) in the mails the catcher holds for `address`."""
    link = re.compile(rf"\S+/{page}\?token=[\w.-]+")
    texts = [text for to, _, _, text in maildev_mails(catcher) if to == address]
    return [found for text in texts for found in link.findall(text)]


def mailed_link(catcher: str, address: str, page: str) -> str:
    """Wait until a mail to `address` with a link to `page` is in the catcher; the newest such link."""
    found: list[str] = []

    def arrived() -> bool:
        found[:] = links_in_mails(catcher, address, page)
        return bool(found)

    wait_until(arrived, DEADLINE, what=f"a mail to {address} linking to /{page} in the catcher")
    return found[-1]


def sign_up(base_url: str, name: str) -> str:
    """Sign a user up with a password through nginx; their email."""
    email = f"{name}-{secrets.token_hex(4)}@example.com"
    added = requests.post(
        f"{base_url}/users", json={"username": name, "email": email, "password": GOOD_PASSWORD}, timeout=30
    )
    assert added.status_code == 201, added.text
    return email


def reset_password_by_mail(base_url: str, catcher: str, public_url: str) -> None:
    """A user who forgot their password asks for a link, finds it in their mail, follows it, chooses a new password
    and signs in with it; the old one no longer works."""
    email = sign_up(base_url, "forgetful")
    forgot = requests.post(f"{base_url}/auth/forgot-password", json={"email": email}, timeout=30)
    assert (forgot.status_code, forgot.json()) == (202, RESET_LINK_SENT)
    link = mailed_link(catcher, email, "reset-password")
    assert link.startswith(f"{public_url}/reset-password?token="), link
    assert requests.get(link, timeout=30).status_code == 200  # the page the link opens, through nginx
    [token] = parse_qs(urlsplit(link).query)["token"]
    password = secrets.token_urlsafe(16)
    reset = requests.post(f"{base_url}/auth/reset-password", json={"token": token, "password": password}, timeout=30)
    assert (reset.status_code, reset.json()) == (200, PASSWORD_RESET)
    signed_in = requests.post(f"{base_url}/auth/login", json={"email": email, "password": password}, timeout=30)
    assert signed_in.status_code == 200, signed_in.text
    old = requests.post(f"{base_url}/auth/login", json={"email": email, "password": GOOD_PASSWORD}, timeout=30)
    assert (old.status_code, old.json()) == (401, INVALID_CREDENTIALS)


def verify_email_by_mail(base_url: str, catcher: str, public_url: str) -> None:
    """A user who signed up with a password finds the verification mail and follows its link."""
    email = sign_up(base_url, "newcomer")
    link = mailed_link(catcher, email, "verify-email")
    assert link.startswith(f"{public_url}/verify-email?token="), link
    page = requests.get(link, timeout=30)
    assert page.status_code == 200 and EMAIL_VERIFIED["message"] in page.text, page.text
