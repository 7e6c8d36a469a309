"""What can go wrong with signing in and with permissions, said without HTTP: project.errors turns each into
a status code."""


class AuthError(Exception):
    """A request that its credentials do not allow; its message is fit to show the client."""

    message = "The request is not allowed."

    def __init__(self) -> None:
        super().__init__(self.message)


class InvalidCredentials(AuthError):
    """The email and password prove no user: whichever of them was wrong, the answer is the same."""

    message = "Invalid email or password."


class NotSignedIn(AuthError):
    """No valid token came with a request that needs one (none, malformed, unknown, expired or revoked)."""

    message = "Provide a valid auth token."


class Forbidden(AuthError):
    """The signed-in user may not do this."""

    message = "You do not have permission to do that."


class TooManyAttempts(AuthError):
    """Too many failed sign-ins for an email or from an address, within the throttle's window."""

    message = "Too many failed sign-in attempts. Try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


class StoreUnavailable(AuthError):
    """Redis, where tokens and sign-in failures are kept, cannot be reached; `reason` says why."""

    message = "The token store is unavailable. Try again shortly."

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
