"""Marshmallow schemas: the single source of truth for validating input, shaping output and the OpenAPI document."""

import re
from collections.abc import Mapping
from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from project.api.cursors import CursorField
from project.users.models import TEXT_MAX_LENGTH
from project.users.reads import NEWEST_FIRST, PAGE_MAX, SORT_KEYS

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


def whole_characters(value: str) -> None:
    """Refuse lone UTF-16 surrogates (a JSON \\ud800 escape): no database can store them."""
    if any("\ud800" <= character <= "\udfff" for character in value):
        raise ValidationError("Must be valid Unicode text.")


class Text(fields.String):
    """A string of 1 to 128 characters and no control characters, as sent, then trimmed of its spaces
    (something else must be left: spaces alone are blank). The OpenAPI document describes the string as sent."""

    pattern = TEXT_PATTERN

    def __init__(self, *, metadata: dict | None = None, **kwargs) -> None:
        super().__init__(
            validate=[TEXT_LENGTH, whole_characters], metadata={"pattern": self.pattern, **(metadata or {})}, **kwargs
        )

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if CONTROL_CHARACTER.search(text):
            raise ValidationError("Must not contain control characters.")
        if len(text) > TEXT_MAX_LENGTH:  # too long as sent, whatever trimming would leave
            TEXT_LENGTH(text)
        trimmed = text.strip(SPACES)
        if text and not trimmed:  # an empty string is too short, as TEXT_LENGTH says
            raise ValidationError("Must not be blank.")
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


class Password(fields.String):
    """A password of 8 to 256 characters, taken exactly as sent (spaces too); it is never shown."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            load_only=True, validate=[PASSWORD_LENGTH, whole_characters], metadata={"format": "password"}, **kwargs
        )


class ProfileSchema(Schema):
    """The body of PUT /users/<id>: a user's username and email; unknown fields are refused."""

    username = Text(required=True)
    email = Email(required=True)


class NewUserSchema(ProfileSchema):
    """The body of POST /users and the fields of the index page's form; without a password, the user exists
    but cannot sign in."""

    password = Password()


class UserSchema(ProfileSchema):
    """A user as the API shows it."""

    id = fields.Integer(dump_only=True)
    active = fields.Boolean(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True, format="iso")


def user_json(user: Any) -> dict:
    """A user (a row or a User) as UserSchema shows it, built directly: the users API answers so, a user costing
    1 µs of CPU instead of marshmallow's 15 to 19 (test_openapi holds the two together)."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "active": bool(user.active),
        "created_at": user.created_at.isoformat(),
    }


class AccountSchema(UserSchema):
    """The signed-in user as GET /auth/me shows it: whether it is an admin too."""

    admin = fields.Boolean(dump_only=True)


class UserPatchSchema(Schema):
    """The body of PATCH /users/<id>: any of the fields a client may change; an empty body changes nothing.
    Only an admin sets `admin`; a user setting its own password sends its current one too."""

    username = Text()
    email = Email()
    active = StrictBoolean()
    admin = StrictBoolean()
    password = Password()
    current_password = fields.String(load_only=True, metadata={"format": "password"})

    @validates_schema
    def current_password_goes_with_password(self, data: dict, **kwargs) -> None:
        """A current password alone changes nothing: it is a mistake the client should hear of."""
        if "current_password" in data and "password" not in data:
            raise ValidationError("Only sent with a new password.", "current_password")


class LoginSchema(Schema):
    """The body of POST /auth/login."""

    email = Email(required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=PASSWORD_MAX_LENGTH))


class UserQuerySchema(Schema):
    """The query string of GET /users: paging (by page number or by cursor), sorting and filters; unknown
    parameters are refused."""

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=PAGE_MAX),
        metadata={"description": "The page, from 1; not sent with `cursor`."},
    )
    cursor = CursorField(
        metadata={
            "description": "Paging by cursor instead of page number: empty for the first page, then as the Link "
            "header's next and prev give it. Each page then costs the same, however deep, and a walk through every "
            "page neither skips nor repeats a user present all along. A cursor keeps to the sort it was made for."
        }
    )
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    sort = fields.String(
        load_default=NEWEST_FIRST,
        validate=validate.OneOf(SORT_KEYS),
        metadata={"description": "A field to sort by; a leading - sorts in descending order."},
    )
    username = Text(metadata={"description": "Only users with exactly this username."})
    email = Email(metadata={"description": "Only the user with this email."})
    active = QueryBoolean(metadata={"description": "Only active (true) or inactive (false) users."})
    q = Text(metadata={"description": "Only users whose username (any case) or email contains this text."})

    @validates_schema(pass_original=True)
    def cursor_alone_and_in_its_sort(self, data: dict, original: Mapping, **kwargs) -> None:
        """A cursor pages by itself, and belongs to one sort: a client mixing them should hear of it."""
        if "cursor" not in data:
            return
        if "page" in original:
            raise ValidationError("Not sent with page.", "cursor")
        made_for = data["cursor"].sort
        if made_for is not None and made_for != data["sort"]:
            raise ValidationError(f"Made for sort={made_for}, not sort={data['sort']}.", "cursor")


class EnvelopeSchema(Schema):
    """What every successful response carries."""

    status = fields.String(required=True, validate=validate.OneOf(["success"]))


class MessageSchema(EnvelopeSchema):
    """A success envelope with a message."""

    message = fields.String(required=True)


class UserEnvelopeSchema(EnvelopeSchema):
    """One user in the envelope."""

    data = fields.Nested(UserSchema, required=True)


class AccountEnvelopeSchema(EnvelopeSchema):
    """The signed-in user in the envelope."""

    data = fields.Nested(AccountSchema, required=True)


class TokenSchema(Schema):
    """A bearer token just issued: send it as `Authorization: Bearer <token>`."""

    token = fields.String(required=True)
    token_type = fields.String(required=True, validate=validate.OneOf(["Bearer"]))
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds the token lives."})


class SignedInSchema(MessageSchema):
    """The answer to a sign-in."""

    data = fields.Nested(TokenSchema, required=True)


class UserCreatedSchema(MessageSchema):
    """The answer to a created user: the message the seed clients read, and the user."""

    data = fields.Nested(UserSchema, required=True)


class UserListSchema(Schema):
    """The data of a list of users."""

    users = fields.List(fields.Nested(UserSchema), required=True)


class PaginationSchema(Schema):
    """Where a page lies in the whole list; a page reached by cursor has no number."""

    page = fields.Integer(metadata={"description": "Absent when paging by cursor."})
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(metadata={"description": "Absent when paging by cursor."})


class UserPageSchema(UserListSchema):
    """A page of users, and the pagination."""

    pagination = fields.Nested(PaginationSchema, required=True)


class UsersEnvelopeSchema(EnvelopeSchema):
    """A page of users in the envelope."""

    data = fields.Nested(UserPageSchema, required=True)


class HealthSchema(MessageSchema):
    """The readiness answer: what was checked, and how it went."""

    data = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class ErrorSchema(Schema):
    """The envelope of every error; `errors` names the fields that failed validation."""

    status = fields.String(required=True, validate=validate.OneOf(["fail"]))
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())
