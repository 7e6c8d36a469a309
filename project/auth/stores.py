"""Where tokens, sign-in attempts and recent writers are kept: Redis when REDIS_URL is set, the SQL database
otherwise. Both are shared by every worker and instance of the service; neither keeps anything in a process."""

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from math import ceil
from typing import Protocol

import redis
from flask import Flask, current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Insert, delete, insert, select
from sqlalchemy.dialects import mysql, sqlite

from project.auth.errors import StoreUnavailable
from project.auth.models import AuthToken, RecentWriter, SignInAttempt
from project.config import MYSQL_FAMILY
from project.extensions import db

TOKENS = AuthToken.__table__
ATTEMPTS = SignInAttempt.__table__
WRITERS = RecentWriter.__table__
REDIS_PREFIX = "users-service:"
WHERE_IT_RUNS = re.compile(r" (?:to|on) \S+:\d+")  # "Error 111 connecting to 10.0.0.5:6379. ..."


class Store(Protocol):
    """What signing in keeps: tokens by their digest, and attempts under a key, by time (seconds since the
    epoch). An attempt counts while it is younger than the window. And, for a read replica, the keys of clients
    that wrote, each until a time."""

    def add_token(self, digest: str, user_id: int, version: int, ttl: int, now: float) -> None: ...

    def find_token(self, digest: str, now: float) -> tuple[int, int] | None:
        """The user id and token version the token was issued with, unless it expired or was removed."""

    def remove_token(self, digest: str) -> None: ...

    def add_attempt(self, key: str, attempt: str, now: float, window: float) -> list[float]:
        """Record an attempt; the times of the key's other attempts within the window, oldest first."""

    def remove_attempt(self, key: str, attempt: str) -> None: ...

    def remove_attempts(self, key: str) -> None:
        """Forget every attempt under the key."""

    def add_writers(self, keys: list[str], until: float, now: float) -> None: ...

    def wrote_recently(self, keys: list[str], now: float) -> bool:
        """Whether any of these keys wrote recently: added as a writer until a time still to come."""


class SqlStore:
    """The store in the service's own database (the auth_tokens, sign_in_attempts and recent_writers tables)."""

    def add_token(self, digest: str, user_id: int, version: int, ttl: int, now: float) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(TOKENS).where(TOKENS.c.expires_at <= now))
            connection.execute(
                insert(TOKENS).values(digest=digest, user_id=user_id, version=version, expires_at=now + ttl)
            )

    def find_token(self, digest: str, now: float) -> tuple[int, int] | None:
        statement = select(TOKENS.c.user_id, TOKENS.c.version).where(
            TOKENS.c.digest == digest, TOKENS.c.expires_at > now
        )
        with db.engine.connect() as connection:
            found = connection.execute(statement).one_or_none()
        return None if found is None else (found.user_id, found.version)

    def remove_token(self, digest: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(TOKENS).where(TOKENS.c.digest == digest))

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


def upsert(dialect: str, writers: list[dict]) -> Insert:
    """An INSERT of recent writers that moves an existing key's time instead (in each database's words)."""
    if dialect in MYSQL_FAMILY:
        statement = mysql.insert(WRITERS).values(writers)
        return statement.on_duplicate_key_update(until=statement.inserted.until)
    statement = sqlite.insert(WRITERS).values(writers)
    return statement.on_conflict_do_update(index_elements=[WRITERS.c.key], set_={"until": statement.excluded.until})


class RedisStore:
    """The store in Redis: a token is a key that expires with it; a key's attempts are a sorted set."""

    def __init__(self, url: str) -> None:
        # Short timeouts: a Redis that is down is a 503 within seconds. One retry on a fresh connection: a
        # pooled one that a Redis restart closed is replaced, and the request succeeds.
        self.redis = redis.Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2, retry=Retry(NoBackoff(), 1)
        )

    def add_token(self, digest: str, user_id: int, version: int, ttl: int, now: float) -> None:
        with unavailable_as_store_error():
            self.redis.set(f"{REDIS_PREFIX}token:{digest}", f"{user_id}:{version}", ex=ttl)

    def find_token(self, digest: str, now: float) -> tuple[int, int] | None:
        with unavailable_as_store_error():
            found = self.redis.get(f"{REDIS_PREFIX}token:{digest}")
        if found is None:
            return None
        user_id, version = found.split(":")
        return int(user_id), int(version)

    def remove_token(self, digest: str) -> None:
        with unavailable_as_store_error():
            self.redis.delete(f"{REDIS_PREFIX}token:{digest}")

    def add_attempt(self, key: str, attempt: str, now: float, window: float) -> list[float]:
        name = f"{REDIS_PREFIX}attempts:{key}"
        with unavailable_as_store_error():
            pipeline = self.redis.pipeline(transaction=True)  # MULTI/EXEC: no other attempt comes between
            pipeline.zremrangebyscore(name, "-inf", now - window)
            pipeline.zadd(name, {attempt: now})
            pipeline.zrange(name, 0, -1, withscores=True)
            pipeline.expire(name, ceil(window))
            recorded = pipeline.execute()[2]
        return [at for member, at in recorded if member != attempt]

    def remove_attempt(self, key: str, attempt: str) -> None:
        with unavailable_as_store_error():
            self.redis.zrem(f"{REDIS_PREFIX}attempts:{key}", attempt)

    def remove_attempts(self, key: str) -> None:
        with unavailable_as_store_error():
            self.redis.delete(f"{REDIS_PREFIX}attempts:{key}")

    def add_writers(self, keys: list[str], until: float, now: float) -> None:
        with unavailable_as_store_error():
            pipeline = self.redis.pipeline(transaction=False)
            for key in keys:
                pipeline.set(f"{REDIS_PREFIX}wrote:{key}", 1, px=ceil((until - now) * 1000))
            pipeline.execute()

    def wrote_recently(self, keys: list[str], now: float) -> bool:
        with unavailable_as_store_error():
            return self.redis.exists(*(f"{REDIS_PREFIX}wrote:{key}" for key in keys)) > 0

    def problem(self) -> str | None:
        """None when Redis answers, else what went wrong (naming no host)."""
        try:
            self.redis.ping()
        except redis.RedisError as error:
            return redis_problem(error)
        return None


@contextmanager
def unavailable_as_store_error() -> Iterator[None]:
    """Anything Redis cannot do (it is down, out of reach, out of memory) is StoreUnavailable."""
    try:
        yield
    except redis.RedisError as error:
        raise StoreUnavailable(redis_problem(error)) from error


def redis_problem(error: redis.RedisError) -> str:
    """What went wrong with Redis, naming no host, e.g. "Error 111 connecting. Connection refused."."""
    return WHERE_IT_RUNS.sub("", str(error))


def digest(text: str) -> str:
    """What the store keeps a token, an attempt's key or a writer's key by: the text's SHA-256, in hex (never the
    text)."""
    return hashlib.sha256(text.encode()).hexdigest()


def init_app(app: Flask) -> None:
    """Choose the app's store: Redis when REDIS_URL is set, else the SQL database."""
    url = app.config["REDIS_URL"]
    app.extensions["auth_store"] = RedisStore(url) if url else SqlStore()


def store() -> Store:
    """The current app's store."""
    return current_app.extensions["auth_store"]
