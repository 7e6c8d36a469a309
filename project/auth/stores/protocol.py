"""What a store keeps and answers (project.auth.stores.Store), and the records it answers with."""

from dataclasses import dataclass
from typing import Protocol

ROTATED, TOO_SOON, REUSED = "rotated", "too_soon", "reused"  # what presenting a refresh token came to


@dataclass(frozen=True)
class NewSession:
    """A session a sign-in starts: its id, whose it is, and the device it came from."""

    id: str
    user_id: int
    version: int  # the user's token_version at the sign-in
    user_agent: str
    address: str


@dataclass(frozen=True)
class Issued:
    """What an access token was issued with, and when its session was last used (seconds since the epoch)."""

    user_id: int
    version: int
    session_id: str
    last_used_at: float


@dataclass(frozen=True)
class Rotation:
    """What presenting a refresh token came to (ROTATED, TOO_SOON or REUSED), and the session's."""

    outcome: str
    user_id: int
    version: int
    session_id: str


@dataclass(frozen=True)
class Lifetimes:
    """How many seconds an access token lives, how many a refresh token (and the session, unrefreshed), and for
    how many a spent refresh token presented again is two clients refreshing at once rather than a reuse."""

    token: int
    refresh: int
    reuse_grace: float


class Store(Protocol):
    """What signing in keeps, by time (seconds since the epoch): sessions, and their tokens by digest; attempts
    under a key, each counting while younger than the window; and, for a read replica, the keys of clients that
    wrote, each until a time."""

    def add_session(self, session: NewSession, refresh: str, token: str, lifetimes: Lifetimes, now: float) -> None:
        """Start a session with its first refresh and access tokens."""

    def find_token(self, digest: str, now: float) -> Issued | None:
        """What the access token was issued with, unless it expired or its session ended."""

    def touch_session(self, session_id: str, now: float) -> None:
        """Mark the session used now (if it still lasts)."""

    def rotate(self, refresh: str, new_refresh: str, token: str, lifetimes: Lifetimes, now: float) -> Rotation | None:
        """Spend a current refresh token for a new one and an access token (ROTATED); one spent within the grace
        changes nothing (TOO_SOON); one spent before ends its session (REUSED); None for one unknown or expired. Two
        at once with one token: one is ROTATED, never both."""

    def end_session(self, session_id: str, user_id: int) -> bool:
        """End the user's session: whether it was the user's, and lasting."""

    def end_sessions(self, user_id: int) -> list[str]:
        """End every session of the user; their ids."""

    def sessions(self, user_id: int, version: int, now: float) -> list[dict]:
        """The user's lasting sessions of this token version, newest first (id, created_at, last_used_at,
        user_agent, address)."""

    def add_attempt(self, key: str, attempt: str, now: float, window: float) -> list[float]:
        """Record an attempt; the times of the key's other attempts within the window, oldest first."""

    def remove_attempt(self, key: str, attempt: str) -> None: ...

    def remove_attempts(self, key: str) -> None:
        """Forget every attempt under the key."""

    def add_writers(self, keys: list[str], until: float, now: float) -> None: ...

    def wrote_recently(self, keys: list[str], now: float) -> bool:
        """Whether any of these keys wrote recently: added as a writer until a time still to come."""
