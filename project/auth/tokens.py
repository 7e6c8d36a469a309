"""Bearer tokens: opaque, 256 bits from `secrets`, kept in the store by their SHA-256 only, for TOKEN_TTL
seconds; a token names its user and the user's token version when it was issued."""

import re
import secrets
import time

from flask import current_app

from project.auth.stores import digest, store

TOKEN_BYTES = 32
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes


def issue(user_id: int, version: int) -> str:
    """A new token for the user, valid for TOKEN_TTL seconds."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    store().add_token(digest(token), user_id, version, current_app.config["TOKEN_TTL"], time.time())
    return token


def revoke(token: str) -> None:
    """The token stops working (whether it worked or not)."""
    if TOKEN.fullmatch(token):
        store().remove_token(digest(token))
