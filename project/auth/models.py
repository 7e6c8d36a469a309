"""The tables of the token store (sessions, their refresh tokens and access tokens), of the sign-in throttle and of
recent writers (for a read replica), used where no Redis is configured; and the requests for mailed links waiting to
be answered."""

from sqlalchemy import Double, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from project.config import mysql_table_options
from project.extensions import db

DIGEST_LENGTH = 64  # a SHA-256 in hex
SESSION_ID_LENGTH = 22  # secrets.token_urlsafe(16)
USER_AGENT_LENGTH = 255
ADDRESS_LENGTH = 45  # the longest IPv6 address in text
PURPOSE_LENGTH = 32
EMAIL_LENGTH = 128  # as users.email
TABLE_OPTIONS = mysql_table_options(engine="InnoDB", charset="utf8mb4", collate="utf8mb4_bin")


class AuthToken(db.Model):
    """A bearer token, known by its SHA-256 alone: whoever reads this table cannot sign in with it."""

    __tablename__ = "auth_tokens"
    __table_args__ = TABLE_OPTIONS

    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)
    user_id: Mapped[int] = mapped_column(index=True)
    version: Mapped[int]  # the user's token_version when it was issued
    session_id: Mapped[str] = mapped_column(String(SESSION_ID_LENGTH))  # it works while its session lasts
    expires_at: Mapped[float] = mapped_column(Double, index=True)  # seconds since the epoch


class AuthSession(db.Model):
    """One sign-in's chain of tokens (a device): it lasts until its refresh token expires unrefreshed, or it is
    ended; `version` is the user's token_version at the sign-in (a new password ends it)."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_user_id_created_at", "user_id", "created_at"), TABLE_OPTIONS)

    id: Mapped[str] = mapped_column(String(SESSION_ID_LENGTH), primary_key=True)
    user_id: Mapped[int]
    version: Mapped[int]
    created_at: Mapped[float] = mapped_column(Double)  # seconds since the epoch, as every time here
    last_used_at: Mapped[float] = mapped_column(Double)
    expires_at: Mapped[float] = mapped_column(Double, index=True)
    user_agent: Mapped[str] = mapped_column(String(USER_AGENT_LENGTH))
    address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH))


class RefreshToken(db.Model):
    """A refresh token of a session, by its SHA-256: the session's current one, or one spent (`spent_at`), kept
    while the session lasts so that presenting it again is seen as a reuse."""

    __tablename__ = "refresh_tokens"
    __table_args__ = TABLE_OPTIONS

    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(SESSION_ID_LENGTH), index=True)
    spent_at: Mapped[float | None] = mapped_column(Double)
    expires_at: Mapped[float] = mapped_column(Double, index=True)


class SignInAttempt(db.Model):
    """An attempt to prove a password, under a key (an email's or a client address's digest): while it is
    checked, then, if it failed, for as long as the throttle's window counts it."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index("ix_sign_in_attempts_key_at", "key", "at"), TABLE_OPTIONS)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    attempt: Mapped[str] = mapped_column(String(32))
    at: Mapped[float] = mapped_column(Double, index=True)  # seconds since the epoch


class RecentWriter(db.Model):
    """A client (a client address's or a token's digest) that wrote, until when it reads from the primary."""

    __tablename__ = "recent_writers"
    __table_args__ = TABLE_OPTIONS

    key: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)
    until: Mapped[float] = mapped_column(Double, index=True)  # seconds since the epoch


class MailRequest(db.Model):
    """A request for a mailed link (`purpose`: a reset, a verification) to an email, whether it has an account or
    not: written the same for any email as the request is answered, turned into a mail (or nothing) later by
    `manage.py deliver_mail`, so that nobody can tell from the answer's time whether the email has an account."""

    __tablename__ = "mail_requests"
    __table_args__ = TABLE_OPTIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(PURPOSE_LENGTH))
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    address: Mapped[str | None] = mapped_column(String(ADDRESS_LENGTH))  # who asked, for the account's events
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_LENGTH))
