"""The service's own schemathesis check (loaded with SCHEMATHESIS_HOOKS=project.e2e.schemathesis_hooks)."""

import schemathesis

from project.tests.contract import EMAIL_TAKEN


@schemathesis.check
def only_duplicate_emails_reject_valid_data(ctx, response, case) -> None:
    """Valid data may be refused with 400 only because its email is taken (see schemathesis.toml)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return
    if response.json() != EMAIL_TAKEN:
        raise AssertionError(f"valid data was refused: {response.json()}")
