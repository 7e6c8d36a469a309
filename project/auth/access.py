"""Who is asking and what they may do: the user a bearer token names (checked as the token comes, on every
request that needs one), and who may change whom: a user itself, and an admin anyone; only an admin may make or
unmake admins."""

import time

from flask import request
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


def authenticate(token: str | None) -> RowMapping:
    """The active user a token was issued to, as it is now (its profile, `admin` included); NotSignedIn for no
    token, or one that is malformed, unknown, expired or revoked (by a newer token version)."""
    issued = store().find_token(digest(token), time.time()) if token and TOKEN.fullmatch(token) else None
    principal = None if issued is None else read_principal(*issued)
    if principal is None:
        raise NotSignedIn()
    return principal


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
