"""Writes: add, change and delete users, each one statement, and repair the running totals. The totals
themselves follow every write, by the database's triggers (see models.UserCount). A password is stored as
its hash; a new password or a deactivation revokes the user's tokens in the same statement."""

from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Row, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from project.database import one_statement, transaction
from project.extensions import db
from project.users import passwords
from project.users.errors import EmailTaken, InvalidField, UserNotFound
from project.users.models import User, UserCount, utcnow
from project.users.reads import PROFILE, USERS, fetch_user

NEW_USER = insert(USERS)  # built once, its values bound as it runs: building one a request cost 60 µs of CPU
# How each database names the email index when an insert or update would duplicate it.
DUPLICATE_EMAIL_MESSAGES = (
    "for key 'uq_users_email'",  # MariaDB
    "for key 'users.uq_users_email'",  # MySQL 8
    "UNIQUE constraint failed: users.email",  # SQLite
)


# A user just added, with what a read shows of it (reads.PROFILE's columns), as a plain record: an ORM User instead
# cost 136,000 instructions of the 2.45 million of a POST /users (callgrind, in-process, on MariaDB).
AddedUser = namedtuple("AddedUser", [column.name for column in PROFILE])


def add_user(username: str, email: str, password: str | None = None, admin: bool = False) -> AddedUser:
    """Add a user, who can sign in if given a password, and answer it as added; the unique index, not a look-up
    first, decides a duplicate email. One INSERT on a connection of the pool, not the session's unit of work:
    290 µs of CPU a user instead of 555 (measured in-process, on MariaDB)."""
    password_hash = None if password is None else checked_hash(password, [username, email])
    values = {"username": username, "email": email, "active": True, "created_at": utcnow(), "admin": admin}
    values |= {"password_hash": password_hash, "token_version": 0}
    with email_taken_on_duplicate(), one_statement() as connection:
        (user_id,) = connection.execute(NEW_USER, values).inserted_primary_key
    added = {"id": user_id, **values}
    return AddedUser(*(added[name] for name in AddedUser._fields))


def add_users(rows: list[dict]) -> None:
    """Add many users in one multi-row insert (rows as `insert(User)` takes them)."""
    db.session.execute(insert(User), rows)
    commit()


def change_user(user_id: int, fields: dict) -> Row:
    """Set these fields (a `password` as its hash) on the user and answer it as it is now; a user deleted
    meanwhile is not found. The update is one statement: concurrent changes of one user queue up on its
    row, each applied whole, and tokens are revoked with the change that revokes them."""
    values = dict(fields)
    if "password" in values:
        user = fetch_user(db.session, user_id)
        known = [values.get("username", user.username), values.get("email", user.email)]
        values["password_hash"] = checked_hash(values.pop("password"), known)
    if "password_hash" in values or values.get("active") is False:
        values["token_version"] = USERS.c.token_version + 1
    if values and execute(update(USERS).where(USERS.c.id == user_id).values(**values)) == 0:
        raise not_found()
    user = fetch_user(db.session, user_id)
    commit()
    return user


def delete_user(user_id: int) -> Row:
    """Delete a user for good; the user as it was. A user deleted by someone else meanwhile deletes nothing
    here, and is not found either."""
    user = fetch_user(db.session, user_id)
    if execute(delete(USERS).where(USERS.c.id == user_id)) == 0:
        raise not_found()
    commit()
    return user


def make_admin(username: str, email: str, password: str) -> bool:
    """Make the user with this email an admin with this password, adding it if there is none; whether it was
    added. Its old tokens are revoked with its old password."""
    user_id = db.session.scalar(select(USERS.c.id).where(USERS.c.email == email))
    if user_id is None:
        add_user(username, email, password, admin=True)
        return True
    change_user(user_id, {"admin": True, "password": password})
    return False


def rehash_password(user_id: int, password_hash: str, password: str) -> None:
    """Hash a password that was just proved again with the app's parameters, unless another change of it
    came first; its tokens stay valid (the password is the same)."""
    statement = update(USERS).where(USERS.c.id == user_id, USERS.c.password_hash == password_hash)
    execute(statement.values(password_hash=passwords.hash_password(password)))
    commit()


def checked_hash(password: str, known: list[str]) -> str:
    """The password's hash, if it is not too easy to guess (for anyone who knows what else is known)."""
    if reasons := passwords.weaknesses(password, known):
        raise InvalidField("password", reasons)
    return passwords.hash_password(password)


def recount() -> dict[bool, int]:
    """Set the running totals to what the table holds, for when the triggers were bypassed (a TRUNCATE, say).
    In one transaction: zeroing every shard first locks them all, so a writer whose row is not committed
    yet waits for this commit, then counts itself."""
    counts = UserCount.__table__
    with transaction() as connection:
        connection.execute(update(counts).values(users=0))
        actual = dict(connection.execute(select(USERS.c.active, func.count()).group_by(USERS.c.active)).all())
        totals = {active: actual.get(active, 0) for active in (False, True)}
        connection.execute(update(counts).where(counts.c.shard == 0).values(users=case(totals, value=counts.c.active)))
    return totals


def not_found() -> UserNotFound:
    """UserNotFound, once the session's work is undone (a statement that changed nothing may still hold a
    lock: SQLite's on the whole database)."""
    db.session.rollback()
    return UserNotFound()


def execute(statement) -> int:
    """Run an UPDATE or DELETE; how many rows it matched."""
    with email_taken_on_duplicate():
        return db.session.execute(statement).rowcount


def commit() -> None:
    """Commit the session's work."""
    with email_taken_on_duplicate():
        db.session.commit()


@contextmanager
def email_taken_on_duplicate() -> Iterator[None]:
    """A duplicate email, which only the unique index tells, is EmailTaken; nothing of the work is kept."""
    try:
        yield
    except IntegrityError as error:
        db.session.rollback()
        if any(marker in str(error.orig) for marker in DUPLICATE_EMAIL_MESSAGES):
            raise EmailTaken() from error
        raise
