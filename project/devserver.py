"""The development server (`manage.py run`): Werkzeug's, answering even the errors it finds before the app sees
the request (a request line over 64 KiB, too many headers) in the envelope, as nginx does in production."""

import json

import click
from flask.cli import ScriptInfo, pass_script_info
from werkzeug.exceptions import default_exceptions
from werkzeug.serving import WSGIRequestHandler, run_simple

from project.errors import ErrorSchema, error_message


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, whose own error answers (http.server's) are the envelope."""

    error_message_format = json.dumps(ErrorSchema().dump({"message": "%(message)s"})) + "\n"
    error_content_type = "application/json"

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer with the message the app gives for the status: http.server's own quote the request."""
        super().send_error(code, error_message(default_exceptions[code]()))


@click.command("run", short_help="Run the development server.")
@click.option("--host", "-h", default="127.0.0.1", show_default=True, help="The interface to bind to.")
@click.option("--port", "-p", default=5000, show_default=True, help="The port to bind to.")
@click.option("--debug/--no-debug", default=None, help="Debug mode, which turns on the reloader and the debugger.")
@click.option("--reload/--no-reload", default=None, help="Restart when the code changes (default: in debug mode).")
@click.option("--debugger/--no-debugger", default=None, help="Werkzeug's debugger on errors (default: in debug mode).")
@pass_script_info
def run(info: ScriptInfo, host: str, port: int, debug: bool | None, reload: bool | None, debugger: bool | None) -> None:
    """Run the development server, for development only: production runs gunicorn behind nginx."""
    app = info.load_app()
    if debug is not None:
        app.debug = debug
    run_simple(
        host,
        port,
        app,
        use_reloader=app.debug if reload is None else reload,
        use_debugger=app.debug if debugger is None else debugger,
        threaded=True,
        request_handler=RequestHandler,
    )
