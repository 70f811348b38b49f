"""Shared pieces of the replay queue tests: entries that carry their number, a settable
clock, and opening and draining a queue."""

from __future__ import annotations

from pathlib import Path

from gateway.backends.replay import QueuedWrite, ReplayQueue

MAX_AGE = 3600.0
NOW = 1_700_000_000.0  # where every test clock starts


class Clock:
    """A wall clock the test moves by hand (seconds since the epoch)."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def ns(self) -> int:
        return int(self.now * 1e9)


def entry(number: int, *, enqueued_ns: int = int(NOW * 1e9), database: str = "db",
          retention_policy: str | None = None, precision: str = "ns",
          gzip: bool = False) -> QueuedWrite:
    """An entry whose body names its number; every number gives the same size on disk."""
    body = f"cpu,host=h{number:06d} value={number:06d}i {number:06d}\n".encode()
    return QueuedWrite(database, retention_policy, precision, body, gzip, enqueued_ns)


def number(item: QueuedWrite) -> int:
    return int(item.body.split(b"value=")[1].split(b"i")[0])


def open_queue(directory: Path, *, max_bytes: int = 1 << 30, max_age_seconds: float = MAX_AGE,
               when_full: str = "reject", clock: Clock | None = None,
               segment_bytes: int | None = None) -> ReplayQueue:
    extra = {} if segment_bytes is None else {"segment_bytes": segment_bytes}
    return ReplayQueue(directory, max_bytes=max_bytes, max_age_seconds=max_age_seconds,
                       when_full=when_full, clock=clock or Clock(), name="mirror-a",
                       **extra).open()


async def drain(queue: ReplayQueue) -> list[QueuedWrite]:
    """Every entry, oldest first, acknowledging each."""
    found = []
    while (item := queue.peek()) is not None:
        found.append(item)
        await queue.ack()
    return found
