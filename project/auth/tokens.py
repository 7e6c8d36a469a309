"""Bearer and refresh tokens: opaque, 256 bits from `secrets`, kept in the store by their SHA-256 only."""

import re
import secrets

TOKEN_BYTES = 32
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes
SESSION_ID_BYTES = 16  # 22 characters


def new_token() -> str:
    """A new token, for the client alone to know."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_session_id() -> str:
    """A new session's id: random, so that it tells nothing of other sessions."""
    return secrets.token_urlsafe(SESSION_ID_BYTES)
