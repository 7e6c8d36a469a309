"""What can go wrong with users, said without HTTP: project.errors turns each into a status code."""


class UserError(Exception):
    """A request about users that cannot be met; its message is fit to show the client."""

    message = "The request about users cannot be met."
    errors: dict[str, list[str]] | None = None  # the fields at fault, when there are

    def __init__(self) -> None:
        super().__init__(self.message)


class UserNotFound(UserError):
    """No user has this id."""

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
