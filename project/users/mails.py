"""The mails the users domain sends, each queued in the transaction of the change it tells of."""

from sqlalchemy import Connection

from project.mail.outbox import queue
from project.users.links import RESET_PASSWORD, VERIFY_EMAIL, link


def verify_email(connection: Connection, user_id: int, username: str, email: str) -> None:
    """Ask the user to verify its email, with a link that verifies it."""
    url = link(VERIFY_EMAIL, user_id, email)
    queue(connection, email, "Verify your email address", "verify_email", username=username, link=url)


def email_changed(connection: Connection, username: str, old_email: str, new_email: str) -> None:
    """Tell the old address that the account now has another."""
    queue(connection, old_email, "Your email address was changed", "email_changed", username=username, email=new_email)


def reset_password(connection: Connection, account: dict) -> None:
    """Send the user a link to set a new password, bound to its email and current password."""
    url = link(RESET_PASSWORD, account["id"], account["email"], account["password_hash"])
    queue(connection, account["email"], "Reset your password", "reset_password", username=account["username"], link=url)
