"""Account recovery: a link mailed to reset a forgotten password, and one to verify an email. Asking for a mail
answers the same whatever the email (nobody learns who has an account); each kind of mail goes at most
MAILS_PER_EMAIL times per MAIL_WINDOW to an address, and one client address may ask RECOVERY_REQUESTS_PER_MINUTE
times a minute. A reset signs the user out everywhere and clears its email's failed sign-ins."""

from flask import current_app

from project.auth.errors import InvalidLink, TooManyRequests
from project.auth.throttle import forget_failures, within_limit
from project.extensions import db
from project.users import mails, writes
from project.users.links import RESET_PASSWORD, VERIFY_EMAIL, fingerprint, read_token
from project.users.reads import read_account

# What each answers, whatever the email (the API's messages, the pages' too).
RESET_LINK_SENT = "If that email has an account, a link to reset its password has been sent."
PASSWORD_RESET = "Your password has been reset."
EMAIL_VERIFIED = "Your email is verified."
VERIFY_LINK_SENT = "If that email has an account waiting to be verified, a link to verify it has been sent."


def limit_client(address: str | None) -> None:
    """TooManyRequests once the client's address has asked RECOVERY_REQUESTS_PER_MINUTE times within a minute."""
    limit = current_app.config["RECOVERY_REQUESTS_PER_MINUTE"]
    if address and (wait := within_limit(f"recovery:{address}", limit, 60)) is not None:
        raise TooManyRequests(retry_after=wait)


def may_mail(purpose: str, email: str) -> bool:
    """Whether another mail of this purpose may go to this email now (and it is counted); asked for every request,
    whether the email has an account or not, so that both take as long."""
    config = current_app.config
    return within_limit(f"{purpose}:{email}", config["MAILS_PER_EMAIL"], config["MAIL_WINDOW"]) is None


def forgot_password(email: str, address: str | None) -> None:
    """Mail a link to reset the password to the active user with this email, if there is one."""
    limit_client(address)
    allowed = may_mail(RESET_PASSWORD, email)
    account = read_account(email=email)
    if allowed and account is not None and account["active"]:
        with db.engine.begin() as connection:
            mails.reset_password(connection, dict(account))


def reset_password(token: str, password: str, address: str | None) -> None:
    """Set the password the link's user chose, if the link is still good: InvalidLink otherwise, InvalidField for a
    password sign-up would refuse (the link still good)."""
    limit_client(address)
    found = read_token(RESET_PASSWORD, token)
    account = None if found is None else read_account(user_id=found.user_id)
    if account is None or not account["active"]:
        raise InvalidLink()
    email, old_hash = account["email"], account["password_hash"]
    if fingerprint(email, old_hash) != found.fingerprint:
        raise InvalidLink()
    new_hash = writes.checked_hash(password, account["username"], email, account["id"])
    if not writes.reset_password(account["id"], email, old_hash, new_hash):  # another reset came first
        raise InvalidLink()
    forget_failures(email)


def verify_email(token: str, address: str | None) -> None:
    """Mark the link's email verified, if it is still the user's and waiting: InvalidLink otherwise."""
    limit_client(address)
    found = read_token(VERIFY_EMAIL, token)
    account = None if found is None else read_account(user_id=found.user_id)
    if account is None or fingerprint(account["email"]) != found.fingerprint:
        raise InvalidLink()
    if not writes.verify_email(account["id"], account["email"]):
        raise InvalidLink()


def request_verification(email: str, address: str | None) -> None:
    """Mail a link to verify the email to the active user that has it unverified, if there is one."""
    limit_client(address)
    allowed = may_mail(VERIFY_EMAIL, email)
    account = read_account(email=email)
    if allowed and account is not None and account["active"] and not account["verified"]:
        with db.engine.begin() as connection:
            mails.verify_email(connection, account["id"], account["username"], email)
