"""The JSON envelope, {"status": "success"|"fail", "message": ..., "data": ..., "errors": ...}, and the one
rule for which answers carry it: every answer of the API, and any other request's error unless the client
prefers a page (curl asking for an unknown URL gets JSON, a browser an error page)."""

import re
from typing import Any

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider

API_BLUEPRINTS = {"users", "auth", "api-docs"}  # the JSON API, and flask-smorest's /openapi.json
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON, writing text as UTF-8 ("Jürgen", not "J\\u00fcrgen"), except a lone surrogate, which UTF-8
    cannot carry: a client may send one escaped, as a key the answer names (an unknown field), so it stays escaped."""

    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return LONE_SURROGATE.sub(lambda found: f"\\u{ord(found[0]):04x}", super().dumps(obj, **kwargs))


def envelope(status: str, *, message: str | None = None, data: Any = None, errors: Any = None) -> dict:
    """The envelope with the parts given: `status` is "success" or "fail"."""
    parts = {"status": status, "message": message, "data": data, "errors": errors}
    return {name: value for name, value in parts.items() if value is not None}


def answers_json(status: int) -> bool:
    """Whether the answer to this request, with this status, is JSON."""
    if is_api():
        return True
    return status >= 400 and request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html"


def is_api() -> bool:
    """Whether the request is the API's: served by one of its blueprints, or, before routing or where no
    route matched (an id that is not a number, a method not allowed), under a path they begin with."""
    if request.url_rule is not None:
        return request.blueprint in API_BLUEPRINTS
    return request.path.split("/")[1] in api_paths()


def api_paths() -> frozenset[str]:
    """The first path segments of the API blueprints' routes ("users", "ping", ...), found once per app."""
    paths = current_app.extensions.get("api_paths")
    if paths is None:
        rules = current_app.url_map.iter_rules()
        paths = frozenset(
            rule.rule.split("/")[1] for rule in rules if rule.endpoint.partition(".")[0] in API_BLUEPRINTS
        )
        current_app.extensions["api_paths"] = paths
    return paths
