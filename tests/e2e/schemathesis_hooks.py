"""The service's own schemathesis check (loaded with SCHEMATHESIS_HOOKS=tests.e2e.schemathesis_hooks)."""

import schemathesis

from project.tests.contract import EMAIL_TAKEN, INVALID_LINK

# Fields whose valid values (as the schema has them) the service may still refuse, for reasons no schema
# can express: a password too easy to guess, a current password missing or wrong.
REFUSED_BEYOND_THE_SCHEMA = {"password", "current_password"}
# Query parameters likewise: a cursor is valid only as the service signed it, for its own sort, and without page.
PARAMETERS_BEYOND_THE_SCHEMA = {"cursor"}


@schemathesis.check
def only_rules_beyond_the_schema_reject_valid_data(ctx, response, case) -> None:
    """Valid data may be refused with 400 only because its email is taken, for a password's sake, for a
    cursor's, or for a mailed link's token (see schemathesis.toml)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return
    body = response.json()
    if body in (EMAIL_TAKEN, INVALID_LINK):
        return
    if body.get("message") == "Invalid payload." and set(body.get("errors", {})) <= REFUSED_BEYOND_THE_SCHEMA:
        return
    if body.get("message") == "Invalid parameters." and set(body.get("errors", {})) <= PARAMETERS_BEYOND_THE_SCHEMA:
        return
    raise AssertionError(f"valid data was refused: {body}")
