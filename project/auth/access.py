"""Who is asking and what they may do: the user a bearer token names (checked as the token comes, on every
request that needs one), and who may change whom: a user itself, and an admin anyone; only an admin may make or
unmake admins."""

import time

from flask import current_app, request
from sqlalchemy import RowMapping

from project.auth.errors import Forbidden, NotSignedIn
from project.auth.signin import prove_current_password
from project.auth.stores import digest, store
from project.auth.tokens import TOKEN
from project.users.reads import read_principal


def bearer_token() -> str | None:
    """The token of the request's `Authorization: Bearer` header, if it has one."""
    credentials = request.authorization
    if credentials is None or credentials.type != "bearer":
        return None
    return credentials.token


def authenticate(token: str | None) -> dict:
    """The active user a token was issued to, as it is now (its profile, `admin` included), with the token's
    `session_id` and `token_version`; NotSignedIn for no token, or one that is malformed, unknown, expired, of a
    session that ended, or revoked (by a newer token version). The session is marked used at most once every
    SESSION_TOUCH_SECONDS, so most requests pay nothing for it."""
    now = time.time()
    issued = store().find_token(digest(token), now) if token and TOKEN.fullmatch(token) else None
    principal = None if issued is None else read_principal(issued.user_id, issued.version)
    if principal is None:
        raise NotSignedIn()
    if now - issued.last_used_at >= current_app.config["SESSION_TOUCH_SECONDS"]:
        store().touch_session(issued.session_id, now)
    return {**principal, "session_id": issued.session_id, "token_version": issued.version}


def may_change(principal: RowMapping | None, user_id: int) -> bool:
    """Whether the signed-in user (None: nobody) may change or delete the user with this id."""
    return principal is not None and (principal["admin"] or principal["id"] == user_id)


def allowed_fields(principal: RowMapping, user_id: int, fields: dict) -> dict:
    """The fields of a change the signed-in user may make, without `current_password`: only an admin sets
    `admin`, and a user changing its own password proves the current one."""
    if "admin" in fields and not principal["admin"]:
        raise Forbidden()
    changes = dict(fields)
    current_password = changes.pop("current_password", None)
    if "password" in changes and principal["id"] == user_id:
        prove_current_password(principal, current_password, request.remote_addr)
    return changes
