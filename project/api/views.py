"""The JSON API: /ping (liveness), /ready (readiness), /health (every dependency) and /users."""

from collections.abc import Iterator

from flask import Response, url_for
from sqlalchemy import Engine, RowMapping, text
from sqlalchemy.exc import SQLAlchemyError

from project import metrics
from project.answers import no_content
from project.api import examples
from project.api.arguments import SECURED, changes_user
from project.api.blueprint import Blueprint
from project.api.cursors import encode
from project.api.examples import LINK, LOCATION
from project.api.linkheader import link_header, links
from project.api.schemas import (
    HealthSchema,
    MessageSchema,
    NewUserSchema,
    ProfileSchema,
    UserCreatedSchema,
    UserEnvelopeSchema,
    UserPatchSchema,
    UserQuerySchema,
    UsersEnvelopeSchema,
)
from project.auth.access import allowed_fields
from project.auth.stores import RedisStore, store
from project.database import database_problem
from project.errors import Unavailable
from project.extensions import db
from project.replica import lag_problem, replica_engine
from project.users import writes
from project.users.reads import Place, Stretch, find_users, read_user, sort_key, walk_users

blp = Blueprint("users", __name__, description="Users, and the service's liveness and readiness checks.")

# Links a client (or a stateful API tester) can follow from a created user to the operations on it.
USER_LINKS = {
    name: {"operationId": operation, "parameters": {"user_id": "$response.body#/data/id"}}
    for name, operation in (
        ("GetUser", "get_user"),
        ("ReplaceUser", "replace_user"),
        ("UpdateUser", "update_user"),
        ("DeleteUser", "delete_user"),
    )
}


@blp.get("/ping")
@blp.response(200, MessageSchema, example=examples.PING)
def ping() -> dict:
    """Liveness: answers while the process serves requests, whatever the database's state."""
    return {"message": "pong!"}


@blp.get("/ready")
@blp.response(200, HealthSchema, example=examples.READY)
@blp.errors(503)
def ready() -> dict:
    """Readiness, for orchestrators' probes: 200 while the database, which every request needs, answers; 503
    saying why. Redis is not asked: without it reads and sign-up still work (/health reports it)."""
    if (problem := primary_problem()) is not None:
        raise Unavailable("database", {"database": problem})
    return {"message": "ready", "data": {"database": "ok"}}


@blp.get("/health")
@blp.response(200, HealthSchema, example=examples.HEALTH)
@blp.errors(503)
def health() -> dict:
    """Every dependency, for people and monitoring: 200 while the database (and Redis, where tokens are kept
    there) answers, 503 naming what does not and why. A read replica's state (down, or too far behind) is
    reported, never failing: without it, reads go to the database."""
    problems = {"database": primary_problem()}
    if isinstance(store(), RedisStore):
        problems["redis"] = store().problem()
    failing = {dependency: problem for dependency, problem in problems.items() if problem is not None}
    if failing:
        raise Unavailable(next(iter(failing)), failing)
    checked = dict.fromkeys(problems, "ok")
    if (replica := replica_engine()) is not None:
        checked["replica"] = database_check(replica) or lag_problem() or "ok"
    return {"message": "ready", "data": checked}


def primary_problem() -> str | None:
    """None when the database answers, else what went wrong (counted as the database unreachable)."""
    if (problem := database_check(db.engine)) is not None:
        metrics.DEPENDENCY_ERRORS.labels("database").inc()
    return problem


def database_check(engine: Engine) -> str | None:
    """None when the engine's database answers a query, else what went wrong."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return database_problem(error)
    return None


@blp.post("/users")
@blp.arguments(NewUserSchema(), example=examples.NEW_USER)
@blp.response(201, UserCreatedSchema, headers=LOCATION, example=examples.CREATED)
@blp.errors(400, 413, 415, 503, examples={400: examples.INVALID_PAYLOAD})
@blp.doc(operationId="add_user", responses={201: {"links": USER_LINKS}})
def add_user(fields: dict) -> tuple[dict, dict]:
    """Add a user; the answer's Location header is the new user's URL."""
    user = writes.add_user(**fields)
    location = url_for("users.get_user", user_id=user["id"])
    return {"message": f"{user['email']} was added!", "data": user}, {"Location": location}


@blp.get("/users")
@blp.arguments(UserQuerySchema(), location="query")
@blp.response(200, UsersEnvelopeSchema, headers=LINK, examples=examples.USERS)
@blp.errors(400, examples={400: examples.INVALID_QUERY})
@blp.doc(operationId="list_users")
def list_users(query: dict) -> tuple[dict, dict]:
    """A page of users (newest first unless `sort` says otherwise), filtered, with the pagination: by page
    number, or by cursor."""
    if "cursor" in query:
        return walk(query)
    found = find_users(**query)
    pagination = {"page": found.page, "per_page": found.per_page, "total": found.total, "pages": found.pages}
    return {"data": {"users": found.users, "pagination": pagination}}, {"Link": links(found)}


def walk(query: dict) -> tuple[dict, dict]:
    """The users just past the cursor's place, and cursors to the first page and to either side."""
    cursor, sort = query.pop("cursor"), query["sort"]
    found = walk_users(cursor.place, **query)
    pagination = {"per_page": found.per_page, "total": found.total}
    links = link_header({relation: {"cursor": text} for relation, text in cursors(found, sort)})
    return {"data": {"users": found.users, "pagination": pagination}}, {"Link": links}


def cursors(found: Stretch, sort: str) -> Iterator[tuple[str, str]]:
    """The relation and cursor of the first page, and of the pages on either side that may hold users: before
    the first user shown and after the last."""
    yield "first", ""
    if found.more_before:
        yield "prev", encode(sort, Place(sort_key(sort, found.users[0]), before=True))
    if found.more_after:
        yield "next", encode(sort, Place(sort_key(sort, found.users[-1])))


@blp.get("/users/<user_id:user_id>")
@blp.response(200, UserEnvelopeSchema, example=examples.ONE_USER)
@blp.errors(400, 404)
@blp.doc(operationId="get_user")
def get_user(user_id: int) -> dict:
    """One user by id."""
    return {"data": read_user(user_id)}


@blp.put("/users/<user_id:user_id>")
@changes_user
@blp.arguments(ProfileSchema(), example=examples.PROFILE)
@blp.response(200, UserEnvelopeSchema, example=examples.REPLACED)
@blp.errors(400, 401, 403, 404, 413, 415, 503, examples={400: examples.EMAIL_TAKEN})
@blp.doc(operationId="replace_user", **SECURED)
def replace_user(fields: dict, user_id: int, principal: RowMapping) -> dict:
    """Replace a user's username and email: the user itself, or an admin."""
    return {"data": writes.change_user(user_id, fields)}


@blp.patch("/users/<user_id:user_id>")
@changes_user
@blp.arguments(UserPatchSchema(), example=examples.PATCH)
@blp.response(200, UserEnvelopeSchema, example=examples.ONE_USER)
@blp.errors(400, 401, 403, 404, 413, 415, 429, 503, examples={400: examples.INVALID_PAYLOAD})
@blp.doc(operationId="update_user", **SECURED)
def update_user(fields: dict, user_id: int, principal: RowMapping) -> dict:
    """Change any of a user's username, email, active and password (the user itself, or an admin), and
    admin (an admin). A new password or a deactivation revokes every token of the user."""
    return {"data": writes.change_user(user_id, allowed_fields(principal, user_id, fields))}


@blp.delete("/users/<user_id:user_id>")
@changes_user
@blp.response(204)
@blp.errors(400, 401, 403, 404, 503)
@blp.doc(operationId="delete_user", **SECURED)
def delete_user(user_id: int, principal: RowMapping) -> Response:
    """Delete a user, and with it every token of the user: the user itself, or an admin."""
    writes.delete_user(user_id)
    return no_content()
