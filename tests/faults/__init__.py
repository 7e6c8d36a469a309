"""Fault tests against the native stack (nginx -> gunicorn -> MariaDB): run them with `make test-faults`."""
