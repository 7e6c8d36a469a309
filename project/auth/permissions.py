"""Who may change whom: a user itself, and an admin anyone; only an admin may make or unmake admins."""

from sqlalchemy import Row

from project.auth.errors import Forbidden
from project.auth.signin import prove_current_password


def may_change(principal: Row | None, user_id: int) -> bool:
    """Whether the signed-in user (None: nobody) may change or delete the user with this id."""
    return principal is not None and (principal.admin or principal.id == user_id)


def check_may_change(principal: Row, user_id: int) -> None:
    """Refuse with Forbidden unless the signed-in user may change this user (whether it exists or not)."""
    if not may_change(principal, user_id):
        raise Forbidden()


def allowed_fields(principal: Row, user_id: int, fields: dict, address: str | None) -> dict:
    """The fields of a change the signed-in user may make, without `current_password`: only an admin sets
    `admin`, and a user changing its own password proves the current one."""
    if "admin" in fields and not principal.admin:
        raise Forbidden()
    changes = dict(fields)
    current_password = changes.pop("current_password", None)
    if "password" in changes and principal.id == user_id:
        prove_current_password(principal, current_password, address)
    return changes
