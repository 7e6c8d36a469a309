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
    InvalidRefreshToken,
    NotSignedIn,
    SessionNotFound,
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
    "data": {
        "token": "nX4m0cQ2Zq8l1XkW9vY3b7tR6pE5sA0dF2gH4jK8LzM",
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": "Qm7vT2xK9pL4sD8fH1jN6bR3cW5yZ0aE2gU4iO8kM9A",
        "refresh_expires_in": 2592000,
    },
}
REFRESH = {"refresh_token": SIGNED_IN["data"]["refresh_token"]}
REFRESHED = {**SIGNED_IN, "message": "Successfully refreshed."}
SESSION = {
    "id": "q1W2e3R4t5Y6u7I8o9P0aS",
    "created_at": "2026-12-04T08:12:31.204118+00:00",
    "last_used_at": "2026-12-04T09:40:02.551930+00:00",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "address": "203.0.113.7",
    "current": True,
}
SESSIONS = {
    "status": "success",
    "data": {
        "sessions": [
            SESSION,
            {**SESSION, "id": "zX9cV8bN7mL6kJ5hG4fD3s", "user_agent": "curl/8.11.1", "current": False},
        ]
    },
}
EVENTS = {
    "status": "success",
    "data": {
        "events": [
            {
                "type": "signed_in",
                "at": "2026-12-04T08:12:31.210442+00:00",
                "address": "203.0.113.7",
                "user_agent": SESSION["user_agent"],
                "session_id": SESSION["id"],
            },
            {
                "type": "sign_in_failed",
                "at": "2026-12-04T08:12:20.093871+00:00",
                "address": "198.51.100.23",
                "user_agent": "python-requests/2.32.3",
                "session_id": None,
            },
        ],
        "pagination": {"page": 1, "per_page": 20, "total": 2, "pages": 1},
    },
}
INVALID_REFRESH = {"status": "fail", "message": InvalidRefreshToken.message}
SESSION_NOT_FOUND = {"status": "fail", "message": SessionNotFound.message}
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
