"""What can go wrong with users, each with the HTTP status it answers with: project.errors answers the API's
requests with it, and the pages use it too."""


class UserError(Exception):
    """A request about users that cannot be met; its message is fit to show the client."""

    status = 400
    message = "The request about users cannot be met."
    errors: dict[str, list[str]] | None = None  # the fields at fault, when there are
    retry_after: int | None = None  # seconds after which trying again may succeed, when it may

    def __init__(self, retry_after: int | None = None) -> None:
        super().__init__(self.message)
        if retry_after is not None:
            self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        """The headers an answer to this error carries."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


class UserNotFound(UserError):
    """No user has this id."""

    status = 404
    message = "User does not exist"


class EmailTaken(UserError):
    """Another user already has this email."""

    message = "Sorry. That email already exists."


class InvalidField(UserError):
    """A field's value is refused for a reason only the users domain knows (a password too easy to guess)."""

    message = "Invalid payload."

    def __init__(self, field: str, reasons: list[str]) -> None:
        super().__init__()
        self.errors = {field: reasons}


class PasswordsBusy(UserError):
    """Every hashing slot of this process is taken: a password cannot be hashed or checked now."""

    status = 503
    message = "Too many passwords are being checked. Try again shortly."
    retry_after = 1
