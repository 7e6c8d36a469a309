"""Passwords: judged by zxcvbn, stored as Argon2id hashes (argon2-cffi), never kept or shown as they are."""

import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app
from zxcvbn import zxcvbn

from project.users.errors import PasswordsBusy

STRONG_ENOUGH = 3  # zxcvbn's score, from 0 (guessed at once) to 4
# zxcvbn judges this many characters (its own limit: past it, it slows down sharply, to 2.4 s at 256 here);
# a password whose first 72 characters are easy to guess is easy to guess.
JUDGED_LENGTH = 72
WORD_SEPARATORS = re.compile(r"[\W_]+")  # "michael@real-python.com": michael, real, python, com
SLOTS = "password_hashing_slots"  # the app's semaphore, in app.extensions


def init_app(app: Flask) -> None:
    """Give the app its PASSWORD_HASHING_SLOTS: how many Argon2id hashes or checks one process runs at once."""
    app.extensions[SLOTS] = threading.BoundedSemaphore(app.config["PASSWORD_HASHING_SLOTS"])


@contextmanager
def hashing_slot() -> Iterator[None]:
    """Hold a hashing slot while Argon2id runs, or raise PasswordsBusy at once when none is free: a flood of
    sign-ups or sign-ins is answered 503 instead of queueing every other request behind its hashes."""
    slots = current_app.extensions[SLOTS]
    if not slots.acquire(blocking=False):
        raise PasswordsBusy()
    try:
        yield
    finally:
        slots.release()


def hasher() -> PasswordHasher:
    """The hasher with the app's parameters (PASSWORD_TIME_COST, _MEMORY_COST, _PARALLELISM)."""
    config = current_app.config
    return hasher_with(config["PASSWORD_TIME_COST"], config["PASSWORD_MEMORY_COST"], config["PASSWORD_PARALLELISM"])


@cache
def hasher_with(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    """One Argon2id hasher for each set of parameters."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


@cache
def dummy_hash(hasher: PasswordHasher) -> str:
    """A hash no password is known to match, made with the hasher's own parameters."""
    return hasher.hash(secrets.token_urlsafe(32))


def hash_password(password: str) -> str:
    """The password's Argon2id hash, salted, in PHC form ($argon2id$v=19$m=...)."""
    with hashing_slot():
        return hasher().hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash. With no hash (an unknown user, or one without a password) a
    dummy hash is checked all the same, so that the answer takes as long either way."""
    checker = hasher()
    try:
        with hashing_slot():
            checker.verify(password_hash or dummy_hash(checker), password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the app's."""
    return hasher().check_needs_rehash(password_hash)


def weaknesses(password: str, known: list[str]) -> list[str]:
    """Why the password is too easy to guess, in zxcvbn's words (nothing when it is not); what else is
    known of the user (its username and email, and their words) counts as easy to guess."""
    words = [word for text in known for word in WORD_SEPARATORS.split(text) if word]
    judged = zxcvbn(password[:JUDGED_LENGTH], user_inputs=[*known, *words])
    if judged["score"] >= STRONG_ENOUGH:
        return []
    feedback = judged["feedback"]
    return ["This password is too easy to guess.", *filter(None, [feedback["warning"]]), *feedback["suggestions"]]
