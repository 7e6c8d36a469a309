"""The sign-in throttle: failed attempts to prove a password are counted per email and per client address,
in a sliding window, in the shared store. Each attempt is recorded before its password is checked, so that
attempts made at once cannot all slip under the limit; one that succeeds, or that is refused or breaks off
unchecked, is taken back again."""

import logging
import time
import uuid
from collections.abc import Callable
from math import ceil
from typing import TypeVar

from flask import current_app

from project.auth.errors import TooManyAttempts
from project.auth.stores import digest, store

log = logging.getLogger(__name__)
Proved = TypeVar("Proved")


def throttled(email: str, address: str | None, check: Callable[[], Proved | None]) -> Proved | None:
    """Run `check`, which proves the password of `email` (what it proved, or None for a wrong password), as
    an attempt from `address`; refuse it unchecked with TooManyAttempts while the email or the address has
    its limit of failures in the window. A None is counted as a failure."""
    window = current_app.config["SIGN_IN_WINDOW"]
    keys = limits(email, address)
    attempt, now = uuid.uuid4().hex, time.time()
    try:
        # Allowed again once enough of the oldest failures leave the window, for the email and the address.
        added = {key: store().add_attempt(key, attempt, now, window) for key in keys}
        waits = [wait(added[key], limit, window, now) for key, limit in keys.items()]
        if any(waits):
            log.warning("sign-in refused: too many failed attempts")
            raise TooManyAttempts(retry_after=max(filter(None, waits)))
        proved = check()
    except BaseException:
        take_back(keys, attempt)
        raise
    if proved is None:
        log.info("sign-in failed: wrong email or password")
    else:
        take_back(keys, attempt)
    return proved


def forget_failures(email: str) -> None:
    """Clear the email's failed sign-ins (its password was just reset); its address's stay."""
    store().remove_attempts(digest(f"email:{email}"))


def within_limit(key: str, limit: int, window: float) -> int | None:
    """Count an event under `key` (kept by its digest) unless `limit` of them happened within the window; None
    when it was counted, else the seconds until one leaves the window."""
    attempt, now = uuid.uuid4().hex, time.time()
    if (seconds := wait(store().add_attempt(digest(key), attempt, now, window), limit, window, now)) is not None:
        store().remove_attempt(digest(key), attempt)
    return seconds


def wait(others: list[float], limit: int, window: float, now: float) -> int | None:
    """None while fewer than `limit` other events (their times, oldest first) are in the window; else the whole
    seconds (at least 1) until enough of the oldest have left it."""
    if len(others) < limit:
        return None
    return max(1, ceil(others[len(others) - limit] + window - now))


def limits(email: str, address: str | None) -> dict[str, int]:
    """The keys an attempt counts under, with their limits: digests, so that the store keeps no email or
    address."""
    config = current_app.config
    keys = {digest(f"email:{email}"): config["SIGN_IN_FAILURES_PER_EMAIL"]}
    if address:
        keys[digest(f"address:{address}")] = config["SIGN_IN_FAILURES_PER_ADDRESS"]
    return keys


def take_back(keys: dict[str, int], attempt: str) -> None:
    """Remove the attempt: it is no failure."""
    for key in keys:
        store().remove_attempt(key, attempt)
