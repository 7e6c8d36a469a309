"""Sessions: each sign-in starts one (a device's chain of tokens). Its refresh token is traded for a new pair
(rotation); a spent one presented again after REFRESH_REUSE_GRACE seconds is a reuse, and ends the session. A user
lists its sessions and ends any of them; a new password, a deactivation or a deletion ends them all (their tokens
carry the old token version)."""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app

from project.auth.errors import InvalidRefreshToken, SessionNotFound
from project.auth.stores import digest, store
from project.auth.stores.protocol import REUSED, ROTATED, Lifetimes, NewSession
from project.auth.tokens import TOKEN, new_session_id, new_token
from project.users import events
from project.users.reads import read_principal


@dataclass(frozen=True)
class SignedIn:
    """A session's tokens just issued, and how many seconds each lives."""

    token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


def lifetimes() -> Lifetimes:
    """The app's token lifetimes."""
    config = current_app.config
    return Lifetimes(config["TOKEN_TTL"], config["REFRESH_TOKEN_TTL"], config["REFRESH_REUSE_GRACE"])


def start(user_id: int, version: int) -> SignedIn:
    """Start a session for the user (its tokens at this version), from the device of the request being answered."""
    address, user_agent = events.device()
    session = NewSession(new_session_id(), user_id, version, user_agent or "", address or "")
    token, refresh = new_token(), new_token()
    store().add_session(session, digest(refresh), digest(token), lifetimes(), time.time())
    events.record(user_id, events.SIGNED_IN, session.id)
    return signed_in(token, refresh)


def refresh(refresh_token: str) -> SignedIn:
    """A new access token and refresh token for the session of this refresh token, which is spent; InvalidRefreshToken
    for one unknown, expired or spent (ending its session, past the grace), or of a user whose tokens were revoked."""
    if not TOKEN.fullmatch(refresh_token):
        raise InvalidRefreshToken()
    token, refresh = new_token(), new_token()
    rotation = store().rotate(digest(refresh_token), digest(refresh), digest(token), lifetimes(), time.time())
    if rotation is None:
        raise InvalidRefreshToken()
    if rotation.outcome == REUSED:
        events.record(rotation.user_id, events.REFRESH_REUSE_DETECTED, rotation.session_id)
    if rotation.outcome != ROTATED:
        raise InvalidRefreshToken()
    if read_principal(rotation.user_id, rotation.version) is None:  # a new password, deactivated or deleted since
        store().end_session(rotation.session_id, rotation.user_id)
        raise InvalidRefreshToken()
    return signed_in(token, refresh)


def signed_in(token: str, refresh: str) -> SignedIn:
    """The answer to a sign-in or a refresh."""
    ttl = lifetimes()
    return SignedIn(token, ttl.token, refresh, ttl.refresh)


def list_sessions(principal: Mapping) -> list[dict]:
    """The signed-in user's sessions, newest first, the one of the request's token marked `current`."""
    found = store().sessions(principal["id"], principal["token_version"], time.time())
    return [
        {
            **session,
            "created_at": moment(session["created_at"]),
            "last_used_at": moment(session["last_used_at"]),
            "current": session["id"] == principal["session_id"],
        }
        for session in found
    ]


def end_session(principal: Mapping, session_id: str) -> None:
    """End one of the signed-in user's sessions: its tokens stop working at once; SessionNotFound if it has none
    such."""
    if not store().end_session(session_id, principal["id"]):
        raise SessionNotFound()
    kind = events.SIGNED_OUT if session_id == principal["session_id"] else events.SESSION_ENDED
    events.record(principal["id"], kind, session_id)


def sign_out(principal: Mapping) -> None:
    """End the session of the request's token (its refresh token too)."""
    if store().end_session(principal["session_id"], principal["id"]):
        events.record(principal["id"], events.SIGNED_OUT, principal["session_id"])


def end_every_session(principal: Mapping) -> None:
    """End every session of the signed-in user, the request's own included."""
    for session_id in store().end_sessions(principal["id"]):
        kind = events.SIGNED_OUT if session_id == principal["session_id"] else events.SESSION_ENDED
        events.record(principal["id"], kind, session_id)


def moment(seconds: float) -> datetime:
    """A time in seconds since the epoch, as a UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)
