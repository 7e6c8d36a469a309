"""The web pages' forms, validated by the same schemas as the API's bodies."""

from flask_wtf import FlaskForm
from marshmallow import Schema, ValidationError
from wtforms import EmailField, HiddenField, PasswordField, StringField

from project.api.schemas import EmailSchema, LoginSchema, NewUserSchema, ResetPasswordSchema
from project.users.models import TEXT_MAX_LENGTH

FIELD_ATTRIBUTES = {"maxlength": TEXT_MAX_LENGTH, "required": True, "autocomplete": "off"}


class SchemaForm(FlaskForm):
    """A form (CSRF-protected by Flask-WTF) whose fields are checked by `schema`; what it loads is `loaded`.
    An optional field left empty is left out, as a client of the API would leave it out."""

    schema: type[Schema]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        schema = self.schema()
        fields = {name: self[name].data for name in schema.fields}
        try:
            self.loaded = schema.load(
                {name: value for name, value in fields.items() if value or schema.fields[name].required}
            )
        except ValidationError as error:
            self.add_errors(error.messages)
            return False
        return True

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """Show these messages under their fields."""
        for name, messages in errors.items():
            self[name].errors.extend(messages)


class UserForm(SchemaForm):
    """Add a user from the browser: the fields of POST /users."""

    schema = NewUserSchema
    username = StringField("Username", render_kw=FIELD_ATTRIBUTES)
    email = EmailField("Email", render_kw=FIELD_ATTRIBUTES)
    password = PasswordField(
        "Password (optional)", render_kw={"autocomplete": "new-password", "minlength": 8, "maxlength": 256}
    )


class SignInForm(SchemaForm):
    """Sign in from the browser: the fields of POST /auth/login."""

    schema = LoginSchema
    email = EmailField("Email", render_kw={**FIELD_ATTRIBUTES, "autocomplete": "username"})
    password = PasswordField("Password", render_kw={"required": True, "autocomplete": "current-password"})


class EmailForm(SchemaForm):
    """Ask for a mailed link (to reset a password, or to verify an email): the field of POST
    /auth/forgot-password and /auth/request-verify-token."""

    schema = EmailSchema
    email = EmailField("Email", render_kw={**FIELD_ATTRIBUTES, "autocomplete": "username"})


class ResetPasswordForm(SchemaForm):
    """Choose a new password with a mailed link's token (kept in a hidden field): POST /auth/reset-password's."""

    schema = ResetPasswordSchema
    token = HiddenField()
    password = PasswordField(
        "New password",
        render_kw={"required": True, "autocomplete": "new-password", "minlength": 8, "maxlength": 256},
    )
