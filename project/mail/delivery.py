"""Delivering the outbox: `manage.py deliver_mail` takes the mails that are due, oldest first, hands each to the
SMTP server (Flask-Mailman) and deletes those it took in the same transaction. Rows are claimed with SELECT ...
FOR UPDATE SKIP LOCKED, so workers on other instances take other mails. A server that is down or answers 4xx
leaves the mail for later, backing off; one that refuses a mail for good (5xx) drops it, logged. A worker that
dies after the server took a mail but before its commit sends that one again: delivery is at least once, and
once in every other case."""

import logging
import smtplib
import time
from dataclasses import dataclass

from flask_mailman import EmailMultiAlternatives
from sqlalchemy import Connection, RowMapping, delete, func, select, update

from project import metrics
from project.extensions import db, mail
from project.mail.models import ERROR_MAX_LENGTH
from project.mail.outbox import OUTBOX

log = logging.getLogger(__name__)
BATCH = 20  # mails claimed, and sent over one SMTP connection, at once
FIRST_RETRY_SECONDS = 5  # doubled at every failure ...
LAST_RETRY_SECONDS = 600  # ... up to this


@dataclass
class Delivered:
    """What one batch of the outbox came to."""

    sent: int = 0
    failed: int = 0  # left for later
    dropped: int = 0  # refused for good

    @property
    def more(self) -> bool:
        """Whether a whole batch went (sent or dropped, none failed): more mails may be due."""
        return self.sent + self.dropped == BATCH


def deliver_due(now: float | None = None) -> Delivered:
    """Deliver the next batch of mails due by `now` (the time, by default); what it came to, counted with the mails
    left in the outbox (project.metrics)."""
    done = Delivered()
    with db.engine.begin() as connection:
        if claimed := claim(connection, time.time() if now is None else now):
            send_batch(connection, claimed, done)
    for outcome in ("sent", "failed", "dropped"):
        metrics.MAIL_DELIVERIES.labels(outcome).inc(getattr(done, outcome))
    with db.engine.connect() as connection:
        metrics.MAIL_OUTBOX.set(connection.execute(select(func.count()).select_from(OUTBOX)).scalar_one())
    return done


def claim(connection: Connection, now: float) -> list[RowMapping]:
    """Lock the next batch of due mails that no other worker holds."""
    due = select(OUTBOX).where(OUTBOX.c.due_at <= now).order_by(OUTBOX.c.id).limit(BATCH)
    return list(connection.execute(due.with_for_update(skip_locked=True)).mappings())


def send_batch(connection: Connection, claimed: list[RowMapping], done: Delivered) -> None:
    """Send the claimed mails over one SMTP connection; those the server took (or refused for good) leave the outbox
    with the transaction's commit, and when the server fails, the mails left are tried again later."""
    left, gone = list(claimed), []
    try:
        with mail.get_connection() as smtp:
            while left:
                try:
                    message(left[0], smtp).send()
                    done.sent += 1
                except smtplib.SMTPRecipientsRefused as error:
                    refused(left[0], error, done)
                except smtplib.SMTPResponseException as error:
                    if error.smtp_code < 500:
                        raise
                    refused(left[0], error, done)
                gone.append(left.pop(0)["id"])
    except (OSError, smtplib.SMTPException) as error:
        for row in left:
            retry_later(connection, row, error)
        done.failed += len(left)
        log.warning("mail: the SMTP server failed (%s); %d mail(s) will be tried again", problem(error), len(left))
    connection.execute(delete(OUTBOX).where(OUTBOX.c.id.in_(gone)))


def message(row: RowMapping, smtp) -> EmailMultiAlternatives:
    """The outbox row as a mail of two parts, text and HTML."""
    built = EmailMultiAlternatives(row["subject"], row["text"], to=[row["recipient"]], connection=smtp)
    built.attach_alternative(row["html"], "text/html")
    return built


def retry_later(connection: Connection, row: RowMapping, error: Exception) -> None:
    """Count the failed attempt and set the next one, further away each time."""
    attempts = row["attempts"] + 1
    wait = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LAST_RETRY_SECONDS)
    values = {"attempts": attempts, "due_at": time.time() + wait, "last_error": problem(error)}
    connection.execute(update(OUTBOX).where(OUTBOX.c.id == row["id"]).values(values))


def refused(row: RowMapping, error: Exception, done: Delivered) -> None:
    """The server will never take this mail: it is dropped, saying so."""
    log.error("mail %s to %s refused for good: %s", row["id"], row["recipient"], problem(error))
    done.dropped += 1


def problem(error: Exception) -> str:
    """What went wrong, short enough to keep."""
    return (str(error) or type(error).__name__)[:ERROR_MAX_LENGTH]
