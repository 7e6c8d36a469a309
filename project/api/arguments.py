"""How the API reads a request: its bearer token first (who is asking, and whether they may change the user the
path names), then its JSON body through webargs, and user ids from the path."""

import json
import re
import sys
from collections.abc import Callable
from functools import wraps

from flask import Request
from marshmallow import RAISE, Schema, missing
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType
from werkzeug.routing import BaseConverter

from project.auth.access import authenticate, bearer_token, may_change
from project.auth.errors import Forbidden
from project.users.models import LONE_SURROGATE

INTEGER = re.compile(r"-?[0-9]+")
SCHEME = "bearerAuth"
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A token from POST /auth/login, sent as `Authorization: Bearer <token>`.",
}
NOT_UNICODE = "Must be valid Unicode text."
SECURED = {"security": [{SCHEME: []}]}  # an operation's documentation: it needs a token


class BadUserId(BadRequest):
    """A user id in a path is not an integer."""

    description = "Param id error"


class JsonOnly(UnsupportedMediaType):
    """A request body that is not declared as JSON."""

    description = "Content-Type must be application/json."


class EncodedBody(UnsupportedMediaType):
    """A body compressed or otherwise encoded: the service reads plain JSON only."""

    description = "Content-Encoding is not supported: send the JSON body as it is."


class UserIdConverter(BaseConverter):
    """A path segment holding a user id: one that is not an integer answers 400, not 404."""

    def to_python(self, value: str) -> int:
        if not INTEGER.fullmatch(value):
            raise BadUserId()
        digits = value.removeprefix("-").lstrip("0") or "0"
        if len(digits) > 19:  # far past every key (and int() refuses over 4,300 digits): not found
            return sys.maxsize
        return -int(digits) if value.startswith("-") else int(digits)

    def to_url(self, value: int) -> str:
        return str(int(value))


def refuse_constant(name: str) -> None:
    """NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not JSON")


class Parser(FlaskParser):
    """webargs' parser: 400 for invalid input or unknown parameters, 415 for a body that is not plain JSON."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE}

    def load_json(self, req: Request, schema: Schema):
        """The body as strict JSON in UTF-8 (webargs' public hook for reading it); anything else it cannot
        read (nesting too deep, an integer too long to convert, a NaN) is an invalid body, never a server error."""
        if not is_json_request(req):
            raise JsonOnly()
        if req.headers.get("Content-Encoding", "identity").strip().lower() != "identity":
            raise EncodedBody()
        body = req.get_data(cache=True)
        if not body:
            return missing
        try:
            text = body.decode("utf-8")
            loaded = json.loads(text, parse_constant=refuse_constant)
        except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            abort(400, exc=error, messages={"json": ["Invalid JSON body."]})
        # Text that is not Unicode, a lone surrogate, which only an escape (\ud800) can make: refused in any field,
        # at any depth, under the field's name, before any field's own rules (it cannot be hashed or stored).
        if isinstance(loaded, dict) and "\\u" in text:
            broken = {
                name: [NOT_UNICODE]
                for name, value in loaded.items()
                if LONE_SURROGATE.search(json.dumps(value, ensure_ascii=False))
            }
            if broken:
                abort(400, messages={"json": broken})
        return loaded


def signed_in(view: Callable) -> Callable:
    """Call the view with `principal`, the user the request's token was issued to; 401 without a valid one."""

    @wraps(view)  # flask-smorest's documentation of the view travels with it
    def checked(*args, **kwargs):
        return view(*args, principal=authenticate(bearer_token()), **kwargs)

    return checked


def changes_user(view: Callable) -> Callable:
    """As `signed_in`, and 403 unless that user may change the user the path names (whether it exists or not)."""

    @wraps(view)
    def checked(*args, **kwargs):
        principal = authenticate(bearer_token())
        if not may_change(principal, kwargs["user_id"]):
            raise Forbidden()
        return view(*args, principal=principal, **kwargs)

    return checked
