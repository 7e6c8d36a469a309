"""The JSON API's sign-in: /auth/login issues a bearer token, /auth/me says whose it is, /auth/logout
revokes it."""

from flask import Response, request
from sqlalchemy import RowMapping

from project.answers import no_content
from project.api import examples
from project.api.arguments import SECURED, signed_in
from project.api.blueprint import Blueprint
from project.api.schemas import AccountEnvelopeSchema, LoginSchema, SignedInSchema
from project.auth.access import bearer_token
from project.auth.signin import sign_in, sign_out

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
    """Trade an email and password for a bearer token. Too many failures for one email (or from one
    address) answer 429 until the oldest leave the window, whatever the password. With REQUIRE_VERIFIED_EMAIL
    on, a user whose email is not verified gets 403 once its password is proved."""
    signed = sign_in(credentials["email"], credentials["password"], request.remote_addr)
    token = {"token": signed.token, "expires_in": signed.expires_in}
    return {"message": "Successfully logged in.", "data": token}


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
    """Revoke the token the request carries: it stops working at once."""
    sign_out(bearer_token())
    return no_content()
