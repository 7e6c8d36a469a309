"""What the OpenAPI document shows: an example of every request body and answer, each one that works as sent
(Swagger UI's "Try it out" sends a request body's example as it is), and the headers answers carry.
project/tests/test_openapi.py holds every example to its schema and sends every request body's."""

from werkzeug.exceptions import RequestEntityTooLarge

from project.api.arguments import BadUserId, JsonOnly
from project.auth import recovery
from project.auth.errors import (
    EmailNotVerified,
    Forbidden,
    InvalidCredentials,
    InvalidLink,
    NotSignedIn,
    TooManyAttempts,
    TooManyRequests,
)
from project.errors import INVALID_PARAMETERS, UNAVAILABLE, VALIDATION_MESSAGES
from project.users.errors import EmailTaken, UserNotFound

# A user nobody has added yet (the seed users are michael's): a strong password, a deliverable domain.
NEW_USER = {"username": "fletcher", "email": "fletcher@realpython.com", "password": "fletcher keeps a pet lizard"}
PROFILE = {"username": "fletch", "email": "fletch@realpython.com"}
PATCH = {"username": "fletcher"}
LOGIN = {"email": NEW_USER["email"], "password": NEW_USER["password"]}

USER = {
    "id": 3,
    "username": "fletcher",
    "email": "fletcher@realpython.com",
    "active": True,
    "created_at": "2026-11-21T11:41:13.750037+00:00",
}
OTHER_USER = {
    "id": 1,
    "username": "michael",
    "email": "michael@realpython.com",
    "active": True,
    "created_at": "2026-11-21T11:40:59.102214+00:00",
}

PING = {"status": "success", "message": "pong!"}
READY = {"status": "success", "message": "ready", "data": {"database": "ok"}}
HEALTH = {"status": "success", "message": "ready", "data": {"database": "ok", "redis": "ok"}}
CREATED = {"status": "success", "message": "fletcher@realpython.com was added!", "data": USER}
ONE_USER = {"status": "success", "data": USER}
REPLACED = {"status": "success", "data": {**USER, **PROFILE}}
SIGNED_IN = {
    "status": "success",
    "message": "Successfully logged in.",
    "data": {"token": "nX4m0cQ2Zq8l1XkW9vY3b7tR6pE5sA0dF2gH4jK8LzM", "token_type": "Bearer", "expires_in": 3600},
}
ACCOUNT = {"status": "success", "data": {**USER, "admin": False, "verified": True}}
FORGOT_PASSWORD = {"email": NEW_USER["email"]}
# A link's token as the mail carries it (this one's signature is no good: the service answers 400).
LINK_TOKEN = "WzMsIjkyZjNhYzE4NWI0ZTcxZTBkMTJmOGE0NmQzYjlhN2MwIl0.Z1x4Qg.v5b1pYk0cH8o0s3kq2Qm0qVwRzA"
RESET_PASSWORD = {"token": LINK_TOKEN, "password": "fletcher keeps two pet lizards"}
VERIFY = {"token": LINK_TOKEN}
RESET_LINK_SENT = {"status": "success", "message": recovery.RESET_LINK_SENT}
PASSWORD_RESET = {"status": "success", "message": recovery.PASSWORD_RESET}
EMAIL_VERIFIED = {"status": "success", "message": recovery.EMAIL_VERIFIED}
VERIFY_LINK_SENT = {"status": "success", "message": recovery.VERIFY_LINK_SENT}
INVALID_LINK = {"status": "fail", "message": InvalidLink.message}
TOO_MANY_REQUESTS = {"status": "fail", "message": TooManyRequests.message}
NOT_VERIFIED = {"status": "fail", "message": EmailNotVerified.message}
PAGE = {
    "status": "success",
    "data": {"users": [USER, OTHER_USER], "pagination": {"page": 1, "per_page": 20, "total": 2, "pages": 1}},
}
CURSOR_PAGE = {
    "status": "success",
    "data": {"users": [USER], "pagination": {"per_page": 1, "total": 2}},
}
USERS = {
    "page": {"summary": "By page number (page=1, or neither page nor cursor)", "value": PAGE},
    "cursor": {"summary": "By cursor (cursor=, per_page=1): page and pages are absent", "value": CURSOR_PAGE},
}

# The usual message of each error status, and (for a 400) the fields it names.
INVALID_PAYLOAD = {
    "status": "fail",
    "message": VALIDATION_MESSAGES["json"],
    "errors": {"email": ["Not a valid email address."]},
}
EMAIL_TAKEN = {"status": "fail", "message": EmailTaken.message}
INVALID_QUERY = {"status": "fail", "message": INVALID_PARAMETERS, "errors": {"cursor": ["Not sent with page."]}}
WRONG_PASSWORD = {"status": "fail", "message": InvalidCredentials.message}
ERRORS = {
    400: {"status": "fail", "message": BadUserId.description},
    401: {"status": "fail", "message": NotSignedIn.message},
    403: {"status": "fail", "message": Forbidden.message},
    404: {"status": "fail", "message": UserNotFound.message},
    413: {"status": "fail", "message": RequestEntityTooLarge().name},
    415: {"status": "fail", "message": JsonOnly.description},
    429: {"status": "fail", "message": TooManyAttempts.message},
    503: {"status": "fail", "message": UNAVAILABLE["database"]},
}

# The headers answers carry, as the document describes them (sent with every answer of their status).
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": "The request needs a bearer token from POST /auth/login (RFC 6750).",
        "required": True,
        "schema": {"type": "string", "enum": ["Bearer"]},
    }
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
        "example": 5,
    }
}
ERROR_HEADERS = {401: WWW_AUTHENTICATE, 429: RETRY_AFTER, 503: RETRY_AFTER}
LOCATION = {
    "Location": {
        "description": "The new user's URL.",
        "required": True,
        "schema": {"type": "string"},
        "example": "/users/3",
    }
}
LINK = {
    "Link": {
        "description": "RFC 8288 links to other pages of the same list, with the request's other parameters kept. By "
        'page number: rel="first" and rel="last" always (page 1 of an empty list), rel="prev" past the first page '
        '(from past the end, the last page), rel="next" before the last. By cursor: rel="first" (`cursor=`, '
        'empty) always, rel="prev" and rel="next" where users may lie on that side; follow them as they are, or '
        "send their `cursor` (opaque, signed, made for its sort) with the same other parameters.",
        "required": True,
        "schema": {"type": "string"},
        "example": '<http://127.0.0.1:5000/users?cursor=&per_page=1>; rel="first", '
        '<http://127.0.0.1:5000/users?cursor=WyItY3JlYXRlZF9hdCIsImFmdGVyIl0.sig&per_page=1>; rel="next"',
    }
}
