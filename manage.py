"""Command line and WSGI entry point: `python manage.py --help`, `gunicorn manage:app`."""

import sys

from flask.cli import FlaskGroup

from project import create_app
from project.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    if __name__ == "__main__":
        sys.exit(f"Error: {error}")
    raise  # gunicorn reports it (in one line when it preloads the app, as gunicorn.conf.py says)
cli = FlaskGroup(create_app=lambda: app, load_dotenv=False)  # .env holds docker compose's settings, not the app's

if __name__ == "__main__":
    cli()
