"""Baseline WSGI apps, served by gunicorn with the service's own gunicorn.conf.py: what the service is
measured against. Each answers exactly what the service answers for the same request."""

import json
import os
import threading
from datetime import UTC, datetime

import pymysql
from flask import Flask, jsonify
from flask_smorest import Api, Blueprint
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from project.api.schemas import NewUserSchema, UserCreatedSchema
from project.config import engine_options
from project.users.models import User

PONG = json.dumps({"status": "success", "message": "pong!"}).encode()
# The service's query for GET /users/<id> (project.users.reads.USER_BY_ID), as SQL.
USER_BY_ID = "SELECT id, username, email, active, created_at, admin FROM users WHERE id = %s"
# The service's insert for POST /users without a password, as SQL.
INSERT_USER = (
    "INSERT INTO users (username, email, active, created_at, password_hash, admin, token_version)"
    " VALUES (%s, %s, 1, %s, NULL, 0, 0)"
)


def hello(environ, start_response):
    """The bare app: /ping's answer from plain WSGI, no framework."""
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(PONG)))])
    return [PONG]


minimal_flask = Flask(__name__)


@minimal_flask.get("/ping")
def minimal_ping() -> dict:
    """The framework's floor: Flask with one route, no extension, no hook."""
    return {"status": "success", "message": "pong!"}


_local = threading.local()


def with_database(app: Flask) -> SQLAlchemy:
    """Flask-SQLAlchemy on the app, to the database BENCH_DATABASE_URL names, with the service's engine options."""
    url = os.environ["BENCH_DATABASE_URL"]
    app.config.update(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options(make_url(url)))
    return SQLAlchemy(app)


def minimal_flask_sqlalchemy() -> Flask:
    """The framework's floor with its database layer: Flask and Flask-SQLAlchemy, with the service's engine
    options, one route running the service's query for GET /users/<id> and answering the same JSON."""
    app = Flask(__name__)
    db = with_database(app)
    statement = text(USER_BY_ID.replace("%s", ":user_id"))

    @app.get("/users/<int:user_id>")
    def get_user(user_id: int) -> tuple[dict, int]:
        """The user with this id, as the service answers it."""
        with db.engine.connect() as connection:
            row = connection.execute(statement, {"user_id": user_id}).one_or_none()
        if row is None:
            return {"status": "fail", "message": "User does not exist"}, 404
        return {"status": "success", "data": user_json(row)}, 200

    return app


def minimal_flask_smorest() -> Flask:
    """The framework's floor for writes: Flask, Flask-SQLAlchemy (the service's engine options) and flask-smorest,
    one route validating the body with the service's own schema (marshmallow and email-validator, as the service
    does), running the service's INSERT through SQLAlchemy Core and answering the same JSON and Location (built
    as the raw app builds it: the one route is not routed to by url_for)."""
    app = Flask(__name__)
    app.config.update(API_TITLE="floor", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    db = with_database(app)
    blp = Blueprint("users", __name__)
    statement = insert(User.__table__)

    @blp.post("/users")
    @blp.arguments(NewUserSchema())
    @blp.response(201, UserCreatedSchema)
    def add_user(fields: dict) -> tuple:
        """Add the user, as the service's POST /users does (without a password: the bench sends none)."""
        values = {**fields, "active": True, "created_at": datetime.now(UTC), "admin": False}
        values |= {"password_hash": None, "token_version": 0}
        with db.engine.connect() as connection:
            (user_id,) = connection.execute(statement, values).inserted_primary_key
        user = {"id": user_id, "username": values["username"], "email": values["email"], "active": True}
        user["created_at"] = values["created_at"].isoformat()
        body = {"status": "success", "message": f"{values['email']} was added!", "data": user}
        return jsonify(body), 201, {"Location": f"/users/{user_id}"}

    Api(app).register_blueprint(blp)
    return app


def user_json(row) -> dict:
    """A row of USER_BY_ID as the service shows it (the admin flag is read, not shown)."""
    return {
        "id": row[0],
        "username": row[1],
        "email": row[2],
        "active": bool(row[3]),
        "created_at": row[4].isoformat() + "+00:00",
    }


def _connection() -> pymysql.Connection:
    """One autocommit PyMySQL connection per thread, to the database BENCH_DATABASE_URL names; a new one once the
    server has closed it (a request failed on it: the next one reconnects)."""
    if getattr(_local, "connection", None) is None or not _local.connection.open:
        url = make_url(os.environ["BENCH_DATABASE_URL"])
        _local.connection = pymysql.connect(
            host=url.host,
            port=url.port or 3306,
            user=url.username,
            password=url.password or "",
            database=url.database,
            charset="utf8mb4",
            autocommit=True,
        )
    return _local.connection


def raw_new_user(environ, start_response):
    """POST /users with raw PyMySQL: the service's insert (one statement, its own transaction, the triggers that
    count it inside) and the same answer, without validating anything."""
    fields = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    created_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        with _connection().cursor() as cursor:
            cursor.execute(INSERT_USER, (fields["username"], fields["email"], created_at))
            user_id = cursor.lastrowid
    except pymysql.IntegrityError:
        body, status, headers = (
            {"status": "fail", "message": "Sorry. That email already exists."},
            "400 BAD REQUEST",
            [],
        )
    else:
        user = user_json((user_id, fields["username"], fields["email"], True, created_at))
        message = f"{fields['email']} was added!"
        body, status = {"status": "success", "message": message, "data": user}, "201 CREATED"
        headers = [("Location", f"/users/{user_id}")]
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers])
    return [data]


def raw_users(environ, start_response):
    """GET /users/<id> with raw PyMySQL: the same query and the same JSON as the service, nothing else."""
    user_id = int(environ["PATH_INFO"].rsplit("/", 1)[1])
    with _connection().cursor() as cursor:
        cursor.execute(USER_BY_ID, (user_id,))
        row = cursor.fetchone()
    if row is None:
        body, status = json.dumps({"status": "fail", "message": "User does not exist"}).encode(), "404 NOT FOUND"
    else:
        body, status = json.dumps({"status": "success", "data": user_json(row)}).encode(), "200 OK"
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
