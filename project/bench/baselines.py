"""Baseline WSGI apps, served by gunicorn with the service's own gunicorn.conf.py: what the service is
measured against. Each answers exactly what the service answers for the same request."""

import json
import os
import threading

import pymysql
from flask import Flask
from sqlalchemy.engine import make_url

PONG = json.dumps({"status": "success", "message": "pong!"}).encode()


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


def _connection() -> pymysql.Connection:
    """One autocommit PyMySQL connection per thread, to the database BENCH_DATABASE_URL names."""
    if getattr(_local, "connection", None) is None:
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


def raw_users(environ, start_response):
    """GET /users/<id> with raw PyMySQL: the same query and the same JSON as the service, nothing else."""
    user_id = int(environ["PATH_INFO"].rsplit("/", 1)[1])
    with _connection().cursor() as cursor:
        cursor.execute("SELECT id, username, email, active, created_at FROM users WHERE id = %s", (user_id,))
        row = cursor.fetchone()
    if row is None:
        body, status = json.dumps({"status": "fail", "message": "User does not exist"}).encode(), "404 NOT FOUND"
    else:
        user = {
            "id": row[0],
            "username": row[1],
            "email": row[2],
            "active": bool(row[3]),
            "created_at": row[4].isoformat() + "+00:00",
        }
        body, status = json.dumps({"status": "success", "data": user}).encode(), "200 OK"
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
