"""The tables: users, and the running totals that the migrations' triggers keep for the users list."""

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Dialect, Index, SmallInteger, String, TypeDecorator
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from project.config import MYSQL_FAMILY, mysql_table_options
from project.extensions import db

TEXT_MAX_LENGTH = 128  # of a username and of an email
PASSWORD_HASH_MAX_LENGTH = 255  # an Argon2id hash in PHC form is about 100 characters
ID_RANGE = range(1, 2**31)  # the INT primary key's positive values


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC instant: stored without zone (to the microsecond on MySQL), read back zone-aware."""

    impl = DateTime
    cache_ok = True

    @property
    def python_type(self) -> type:
        return datetime

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
    username: Mapped[str] = mapped_column(String(TEXT_MAX_LENGTH), index=True)
    email: Mapped[str] = mapped_column(String(TEXT_MAX_LENGTH), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Sign-in: an Argon2id hash (none: the user cannot sign in), whether the user may change anyone, and
    # the version its tokens must carry, raised to revoke them all in the same statement as the change.
    password_hash: Mapped[str | None] = mapped_column(String(PASSWORD_HASH_MAX_LENGTH))
    admin: Mapped[bool] = mapped_column(default=False, server_default="0")
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserCount(db.Model):
    """How many users with this `active` value one shard counts; the shards add up to the total. Only the
    database's triggers (see the migration "count users with triggers") write these rows: whoever changes
    `users`, the service or plain SQL, the totals follow in the same transaction."""

    __tablename__ = "user_counts"
    __table_args__ = mysql_table_options(engine="InnoDB")

    active: Mapped[bool] = mapped_column(primary_key=True, autoincrement=False)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    users: Mapped[int] = mapped_column(BigInteger)
