"""The tables: users, and the running totals that the migrations' triggers keep for the users list; and what a
user's values must be, as marshmallow fields: the API's bodies and query strings, the pages' forms and the users
list's filters all validate with these."""

import re
import unicodedata
from datetime import UTC, datetime

from confusable_homoglyphs import categories, confusables
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from marshmallow import ValidationError, fields, validate
from sqlalchemy import BigInteger, DateTime, Dialect, Index, SmallInteger, String, TypeDecorator
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from project.config import MYSQL_FAMILY, mysql_table_options
from project.extensions import db

TEXT_MAX_LENGTH = 128  # of a username and of an email
PASSWORD_HASH_MAX_LENGTH = 255  # an Argon2id hash in PHC form is about 100 characters
EVENT_TYPE_LENGTH = 32
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
    # Whether the user followed a link mailed to its email (a new email is unverified again).
    email_verified: Mapped[bool] = mapped_column(default=False, server_default="0")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class AccountEvent(db.Model):
    """Something that happened to an account (a sign-in, a failed one, a new password...), where from: the
    account's activity, newest first by id, kept EVENTS_RETENTION_DAYS."""

    __tablename__ = "account_events"
    __table_args__ = (
        Index("ix_account_events_user_id_id", "user_id", "id"),
        mysql_table_options(engine="InnoDB", charset="utf8mb4", collate="utf8mb4_bin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    type: Mapped[str] = mapped_column(String(EVENT_TYPE_LENGTH))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    session_id: Mapped[str | None] = mapped_column(String(22))  # the session it happened in, or to


class UserCount(db.Model):
    """How many users with this `active` value one shard counts; the shards add up to the total. Only the
    database's triggers (see the migration "count users with triggers") write these rows: whoever changes
    `users`, the service or plain SQL, the totals follow in the same transaction."""

    __tablename__ = "user_counts"
    __table_args__ = mysql_table_options(engine="InnoDB")

    active: Mapped[bool] = mapped_column(primary_key=True, autoincrement=False)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    users: Mapped[int] = mapped_column(BigInteger)


CONTROL_CHARACTERS = r"\x00-\x1f\x7f-\x9f"
NO_CONTROL_CHARACTERS = rf"^[^{CONTROL_CHARACTERS}]*$"
# The spaces a text is trimmed of: every character Python calls whitespace, less the control characters
# (refused, not trimmed), spelled out so that the OpenAPI pattern can name them too.
SPACES = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# A text as sent: no control characters, and something besides spaces.
TEXT_PATTERN = rf"^[^{CONTROL_CHARACTERS}]*[^{CONTROL_CHARACTERS}{SPACES}][^{CONTROL_CHARACTERS}]*$"


def any_case(name: str) -> str:
    """A regular expression matching `name` in any letter case (JSON Schema patterns take no flags)."""
    return "".join(f"[{letter}{letter.upper()}]" if letter.isalpha() else re.escape(letter) for letter in name)


# email-validator refuses addresses at special-use domains (.test, .invalid, .local, ...): they cannot
# receive mail. The OpenAPI document says so with this pattern, which also refuses control characters.
SPECIAL_USE_DOMAIN = rf"[@.](?:{'|'.join(map(any_case, SPECIAL_USE_DOMAIN_NAMES))})$"
EMAIL_PATTERN = rf"^(?!.*{SPECIAL_USE_DOMAIN})" + NO_CONTROL_CHARACTERS.removeprefix("^")

WRITTEN_TOGETHER = (
    {"LATIN", "HAN", "HIRAGANA", "KATAKANA"},
    {"LATIN", "HAN", "BOPOMOFO"},
    {"LATIN", "HAN", "HANGUL"},
)
TEXT_LENGTH = validate.Length(min=1, max=TEXT_MAX_LENGTH)
PASSWORD_MAX_LENGTH = 256
PASSWORD_LENGTH = validate.Length(min=8, max=PASSWORD_MAX_LENGTH)
CONTROL_CHARACTER = re.compile(f"[{CONTROL_CHARACTERS}]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a JSON \ud800 escape, which no database can store


class Text(fields.String):
    """A string of 1 to 128 characters and no control characters, as sent, then trimmed of its
    spaces (something else must be left: spaces alone are blank). The OpenAPI document describes the string as
    sent."""

    pattern = TEXT_PATTERN

    def __init__(self, *, metadata: dict | None = None, **kwargs) -> None:
        super().__init__(validate=TEXT_LENGTH, metadata={"pattern": self.pattern, **(metadata or {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if CONTROL_CHARACTER.search(text):
            raise ValidationError("Must not contain control characters.")
        if len(text) > TEXT_MAX_LENGTH:  # too long as sent, whatever trimming would leave
            TEXT_LENGTH(text)
        trimmed = text.strip(SPACES)
        if text and not trimmed:  # an empty string is too short, as TEXT_LENGTH says
            raise ValidationError("Must not be blank.")
        return trimmed


def mixed_scripts(text: str) -> set[str]:
    """The scripts a text mixes, empty when it is written in one: digits and punctuation belong to every script,
    and Japanese, Chinese and Korean with Latin letters count as one each (Unicode's "highly restrictive"
    level, UTS #39)."""
    scripts = categories.unique_aliases(text) - {"COMMON", "INHERITED"}
    if len(scripts) <= 1 or any(scripts <= together for together in WRITTEN_TOGETHER):
        return set()
    return scripts


class Email(Text):
    """An email address, checked by email-validator without DNS look-ups, stored trimmed, NFKC-normalised and
    case-folded (michael@example.com in fullwidth capitals is michael@example.com); a local part or domain that
    mixes look-alike letters of different scripts (a Cyrillic a among Latin letters) is refused."""

    pattern = EMAIL_PATTERN

    def __init__(self, *, metadata: dict | None = None, **kwargs) -> None:
        super().__init__(metadata={"format": "email", **(metadata or {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        address = unicodedata.normalize("NFKC", super()._deserialize(value, attr, data, **kwargs))
        try:
            checked = validate_email(address, check_deliverability=False)
        except EmailNotValidError as error:
            if re.search(SPECIAL_USE_DOMAIN, address):
                raise ValidationError(
                    "Not a valid email address: its domain is reserved and cannot receive mail."
                ) from error
            raise ValidationError("Not a valid email address.") from error
        for part, text in (("local part", checked.local_part), ("domain", checked.domain)):
            if (scripts := mixed_scripts(text)) and confusables.is_confusable(text):
                named = ", ".join(sorted(scripts)).title()
                raise ValidationError(
                    f"Not a valid email address: its {part} mixes look-alike letters of different scripts ({named})."
                )
        normalized = checked.normalized.casefold()
        TEXT_LENGTH(normalized)  # normalising may have lengthened it
        return normalized


class Password(fields.String):
    """A password of 8 to 256 characters, taken exactly as sent (spaces too); it is never shown."""

    def __init__(self, **kwargs) -> None:
        super().__init__(load_only=True, validate=PASSWORD_LENGTH, metadata={"format": "password"}, **kwargs)


class StrictBoolean(fields.Boolean):
    """A JSON true or false, nothing else (not 1, "yes" or "true")."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class QueryBoolean(fields.Boolean):
    """A query-string boolean: exactly "true" or "false"."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if value not in ("true", "false"):
            raise self.make_error("invalid")
        return value == "true"
