"""What can go wrong with users, said without HTTP: project.errors turns each into a status code."""


class UserError(Exception):
    """A request about users that cannot be met; its message is fit to show the client."""

    message = "The request about users cannot be met."

    def __init__(self) -> None:
        super().__init__(self.message)


class UserNotFound(UserError):
    """No user has this id."""

    message = "User does not exist"


class EmailTaken(UserError):
    """Another user already has this email."""

    message = "Sorry. That email already exists."
