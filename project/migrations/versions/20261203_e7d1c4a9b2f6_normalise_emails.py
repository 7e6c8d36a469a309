"""normalise emails: NFKC and case folding, as the service now keeps and compares them

Revision ID: e7d1c4a9b2f6
Revises: a3c5e7f9b1d2
Create Date: 2026-12-03 14:20:00.000000

Emails were kept lower-cased; they are now kept NFKC-normalised and case-folded, and sign-in looks them up so.
Only an address that changes is written (ASCII ones never do). One whose normalised form another user already
has, or that normalising makes too long, is left as it was and named in the log: an admin decides what to do.
"""

import logging
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "e7d1c4a9b2f6"
down_revision = "a3c5e7f9b1d2"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
EMAIL_LENGTH = 128
USERS = sa.table("users", sa.column("id", sa.BigInteger), sa.column("email", sa.String))


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(USERS.c.id, USERS.c.email).where(USERS.c.email.is_not(None)))
    changes = [(user_id, email, normalised(email)) for user_id, email in rows if normalised(email) != email]
    for user_id, email, wanted in changes:
        if len(wanted) > EMAIL_LENGTH:
            log.warning("user %s keeps its email %r: normalised, it is longer than %s", user_id, email, EMAIL_LENGTH)
            continue
        other = sa.select(USERS.c.id).where(USERS.c.email == wanted, USERS.c.id != user_id)
        if connection.execute(other).first() is not None:
            log.warning("user %s keeps its email %r: another user has %r", user_id, email, wanted)
            continue
        connection.execute(sa.update(USERS).where(USERS.c.id == user_id).values(email=wanted))


def downgrade():
    pass  # the lower-cased forms are not kept: a normalised email stays normalised


def normalised(email: str) -> str:
    """The email as the service keeps it now."""
    return unicodedata.normalize("NFKC", email).casefold()
