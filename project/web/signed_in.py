"""Who is signed in on the web pages: the token the session cookie keeps, checked as the API checks a bearer
token. A token that no longer works is forgotten; while the token store is down, nobody is signed in and
the pages say so, and everything public keeps working."""

from dataclasses import dataclass

from flask import session
from sqlalchemy import RowMapping

from project.auth.access import authenticate
from project.auth.errors import NotSignedIn, StoreUnavailable


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user, if any, and whether signing in is unavailable right now."""

    principal: RowMapping | None = None
    unavailable: bool = False


def signed_in() -> SignedIn:
    """Who the session's token was issued to."""
    token = session.get("token")
    if token is None:
        return SignedIn()
    try:
        return SignedIn(authenticate(token))
    except NotSignedIn:
        session.pop("token")
    except StoreUnavailable:
        return SignedIn(unavailable=True)
    return SignedIn()
