"""Signing in and out: the user proves a password, is throttled when it fails too often, and gets a token that
works until it expires, is revoked by signing out, or is revoked with all of the user's others (a new password,
a deactivation, a deletion)."""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import RowMapping

from project.auth import tokens
from project.auth.errors import EmailNotVerified, InvalidCredentials
from project.auth.throttle import throttled
from project.users import passwords, writes
from project.users.errors import InvalidField
from project.users.reads import read_account


@dataclass(frozen=True)
class SignedIn:
    """A token just issued, and how many seconds it lives."""

    token: str
    expires_in: int


def sign_in(email: str, password: str, address: str | None) -> SignedIn:
    """A token for the active user with this email and password: InvalidCredentials otherwise, whatever
    was wrong, and TooManyAttempts while the email or the address has failed too often; EmailNotVerified after
    the password, when REQUIRE_VERIFIED_EMAIL is on and the user has not verified its email."""
    account = throttled(email, address, lambda: proved_account(email, password))
    if account is None:
        raise InvalidCredentials()
    if current_app.config["REQUIRE_VERIFIED_EMAIL"] and not account["verified"]:
        raise EmailNotVerified()
    return SignedIn(tokens.issue(account["id"], account["token_version"]), current_app.config["TOKEN_TTL"])


def proved_account(email: str, password: str) -> RowMapping | None:
    """The active user with this email, if this is its password (its hash made again if the app's
    parameters changed); None otherwise, after as long a check."""
    account = read_account(email=email)
    stored = None if account is None else account["password_hash"]
    if not passwords.verify(stored, password) or not account["active"]:
        return None
    if passwords.needs_rehash(stored):
        writes.rehash_password(account["id"], stored, password)
    return account


def prove_current_password(principal: RowMapping, password: str | None, address: str | None) -> None:
    """Refuse a change of the signed-in user's own password unless its current one comes with it (throttled as a
    sign-in is)."""
    if password is None:
        raise InvalidField("current_password", ["Missing data for required field."])
    account = read_account(user_id=principal["id"])
    stored = None if account is None else account["password_hash"]
    if throttled(principal["email"], address, lambda: passwords.verify(stored, password) or None) is None:
        raise InvalidField("current_password", ["Does not match the current password."])


def sign_out(token: str) -> None:
    """Revoke the token."""
    tokens.revoke(token)
