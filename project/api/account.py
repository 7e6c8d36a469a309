"""The JSON API's account: the signed-in user's sessions (each ended on its own, or all at once) and activity,
and an admin's view of any user's activity."""

from flask import Response

from project.answers import no_content
from project.api import examples
from project.api.arguments import SECURED, signed_in
from project.api.blueprint import Blueprint
from project.api.examples import LINK
from project.api.linkheader import links
from project.api.schemas import EventQuerySchema, EventsEnvelopeSchema, SessionsEnvelopeSchema
from project.auth import sessions
from project.auth.errors import Forbidden
from project.users.events import EventPage, find_events
from project.users.reads import read_user

blp = Blueprint("account", __name__, description="The signed-in user's sessions and activity.")


@blp.get("/auth/sessions")
@signed_in
@blp.response(200, SessionsEnvelopeSchema, example=examples.SESSIONS)
@blp.errors(401, 503)
@blp.doc(operationId="list_sessions", **SECURED)
def list_sessions(principal: dict) -> dict:
    """The signed-in user's sessions (one per sign-in still lasting), newest first; `current` marks the one of
    the request's token."""
    return {"data": {"sessions": sessions.list_sessions(principal)}}


@blp.delete("/auth/sessions/<session_id>")
@signed_in
@blp.response(204)
@blp.errors(401, 404, 503, examples={404: examples.SESSION_NOT_FOUND})
@blp.doc(operationId="end_session", **SECURED)
def end_session(session_id: str, principal: dict) -> Response:
    """End one of the signed-in user's sessions (sign a lost device out): its tokens stop working at once."""
    sessions.end_session(principal, session_id)
    return no_content()


@blp.delete("/auth/sessions")
@signed_in
@blp.response(204)
@blp.errors(401, 503)
@blp.doc(operationId="end_every_session", **SECURED)
def end_every_session(principal: dict) -> Response:
    """End every session of the signed-in user, this one included: signed out everywhere."""
    sessions.end_every_session(principal)
    return no_content()


@blp.get("/auth/events")
@signed_in
@blp.arguments(EventQuerySchema(), location="query")
@blp.response(200, EventsEnvelopeSchema, headers=LINK, example=examples.EVENTS)
@blp.errors(400, 401, 503, examples={400: examples.INVALID_QUERY})
@blp.doc(operationId="list_events", **SECURED)
def list_events(query: dict, principal: dict) -> tuple[dict, dict]:
    """A page of the signed-in user's activity (sign-ins, failed ones, sessions ended, new passwords...), newest
    first."""
    return events_page(find_events(principal["id"], **query))


@blp.get("/users/<user_id:user_id>/events")
@signed_in
@blp.arguments(EventQuerySchema(), location="query")
@blp.response(200, EventsEnvelopeSchema, headers=LINK, example=examples.EVENTS)
@blp.errors(400, 401, 403, 404, 503, examples={400: examples.INVALID_QUERY})
@blp.doc(operationId="list_user_events", **SECURED)
def list_user_events(query: dict, user_id: int, principal: dict) -> tuple[dict, dict]:
    """A page of a user's activity, newest first: for an admin."""
    if not principal["admin"]:
        raise Forbidden()
    read_user(user_id)  # 404 for a user that does not exist
    return events_page(find_events(user_id, **query))


def events_page(found: EventPage) -> tuple[dict, dict]:
    """A page of events in the envelope, and its Link header."""
    pagination = {"page": found.page, "per_page": found.per_page, "total": found.total, "pages": found.pages}
    return {"data": {"events": found.events, "pagination": pagination}}, {"Link": links(found)}
