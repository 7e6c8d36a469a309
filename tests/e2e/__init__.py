"""End-to-end checks of a running service (gunicorn, or nginx in front of it), over real HTTP."""
