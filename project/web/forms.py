"""The index page's form; its fields are validated by the same schema as POST /users."""

from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import EmailField, StringField

from project.api.schemas import NewUserSchema
from project.users.models import TEXT_MAX_LENGTH

FIELD_ATTRIBUTES = {"maxlength": TEXT_MAX_LENGTH, "required": True, "autocomplete": "off"}


class UserForm(FlaskForm):
    """Add a user from the browser (CSRF-protected by Flask-WTF)."""

    username = StringField("Username", render_kw=FIELD_ATTRIBUTES)
    email = EmailField("Email", render_kw=FIELD_ATTRIBUTES)

    def validate(self, extra_validators=None) -> bool:
        """Check the CSRF token, then the fields with NewUserSchema, keeping what it loads in `user_fields`."""
        if not super().validate(extra_validators):
            return False
        try:
            self.user_fields = NewUserSchema().load({"username": self.username.data, "email": self.email.data})
        except ValidationError as error:
            for name, messages in error.messages.items():
                self[name].errors.extend(messages)
            return False
        return True
