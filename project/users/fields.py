"""What a user's fields accept, as marshmallow fields: the API's bodies and query strings, the pages' forms and
the users list's filters all validate with these."""

import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from marshmallow import ValidationError, fields, validate

from project.users.models import TEXT_MAX_LENGTH

CONTROL_CHARACTERS = r"\x00-\x1f\x7f-\x9f"
NO_CONTROL_CHARACTERS = rf"^[^{CONTROL_CHARACTERS}]*$"
# The spaces a text is trimmed of: every character Python calls whitespace, less the control characters
# (refused, not trimmed), spelled out so that the OpenAPI pattern can name them too.
SPACES = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# A text as sent: no control characters, and something besides spaces.
TEXT_PATTERN = rf"^[^{CONTROL_CHARACTERS}]*[^{CONTROL_CHARACTERS}{SPACES}][^{CONTROL_CHARACTERS}]*$"


def any_case(name: str) -> str:
    """A regular expression matching `name` in any letter case (JSON Schema patterns take no flags)."""
    return "".join(f"[{letter}{letter.upper()}]" if letter.isalpha() else re.escape(letter) for letter in name)


# email-validator refuses addresses at special-use domains (.test, .invalid, .local, ...): they cannot
# receive mail. The OpenAPI document says so with this pattern, which also refuses control characters.
SPECIAL_USE_DOMAIN = rf"[@.](?:{'|'.join(map(any_case, SPECIAL_USE_DOMAIN_NAMES))})$"
EMAIL_PATTERN = rf"^(?!.*{SPECIAL_USE_DOMAIN})" + NO_CONTROL_CHARACTERS.removeprefix("^")

TEXT_LENGTH = validate.Length(min=1, max=TEXT_MAX_LENGTH)
PASSWORD_MAX_LENGTH = 256
PASSWORD_LENGTH = validate.Length(min=8, max=PASSWORD_MAX_LENGTH)
CONTROL_CHARACTER = re.compile(f"[{CONTROL_CHARACTERS}]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a JSON \ud800 escape, which no database can store
NOT_UNICODE = "Must be valid Unicode text."


def whole_characters(value: str) -> None:
    """Refuse lone UTF-16 surrogates."""
    if LONE_SURROGATE.search(value):
        raise ValidationError(NOT_UNICODE)


class Text(fields.String):
    """A string of 1 to 128 characters and no control characters or lone surrogates, as sent, then trimmed of its
    spaces (something else must be left: spaces alone are blank). The OpenAPI document describes the string as
    sent."""

    pattern = TEXT_PATTERN

    def __init__(self, *, metadata: dict | None = None, **kwargs) -> None:
        super().__init__(validate=TEXT_LENGTH, metadata={"pattern": self.pattern, **(metadata or {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if CONTROL_CHARACTER.search(text):
            raise ValidationError("Must not contain control characters.")
        if len(text) > TEXT_MAX_LENGTH:  # too long as sent, whatever trimming would leave
            TEXT_LENGTH(text)
        trimmed = text.strip(SPACES)
        if text and not trimmed:  # an empty string is too short, as TEXT_LENGTH says
            raise ValidationError("Must not be blank.")
        if LONE_SURROGATE.search(trimmed):
            raise ValidationError(NOT_UNICODE)
        return trimmed


class Email(Text):
    """An email address, checked by email-validator without DNS look-ups, stored trimmed and lower-cased."""

    pattern = EMAIL_PATTERN

    def __init__(self, *, metadata: dict | None = None, **kwargs) -> None:
        super().__init__(metadata={"format": "email", **(metadata or {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        address = super()._deserialize(value, attr, data, **kwargs)
        try:
            checked = validate_email(address, check_deliverability=False)
        except EmailNotValidError as error:
            if re.search(SPECIAL_USE_DOMAIN, address):
                raise ValidationError(
                    "Not a valid email address: its domain is reserved and cannot receive mail."
                ) from error
            raise ValidationError("Not a valid email address.") from error
        return checked.normalized.lower()


class Password(fields.String):
    """A password of 8 to 256 characters, taken exactly as sent (spaces too); it is never shown."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            load_only=True, validate=[PASSWORD_LENGTH, whole_characters], metadata={"format": "password"}, **kwargs
        )


class StrictBoolean(fields.Boolean):
    """A JSON true or false, nothing else (not 1, "yes" or "true")."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class QueryBoolean(fields.Boolean):
    """A query-string boolean: exactly "true" or "false"."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if value not in ("true", "false"):
            raise self.make_error("invalid")
        return value == "true"
