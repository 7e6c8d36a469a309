"""The API's blueprints: flask-smorest's, reading requests with the service's parser (project.api.arguments), and
documenting each operation's error answers with their examples and headers (project.api.examples)."""

from http import HTTPStatus

import flask_smorest

from project.api.arguments import Parser
from project.api.examples import ERROR_HEADERS, ERRORS
from project.errors import ErrorSchema


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the service's parser."""

    ARGUMENTS_PARSER = Parser()

    def errors(self, *statuses: int, examples: dict[int, dict] | None = None):
        """Document these error answers on an operation: the envelope, an example (the status's usual one, unless
        `examples` gives this operation's own), and the headers sent with them (WWW-Authenticate, Retry-After)."""

        def decorate(view):
            for status in statuses:
                view = self.alt_response(
                    status,
                    schema=ErrorSchema,
                    description=HTTPStatus(status).phrase,
                    example=(examples or {}).get(status, ERRORS[status]),
                    headers=ERROR_HEADERS.get(status),
                )(view)
            return view

        return decorate
