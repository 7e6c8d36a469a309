"""The outbox: mails waiting for the SMTP server to take them, each deleted once it has."""

from sqlalchemy import Double, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from project.config import mysql_table_options
from project.extensions import db

ADDRESS_MAX_LENGTH = 254  # RFC 5321's longest path, less its angle brackets
SUBJECT_MAX_LENGTH = 255
ERROR_MAX_LENGTH = 255


class OutboxMail(db.Model):
    """A mail to one recipient, in text and HTML, and how its delivery has gone so far."""

    __tablename__ = "mail_outbox"
    __table_args__ = mysql_table_options(engine="InnoDB", charset="utf8mb4", collate="utf8mb4_bin")

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(ADDRESS_MAX_LENGTH))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    queued_at: Mapped[float] = mapped_column(Double)  # seconds since the epoch
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    due_at: Mapped[float] = mapped_column(Double, index=True)  # seconds since the epoch: the next attempt
    last_error: Mapped[str | None] = mapped_column(String(ERROR_MAX_LENGTH))
