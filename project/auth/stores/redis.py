"""The store in Redis (REDIS_URL), with short timeouts: a Redis that is down is StoreUnavailable (503) within
seconds."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from math import ceil

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from project import metrics
from project.auth.errors import StoreUnavailable
from project.auth.stores.protocol import Issued, Lifetimes, NewSession, Rotation

REDIS_PREFIX = "users-service:"
WHERE_IT_RUNS = re.compile(r" (?:to|on) \S+:\d+")  # "Error 111 connecting to 10.0.0.5:6379. ..."

# KEYS[1]: the access token's key; ARGV[1]: the prefix. Its value ("user:version:session") and its session's
# last use, or nothing when the token expired or its session ended.
FIND = """
local token = redis.call('GET', KEYS[1])
if not token then return false end
local session = ARGV[1] .. 'session:' .. string.match(token, '[^:]+$')
local found = redis.call('HMGET', session, 'user_id', 'last_used_at')
if not found[1] then return false end
return {token, found[2]}
"""

# KEYS[1]: a session's key; ARGV[1]: now. Marks it used, unless it has ended (never making a session anew).
TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'last_used_at', ARGV[1]) end
"""

# KEYS[1]: the presented refresh token's key, whose value is its session's id, and ":<time spent>" once spent.
# ARGV: the prefix, the new refresh token's digest, the new access token's, now, the reuse grace, the access and
# refresh tokens' lifetimes. Answers {outcome, user, version, session}, or nothing for an unknown token or session.
ROTATE = """
local found = redis.call('GET', KEYS[1])
if not found then return false end
local id, spent = string.match(found, '^([^:]+):?(.*)$')
local session = ARGV[1] .. 'session:' .. id
local owner = redis.call('HMGET', session, 'user_id', 'version')
if not owner[1] then return false end
if spent ~= '' then
  if tonumber(ARGV[4]) - tonumber(spent) <= tonumber(ARGV[5]) then return {'too_soon', owner[1], owner[2], id} end
  redis.call('DEL', session)
  redis.call('ZREM', ARGV[1] .. 'sessions:' .. owner[1], id)
  return {'reused', owner[1], owner[2], id}
end
redis.call('SET', KEYS[1], id .. ':' .. ARGV[4], 'KEEPTTL')
redis.call('SET', ARGV[1] .. 'refresh:' .. ARGV[2], id, 'EX', ARGV[7])
redis.call('SET', ARGV[1] .. 'token:' .. ARGV[3], owner[1] .. ':' .. owner[2] .. ':' .. id, 'EX', ARGV[6])
redis.call('HSET', session, 'last_used_at', ARGV[4])
redis.call('EXPIRE', session, ARGV[7])
redis.call('EXPIRE', ARGV[1] .. 'sessions:' .. owner[1], ARGV[7])
return {'rotated', owner[1], owner[2], id}
"""


class RedisStore:
    """The store in Redis: a session is a hash that expires with its refresh token, listed in its user's sorted set;
    a token is a key naming its session, expiring with it; a key's attempts are a sorted set. What must happen
    together (a token checked with its session, a refresh token spent) is a Lua script: one round trip, atomic."""

    def __init__(self, url: str) -> None:
        # Short timeouts: a Redis that is down is a 503 within seconds. One retry on a fresh connection: a
        # pooled one that a Redis restart closed is replaced, and the request succeeds.
        self.redis = redis.Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2, retry=Retry(NoBackoff(), 1)
        )
        self.find_script = self.redis.register_script(FIND)
        self.touch_script = self.redis.register_script(TOUCH)
        self.rotate_script = self.redis.register_script(ROTATE)

    def add_session(self, session: NewSession, refresh: str, token: str, lifetimes: Lifetimes, now: float) -> None:
        key = f"{REDIS_PREFIX}session:{session.id}"
        fields = {**vars(session), "created_at": now, "last_used_at": now}
        del fields["id"]
        with unavailable_as_store_error():
            pipeline = self.redis.pipeline(transaction=True)
            pipeline.hset(key, mapping=fields)
            pipeline.expire(key, lifetimes.refresh)
            pipeline.zadd(f"{REDIS_PREFIX}sessions:{session.user_id}", {session.id: now})
            pipeline.expire(f"{REDIS_PREFIX}sessions:{session.user_id}", lifetimes.refresh)
            pipeline.set(f"{REDIS_PREFIX}refresh:{refresh}", session.id, ex=lifetimes.refresh)
            pipeline.set(
                f"{REDIS_PREFIX}token:{token}", f"{session.user_id}:{session.version}:{session.id}", ex=lifetimes.token
            )
            pipeline.execute()

    def find_token(self, digest: str, now: float) -> Issued | None:
        with unavailable_as_store_error():
            found = self.find_script(keys=[f"{REDIS_PREFIX}token:{digest}"], args=[REDIS_PREFIX])
        if not found:
            return None
        user_id, version, session_id = found[0].split(":")
        return Issued(int(user_id), int(version), session_id, float(found[1]))

    def touch_session(self, session_id: str, now: float) -> None:
        with unavailable_as_store_error():
            self.touch_script(keys=[f"{REDIS_PREFIX}session:{session_id}"], args=[now])

    def rotate(self, refresh: str, new_refresh: str, token: str, lifetimes: Lifetimes, now: float) -> Rotation | None:
        keys = [f"{REDIS_PREFIX}refresh:{refresh}"]
        args = [REDIS_PREFIX, new_refresh, token, now, lifetimes.reuse_grace, lifetimes.token, lifetimes.refresh]
        with unavailable_as_store_error():
            found = self.rotate_script(keys=keys, args=args)
        if not found:
            return None
        outcome, user_id, version, session_id = found
        return Rotation(outcome, int(user_id), int(version), session_id)

    def end_session(self, session_id: str, user_id: int) -> bool:
        key = f"{REDIS_PREFIX}session:{session_id}"
        with unavailable_as_store_error():
            if self.redis.hget(key, "user_id") != str(user_id):
                return False
            self.end(user_id, [session_id])
        return True

    def end_sessions(self, user_id: int) -> list[str]:
        with unavailable_as_store_error():
            ids = self.redis.zrange(f"{REDIS_PREFIX}sessions:{user_id}", 0, -1)
            self.end(user_id, ids)
        return ids

    def end(self, user_id: int, session_ids: list[str]) -> None:
        """End these sessions of the user: their tokens name a session that is gone."""
        if session_ids:
            pipeline = self.redis.pipeline(transaction=True)
            pipeline.delete(*(f"{REDIS_PREFIX}session:{session_id}" for session_id in session_ids))
            pipeline.zrem(f"{REDIS_PREFIX}sessions:{user_id}", *session_ids)
            pipeline.execute()

    def sessions(self, user_id: int, version: int, now: float) -> list[dict]:
        listed = f"{REDIS_PREFIX}sessions:{user_id}"
        with unavailable_as_store_error():
            ids = self.redis.zrange(listed, 0, -1, desc=True)
            pipeline = self.redis.pipeline(transaction=False)
            for session_id in ids:
                pipeline.hgetall(f"{REDIS_PREFIX}session:{session_id}")
            found = dict(zip(ids, pipeline.execute(), strict=True))
            if gone := [session_id for session_id, fields in found.items() if not fields]:
                self.redis.zrem(listed, *gone)
        return [
            {
                "id": session_id,
                "created_at": float(fields["created_at"]),
                "last_used_at": float(fields["last_used_at"]),
                "user_agent": fields["user_agent"],
                "address": fields["address"],
            }
            for session_id, fields in found.items()
            if fields and int(fields["version"]) == version
        ]

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
            return redis_failed(error)
        return None


@contextmanager
def unavailable_as_store_error() -> Iterator[None]:
    """Anything Redis cannot do (it is down, out of reach, out of memory) is StoreUnavailable."""
    try:
        yield
    except redis.RedisError as error:
        raise StoreUnavailable(redis_failed(error)) from error


def redis_failed(error: redis.RedisError) -> str:
    """Count Redis as unreachable (project.metrics), and say what went wrong, naming no host, e.g. "Error 111
    connecting. Connection refused."."""
    metrics.DEPENDENCY_ERRORS.labels("redis").inc()
    return WHERE_IT_RUNS.sub("", str(error))
