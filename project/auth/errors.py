"""What can go wrong with signing in and with permissions, each with its HTTP status: requests about users that
cannot be met, as the users domain's own errors are."""

from project.users.errors import UserError


class InvalidCredentials(UserError):
    """The email and password prove no user: whichever of them was wrong, the answer is the same."""

    status = 401
    message = "Invalid email or password."


class NotSignedIn(UserError):
    """No valid token came with a request that needs one (none, malformed, unknown, expired or revoked)."""

    status = 401
    message = "Provide a valid auth token."


class Forbidden(UserError):
    """The signed-in user may not do this."""

    status = 403
    message = "You do not have permission to do that."


class TooManyAttempts(UserError):
    """Too many failed sign-ins for an email or from an address, within the throttle's window."""

    status = 429
    message = "Too many failed sign-in attempts. Try again later."


class StoreUnavailable(UserError):
    """Redis, where tokens and sign-in failures are kept, cannot be reached; `reason` says why."""

    status = 503
    message = "The token store is unavailable. Try again shortly."

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class InvalidLink(UserError):
    """A mailed link's token is unknown, tampered with, of another purpose, used or expired."""

    message = "The link is invalid or has expired."


class EmailNotVerified(UserError):
    """REQUIRE_VERIFIED_EMAIL is on, and the user proved its password but has not verified its email."""

    status = 403
    message = "Verify your email address first."


class TooManyRequests(UserError):
    """One client address asked too often, within a minute, for what sends mail or proves a mailed link."""

    status = 429
    message = "Too many requests. Try again later."


class InvalidRefreshToken(UserError):
    """A refresh token that is malformed, unknown, expired, spent, or of a session that ended."""

    status = 401
    message = "Provide a valid refresh token."


class SessionNotFound(UserError):
    """The signed-in user has no lasting session with this id."""

    status = 404
    message = "Session does not exist"
