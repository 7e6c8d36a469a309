"""`make instructions`: the CPU instructions one request costs an app in-process, counted by valgrind's callgrind.

Timings on a shared VM move by up to 2x between runs of the same code; instruction counts move by a few parts in
a thousand, so a change that saves 2% shows. Each app answers WSGI calls one after another, with the environ
nginx's proxy sends (no network, no test client): the count of a run of LONG requests less that of SHORT, over
their difference. GET requests only; the service runs with ProductionConfig, as the stack does, on BENCH_DATABASE
(users_test) as MariaDB's root, which /ping never touches.
"""

import argparse
import io
import os
import re
import subprocess
import sys

from bench.run import BIN, PRODUCTION, ROOT, ROOT_URL

WARM = 200  # requests before counting: imports, the first request's caches
SHORT, LONG = 300, 1300
APPS = ("service", "minimal_flask")


def environ(path: str) -> dict:
    """A GET as nginx passes it on: its X-Forwarded-* headers and request id."""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5071",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8070",
        "HTTP_X_REAL_IP": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "http",
        "HTTP_X_FORWARDED_HOST": "127.0.0.1:8070",
        "HTTP_X_REQUEST_ID": "0123456789abcdef0123456789abcdef",
        "HTTP_USER_AGENT": "wrk",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def load(name: str):
    """The service as the stack configures it, or the minimal Flask baseline."""
    if name == "minimal_flask":
        from bench.baselines import minimal_flask

        return minimal_flask
    os.environ.update(PRODUCTION, SECRET_KEY="instructions-" + "x" * 32)
    os.environ.update(DATABASE_URL=ROOT_URL)
    from project import create_app

    return create_app()


def serve(name: str, path: str, requests: int) -> None:
    """Answer WARM requests, then `requests` more: what callgrind counts, less a shorter run's count."""
    app = load(name)

    def start_response(status: str, headers: list, exc_info=None) -> None:
        if not status.startswith("2"):
            raise SystemExit(f"{name} answered {path} with {status}")

    for _ in range(WARM + requests):
        b"".join(app(environ(path), start_response))


def counted(name: str, path: str, requests: int) -> int:
    """The instructions callgrind counts for a run of `requests` requests."""
    serving = [BIN / "python", "-m", __spec__.name, "--serve", name, path, str(requests)]
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *serving],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", result.stderr)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", nargs=3, metavar=("APP", "PATH", "REQUESTS"), help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", default=["/ping"], help="paths to GET (default: /ping)")
    arguments = parser.parse_args()
    if arguments.serve:
        name, path, requests = arguments.serve
        serve(name, path, int(requests))
        return
    for path in arguments.paths:
        for name in APPS if path == "/ping" else APPS[:1]:
            per_request = (counted(name, path, LONG) - counted(name, path, SHORT)) // (LONG - SHORT)
            print(f"{name:14} GET {path:24} {per_request:>10,} instructions a request")


if __name__ == "__main__":
    main()
