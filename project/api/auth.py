"""The JSON API's sign-in: /auth/login starts a session (a bearer token and a refresh token), /auth/refresh trades
a refresh token for a new pair, /auth/me says whose a token is, /auth/logout ends its session."""

from flask import Response, request
from sqlalchemy import RowMapping

from project.answers import no_content
from project.api import examples
from project.api.arguments import SECURED, signed_in
from project.api.blueprint import Blueprint
from project.api.schemas import AccountEnvelopeSchema, LoginSchema, RefreshSchema, SignedInSchema
from project.auth import sessions
from project.auth.signin import sign_in

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Signing in and out with bearer tokens.")


@blp.post("/login")
@blp.arguments(LoginSchema(), example=examples.LOGIN)
@blp.response(200, SignedInSchema, example=examples.SIGNED_IN)
@blp.errors(
    400,
    401,
    403,
    413,
    415,
    429,
    503,
    examples={400: examples.INVALID_PAYLOAD, 401: examples.WRONG_PASSWORD, 403: examples.NOT_VERIFIED},
)
@blp.doc(operationId="login")
def login(credentials: dict) -> dict:
    """Trade an email and password for a session: a bearer token and a refresh token. Too many failures for one
    email (or from one address) answer 429 until the oldest leave the window, whatever the password. With
    REQUIRE_VERIFIED_EMAIL on, a user whose email is not verified gets 403 once its password is proved."""
    signed = sign_in(credentials["email"], credentials["password"], request.remote_addr)
    return {"message": "Successfully logged in.", "data": vars(signed)}


@blp.post("/refresh")
@blp.arguments(RefreshSchema(), example=examples.REFRESH)
@blp.response(200, SignedInSchema, example=examples.REFRESHED)
@blp.errors(400, 401, 413, 415, 503, examples={400: examples.INVALID_PAYLOAD, 401: examples.INVALID_REFRESH})
@blp.doc(operationId="refresh")
def refresh(body: dict) -> dict:
    """Trade a refresh token for a new bearer token and a new refresh token of the same session; the one sent is
    spent. Sent again more than REFRESH_REUSE_GRACE seconds (5) after it was spent, it is taken for a stolen one:
    401, and the session ends (its tokens stop working); within them (two tabs refreshing at once), 401 alone."""
    return {"message": "Successfully refreshed.", "data": vars(sessions.refresh(body["refresh_token"]))}


@blp.get("/me")
@signed_in
@blp.response(200, AccountEnvelopeSchema, example=examples.ACCOUNT)
@blp.errors(401, 503)
@blp.doc(operationId="me", **SECURED)
def me(principal: RowMapping) -> dict:
    """The signed-in user, and whether it is an admin."""
    return {"data": principal}


@blp.post("/logout")
@signed_in
@blp.response(204)
@blp.errors(401, 503)
@blp.doc(operationId="logout", **SECURED)
def logout(principal: RowMapping) -> Response:
    """End the session of the token the request carries: it and its refresh token stop working at once."""
    sessions.sign_out(principal)
    return no_content()
