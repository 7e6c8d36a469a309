"""The store in the service's own database: the auth_sessions, refresh_tokens, auth_tokens, sign_in_attempts and
recent_writers tables. Each method is one transaction."""

from dataclasses import replace

from sqlalchemy import Connection, Insert, delete, insert, select, update
from sqlalchemy.dialects import mysql, sqlite

from project.auth.models import AuthSession, AuthToken, RecentWriter, RefreshToken, SignInAttempt
from project.auth.stores.protocol import REUSED, ROTATED, TOO_SOON, Issued, Lifetimes, NewSession, Rotation
from project.config import MYSQL_FAMILY
from project.extensions import db

SESSIONS = AuthSession.__table__
REFRESH = RefreshToken.__table__
TOKENS = AuthToken.__table__
ATTEMPTS = SignInAttempt.__table__
WRITERS = RecentWriter.__table__
LISTED = (SESSIONS.c.id, SESSIONS.c.created_at, SESSIONS.c.last_used_at, SESSIONS.c.user_agent, SESSIONS.c.address)


class SqlStore:
    """The store in the SQL database; what has expired is deleted as sessions start."""

    def add_session(self, session: NewSession, refresh: str, token: str, lifetimes: Lifetimes, now: float) -> None:
        with db.engine.begin() as connection:
            for table in (TOKENS, REFRESH, SESSIONS):
                connection.execute(delete(table).where(table.c.expires_at <= now))
            started = {"created_at": now, "last_used_at": now, "expires_at": now + lifetimes.refresh}
            connection.execute(insert(SESSIONS).values(**vars(session), **started))
            add_tokens(connection, session.id, session.user_id, session.version, refresh, token, lifetimes, now)

    def find_token(self, digest: str, now: float) -> Issued | None:
        statement = (
            select(TOKENS.c.user_id, TOKENS.c.version, TOKENS.c.session_id, SESSIONS.c.last_used_at)
            .join(SESSIONS, SESSIONS.c.id == TOKENS.c.session_id)
            .where(TOKENS.c.digest == digest, TOKENS.c.expires_at > now)
        )
        with db.engine.connect() as connection:
            found = connection.execute(statement).one_or_none()
        return None if found is None else Issued(*found)

    def touch_session(self, session_id: str, now: float) -> None:
        with db.engine.begin() as connection:
            connection.execute(update(SESSIONS).where(SESSIONS.c.id == session_id).values(last_used_at=now))

    def rotate(self, refresh: str, new_refresh: str, token: str, lifetimes: Lifetimes, now: float) -> Rotation | None:
        # The UPDATE decides: of two transactions spending one token, the second waits for the first's row lock,
        # then finds it spent.
        spend = update(REFRESH).where(
            REFRESH.c.digest == refresh, REFRESH.c.spent_at.is_(None), REFRESH.c.expires_at > now
        )
        found = (
            select(SESSIONS.c.id, SESSIONS.c.user_id, SESSIONS.c.version, REFRESH.c.spent_at)
            .join(SESSIONS, SESSIONS.c.id == REFRESH.c.session_id)
            .where(REFRESH.c.digest == refresh, REFRESH.c.expires_at > now)
        )
        with db.engine.begin() as connection:
            spent = connection.execute(spend.values(spent_at=now)).rowcount == 1
            session = connection.execute(found.with_for_update()).one_or_none()
            if session is None:
                return None
            rotation = Rotation(ROTATED, session.user_id, session.version, session.id)
            if spent:
                renewed = {"last_used_at": now, "expires_at": now + lifetimes.refresh}
                connection.execute(update(SESSIONS).where(SESSIONS.c.id == session.id).values(renewed))
                add_tokens(connection, session.id, session.user_id, session.version, new_refresh, token, lifetimes, now)
                return rotation
            if now - session.spent_at <= lifetimes.reuse_grace:
                return replace(rotation, outcome=TOO_SOON)
            end(connection, [session.id])
            return replace(rotation, outcome=REUSED)

    def end_session(self, session_id: str, user_id: int) -> bool:
        owned = select(SESSIONS.c.id).where(SESSIONS.c.id == session_id, SESSIONS.c.user_id == user_id)
        with db.engine.begin() as connection:
            if connection.execute(owned).first() is None:
                return False
            end(connection, [session_id])
            return True

    def end_sessions(self, user_id: int) -> list[str]:
        with db.engine.begin() as connection:
            ids = list(connection.execute(select(SESSIONS.c.id).where(SESSIONS.c.user_id == user_id)).scalars())
            end(connection, ids)
            return ids

    def sessions(self, user_id: int, version: int, now: float) -> list[dict]:
        lasting = (SESSIONS.c.user_id == user_id, SESSIONS.c.version == version, SESSIONS.c.expires_at > now)
        statement = select(*LISTED).where(*lasting).order_by(SESSIONS.c.created_at.desc(), SESSIONS.c.id)
        with db.engine.connect() as connection:
            return [dict(row) for row in connection.execute(statement).mappings()]

    def add_attempt(self, key: str, attempt: str, now: float, window: float) -> list[float]:
        others = select(ATTEMPTS.c.at).where(ATTEMPTS.c.key == key, ATTEMPTS.c.attempt != attempt)
        with db.engine.begin() as connection:
            connection.execute(delete(ATTEMPTS).where(ATTEMPTS.c.at <= now - window))
            connection.execute(insert(ATTEMPTS).values(key=key, attempt=attempt, at=now))
            return list(
                connection.execute(others.where(ATTEMPTS.c.at > now - window).order_by(ATTEMPTS.c.at)).scalars()
            )

    def remove_attempt(self, key: str, attempt: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(ATTEMPTS).where(ATTEMPTS.c.key == key, ATTEMPTS.c.attempt == attempt))

    def remove_attempts(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(ATTEMPTS).where(ATTEMPTS.c.key == key))

    def add_writers(self, keys: list[str], until: float, now: float) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(WRITERS).where(WRITERS.c.until <= now))
            connection.execute(upsert(connection.dialect.name, [{"key": key, "until": until} for key in keys]))

    def wrote_recently(self, keys: list[str], now: float) -> bool:
        statement = select(WRITERS.c.key).where(WRITERS.c.key.in_(keys), WRITERS.c.until > now).limit(1)
        with db.engine.connect() as connection:
            return connection.execute(statement).first() is not None


def add_tokens(
    connection: Connection,
    session_id: str,
    user_id: int,
    version: int,
    refresh: str,
    token: str,
    lifetimes: Lifetimes,
    now: float,
) -> None:
    """Store a session's new refresh token and access token."""
    connection.execute(
        insert(REFRESH).values(digest=refresh, session_id=session_id, expires_at=now + lifetimes.refresh)
    )
    issued = {"digest": token, "user_id": user_id, "version": version, "session_id": session_id}
    connection.execute(insert(TOKENS).values(**issued, expires_at=now + lifetimes.token))


def end(connection: Connection, session_ids: list[str]) -> None:
    """End these sessions: their access tokens stop working with them, their refresh tokens are forgotten."""
    if session_ids:
        for table, column in ((SESSIONS, SESSIONS.c.id), (REFRESH, REFRESH.c.session_id)):
            connection.execute(delete(table).where(column.in_(session_ids)))


def upsert(dialect: str, writers: list[dict]) -> Insert:
    """An INSERT of recent writers that moves an existing key's time instead (in each database's words)."""
    if dialect in MYSQL_FAMILY:
        statement = mysql.insert(WRITERS).values(writers)
        return statement.on_duplicate_key_update(until=statement.inserted.until)
    statement = sqlite.insert(WRITERS).values(writers)
    return statement.on_conflict_do_update(index_elements=[WRITERS.c.key], set_={"until": statement.excluded.until})
