"""The native store's fatal state: what counts as one, and when the writer next reopens.

DuckDB invalidates a database after a fatal error (a checkpoint that could not write its file
on a full disk; "Corrupted in-memory column" after a COMMIT refused for memory). Every later
statement on it then fails with "database has been invalidated" until the database is closed
and opened again, which replays its WAL: every acknowledged write was committed there, so
reopening loses none. Until then writes and reads are refused with a 503 and /health fails.
Attempts to reopen back off (1 s doubling to 60 s), so a disk still full costs one attempt a
minute, not a hot loop.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from gateway.errors import StoreDown

INVALIDATED = "database has been invalidated"
FIRST_DELAY = 1.0  # seconds before the second attempt; the first is at once
MAX_DELAY = 60.0
# A new outage this soon after the last recovery goes on with the backoff where it stopped:
# a disk still full fails the next checkpoint soon after a reopen succeeds.
CALM_SECONDS = 60.0


def is_fatal(error: BaseException) -> bool:
    """Whether `error`, or an error it was raised from, is DuckDB's fatal state."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, duckdb.FatalException) or (
                isinstance(seen, duckdb.Error) and INVALIDATED in str(seen)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def describe(error: BaseException) -> str:
    """DuckDB's words for the fatal error, on one line (the invalidated database's later
    errors quote the first one as 'Original error: ...')."""
    text = str(error)
    if "Original error:" in text:
        text = text.split("Original error:", 1)[1].strip().strip('"')
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """What /health and /metrics report about the native store."""

    up: bool
    reason: str  # why it is down ("" when up), with the latest failed reopen's reason
    fatal_errors: int  # times DuckDB invalidated the database
    recovered: int  # reopen attempts that succeeded
    failed: int  # reopen attempts that failed
    # tables that may still hold settled rows not yet clustered by series (`compaction.py`);
    # -1 before the writer first looked at them
    clustering_backlog: int = 0

    @property
    def message(self) -> str:
        """What /health and the self source's health say."""
        return ("ready for queries and writes" if self.up
                else f"storage is not available: {self.reason}")


class Outage:
    """The store's fatal state, shared by the writer thread (which marks, reopens and
    clears it), the query workers and the event loop (which mark it and read it)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.reason: str | None = None
        self.fatal_errors = 0
        self.recovered = 0
        self.failed = 0
        self.attempt_error = ""  # why the latest reopen attempt of this outage failed
        self._delay = 0.0
        self._next = 0.0
        self._recovered_at = -math.inf

    def mark(self, error: BaseException) -> bool:
        """Record a fatal error; True when it begins an outage (not one already known)."""
        with self._lock:
            if self.reason is not None:
                return False
            self.reason = describe(error)
            self.attempt_error = ""
            self.fatal_errors += 1
            now = self._clock()
            if now - self._recovered_at > CALM_SECONDS:
                self._delay = 0.0
            self._next = now + self._delay
            return True

    def wait(self) -> float | None:
        """Seconds until the next reopen attempt is due (0: now); None when not down."""
        with self._lock:
            if self.reason is None:
                return None
            return max(0.0, self._next - self._clock())

    def attempt_failed(self, error: BaseException | None = None) -> float:
        """Record a failed reopen (`error`: why); the seconds until the next one."""
        with self._lock:
            self.failed += 1
            if error is not None:
                self.attempt_error = describe(error)
            self._delay = min(max(FIRST_DELAY, self._delay * 2), MAX_DELAY)
            self._next = self._clock() + self._delay
            return self._delay

    def attempt_recovered(self) -> None:
        with self._lock:
            self.recovered += 1
            self.reason = None
            self._recovered_at = self._clock()

    def refusal(self) -> StoreDown:
        """What a write or read is answered while the store is down."""
        wait = self.wait()
        reason = self.reason or "it is being reopened"
        return StoreDown("the store is unavailable after a fatal storage error "
                         f"({reason}); it is being reopened, try again",
                         retry_after=max(1, math.ceil(wait or 0)))

    def status(self, running: bool) -> StoreStatus:
        with self._lock:
            reason = self.reason if running else "the store's writer has stopped"
            if running and reason is not None and self.attempt_error:
                reason += f"; the latest attempt to reopen it failed: {self.attempt_error}"
            return StoreStatus(up=reason is None, reason=reason or "",
                               fatal_errors=self.fatal_errors, recovered=self.recovered,
                               failed=self.failed)
