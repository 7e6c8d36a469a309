"""One place that turns every error, of the users domain, of HTTP, of the database or unexpected, into the JSON
envelope (ErrorSchema documents it and builds it), or into a page for a browser off the API."""

import logging
from http import HTTPStatus

from flask import Flask, Response, jsonify, make_response, render_template, request
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
    default_exceptions,
)

from project import metrics
from project.answers import answers_json
from project.auth.errors import StoreUnavailable
from project.database import DATABASE_UNAVAILABLE, PoolTimeout, database_problem
from project.users.errors import UserError

log = logging.getLogger(__name__)

VALIDATION_MESSAGES = {"json": "Invalid payload."}
INVALID_PARAMETERS = "Invalid parameters."  # a validation error elsewhere than the body (the query string)
RETRY_AFTER_SECONDS = 5  # what a 503 asks a client to wait before it tries again
UNAVAILABLE = {
    "database": "The database is unavailable. Try again shortly.",
    "redis": StoreUnavailable.message,
}


class ErrorSchema(Schema):
    """The envelope of every error; `errors` names the fields that failed validation."""

    status = fields.String(required=True, dump_default="fail", validate=validate.OneOf(["fail"]))
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class Unavailable(ServiceUnavailable):
    """A dependency of the service (the database, Redis) cannot be reached; `errors` may say why, for each that
    failed."""

    def __init__(self, dependency: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(UNAVAILABLE[dependency])
        self.errors = {name: [reason] for name, reason in problems.items()} if problems else None


def register_error_handlers(app: Flask) -> None:
    """Route domain errors, database outages and every unexpected exception through the envelope (HTTP errors come
    through the API's handle_http_exception, flask-smorest's hook, to handle_http_error)."""
    app.register_error_handler(UserError, handle_domain_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected_error)


def answer(
    status: int, message: str, errors: dict | None = None, headers: dict | None = None, *, as_json: bool = False
):
    """The envelope, or a page when a browser asks off the API (unless `as_json`), with this status, message and
    headers; a 401 asks for a bearer token, and a 503 says when to try again (its own time, or 5 s)."""
    if as_json or answers_json(status):
        body = {"message": message} if errors is None else {"message": message, "errors": errors}
        response = jsonify(ErrorSchema().dump(body))
    else:
        response = make_response(render_template("error.html", code=status, message=message))
    response.status_code = status
    response.headers.update(headers or {})
    if status == HTTPStatus.UNAUTHORIZED:
        response.headers["WWW-Authenticate"] = "Bearer"
    elif status == HTTPStatus.SERVICE_UNAVAILABLE:
        response.headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
    return response


def handle_http_error(error: HTTPException) -> Response:
    """An HTTP error (with Allow on a 405, ...), naming the fields at fault where validation failed; in JSON for an
    untrusted host, where no page's links would work."""
    if error.response is not None:
        return error.response
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    headers.update(getattr(error, "data", {}).get("headers") or {})
    errors = validation_errors(error) or getattr(error, "errors", None)
    return answer(error.code or 500, error_message(error), errors, headers, as_json=isinstance(error, SecurityError))


def handle_domain_error(error: UserError) -> Response:
    """A domain error answers with its own status, message, fields at fault and headers."""
    if isinstance(error, StoreUnavailable):
        log.warning("token store unavailable on %s %s: %s", request.method, request.path, error.reason)
    return answer(error.status, error.message, error.errors, error.headers)


def handle_unexpected_error(error: Exception) -> Response:
    """Log the traceback and answer a bare 500: no detail leaves the server."""
    log.error("unhandled %s on %s %s", type(error).__name__, request.method, request.path, exc_info=error)
    return handle_http_error(InternalServerError())


def handle_database_unavailable(error: SQLAlchemyError) -> Response:
    """A database that cannot be reached (or no pool connection within its timeout) is a 503 the client may retry,
    not a 500."""
    if isinstance(error, PoolTimeout):
        metrics.DB_TIMEOUTS.inc()
    else:
        metrics.DEPENDENCY_ERRORS.labels("database").inc()
    log.warning("database unavailable on %s %s: %s", request.method, request.path, database_problem(error))
    return handle_http_error(Unavailable("database"))


def error_message(error: HTTPException) -> str:
    """The envelope's message: the error's own description, or its short name for Werkzeug's stock ones."""
    if (messages := validation_messages(error)) is not None:
        return next((VALIDATION_MESSAGES[key] for key in messages if key in VALIDATION_MESSAGES), INVALID_PARAMETERS)
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
