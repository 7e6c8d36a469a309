"""Signing in: the user proves a password, is throttled when it fails too often, and starts a session
(project.auth.sessions); a wrong password for an account's email is an event of the account."""

from flask import current_app
from sqlalchemy import RowMapping

from project import metrics
from project.auth import sessions
from project.auth.errors import EmailNotVerified, InvalidCredentials, TooManyAttempts
from project.auth.sessions import SignedIn
from project.auth.throttle import throttled
from project.users import events, passwords, writes
from project.users.errors import InvalidField
from project.users.reads import read_account


def sign_in(email: str, password: str, address: str | None) -> SignedIn:
    """A new session (its tokens) for the active user with this email and password: InvalidCredentials
    otherwise, whatever was wrong, and TooManyAttempts while the email or the address has failed too often;
    EmailNotVerified after the password, when REQUIRE_VERIFIED_EMAIL is on and the user has not verified its
    email."""
    try:
        account = throttled(email, address, lambda: proved_account(email, password))
    except TooManyAttempts:
        metrics.SIGN_INS.labels("throttled").inc()
        raise
    refused = account is None or (current_app.config["REQUIRE_VERIFIED_EMAIL"] and not account["verified"])
    metrics.SIGN_INS.labels("failed" if refused else "succeeded").inc()
    if account is None:
        raise InvalidCredentials()
    if refused:
        raise EmailNotVerified()
    return sessions.start(account["id"], account["token_version"])


def proved_account(email: str, password: str) -> RowMapping | None:
    """The active user with this email, if this is its password (its hash made again if the app's
    parameters changed); None otherwise, after as long a check."""
    account = read_account(email=email)
    stored = None if account is None else account["password_hash"]
    if not passwords.verify(stored, password):
        if account is not None:
            events.record(account["id"], events.SIGN_IN_FAILED)
        return None
    if not account["active"]:
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
