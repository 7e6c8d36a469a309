"""CLI commands: recreate_db, migrate, seed_db, create_admin, recount_users, deliver_mail, test and wait_db."""

import logging
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
from flask import current_app
from flask_migrate import upgrade
from marshmallow import ValidationError
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from project import metrics
from project.api.schemas import NewUserSchema
from project.auth import recovery
from project.config import ConfigError, metrics_bind, setting
from project.database import (
    DATABASE_UNAVAILABLE,
    database_problem,
    database_url,
    drop_schema,
    migration_lock,
    upgrade_schema,
)
from project.extensions import db
from project.mail.delivery import deliver_due
from project.users import writes
from project.users.errors import InvalidField
from project.users.models import User, utcnow

TESTS = Path(__file__).parent / "tests"
SEED_USERS = {"michael@realpython.com": "michael", "michael@mherman.org": "michaelherman"}
BATCH_SIZE = 10_000


@click.command("recreate_db")
@click.option("--yes", is_flag=True, help="Do not ask first (for scripts).")
def recreate_db(yes: bool) -> None:
    """Drop the service's tables, then build the schema again from the migrations: every user is lost."""
    url = database_url()
    if not yes:
        click.confirm(f"Drop every table of {url}, and every user with them?", abort=True)
    drop_schema()
    upgrade()
    click.echo(f"Recreated the database schema of {url}.")


@click.command("migrate")
@click.option("--timeout", default=300.0, show_default=True, help="Give up after waiting this many seconds.")
def migrate(timeout: float) -> None:
    """Apply the migrations that are missing (never dropping data), one instance at a time: instances that
    start together take turns on the database's migration lock, and those after the first find nothing to do."""
    try:
        with migration_lock(timeout) as connection:
            before, applied = upgrade_schema(connection)
    except TimeoutError as error:
        raise click.ClickException(str(error)) from error
    migrations = f"{applied} migration{'' if applied == 1 else 's'} applied"
    if before is None:
        click.echo(f"Created the database schema of {database_url()}: {migrations}.")
    elif applied:
        click.echo(f"Brought the database schema of {database_url()} up to date: {migrations}.")
    else:
        click.echo(f"The database schema of {database_url()} is already up to date.")


@click.command("seed_db")
@click.option("--count", default=0, type=click.IntRange(min=0), help="Also add this many generated users.")
def seed_db(count: int) -> None:
    """Add the two seed users unless they exist, and COUNT generated users in bulk."""
    with db.engine.connect() as connection:
        existing = set(connection.scalars(select(User.email).where(User.email.in_(SEED_USERS))))
    missing = [{"username": name, "email": email} for email, name in SEED_USERS.items() if email not in existing]
    if missing:
        writes.add_users(missing)
    click.echo(f"Seed users: {len(missing)} added, {len(existing)} already there.")
    if count:
        add_generated_users(count)
        click.echo(f"Generated users: {count} added.")


def add_generated_users(count: int) -> None:
    """Insert `count` users with unique made-up emails, in multi-row batches, showing progress."""
    run = secrets.token_hex(4)  # keeps emails unique across runs
    with click.progressbar(length=count, label="Adding users") as progress:
        for start in range(0, count, BATCH_SIZE):
            numbers = range(start, min(start + BATCH_SIZE, count))
            now = utcnow()
            rows = [
                {"username": f"user {n}", "email": f"user-{run}-{n}@example.com", "active": True, "created_at": now}
                for n in numbers
            ]
            writes.add_users(rows)
            progress.update(len(numbers))


NO_PASSWORD = (
    "no password: set ADMIN_PASSWORD or ADMIN_PASSWORD_FILE (docker compose run -e ADMIN_PASSWORD ...), "
    "or run it in a terminal to be asked"
)


@click.command("create_admin")
@click.option("--username", required=True, help="The admin's username (kept, if the email is a user's already).")
@click.option("--email", required=True, help="The admin's email.")
def create_admin(username: str, email: str) -> None:
    """Create an admin, or make the user with this email one; either way set its password, from
    ADMIN_PASSWORD (or the file ADMIN_PASSWORD_FILE names) or else asked for twice."""
    try:
        password = setting("ADMIN_PASSWORD") or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    except click.Abort as error:  # no terminal to ask on (stdin closed), or the question interrupted
        raise click.ClickException(NO_PASSWORD) from error
    try:
        fields = NewUserSchema().load({"username": username, "email": email, "password": password})
        created = writes.make_admin(**fields)
    except ValidationError as error:
        raise click.ClickException(refusal(error.messages)) from error
    except InvalidField as error:
        raise click.ClickException(refusal(error.errors)) from error
    click.echo(f"{fields['email']} {'is a new admin' if created else 'is an admin now'}; its password is set.")


def refusal(errors: dict[str, list[str]]) -> str:
    """Field errors in one line: "password: This password is too easy to guess. ..."."""
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())


@click.command("recount_users")
def recount_users() -> None:
    """Count the users table again, for when its triggers were bypassed (a TRUNCATE, say)."""
    totals = writes.recount()
    click.echo(f"Users counted: {totals[True]} active, {totals[False]} inactive.")


@click.command("deliver_mail")
@click.option("--once", is_flag=True, help="Deliver what is due, then stop (for a cron job, or a test).")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks at an empty outbox.")
def deliver_mail(once: bool, poll: float) -> None:
    """Turn requests for mailed links into mails, and deliver the outbox's mails through MAIL_SERVER, trying those it
    fails with again later, until stopped (SIGTERM or Ctrl-C stop it between batches of 20 mails). Any number may
    run, on any instance: each takes requests and mails the others do not."""
    if not current_app.config["MAIL_SERVER"]:
        raise click.ClickException("no MAIL_SERVER is set: mails are written to the log, and none waits to be sent")
    log = logging.getLogger("project.mail")
    stopping = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda number, frame: stopping.set())
    log.info("delivering mail through %s:%s", current_app.config["MAIL_SERVER"], current_app.config["MAIL_PORT"])
    if bind := metrics_bind():
        metrics.serve(bind)
        log.info("metrics on http://%s/metrics", bind)
    while not stopping.is_set():
        try:
            recovery.answer_requests()
            done = deliver_due()
        except DATABASE_UNAVAILABLE as error:
            metrics.DEPENDENCY_ERRORS.labels("database").inc()
            if once:
                raise click.ClickException(f"the database is unavailable: {database_problem(error)}") from error
            log.warning("mail: the database is unavailable (%s); trying again", database_problem(error))
        else:
            if done.sent or done.dropped:
                log.info("mail: %d sent, %d refused for good, %d to try again", done.sent, done.dropped, done.failed)
            if done.more:
                continue
            if once:
                return
        stopping.wait(poll)


@click.command("test", context_settings={"ignore_unknown_options": True})
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def test(pytest_args: tuple[str, ...]) -> None:
    """Run the test suite with pytest (arguments are passed on); the exit code is pytest's."""
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", *(pytest_args or [str(TESTS)])]))


@click.command("wait_db")
@click.option("--timeout", default=60.0, show_default=True, help="Give up after this many seconds.")
def wait_db(timeout: float) -> None:
    """Wait until the database accepts connections, retrying once a second."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as error:
            if time.monotonic() >= deadline:
                raise click.ClickException(f"the database did not answer within {timeout:g} s: {error.orig}") from error
            click.echo(f"Waiting for the database: {error.orig}", err=True)
            time.sleep(1)
        else:
            click.echo("The database is up.")
            return
