"""The JSON API: its blueprints (views), its schemas and how it reads arguments, documented by `api`."""

import flask_smorest
from flask import Flask, Response
from marshmallow.fields import Field
from werkzeug.exceptions import HTTPException

from project.api.arguments import SCHEME, SECURITY_SCHEME, UserIdConverter
from project.api.schemas import Either
from project.errors import ErrorSchema, handle_http_error

OTHER_ERROR = {
    "description": "Any other error, in the envelope: 404 for an unknown route, 405 (with Allow) for a wrong method, "
    "500 (no detail leaves the server), ...",
    "content": {
        "application/json": {
            "schema": ErrorSchema,
            "example": {"status": "fail", "message": "Internal Server Error"},
        }
    },
}


def either2properties(self, field: Field, **kwargs) -> dict:
    """An Either field in the OpenAPI document (apispec's hook for a field of the app's own): `oneOf` its schemas."""
    if isinstance(field, Either):
        return {"oneOf": [self.resolve_nested_schema(schema) for schema in field.schemas]}
    return {}


class Api(flask_smorest.Api):
    """flask-smorest's Api, documenting every error with the service's envelope and answering every HTTP
    error through project.errors (its documented hook for that)."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = "OTHER_ERROR"  # every operation's `default` answer, with an example

    def init_app(self, app: Flask, *args, **kwargs) -> None:
        """flask-smorest's init_app, leaving out the schema of its X-Pagination header, which the users list
        does not send (it paginates in its envelope): the document names only what the API uses; the bearer
        tokens that some operations need; every operation's `default` answer, with an example; and how it shows an
        Either field."""
        super().init_app(app, *args, **kwargs)
        self.spec.components.schemas.pop("PaginationMetadata", None)
        self.spec.components.security_scheme(SCHEME, SECURITY_SCHEME)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, OTHER_ERROR)
        self.ma_plugin.converter.add_attribute_function(either2properties)

    def handle_http_exception(self, error: HTTPException) -> Response:
        return handle_http_error(error)


api = Api()
api.register_converter(UserIdConverter, lambda converter: {"type": "integer"})
