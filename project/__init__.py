"""The application factory: it reads as the table of contents of the service."""

import os
from pathlib import Path

from flask import Flask

from project import commands, metrics, replica
from project.answers import JsonProvider, api_paths, register_headers
from project.api import account as api_account
from project.api import api
from project.api import auth as api_auth
from project.api import recovery as api_recovery
from project.api import views as api_views
from project.api.arguments import UserIdConverter
from project.auth import stores
from project.config import config_class
from project.errors import register_error_handlers
from project.extensions import csrf, db, mail, migrate
from project.logs import configure_logging
from project.proxies import ForwardedFromProxies
from project.users import passwords
from project.users.models import User
from project.web import views as web_views
from project.web.sessions import PageSessionInterface

DEFAULT_SETTINGS = "project.config.DevelopmentConfig"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: str | type | None = None) -> Flask:
    """Build the app from a config class (or its import path); by default the one APP_SETTINGS names."""
    app = Flask(__name__, static_folder=None)
    app.json = JsonProvider(app)
    load_config(app, settings or os.environ.get("APP_SETTINGS") or DEFAULT_SETTINGS)
    trust_proxies(app)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_headers(app)
    register_commands(app)
    return app


def load_config(app: Flask, settings: str | type) -> None:
    """Read settings from a config class, instantiated so that it reads the environment now."""
    chosen = config_class(settings) if isinstance(settings, str) else settings
    app.config.from_object(chosen())


def trust_proxies(app: Flask) -> None:
    """Take the client's address, scheme and host (with its port) from the X-Forwarded-* headers of requests
    that come from a trusted proxy (TRUSTED_PROXIES), TRUSTED_PROXY_HOPS deep."""
    if hops := app.config["TRUSTED_PROXY_HOPS"]:
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ForwardedFromProxies(app.wsgi_app, proxies, hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    """Bind the extensions (Flask-Mailman's, which `manage.py deliver_mail` sends with), the metrics, the token store
    and the read replica's routing; flask-smorest's Api answers HTTP errors through project.errors."""
    db.init_app(app)
    metrics.init_app(app)
    stores.init_app(app)
    passwords.init_app(app)
    replica.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    mail.init_app(app)
    api.init_app(app)


def register_blueprints(app: Flask) -> None:
    """The JSON API (documented) and the web pages (whose blueprint checks CSRF tokens, with sessions of their
    own)."""
    app.url_map.converters["user_id"] = UserIdConverter
    for blueprint in (api_views.blp, api_auth.blp, api_account.blp, api_recovery.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(web_views.blp)
    app.session_interface = PageSessionInterface(api_paths(app.url_map))


def register_commands(app: Flask) -> None:
    """CLI commands, and names for `flask shell`."""
    for command in (
        commands.recreate_db,
        commands.migrate,
        commands.seed_db,
        commands.create_admin,
        commands.recount_users,
        commands.deliver_mail,
        commands.test,
        commands.wait_db,
    ):
        app.cli.add_command(command)
    app.shell_context_processor(lambda: {"db": db, "User": User})
