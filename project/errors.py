"""One place that turns every error, of the users domain, of HTTP or unexpected, into the JSON envelope,
or into a page for a browser off the API."""

import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify, make_response, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    InternalServerError,
    NotFound,
    SecurityError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    default_exceptions,
)

from project.auth import errors as auth
from project.database import DATABASE_UNAVAILABLE, database_problem
from project.envelope import answers_json, envelope
from project.extensions import db
from project.users.errors import EmailTaken, InvalidField, UserError, UserNotFound

log = logging.getLogger(__name__)

VALIDATION_MESSAGES = {"json": "Invalid payload."}
RETRY_AFTER_SECONDS = 5
BEARER = WWWAuthenticate("Bearer")  # what a 401 asks for
# The HTTP error each domain error is, with its own message.
DOMAIN_ERRORS: dict[type, Callable[..., HTTPException]] = {
    UserNotFound: lambda error: NotFound(error.message),
    EmailTaken: lambda error: BadRequest(error.message),
    InvalidField: lambda error: BadRequest(error.message),
    auth.InvalidCredentials: lambda error: Unauthorized(error.message, www_authenticate=BEARER),
    auth.NotSignedIn: lambda error: Unauthorized(error.message, www_authenticate=BEARER),
    auth.Forbidden: lambda error: Forbidden(error.message),
    auth.TooManyAttempts: lambda error: TooManyRequests(error.message, retry_after=error.retry_after),
    auth.StoreUnavailable: lambda error: Unavailable("redis"),
}


UNAVAILABLE = {
    "database": "The database is unavailable. Try again shortly.",
    "redis": auth.StoreUnavailable.message,
}


class Unavailable(ServiceUnavailable):
    """A dependency of the service (the database, Redis) cannot be reached; `problems` may say why, for each
    that failed."""

    def __init__(self, dependency: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(UNAVAILABLE[dependency], retry_after=RETRY_AFTER_SECONDS)
        self.errors = {name: [reason] for name, reason in problems.items()} if problems else None


def register_error_handlers(app: Flask) -> None:
    """Route domain errors, database outages and every unexpected exception through the envelope (HTTP
    errors come through the API's handle_http_exception, flask-smorest's hook, to handle_http_error)."""
    app.register_error_handler(UserError, handle_domain_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected_error)


def handle_http_error(error: HTTPException) -> Response:
    """Answer an HTTP error as the envelope, or as a page when a browser asks off the API."""
    if error.response is not None:
        return error.response
    if answers_json(error.code) or isinstance(error, SecurityError):  # an untrusted host: no page links work
        errors = validation_errors(error) or getattr(error, "errors", None)
        response = jsonify(envelope("fail", message=error_message(error), errors=errors))
    else:
        response = make_response(render_template("error.html", code=error.code, message=error_message(error)))
    response.status_code = error.code
    for name, value in error.get_headers():  # Allow on a 405, Retry-After on a 503, ...
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers.update(getattr(error, "data", {}).get("headers") or {})
    return response


def handle_domain_error(error: UserError) -> Response:
    """A domain error is the HTTP error its kind maps to, with its own message and fields at fault."""
    if isinstance(error, auth.StoreUnavailable):
        log.warning("token store unavailable on %s %s: %s", request.method, request.path, error.reason)
    http_error = DOMAIN_ERRORS[type(error)](error)
    http_error.errors = error.errors
    return handle_http_error(http_error)


def handle_unexpected_error(error: Exception) -> Response:
    """Log the traceback, undo the session's work and answer a bare 500: no detail leaves the server."""
    db.session.rollback()
    log.error("unhandled %s on %s %s", type(error).__name__, request.method, request.path, exc_info=error)
    return handle_http_error(InternalServerError())


def handle_database_unavailable(error: SQLAlchemyError) -> Response:
    """A database that cannot be reached is a 503 the client may retry, not a 500."""
    db.session.rollback()
    log.warning("database unavailable on %s %s: %s", request.method, request.path, database_problem(error))
    return handle_http_error(Unavailable("database"))


def error_message(error: HTTPException) -> str:
    """The envelope's message: the error's own description, or its short name for Werkzeug's stock ones."""
    if (messages := validation_messages(error)) is not None:
        return next((VALIDATION_MESSAGES[key] for key in messages if key in VALIDATION_MESSAGES), "Invalid parameters.")
    stock = default_exceptions.get(error.code or 500)
    if (stock is not None and error.description == stock.description) or isinstance(error, SecurityError):
        return error.name  # (an untrusted host's error would name the host: said as nginx says it)
    return error.description or error.name


def validation_messages(error: HTTPException) -> dict | None:
    """Validation messages by request location, as the argument parser attaches them to a 400."""
    return getattr(error, "data", {}).get("messages")


def validation_errors(error: HTTPException) -> dict | None:
    """The fields that failed validation, whatever the location they came from."""
    messages = validation_messages(error)
    if messages is None:
        return None
    errors: dict = {}
    for found in messages.values():
        errors.update(found if isinstance(found, dict) else {"_schema": found})
    return errors
