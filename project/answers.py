"""How the service answers: JSON written as UTF-8, the rule for which answers are JSON (every answer of the API,
and any other request's error unless the client prefers a page: curl asking for an unknown URL gets JSON, a
browser an error page), and the headers every answer carries: its request id, and security headers that fit it."""

import re
import uuid
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import Map

from project.users.models import LONE_SURROGATE

API_BLUEPRINTS = {"users", "auth", "api-docs"}  # the JSON API, and flask-smorest's /openapi.json
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # the same rule as nginx's
REQUEST_ID_KEY = "users_service.request_id"  # where a request's WSGI environ keeps its id

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Swagger UI sets inline style attributes as it renders; it runs no inline script.
DOCS_POLICY = PAGE_POLICY + "; style-src 'self' 'unsafe-inline'"
COMMON = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
API_HEADERS = {**COMMON, "Content-Security-Policy": API_POLICY, "Cache-Control": "no-store"}
PAGE_HEADERS = {**COMMON, "Content-Security-Policy": PAGE_POLICY}
DOCS_HEADERS = {**COMMON, "Content-Security-Policy": DOCS_POLICY}


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON, writing text as UTF-8 ("Jürgen", not "J\\u00fcrgen"), except a lone surrogate, which UTF-8
    cannot carry: a client may send one escaped, as a key the answer names (an unknown field), so it stays escaped."""

    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return LONE_SURROGATE.sub(lambda found: f"\\u{ord(found[0]):04x}", super().dumps(obj, **kwargs))


def answers_json(status: int) -> bool:
    """Whether the answer to this request, with this status, is JSON."""
    if is_api():
        return True
    return status >= 400 and request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html"


def is_api() -> bool:
    """Whether the request is the API's: served by one of its blueprints, or, before routing or where no route
    matched (an id that is not a number, a method not allowed), under a path one of their routes begins with."""
    if request.url_rule is not None:
        return request.blueprint in API_BLUEPRINTS
    return first_segment(request.path) in api_paths(current_app.url_map)


def api_paths(url_map: Map) -> frozenset[str]:
    """The first path segments of the API blueprints' routes: "users", "ping", "auth", ..."""
    return frozenset(
        first_segment(rule.rule) for rule in url_map.iter_rules() if rule.endpoint.partition(".")[0] in API_BLUEPRINTS
    )


def first_segment(path: str) -> str:
    """A path's first segment: "users" of /users/1."""
    return path.split("/")[1]


def no_content() -> Response:
    """A 204: no body, so no Content-Type either."""
    response = Response(status=HTTPStatus.NO_CONTENT)
    del response.headers["Content-Type"]
    return response


def register_headers(app: Flask) -> None:
    """Add the headers to every answer the app gives."""
    app.after_request(add_headers)


def add_headers(response: Response) -> Response:
    """The request's id, so that a client can quote it; the common security headers, and the policy and caching
    rules for the kind of answer (the app sets none of these anywhere else; static files' own Cache-Control is
    kept)."""
    response.headers["X-Request-ID"] = request_id()
    if answers_json(response.status_code):
        response.headers.update(API_HEADERS)
    elif request.endpoint == "pages.docs":
        response.headers.update(DOCS_HEADERS)
    else:
        response.headers.update(PAGE_HEADERS)
    return response


def request_id() -> str:
    """The request's id, settled when first asked for (by a log record or the answer) and kept in its WSGI environ
    (not in `g`, which an app context pushed around several requests, as in tests, shares): X-Request-ID when it is
    plausible, else a new one."""
    environ = request.environ
    if (settled := environ.get(REQUEST_ID_KEY)) is None:
        given = environ.get("HTTP_X_REQUEST_ID", "")  # the header, as WSGI names it
        settled = environ[REQUEST_ID_KEY] = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return settled
