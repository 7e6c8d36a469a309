"""The links mailed to a user: to verify its email, to reset its password. Each carries a token signed with
SECRET_KEY (itsdangerous) for one purpose (a verification token resets nothing), naming the user and a fingerprint
of what it was made for: the token dies when that changes (the email verified or replaced, the password reset), so
it works once, and the database keeps nothing of it. Links point at PUBLIC_URL, never at a request's Host."""

import hashlib
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"
TTL_SETTINGS = {VERIFY_EMAIL: "VERIFY_TOKEN_TTL", RESET_PASSWORD: "RESET_TOKEN_TTL"}
TOKEN_MAX_LENGTH = 512  # far longer than any token made here


@dataclass(frozen=True)
class Token:
    """What a valid token names: a user, and the fingerprint of the state it was made for."""

    user_id: int
    fingerprint: str


def fingerprint(*values: str | None) -> str:
    """A short digest of the state a token is bound to (the user's email, its password's hash)."""
    return hashlib.sha256("\0".join(value or "" for value in values).encode()).hexdigest()[:32]


def serializer(purpose: str) -> URLSafeTimedSerializer:
    """Signs and checks tokens of one purpose (its salt)."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def link(purpose: str, user_id: int, *bound_to: str | None) -> str:
    """The page's URL, with a new token for the user bound to these values."""
    token = serializer(purpose).dumps([user_id, fingerprint(*bound_to)])
    return f"{current_app.config['PUBLIC_URL']}/{purpose}?token={token}"


def read_token(purpose: str, token: str) -> Token | None:
    """What a token of this purpose names, unless it is malformed, tampered with, of another purpose or too old."""
    try:
        loaded = serializer(purpose).loads(token, max_age=current_app.config[TTL_SETTINGS[purpose]])
    except BadData:
        return None
    match loaded:
        case [int() as user_id, str() as bound]:
            return Token(user_id, bound)
    return None
