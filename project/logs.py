"""Structured logs: the app's records as JSON lines, each with the id of the request it belongs to (the one its
answer carries: project.answers)."""

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask, has_request_context, request

from project.answers import request_id

REQUEST_FIELDS = ("request_id", "method", "path")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def with_request(make_record):
    """A log record factory that stamps each record made during a request with that request."""

    def make(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if has_request_context():
            record.request_id, record.method, record.path = request_id(), request.method, request.path
        return record

    make.stamps_requests = True
    return make


def configure_logging(app: Flask) -> None:
    """Send the service's own log records (the `project` loggers) to stdout as JSON lines."""
    if not getattr(logging.getLogRecordFactory(), "stamps_requests", False):
        logging.setLogRecordFactory(with_request(logging.getLogRecordFactory()))
    logger = logging.getLogger("project")
    if not any(isinstance(handler.formatter, JsonFormatter) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
