"""The JSON API's account recovery: mailed links to reset a forgotten password and to verify an email."""

from flask import request

from project.api import examples
from project.api.blueprint import Blueprint
from project.api.schemas import EmailSchema, LinkTokenSchema, MessageSchema, ResetPasswordSchema
from project.auth import recovery

blp = Blueprint(
    "recovery",
    __name__,
    url_prefix="/auth",
    description="Account recovery: links mailed to reset a password or verify an email.",
)
LIMITED = {429: examples.TOO_MANY_REQUESTS}


@blp.post("/forgot-password")
@blp.arguments(EmailSchema(), example=examples.FORGOT_PASSWORD)
@blp.response(202, MessageSchema, example=examples.RESET_LINK_SENT)
@blp.errors(400, 413, 415, 429, 503, examples={400: examples.INVALID_PAYLOAD, **LIMITED})
@blp.doc(operationId="forgot_password")
def forgot_password(body: dict) -> tuple[dict, int]:
    """Mail a link to reset the password to the account with this email, if there is one (the answer is the same
    either way). The link opens PUBLIC_URL/reset-password?token=..., valid for RESET_TOKEN_TTL seconds."""
    recovery.forgot_password(body["email"], request.remote_addr)
    return {"message": recovery.RESET_LINK_SENT}, 202


@blp.post("/reset-password")
@blp.arguments(ResetPasswordSchema(), example=examples.RESET_PASSWORD)
@blp.response(200, MessageSchema, example=examples.PASSWORD_RESET)
@blp.errors(400, 413, 415, 429, 503, examples={400: examples.INVALID_LINK, **LIMITED})
@blp.doc(operationId="reset_password")
def reset_password(body: dict) -> dict:
    """Set a new password with a mailed link's token: every token of the user is revoked (signed out everywhere).
    A token that is invalid, used or expired answers 400; so does a password sign-up would refuse (the token
    still good)."""
    recovery.reset_password(body["token"], body["password"], request.remote_addr)
    return {"message": recovery.PASSWORD_RESET}


@blp.post("/verify")
@blp.arguments(LinkTokenSchema(), example=examples.VERIFY)
@blp.response(200, MessageSchema, example=examples.EMAIL_VERIFIED)
@blp.errors(400, 413, 415, 429, 503, examples={400: examples.INVALID_LINK, **LIMITED})
@blp.doc(operationId="verify_email")
def verify_email(body: dict) -> dict:
    """Verify an email with a mailed link's token (PUBLIC_URL/verify-email?token=... does the same in a browser)."""
    recovery.verify_email(body["token"], request.remote_addr)
    return {"message": recovery.EMAIL_VERIFIED}


@blp.post("/request-verify-token")
@blp.arguments(EmailSchema(), example=examples.FORGOT_PASSWORD)
@blp.response(202, MessageSchema, example=examples.VERIFY_LINK_SENT)
@blp.errors(400, 413, 415, 429, 503, examples={400: examples.INVALID_PAYLOAD, **LIMITED})
@blp.doc(operationId="request_verify_token")
def request_verify_token(body: dict) -> tuple[dict, int]:
    """Mail a new link to verify the email to the account that has it unverified, if there is one (the answer is
    the same either way)."""
    recovery.request_verification(body["email"], request.remote_addr)
    return {"message": recovery.VERIFY_LINK_SENT}, 202
