"""Who is asking: the bearer token of a request to the API, checked before anything else of the request is
read, and documented as the OpenAPI document's one security scheme."""

from collections.abc import Callable
from functools import wraps

from project.auth import permissions
from project.auth.signin import authenticate
from project.auth.tokens import bearer_token

SCHEME = "bearerAuth"
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A token from POST /auth/login, sent as `Authorization: Bearer <token>`.",
}
SECURED = {"security": [{SCHEME: []}]}  # an operation's documentation: it needs a token


def signed_in(view: Callable) -> Callable:
    """Call the view with `principal`, the user the request's token was issued to; 401 without a valid one."""

    @wraps(view)  # flask-smorest's documentation of the view travels with it
    def checked(*args, **kwargs):
        return view(*args, principal=authenticate(bearer_token()), **kwargs)

    return checked


def changes_user(view: Callable) -> Callable:
    """As `signed_in`, and 403 unless that user may change the user the path names."""

    @wraps(view)
    def checked(*args, **kwargs):
        principal = authenticate(bearer_token())
        permissions.check_may_change(principal, kwargs["user_id"])
        return view(*args, principal=principal, **kwargs)

    return checked
