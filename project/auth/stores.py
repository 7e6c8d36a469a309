"""Where tokens and sign-in attempts are kept: Redis when REDIS_URL is set, the SQL database otherwise. Both
are shared by every worker and instance of the service; neither keeps anything in a process."""

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
from sqlalchemy import delete, insert, select

from project.auth.errors import StoreUnavailable
from project.auth.models import AuthToken, SignInAttempt
from project.extensions import db

TOKENS = AuthToken.__table__
ATTEMPTS = SignInAttempt.__table__
REDIS_PREFIX = "users-service:"
WHERE_IT_RUNS = re.compile(r" (?:to|on) \S+:\d+")  # "Error 111 connecting to 10.0.0.5:6379. ..."


class Store(Protocol):
    """What signing in keeps: tokens by their digest, and attempts under a key, by time (seconds since the
    epoch). An attempt counts while it is younger than the window."""

    def add_token(self, digest: str, user_id: int, version: int, ttl: int, now: float) -> None: ...

    def find_token(self, digest: str, now: float) -> tuple[int, int] | None:
        """The user id and token version the token was issued with, unless it expired or was removed."""

    def remove_token(self, digest: str) -> None: ...

    def add_attempt(self, key: str, attempt: str, now: float, window: float) -> list[float]:
        """Record an attempt; the times of the key's other attempts within the window, oldest first."""

    def remove_attempt(self, key: str, attempt: str) -> None: ...


class SqlStore:
    """The store in the service's own database (the auth_tokens and sign_in_attempts tables)."""

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
    """What the store keeps a token or an attempt's key by: the text's SHA-256, in hex (never the text)."""
    return hashlib.sha256(text.encode()).hexdigest()


def init_app(app: Flask) -> None:
    """Choose the app's store: Redis when REDIS_URL is set, else the SQL database."""
    url = app.config["REDIS_URL"]
    app.extensions["auth_store"] = RedisStore(url) if url else SqlStore()


def store() -> Store:
    """The current app's store."""
    return current_app.extensions["auth_store"]
