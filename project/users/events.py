"""An account's activity: what happened to it (a sign-in, a failed one, a new password...), when, and from which
address and browser, newest first; events older than EVENTS_RETENTION_DAYS are deleted as new ones are written."""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import Connection, RowMapping, delete, func, insert, select

from project.extensions import db
from project.users.models import AccountEvent, utcnow
from project.users.reads import Paging

EVENTS = AccountEvent.__table__
USER_AGENT_MAX = AccountEvent.user_agent.type.length
SIGNED_IN = "signed_in"
SIGN_IN_FAILED = "sign_in_failed"  # a wrong password for the account's email
SIGNED_OUT = "signed_out"
SESSION_ENDED = "session_ended"  # from another session, or with every session
REFRESH_REUSE_DETECTED = "refresh_reuse_detected"  # a spent refresh token came back: its session ended
PASSWORD_CHANGED = "password_changed"
EMAIL_CHANGED = "email_changed"
PASSWORD_RESET_REQUESTED = "password_reset_requested"
PASSWORD_RESET = "password_reset"
EMAIL_VERIFIED = "email_verified"
TYPES = [
    SIGNED_IN,
    SIGN_IN_FAILED,
    SIGNED_OUT,
    SESSION_ENDED,
    REFRESH_REUSE_DETECTED,
    PASSWORD_CHANGED,
    EMAIL_CHANGED,
    PASSWORD_RESET_REQUESTED,
    PASSWORD_RESET,
    EMAIL_VERIFIED,
]
SHOWN = (EVENTS.c.type, EVENTS.c.at, EVENTS.c.address, EVENTS.c.user_agent, EVENTS.c.session_id)


@dataclass(frozen=True)
class EventPage(Paging):
    """One page of an account's events, newest first."""

    events: list[RowMapping]


def device() -> tuple[str | None, str | None]:
    """The address and browser (User-Agent) of the request being answered, if any."""
    if not has_request_context():
        return None, None
    return request.remote_addr, request.user_agent.string[:USER_AGENT_MAX]


def record(
    user_id: int, kind: str, session_id: str | None = None, connection: Connection | None = None, **seen
) -> None:
    """Write an event of the user's (on this connection, in its transaction, if given), from the request being
    answered (or where `seen` says: address, user_agent), deleting every event past its retention."""
    address, user_agent = device()
    at = utcnow()
    event = {"address": address, "user_agent": user_agent, **seen}
    kept_since = at - timedelta(days=current_app.config["EVENTS_RETENTION_DAYS"])
    with nullcontext(connection) if connection is not None else db.engine.begin() as writing:
        writing.execute(delete(EVENTS).where(EVENTS.c.at < kept_since))
        writing.execute(insert(EVENTS).values(user_id=user_id, type=kind, at=at, session_id=session_id, **event))


def find_events(user_id: int, page: int = 1, per_page: int = 20) -> EventPage:
    """A page of the user's events, newest first."""
    statement = select(*SHOWN).where(EVENTS.c.user_id == user_id).order_by(EVENTS.c.id.desc())
    counted = select(func.count()).select_from(EVENTS).where(EVENTS.c.user_id == user_id)
    with db.engine.connect() as connection:
        events = connection.execute(statement.limit(per_page).offset((page - 1) * per_page)).mappings().all()
        total = connection.execute(counted).scalar_one()
    return EventPage(events=list(events), page=page, per_page=per_page, total=total)
