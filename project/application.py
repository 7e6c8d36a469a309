"""The service's Flask class and response class: Flask, asking once per function, not on every call, whether it is
a coroutine; Flask's response, sending the headers the service's hooks add as they are."""

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response

# Views and hooks stay what they were defined as: whether one is a coroutine function is asked once, and kept.
is_coroutine_function = functools.lru_cache(maxsize=512)(inspect.iscoroutinefunction)


class ServiceResponse(Response):
    """Flask's response, with `sent_headers`: (name, value) pairs the service's own hooks add, appended to the
    headers by Werkzeug's documented get_wsgi_response as the response is sent. Their values are the service's
    constants and ids of its own pattern, which need none of the check Headers.add makes of each value: adding
    the six of a /ping through Headers cost 63,000 of its 647,000 instructions (make instructions)."""

    sent_headers: tuple[tuple[str, str], ...] = ()

    def get_wsgi_response(self, environ: dict) -> tuple[Iterable[bytes], str, list[tuple[str, str]]]:
        app_iter, status, headers = super().get_wsgi_response(environ)
        return app_iter, status, [*headers, *self.sent_headers]


class ServiceFlask(Flask):
    """Flask with its documented ensure_sync hook answering from what it found before: Flask (and flask-smorest's
    wrappers around each view) ask it on every call of every view and hook, ten times a request: answered afresh
    each time, that was 2% of /ping's instructions (963,000 a request, now 944,000, counted by the harness
    before make instructions, which counts less around the app)."""

    response_class = ServiceResponse

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return self.async_to_sync(func) if is_coroutine_function(func) else func
