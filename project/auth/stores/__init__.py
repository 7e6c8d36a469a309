"""Where sessions, tokens, sign-in attempts and recent writers are kept: Redis when REDIS_URL is set
(stores.redis), the SQL database otherwise (stores.sql). Both are shared by every worker and instance of the service;
neither keeps anything in a process."""

import hashlib

from flask import Flask, current_app

from project.auth.stores.protocol import Store
from project.auth.stores.redis import RedisStore
from project.auth.stores.sql import SqlStore


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
