"""The User model, how a user is found, and `save` and `delete`, the only places a user is written."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect, Index, String, TypeDecorator, update
from sqlalchemy.dialects import mysql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine
from werkzeug.exceptions import BadRequest, NotFound

from project.config import MYSQL_FAMILY, mysql_table_options
from project.extensions import db

ID_RANGE = range(1, 2**31)  # the INT primary key's positive values

# How each database names the email index when an insert or update would duplicate it.
DUPLICATE_EMAIL_MESSAGES = (
    "for key 'uq_users_email'",  # MariaDB
    "for key 'users.uq_users_email'",  # MySQL 8
    "UNIQUE constraint failed: users.email",  # SQLite
)


class EmailTaken(BadRequest):
    """Another user already has this email."""

    description = "Sorry. That email already exists."


class UserNotFound(NotFound):
    """No user has this id."""

    description = "User does not exist"


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC instant: stored without zone (to the microsecond on MySQL), read back zone-aware."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        """DATETIME(6) on MySQL, which otherwise drops the fraction of a second."""
        if dialect.name in MYSQL_FAMILY:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store aware ones as naive UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Mark what the database returns as UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The current instant in UTC."""
    return datetime.now(UTC)


class User(db.Model):
    """A user of the service; the email is unique, enforced by the database's own index."""

    __tablename__ = "users"
    __table_args__ = (
        # A list filtered by `active` walks one of these in the order asked for, whatever the share of each.
        *(Index(f"ix_users_active_{column}", "active", column) for column in ("created_at", "username", "email", "id")),
        # Binary collation: comparisons and uniqueness behave as on SQLite (no case or accent folding).
        # AUTOINCREMENT: SQLite never hands a deleted user's id to another, as MySQL does not.
        {
            **mysql_table_options(engine="InnoDB", charset="utf8mb4", collate="utf8mb4_bin"),
            "sqlite_autoincrement": True,
        },
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(128), index=True)
    email: Mapped[str] = mapped_column(String(128), unique=True)
    # active_history: replacing `active` loads the old value first, so the running counts learn the change.
    active: Mapped[bool] = mapped_column(default=True, active_history=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def save(user: User) -> User:
    """Commit a new or changed user; the unique index, not a look-up first, decides a duplicate email."""
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if any(marker in str(error.orig) for marker in DUPLICATE_EMAIL_MESSAGES):
            raise EmailTaken from error
        raise
    return user


def delete(user: User) -> None:
    """Delete a user for good."""
    db.session.delete(user)
    db.session.commit()


def get_user_or_404(user_id: int) -> User:
    """The user with this id, to change it: locked until the commit, so that concurrent changes of one user
    queue up and each sees the one before (a user deleted meanwhile is not found). An id no INT key can hold
    is simply not found."""
    if user_id not in ID_RANGE:
        raise UserNotFound()
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks and ignores FOR UPDATE: its write lock, taken now, does the same.
        users = User.__table__
        db.session.execute(update(users).where(users.c.id == user_id).values(id=users.c.id))
    user = db.session.get(User, user_id, with_for_update=True)
    if user is None:
        raise UserNotFound()
    return user
