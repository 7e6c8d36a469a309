"""Who is signed in on the web pages: the token the session cookie keeps, checked as the API checks a bearer
token. A token that no longer works is forgotten; while the token store is down, nobody is signed in and
the pages say so, and everything public keeps working."""

from flask import g, session
from sqlalchemy import Row

from project.auth.errors import NotSignedIn, StoreUnavailable
from project.auth.signin import authenticate


def page_principal() -> Row | None:
    """The signed-in user (checked once a request), or None."""
    if "principal" not in g:
        g.principal = principal_of(session.get("token"))
    return g.principal


def principal_of(token: str | None) -> Row | None:
    if token is None:
        return None
    try:
        return authenticate(token)
    except NotSignedIn:
        session.pop("token", None)
    except StoreUnavailable:
        g.sign_in_unavailable = True
    return None
