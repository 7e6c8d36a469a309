"""The JSON API: /ping (liveness), /health (readiness) and /users."""

from http import HTTPStatus

from flask import Response, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from project.api.arguments import Blueprint
from project.api.schemas import (
    HealthSchema,
    MessageSchema,
    NewUserSchema,
    UserCreatedSchema,
    UserEnvelopeSchema,
    UserPatchSchema,
    UserQuerySchema,
    UsersEnvelopeSchema,
)
from project.envelope import envelope
from project.errors import DatabaseUnavailable, database_problem
from project.extensions import db
from project.users import writes
from project.users.reads import Page, find_users, read_user

blp = Blueprint("users", __name__, description="Users, and the service's liveness and readiness checks.")

LOCATION = {"Location": {"description": "The new user's URL.", "schema": {"type": "string"}}}
LINK = {
    "Link": {"description": "RFC 8288 links to the first, prev, next and last pages.", "schema": {"type": "string"}}
}
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


def documented_errors(*statuses: int):
    """Document these error answers (in the envelope) on an operation; @blp.arguments documents the 400."""

    def decorate(view):
        for status in statuses:
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorate


@blp.get("/ping")
@blp.response(200, MessageSchema)
def ping() -> dict:
    """Liveness: answers while the process serves requests, whatever the database's state."""
    return envelope("success", message="pong!")


@blp.get("/health")
@blp.response(200, HealthSchema)
@documented_errors(503)
def health() -> dict:
    """Readiness: 200 while the database answers, 503 with the reason while it does not (liveness is /ping)."""
    problem = database_check()
    if problem is not None:
        raise DatabaseUnavailable(problem)
    return envelope("success", message="ready", data={"database": "ok"})


def database_check() -> str | None:
    """None when the database answers a query, else what went wrong."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return database_problem(error)
    return None


@blp.post("/users")
@blp.arguments(NewUserSchema)
@blp.response(201, UserCreatedSchema, headers=LOCATION)
@documented_errors(413, 415)
@blp.doc(operationId="add_user", responses={201: {"links": USER_LINKS}})
def add_user(fields: dict) -> tuple[dict, dict]:
    """Add a user; the answer's Location header is the new user's URL."""
    user = writes.add_user(**fields)
    body = envelope("success", message=f"{user.email} was added!", data=user)
    return body, {"Location": url_for("users.get_user", user_id=user.id)}


@blp.get("/users")
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UsersEnvelopeSchema, headers=LINK)
@blp.doc(operationId="list_users")
def list_users(query: dict) -> tuple[dict, dict]:
    """A page of users (newest first unless `sort` says otherwise), filtered, with the pagination."""
    found = find_users(**query)
    pagination = {"page": found.page, "per_page": found.per_page, "total": found.total, "pages": found.pages}
    return envelope("success", data={"users": found.users, "pagination": pagination}), {"Link": links(found)}


def links(found: Page) -> str:
    """The RFC 8288 Link header: first, prev, next and last pages, with the request's other parameters kept.
    From past the end, the previous page is the last one."""
    last = found.last
    pages = {"first": 1, "prev": min(found.page - 1, last), "next": found.page + 1, "last": last}
    if found.page == 1:
        del pages["prev"]
    if found.page >= last:
        del pages["next"]
    arguments = request.args.to_dict()
    return ", ".join(
        f'<{url_for("users.list_users", **{**arguments, "page": page}, _external=True)}>; rel="{relation}"'
        for relation, page in pages.items()
    )


@blp.get("/users/<user_id:user_id>")
@blp.response(200, UserEnvelopeSchema)
@documented_errors(400, 404)
@blp.doc(operationId="get_user")
def get_user(user_id: int) -> dict:
    """One user by id."""
    return envelope("success", data=read_user(user_id))


@blp.put("/users/<user_id:user_id>")
@blp.arguments(NewUserSchema)
@blp.response(200, UserEnvelopeSchema)
@documented_errors(404, 413, 415)
@blp.doc(operationId="replace_user")
def replace_user(fields: dict, user_id: int) -> dict:
    """Replace a user's username and email."""
    return envelope("success", data=writes.change_user(user_id, fields))


@blp.patch("/users/<user_id:user_id>")
@blp.arguments(UserPatchSchema)
@blp.response(200, UserEnvelopeSchema)
@documented_errors(404, 413, 415)
@blp.doc(operationId="update_user")
def update_user(fields: dict, user_id: int) -> dict:
    """Change any of a user's username, email and active."""
    return envelope("success", data=writes.change_user(user_id, fields))


@blp.delete("/users/<user_id:user_id>")
@blp.response(204)
@documented_errors(400, 404)
@blp.doc(operationId="delete_user")
def delete_user(user_id: int) -> None:
    """Delete a user."""
    writes.delete_user(user_id)


@blp.after_request
def no_content_no_type(response: Response) -> Response:
    """A 204 has no body, so no Content-Type either."""
    if response.status_code == HTTPStatus.NO_CONTENT:
        del response.headers["Content-Type"]
    return response
