"""manage.py's command group: Flask's, building the app only once the options are read, and telling a wrong
setting or a database it cannot use in one line."""

import sys
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, load_dotenv
from sqlalchemy.exc import DBAPIError

from project import devserver
from project.config import ConfigError
from project.database import database_problem, database_url

BUILD_TABLES = "build the tables: manage.py migrate"
# What to do about a database error, by the driver's: MySQL's number, or SQLite's message up to its colon.
ADVICE = {
    "1044": "grant the user rights on that database, or name another in {variable}",
    "1045": "check the user and password in {variable}",
    "1698": "check the user and password in {variable}",  # MariaDB's answer for a user who has no password
    "1049": "create it (CREATE DATABASE name CHARACTER SET utf8mb4), or fix its name in {variable}",
    "1146": BUILD_TABLES,
    "2003": "start the database server, or fix the host and port in {variable}",
    "no such table": BUILD_TABLES,
    "unable to open database file": "create the SQLite file's folder, or fix the path in {variable}",
}


def load_env_file(ctx: click.Context, param: click.Parameter, path: str | None) -> None:
    """Set the variables the file names, those already in the environment excepted."""
    if path is not None:
        load_dotenv(path, load_defaults=False)


ENV_FILE = click.Option(
    ["-e", "--env-file"],
    type=click.Path(exists=True, dir_okay=False),
    is_eager=True,
    expose_value=False,
    callback=load_env_file,
    help="Read settings (DATABASE_URL, APP_SETTINGS, ...) from this file; those set in the environment win.",
)


def database_trouble(error: DBAPIError) -> str:
    """One line for the operator: the database, what went wrong with it, and what to do."""
    key = str(error.orig.args[0]).partition(":")[0] if error.orig.args else ""
    advice = ADVICE.get(key, "check {variable}").format(variable=current_app.config["DATABASE_URL_VARIABLE"])
    return f"{database_url()}: {database_problem(error)}. To fix it, {advice}."


class ManageGroup(FlaskGroup):
    """Flask's command group, given the factory rather than an app: the app is built after the options are read,
    so that -e/--env-file counts. It offers no --app (manage.py serves this app alone) and reads no .env, which
    holds docker compose's settings, not the app's. Its `run` is project.devserver's. A setting that is wrong, or
    a database error in any command (Flask-Migrate's db upgrade too), stops it with one line."""

    def __init__(self, create_app: Callable[[], Flask]) -> None:
        def load_app() -> Flask:
            try:
                return create_app()
            except ConfigError as error:
                # SystemExit, not an Exception: FlaskGroup shows the traceback of any Exception while it lists
                # the app's commands (for --help).
                sys.exit(f"Error: {error}")

        super().__init__(create_app=load_app, load_dotenv=False)
        self.params = [ENV_FILE, *(param for param in self.params if param.name not in ("app", "env_file"))]
        self.add_command(devserver.run)  # in place of Flask's, which takes no request handler

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DBAPIError as error:
            raise click.ClickException(database_trouble(error)) from error
