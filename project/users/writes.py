"""Writes: add, change and delete users, and repair the running totals. Every write is one transaction
(`db.engine.begin()`), committed whole or rolled back whole, on MySQL as on SQLite; the running totals follow
every write in it, by the database's triggers (see models.UserCount). A password is stored as its hash; a new
password or a deactivation revokes the user's tokens in the same statement."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, RowMapping, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from project.database import is_duplicate_key
from project.extensions import db
from project.users import events, mails, passwords
from project.users.errors import EmailTaken, InvalidField, UserNotFound
from project.users.models import UserCount, utcnow
from project.users.reads import USERS, fetch_user, read_account

ADD_USER = insert(USERS)  # its values bound as it runs


def add_user(
    username: str, email: str, password: str | None = None, admin: bool = False, verified: bool = False
) -> dict:
    """Add a user, who can sign in if given a password (and is then mailed a link to verify its email, unless it is
    `verified` already), and answer it as a read would show it; the unique index decides a duplicate email (a
    look-up first only spares a password's hash when the email is taken)."""
    password_hash = None if password is None else checked_hash(password, username, email)
    user = {"username": username, "email": email, "active": True, "created_at": utcnow(), "admin": admin}
    with email_taken_on_duplicate(), db.engine.begin() as connection:
        row = {**user, "password_hash": password_hash, "email_verified": verified}
        (user_id,) = connection.execute(ADD_USER, row).inserted_primary_key
        if password_hash is not None and not verified:
            mails.verify_email(connection, user_id, username, email)
    return {"id": user_id, **user}


def add_users(rows: list[dict]) -> None:
    """Add many users in one multi-row insert (rows as `insert(User)` takes them)."""
    with db.engine.begin() as connection:
        connection.execute(ADD_USER, rows)


def change_user(user_id: int, fields: dict) -> RowMapping:
    """Set these fields (a `password` as its hash) on the user and answer it as it is now; a user deleted
    meanwhile is not found. The update is one statement: concurrent changes of one user queue up on its
    row, each applied whole, and tokens are revoked with the change that revokes them. A new email is unverified:
    it is mailed a link to verify it, and the old one a notice, in the same transaction, as the account's events."""
    values = dict(fields)
    if "password" in values:
        if (user := read_account(user_id=user_id)) is None:
            raise UserNotFound()
        username, email = values.get("username", user["username"]), values.get("email", user["email"])
        values["password_hash"] = checked_hash(values.pop("password"), username, email, user_id)
    if "password_hash" in values or values.get("active") is False:
        values["token_version"] = USERS.c.token_version + 1
    with email_taken_on_duplicate(), db.engine.begin() as connection:
        before = new_email(connection, user_id, values) if "email" in values else None
        if values and connection.execute(update(USERS).where(USERS.c.id == user_id).values(values)).rowcount == 0:
            raise UserNotFound()
        user = fetch_user(connection, user_id)
        if "password_hash" in values:
            events.record(user_id, events.PASSWORD_CHANGED, connection=connection)
        if before is not None:
            events.record(user_id, events.EMAIL_CHANGED, connection=connection)
            mails.verify_email(connection, user_id, user["username"], user["email"])
            mails.email_changed(connection, user["username"], before, user["email"])
        return user


def new_email(connection: Connection, user_id: int, values: dict) -> str | None:
    """The user's email before this change of it, locked until its commit, when the change gives it another (which
    is then unverified); else None."""
    locked = select(USERS.c.email).where(USERS.c.id == user_id).with_for_update()
    before = connection.execute(locked).scalar_one_or_none()
    if before is None or before == values["email"]:
        return None
    values["email_verified"] = False
    return before


def reset_password(user_id: int, email: str, old_hash: str | None, new_hash: str) -> bool:
    """Set the user's new password's hash (revoking its tokens; its email is verified, the link having reached it),
    unless its email or password changed since the link was made; whether it was set."""
    unchanged = (USERS.c.id == user_id, USERS.c.email == email, USERS.c.password_hash.is_not_distinct_from(old_hash))
    values = {"password_hash": new_hash, "token_version": USERS.c.token_version + 1, "email_verified": True}
    with db.engine.begin() as connection:
        if connection.execute(update(USERS).where(*unchanged).values(values)).rowcount == 0:
            return False
        events.record(user_id, events.PASSWORD_RESET, connection=connection)
        return True


def verify_email(user_id: int, email: str) -> bool:
    """Mark the user's email verified, unless it is another now or verified already; whether it was marked."""
    waiting = (USERS.c.id == user_id, USERS.c.email == email, USERS.c.email_verified.is_(False))
    with db.engine.begin() as connection:
        if connection.execute(update(USERS).where(*waiting).values(email_verified=True)).rowcount == 0:
            return False
        events.record(user_id, events.EMAIL_VERIFIED, connection=connection)
        return True


def delete_user(user_id: int) -> RowMapping:
    """Delete a user for good; the user as it was. A user deleted by someone else meanwhile deletes nothing
    here, and is not found either."""
    with db.engine.begin() as connection:
        user = fetch_user(connection, user_id)
        if connection.execute(delete(USERS).where(USERS.c.id == user_id)).rowcount == 0:
            raise UserNotFound()
    return user


def make_admin(username: str, email: str, password: str) -> bool:
    """Make the user with this email an admin with this password, its email verified (the operator vouches for it),
    adding it if there is none; whether it was added. Its old tokens are revoked with its old password."""
    account = read_account(email=email)
    if account is None:
        add_user(username, email, password, admin=True, verified=True)
        return True
    change_user(account["id"], {"admin": True, "password": password, "email_verified": True})
    return False


def rehash_password(user_id: int, password_hash: str, password: str) -> None:
    """Hash a password that was just proved again with the app's parameters, unless another change of it
    came first; its tokens stay valid (the password is the same)."""
    statement = update(USERS).where(USERS.c.id == user_id, USERS.c.password_hash == password_hash)
    with db.engine.begin() as connection:
        connection.execute(statement.values(password_hash=passwords.hash_password(password)))


def checked_hash(password: str, username: str, email: str, user_id: int | None = None) -> str:
    """The hash of the password of the user `user_id` (None: a new one) who will have this username and email, if
    the password is not too easy to guess for anyone who knows them, and the email is not another user's: a hash
    costs too much to make for nothing."""
    if reasons := passwords.weaknesses(password, [username, email]):
        raise InvalidField("password", reasons)
    if (other := read_account(email=email)) is not None and other["id"] != user_id:
        raise EmailTaken()
    return passwords.hash_password(password)


def recount() -> dict[bool, int]:
    """Set the running totals to what the table holds, for when the triggers were bypassed (a TRUNCATE, say).
    Zeroing every shard first locks them all, so a writer whose row is not committed yet waits for this commit,
    then counts itself."""
    counts = UserCount.__table__
    with db.engine.begin() as connection:
        connection.execute(update(counts).values(users=0))
        actual = dict(connection.execute(select(USERS.c.active, func.count()).group_by(USERS.c.active)).all())
        totals = {active: actual.get(active, 0) for active in (False, True)}
        connection.execute(update(counts).where(counts.c.shard == 0).values(users=case(totals, value=counts.c.active)))
    return totals


@contextmanager
def email_taken_on_duplicate() -> Iterator[None]:
    """A duplicate email, which only the unique index tells, is EmailTaken (the transaction is rolled back)."""
    try:
        yield
    except IntegrityError as error:
        if is_duplicate_key(error):
            raise EmailTaken() from error
        raise
