"""Queueing a mail: rendered from its Jinja templates (text and HTML) and written to the outbox on the connection of
the change it tells of, so that both are committed together or neither is. With no MAIL_SERVER (development), the
mail is written to the log instead, links and all."""

import logging
import time

from flask import current_app, render_template
from sqlalchemy import Connection, insert

from project import metrics
from project.mail.models import OutboxMail

log = logging.getLogger(__name__)
OUTBOX = OutboxMail.__table__


def queue(connection: Connection, recipient: str, subject: str, template: str, **context) -> None:
    """Queue the mail `template` (mail/<template>.txt and .html) to one recipient, in the connection's transaction."""
    text = render_template(f"mail/{template}.txt", **context)
    if not current_app.config["MAIL_SERVER"]:
        log.info("mail to %s (no MAIL_SERVER: written here, not sent): %s\n%s", recipient, subject, text)
        return
    html = render_template(f"mail/{template}.html", **context)
    now = time.time()
    mail = {"recipient": recipient, "subject": subject, "text": text, "html": html, "queued_at": now, "due_at": now}
    connection.execute(insert(OUTBOX).values(mail))
    metrics.MAILS_QUEUED.inc()
