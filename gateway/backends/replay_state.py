"""What a ReplayLog operation reports: the log's state after it, and how far its head moved.

Values only, so that replay.py can hold and compare them without the log's file handling.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.backends.replay_record import QueuedEntry

__all__ = ["LogState", "Moved"]


@dataclass(frozen=True, slots=True)
class LogState:
    """A snapshot of the log after one operation; the one with the larger version is newer."""

    version: int
    head_seq: int  # the oldest record not yet delivered or dropped
    next_seq: int  # the number the next appended record gets
    bytes: int  # record bytes from the head to the end
    head: QueuedEntry | None  # the record at head_seq, None when the log is empty
    corrupt: int = 0  # records skipped because their (non-last) segment was damaged
    # Record bytes of the writes ahead of the first statement (all of `bytes` when none is
    # queued): what the bounds may drop, as they stop at a statement. None unless the log
    # was opened to find statements (ReplayLog's `statements`).
    droppable: int | None = None

    @property
    def depth(self) -> int:
        return self.next_seq - self.head_seq


@dataclass(frozen=True, slots=True)
class Moved:
    """An operation's result: the new state and how far the head moved."""

    state: LogState
    entries: int = 0
    bytes: int = 0
