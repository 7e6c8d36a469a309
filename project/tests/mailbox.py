"""A real SMTP server for the tests (aiosmtpd, on loopback): what the service mails arrives here, and the tests read
the mails and follow their links."""

import re
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+/(?:reset-password|verify-email)\?token=[\w.-]+")


class Mailbox:
    """An SMTP server on 127.0.0.1:`port` that keeps every mail it accepts, and refuses recipients in `refused`
    for good (550); stopped and started again as a test needs."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mails: list[EmailMessage] = []
        self.refused: set[str] = set()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def handle_RCPT(self, server, session, envelope, address: str, options: list) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.mails.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The mails received for this address, oldest first."""
        return [mail for mail in self.mails if mail["To"] == address]


def text_of(mail: EmailMessage) -> str:
    """The mail's plain-text part."""
    return mail.get_body(preferencelist=("plain",)).get_content()


def html_of(mail: EmailMessage) -> str:
    """The mail's HTML part."""
    return mail.get_body(preferencelist=("html",)).get_content()


def link_in(text: str) -> str:
    """The link a mail's text carries."""
    return LINK.search(text).group(0)


def token_in(mail: EmailMessage) -> str:
    """The token of the link a mail carries."""
    return link_in(text_of(mail)).split("token=")[1]
