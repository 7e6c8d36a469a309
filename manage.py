"""Command line and WSGI entry point: `.venv/bin/python manage.py --help`, `gunicorn manage:app`."""

from project import create_app
from project.cli import ManageGroup

cli = ManageGroup(create_app)

if __name__ == "__main__":
    cli()  # builds the app once the options are read: -e/--env-file may set DATABASE_URL or APP_SETTINGS
else:
    app = create_app()  # gunicorn manage:app (gunicorn.conf.py preloads it: a ConfigError stops it in one line)
