"""manage.py's command group: Flask's, building the app only once the options are read."""

import sys
from collections.abc import Callable

import click
from flask import Flask
from flask.cli import FlaskGroup, load_dotenv

from project.config import ConfigError


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


class ManageGroup(FlaskGroup):
    """Flask's command group, given the factory rather than an app: the app is built after the options are read,
    so that -e/--env-file counts. It offers no --app (manage.py serves this app alone) and reads no .env, which
    holds docker compose's settings, not the app's. A setting that is wrong stops it with one line."""

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
