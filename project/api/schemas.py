"""Marshmallow schemas: each validates a request or builds an answer, and documents it in the OpenAPI document.
An answer's envelope is its schema's too: `status` is written by the schema."""

from collections.abc import Mapping

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from project.api.cursors import CursorField
from project.users import events
from project.users.links import TOKEN_MAX_LENGTH
from project.users.models import PASSWORD_MAX_LENGTH, Email, Password, StrictBoolean, Text
from project.users.reads import FILTERS, NEWEST_FIRST, PAGE_MAX, SORT_KEYS


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

    id = fields.Integer(dump_only=True, required=True)
    active = fields.Boolean(dump_only=True, required=True)
    created_at = fields.AwareDateTime(dump_only=True, required=True, format="iso")


class AccountSchema(UserSchema):
    """The signed-in user as GET /auth/me shows it: whether it is an admin, and whether its email is verified."""

    admin = fields.Boolean(dump_only=True, required=True)
    verified = fields.Boolean(
        dump_only=True, required=True, metadata={"description": "Whether the user followed a link mailed to its email."}
    )


class UserPatchSchema(Schema):
    """The body of PATCH /users/<id>: any of the fields a client may change; an empty body changes nothing.
    Only an admin sets `admin`; a user setting its own password sends its current one too."""

    username = Text()
    email = Email()
    active = StrictBoolean()
    admin = StrictBoolean()
    password = Password()
    current_password = fields.String(
        load_only=True, validate=validate.Length(max=PASSWORD_MAX_LENGTH), metadata={"format": "password"}
    )

    @validates_schema
    def current_password_goes_with_password(self, data: dict, **kwargs) -> None:
        """A current password alone changes nothing: it is a mistake the client should hear of."""
        if "current_password" in data and "password" not in data:
            raise ValidationError("Only sent with a new password.", "current_password")


class LoginSchema(Schema):
    """The body of POST /auth/login."""

    email = Email(required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=PASSWORD_MAX_LENGTH))


class EmailSchema(Schema):
    """The body of POST /auth/forgot-password and /auth/request-verify-token."""

    email = Email(required=True)


class LinkTokenSchema(Schema):
    """The body of POST /auth/verify: the token of a mailed link."""

    token = fields.String(required=True, validate=validate.Length(min=1, max=TOKEN_MAX_LENGTH))


class ResetPasswordSchema(LinkTokenSchema):
    """The body of POST /auth/reset-password: the mailed link's token and the new password."""

    password = Password(required=True)


class PagingSchema(Schema):
    """Paging through a list, by page number or by cursor, and its sort; unknown parameters are refused."""

    # No default in the document: a generated client would send it with every cursor. Without page or cursor, the
    # list answers page 1 (find_users' own default).
    page = fields.Integer(
        validate=validate.Range(min=1, max=PAGE_MAX),
        metadata={
            "description": "The page, from 1 (page 1 when neither page nor cursor is sent); not sent with `cursor`."
        },
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
        metadata={
            "description": "A field to sort by; a leading - sorts in descending order.",
            # What a generated client names each value (CREATED_AT_DESC, not VALUE_7).
            "x-enum-varnames": [
                key.removeprefix("-").upper() + ("_DESC" if key.startswith("-") else "") for key in SORT_KEYS
            ],
        },
    )

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


# The query string of GET /users: paging, sorting, and the list's filters as the users domain defines them.
UserQuerySchema = PagingSchema.from_dict({name: found.field for name, found in FILTERS.items()}, name="UserQuerySchema")


class EnvelopeSchema(Schema):
    """What every successful answer carries."""

    status = fields.String(required=True, dump_default="success", validate=validate.OneOf(["success"]))


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
    """A session's tokens just issued: send the bearer token as `Authorization: Bearer <token>`, and the refresh
    token to POST /auth/refresh, before it expires, for a new pair."""

    token = fields.String(required=True)
    token_type = fields.String(required=True, dump_default="Bearer", validate=validate.OneOf(["Bearer"]))
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds the token lives."})
    refresh_token = fields.String(
        required=True, metadata={"description": "Good for one refresh: each answers a new one (rotation)."}
    )
    refresh_expires_in = fields.Integer(required=True, metadata={"description": "Seconds the refresh token lives."})


class RefreshSchema(Schema):
    """The body of POST /auth/refresh."""

    refresh_token = fields.String(required=True, validate=validate.Length(max=TOKEN_MAX_LENGTH))


class SessionSchema(Schema):
    """A session: one sign-in's chain of tokens, on one device."""

    id = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True, format="iso", metadata={"description": "When it signed in."})
    last_used_at = fields.AwareDateTime(
        required=True,
        format="iso",
        metadata={"description": "When its tokens were last used, to the minute (written at most once a minute)."},
    )
    user_agent = fields.String(required=True, metadata={"description": "The browser or client that signed in."})
    address = fields.String(required=True, metadata={"description": "The address it signed in from."})
    current = fields.Boolean(
        required=True, metadata={"description": "Whether it is the session of the request's token."}
    )


class SessionListSchema(Schema):
    """The signed-in user's sessions, newest first."""

    sessions = fields.Nested(SessionSchema, many=True, required=True)


class SessionsEnvelopeSchema(EnvelopeSchema):
    """The signed-in user's sessions in the envelope."""

    data = fields.Nested(SessionListSchema, required=True)


class SignedInSchema(MessageSchema):
    """The answer to a sign-in."""

    data = fields.Nested(TokenSchema, required=True)


class UserCreatedSchema(MessageSchema):
    """The answer to a created user: the message the seed clients read, and the user."""

    data = fields.Nested(UserSchema, required=True)


class CursorPaginationSchema(Schema):
    """Where a page reached by cursor lies in the whole list: such a page has no number."""

    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class PagePaginationSchema(CursorPaginationSchema):
    """Where a page reached by number lies in the whole list."""

    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class Either(fields.Field):
    """An object that one of these schemas dumps: the first whose required fields it has all of. The OpenAPI
    document says `oneOf` them (project.api.Api teaches it how)."""

    def __init__(self, *schemas: type[Schema], **kwargs) -> None:
        super().__init__(**kwargs)
        self.schemas = [schema() for schema in schemas]

    def _serialize(self, value: Mapping, attr, obj, **kwargs) -> dict:
        schema = next(
            schema
            for schema in self.schemas
            if all(name in value for name, field in schema.fields.items() if field.required)
        )
        return schema.dump(value)


class UserPageSchema(Schema):
    """A page of users, and the pagination."""

    users = fields.Nested(UserSchema, many=True, required=True)
    pagination = Either(PagePaginationSchema, CursorPaginationSchema, required=True)


class UsersEnvelopeSchema(EnvelopeSchema):
    """A page of users in the envelope."""

    data = fields.Nested(UserPageSchema, required=True)


class HealthSchema(MessageSchema):
    """The readiness answer: what was checked, and how it went."""

    data = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class EventSchema(Schema):
    """Something that happened to an account, and where from (none, for what no request did)."""

    type = fields.String(required=True, validate=validate.OneOf(events.TYPES))
    at = fields.AwareDateTime(required=True, format="iso")
    address = fields.String(required=True, allow_none=True)
    user_agent = fields.String(required=True, allow_none=True)
    session_id = fields.String(
        required=True, allow_none=True, metadata={"description": "The session it happened in, or to."}
    )


class EventPageSchema(Schema):
    """A page of an account's events, newest first, and the pagination."""

    events = fields.Nested(EventSchema, many=True, required=True)
    pagination = fields.Nested(PagePaginationSchema, required=True)


class EventsEnvelopeSchema(EnvelopeSchema):
    """A page of an account's events in the envelope."""

    data = fields.Nested(EventPageSchema, required=True)


class EventQuerySchema(Schema):
    """Paging through an account's events; unknown parameters are refused."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=PAGE_MAX))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
