"""Per-mirror replay queue: the durable, bounded queue of writes (and of statements changing
data or schema) a mirror missed, with group commit; replayer.py sends them to it in order
once it answers again.

Contract with the router (mirror mode), for each mirror of a write:

- If the mirror's `Replayer.backlogged` (its queue holds or is storing entries), the write goes
  to `ReplayQueue.append`, never straight to the mirror: a direct send would overtake the
  queued ones. Otherwise it is sent directly; if that fails in a retryable way (no answer,
  timeout, 5xx, 429), it is appended. A direct 4xx is the mirror refusing the data: logged,
  not queued.
- The client is answered only after `append` returns (the entry is then synced to disk). If
  `append` raises (`QueueFull`, or GatewayError UNAVAILABLE when the disk fails), the write
  is not queued and the client must not be told it was mirrored. Under when_full="reject",
  `check_room` answers before anything is sent to the primary.
- A statement that changes data or schema (mirror_statements) follows the same rule: appended
  as a `QueuedStatement` when the mirror is backlogged or cannot be reached, so that it never
  overtakes the writes queued before it nor is overtaken by them.
- The `Replayer` (replayer.py) drains the queue through `peek`, `ack` and `drop_head`.

Delivery is at least once: after a crash the entry in flight may be sent once more, which is
harmless for points with explicit timestamps. Nothing acknowledged is lost or skipped (see
replay_log for the file format and the crash argument).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.backends.replay_log import DEFAULT_SEGMENT_BYTES, LogState, Moved, ReplayLog
from gateway.backends.replay_record import (
    DirectoryInUse,
    QueuedEntry,
    QueuedStatement,
    QueuedWrite,
)
from gateway.errors import Category, GatewayError

__all__ = ["QueueFull", "QueuedEntry", "QueuedStatement", "QueuedWrite", "ReplayQueue",
           "ReplayStats"]

log = logging.getLogger(__name__)

REJECT = "reject"
DROP_OLDEST = "drop_oldest"
WHEN_FULL = (REJECT, DROP_OLDEST)


class QueueFull(GatewayError):
    """A mirror's queue is at a bound and when_full is "reject" (or the write alone is
    larger than the bound): the write cannot be accepted now."""

    def __init__(self, mirror: str, reason: str, retry_after: float) -> None:
        super().__init__(Category.UNAVAILABLE,
                         f"the replay queue of mirror {mirror!r} is full: {reason}",
                         retry_after=retry_after)
        self.mirror = mirror


@dataclass(frozen=True, slots=True)
class ReplayStats:
    """One mirror's queue for /metrics: gauges first, then counters since start-up."""

    mirror: str
    depth: int  # entries waiting: write batches and statements
    bytes: int  # their size on disk
    oldest_age_seconds: float  # 0.0 when empty
    appended: int
    replayed: int  # delivered from the queue; its rate is the replay rate
    rejected: int  # refused by the mirror with a 4xx, dropped
    dropped: int  # pushed out by a bound (drop_oldest) or lost to a damaged segment
    dropped_bytes: int
    failures: int  # delivery attempts that will be retried
    last_error: str | None
    statements_appended: int = 0  # of `appended`, statements rather than write batches
    head: str | None = None  # what waits first: "write" or "statement", None when empty
    refused: int = 0  # entries refused at a bound (QueueFull): "reject", or "drop_oldest"
    # when the writes ahead of the first statement cannot make room


class ReplayQueue:
    """One mirror's on-disk queue, with group commit: concurrent appends share one fsync.

    Blocking file work runs on one worker thread of its own, so operations reach the disk in
    the order they were issued. `open` blocks (recovery reads the last segment).
    """

    def __init__(self, directory: Path, *, max_bytes: int, max_age_seconds: float,
                 when_full: str, clock: Callable[[], float] = time.time,
                 name: str | None = None, segment_bytes: int = DEFAULT_SEGMENT_BYTES,
                 retry_after: float = 10.0) -> None:
        if when_full not in WHEN_FULL:
            raise ValueError(f"when_full must be one of {', '.join(WHEN_FULL)}, "
                             f"not {when_full!r}")
        self.name = name or directory.name
        self.max_bytes = max_bytes
        self.max_age_seconds = max_age_seconds
        self.when_full = when_full
        self.retry_after = retry_after  # what QueueFull tells the client
        self._clock = clock
        self._log = ReplayLog(directory, segment_bytes=segment_bytes,
                              statements=when_full == DROP_OLDEST)
        self._executor: ThreadPoolExecutor | None = None
        self._state = LogState(version=-1, head_seq=0, next_seq=0, bytes=0, head=None)
        self._pending: list[tuple[QueuedEntry, int, asyncio.Future[None]]] = []
        self._pending_bytes = 0  # appended but not yet synced, the batch being written too
        self._writing: list[tuple[QueuedEntry, int, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._nonempty = asyncio.Event()
        self._peeked: int | None = None
        self._closing = False
        self._appended = self._replayed = self._rejected = self._statements = 0
        self._dropped = self._dropped_bytes = self._failures = self._refused = 0
        self._last_error: str | None = None

    def open(self) -> ReplayQueue:
        try:
            state = self._log.open()
        except OSError as exc:
            # Opened at start-up and when PUT /admin/routes adds a mirror: the caller gets
            # why, the log where.
            log.error("replay queue %s: %s", self.name, exc)
            if isinstance(exc, DirectoryInUse):
                raise GatewayError(Category.CONFLICT, f"the replay queue of mirror "
                                   f"{self.name!r} is in use by another gateway (each needs "
                                   "its own replay.dir)") from exc
            raise GatewayError(Category.UNAVAILABLE, f"the replay queue of mirror "
                               f"{self.name!r} could not be opened") from exc
        self._apply(state)
        self._executor = ThreadPoolExecutor(max_workers=1,
                                            thread_name_prefix=f"replay-{self.name}")
        if self._state.depth:
            log.info("replay queue %s: %d entries (%d bytes) to replay", self.name,
                     self._state.depth, self._state.bytes)
        return self

    async def close(self) -> None:
        """Finish the appends under way, then close the files."""
        self._closing = True
        if self._flusher is not None:
            await asyncio.shield(self._flusher)
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.get_running_loop().run_in_executor(executor, self._log.close)
            executor.shutdown()

    # -- writing ----------------------------------------------------------------------------

    async def append(self, entry: QueuedEntry) -> None:
        """Queue `entry`; when this returns it is on disk. Raises QueueFull at a bound
        under "reject" (nothing stored); under "drop_oldest" the oldest writes make room,
        and when those ahead of the first statement (never dropped, nor the writes behind
        it) cannot make enough, it refuses as "reject" does."""
        if self._executor is None or self._closing:
            raise GatewayError(Category.UNAVAILABLE,
                               f"the replay queue of mirror {self.name!r} is not open")
        size = entry.record_bytes
        self._admit(size)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((entry, size, done))
        self._pending_bytes += size
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        await done

    def check_room(self, entry: QueuedEntry) -> None:
        """Raise QueueFull if `append(entry)` would be refused now."""
        self._admit(entry.record_bytes)

    def _admit(self, size: int) -> None:
        try:
            self._check_bounds(size)
        except QueueFull:
            self._refused += 1
            raise

    def _check_bounds(self, size: int) -> None:
        if size > self.max_bytes:
            raise QueueFull(self.name, f"a write of {size} bytes is larger than the bound of "
                            f"{self.max_bytes} bytes (replay.max_bytes)", self.retry_after)
        queued = self._state.bytes + self._pending_bytes
        if self.when_full == DROP_OLDEST:
            # The oldest writes make room, up to the first statement: statements are never
            # dropped (nor the writes behind them, which must not overtake them), so what
            # they hold stays, and a write it leaves no room for is refused as by "reject".
            kept = queued - self._droppable()
            if kept + size > self.max_bytes:
                raise QueueFull(self.name, f"{kept} bytes are queued from its first statement "
                                "on, which drop_oldest does not drop, and the bound is "
                                f"{self.max_bytes} bytes (replay.max_bytes)", self.retry_after)
            if not isinstance(self._state.head, QueuedStatement):
                return  # writes over age are dropped
        elif queued + size > self.max_bytes:
            raise QueueFull(self.name, f"{queued} bytes are queued and the bound is "
                            f"{self.max_bytes} bytes (replay.max_bytes)", self.retry_after)
        age = self._oldest_age()
        if age > self.max_age_seconds:
            raise QueueFull(self.name, f"its oldest entry is {age:.0f} s old, over the bound "
                            f"of {self.max_age_seconds:g} s (replay.max_age_seconds)",
                            self.retry_after)

    def _droppable(self) -> int:
        """Bytes the oldest writes hold up to the first statement, stored or not yet."""
        state = self._state
        if state.droppable is not None and state.droppable < state.bytes:  # a statement
            return state.droppable
        droppable = state.bytes
        for entry, size, _ in [*self._writing, *self._pending]:
            if isinstance(entry, QueuedStatement):
                break
            droppable += size
        return droppable

    async def _flush(self) -> None:
        # Group commit: whatever was appended while the previous batch was being synced
        # goes to disk as the next batch, with one fsync.
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                self._writing = batch
                size = sum(entry_size for _, entry_size, _ in batch)
                entries = [entry for entry, _, _ in batch]
                failure: str | None = None
                try:
                    await self._io(self._log.append, entries,
                                   then=functools.partial(self._stored, entries),
                                   **self._drop_bounds())
                except Exception as exc:
                    # The caller sees no paths or OS detail; the log and last_error do.
                    failure = (f"the replay queue of mirror {self.name!r} could not store "
                               f"the write")
                    self._last_error = f"{failure}: {exc}"
                    log.error("%s", self._last_error)
                finally:
                    self._pending_bytes -= size
                    self._writing = []
                for _, _, done in batch:
                    if done.done():  # its caller was cancelled
                        continue
                    if failure is None:
                        done.set_result(None)
                    else:
                        done.set_exception(GatewayError(Category.UNAVAILABLE, failure))
        finally:
            self._flusher = None

    def _drop_bounds(self) -> dict[str, int]:
        if self.when_full != DROP_OLDEST:
            return {}
        return {"max_bytes": self.max_bytes, "older_than_ns": self._cutoff_ns()}

    # -- reading ----------------------------------------------------------------------------

    def peek(self) -> QueuedEntry | None:
        """The oldest entry not yet delivered, or None. `ack` and `drop_head` then act on
        this entry, even if a bound has dropped it meanwhile (they do nothing then)."""
        self._peeked = self._state.head_seq
        return self._state.head

    async def ack(self) -> None:
        """The peeked entry reached the mirror: remove it, durably."""
        await self._io(self._log.advance, before=self._take_peeked() + 1,
                       then=self._delivered)

    async def drop_head(self, reason: str) -> None:
        """The mirror refused the peeked entry (4xx): remove it and count it as rejected."""
        entry = self._state.head

        def rejected(moved: Moved) -> None:
            self._rejected += moved.entries
            if moved.entries and entry is not None:
                log.warning("mirror %s refused a queued %s to database %r (%d bytes); "
                            "dropped it: %s", self.name, _kind(entry), entry.database,
                            len(entry.body), reason)

        await self._io(self._log.advance, before=self._take_peeked() + 1, then=rejected)

    async def expire(self) -> int:
        """Under "drop_oldest", drop the writes older than the age bound up to the first
        statement; their count."""
        if self.when_full != DROP_OLDEST or self._oldest_age() <= self.max_age_seconds:
            return 0
        moved = await self._io(self._log.advance, older_than_ns=self._cutoff_ns(),
                               then=self._count_dropped)
        return moved.entries

    async def wait_for_entries(self) -> None:
        """Return once the queue holds an entry."""
        await self._nonempty.wait()

    def record_failure(self, message: str) -> None:
        """A delivery attempt failed and will be retried."""
        self._failures += 1
        self._last_error = message

    def _take_peeked(self) -> int:
        seq = self._state.head_seq if self._peeked is None else self._peeked
        self._peeked = None
        return seq

    # -- state ------------------------------------------------------------------------------

    @property
    def backlogged(self) -> bool:
        """True while entries are queued or being stored: new writes must queue behind."""
        return self._state.depth > 0 or self._pending_bytes > 0

    @property
    def stats(self) -> ReplayStats:
        state = self._state
        return ReplayStats(
            mirror=self.name, depth=state.depth, bytes=state.bytes,
            oldest_age_seconds=self._oldest_age(), appended=self._appended,
            replayed=self._replayed, rejected=self._rejected,
            dropped=self._dropped + state.corrupt, dropped_bytes=self._dropped_bytes,
            failures=self._failures, last_error=self._last_error,
            statements_appended=self._statements,
            head=None if state.head is None else _kind(state.head), refused=self._refused)

    def _oldest_age(self) -> float:
        head = self._state.head
        return 0.0 if head is None else max(0.0, self._clock() - head.enqueued_ns / 1e9)

    def _cutoff_ns(self) -> int:
        return int((self._clock() - self.max_age_seconds) * 1e9)

    def _stored(self, batch: list[QueuedEntry], moved: Moved) -> None:
        self._appended += len(batch)
        self._statements += sum(isinstance(entry, QueuedStatement) for entry in batch)
        self._count_dropped(moved)

    def _delivered(self, moved: Moved) -> None:
        self._replayed += moved.entries

    def _count_dropped(self, moved: Moved) -> None:
        if moved.entries:
            self._dropped += moved.entries
            self._dropped_bytes += moved.bytes
            log.warning("replay queue %s at its bound (%s): dropped the %d oldest entries "
                        "(%d bytes)", self.name, self.when_full, moved.entries, moved.bytes)

    async def _io(self, operation: Callable[..., Moved], /, *args: Any,
                  then: Callable[[Moved], None] | None = None, **kwargs: Any) -> Moved:
        """Run `operation` on the queue's thread; then count its effect with `then` and
        take its state. Both happen even if our caller is cancelled meanwhile (the thread
        finishes the operation anyway), so memory never lags behind the disk."""
        if self._executor is None:
            raise RuntimeError(f"replay queue {self.name} is not open")
        future = asyncio.get_running_loop().run_in_executor(
            self._executor, functools.partial(operation, *args, **kwargs))
        future.add_done_callback(functools.partial(self._applied, then))
        return await asyncio.shield(future)

    def _applied(self, then: Callable[[Moved], None] | None,
                 future: asyncio.Future[Moved]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        moved = future.result()
        if then is not None:
            then(moved)
        self._apply(moved.state)

    def _apply(self, state: LogState) -> None:
        if state.version <= self._state.version:
            return
        self._state = state
        if state.depth:
            self._nonempty.set()
        else:
            self._nonempty.clear()


def _kind(entry: QueuedEntry) -> str:
    return "statement" if isinstance(entry, QueuedStatement) else "write"
