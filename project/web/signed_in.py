"""Who is signed in on the web pages: the session cookie keeps a session's tokens, the bearer token checked as the
API checks one, and traded for a new pair with the refresh token once it expires (a browser stays signed in as
long as its session lasts). Tokens that no longer work are forgotten; while the token store is down, nobody is
signed in and the pages say so, and everything public keeps working."""

from dataclasses import dataclass

from flask import session

from project.auth import sessions
from project.auth.access import authenticate
from project.auth.errors import InvalidRefreshToken, NotSignedIn, StoreUnavailable
from project.auth.sessions import SignedIn as Tokens


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user, if any, and whether signing in is unavailable right now."""

    principal: dict | None = None
    unavailable: bool = False


def keep(tokens: Tokens) -> None:
    """Keep a session's tokens in the session cookie."""
    session["token"], session["refresh_token"] = tokens.token, tokens.refresh_token


def forget() -> None:
    """Forget the session cookie's tokens."""
    session.pop("token", None)
    session.pop("refresh_token", None)


def signed_in() -> SignedIn:
    """Who the session's token was issued to (after a refresh, if it had expired)."""
    if "token" not in session:
        return SignedIn()
    try:
        try:
            return SignedIn(authenticate(session["token"]))
        except NotSignedIn:
            keep(sessions.refresh(session.get("refresh_token", "")))
            return SignedIn(authenticate(session["token"]))
    except (NotSignedIn, InvalidRefreshToken):
        forget()
    except StoreUnavailable:
        return SignedIn(unavailable=True)
    return SignedIn()
