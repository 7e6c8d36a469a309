"""Alembic environment: migrations run on the Flask app's engine, compared against its models."""

from alembic import context
from flask import current_app

migrate = current_app.extensions["migrate"]
config = context.config


def skip_empty_autogenerate(context, revision, directives) -> None:
    """Write no migration file when autogenerate finds nothing to change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`db upgrade --sql`)."""
    url = migrate.db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=migrate.db.metadata, literal_binds=True, **migrate.configure_args)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the connection the caller shares (project.database.upgrade_schema), else on one of
    the app's engine."""
    if (shared := config.attributes.get("connection")) is not None:
        run_migrations_on(shared)
        return
    with migrate.db.engine.connect() as connection:
        run_migrations_on(connection)


def run_migrations_on(connection) -> None:
    """Run the migrations on this connection, compared against the models."""
    options = {"process_revision_directives": skip_empty_autogenerate, **migrate.configure_args}
    context.configure(connection=connection, target_metadata=migrate.db.metadata, **options)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
