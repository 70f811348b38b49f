"""Sends one mirror's queued writes to it in order, backing off while it fails.

`deliver` (given to the Replayer) sends one entry and says what happened: DELIVERED, RETRY
(optionally with the upstream's Retry-After) or REJECTED (logged, counted, dropped); which
failure is which is services/mirror_outcomes' rule. The queue it drains is replay.ReplayQueue;
delivery is at least once.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gateway.backends.replay import ReplayQueue
from gateway.backends.replay_record import QueuedEntry

__all__ = ["Deliver", "Delivery", "Outcome", "Replayer"]

log = logging.getLogger(__name__)

# The longest pause a mirror's Retry-After can ask for: longer ones (a date years ahead)
# would stall its queue until the age bound drops it.
RETRY_AFTER_CEILING_SECONDS = 3600.0


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # the mirror cannot take it now: try again after a backoff
    REJECTED = "rejected"  # the mirror will never take it


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one attempt to send a queued entry to its mirror came to."""

    outcome: Outcome
    retry_after: float | None = None  # seconds, from the upstream's Retry-After
    detail: str = ""  # for the log and last_error


Deliver = Callable[[QueuedEntry], Awaitable[Delivery]]


class Replayer:
    """Sends one mirror's queued entries in order, backing off while it fails."""

    def __init__(self, queue: ReplayQueue, deliver: Deliver, *, backoff_initial_seconds: float,
                 backoff_max_seconds: float,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 jitter: Callable[[], float] = random.random) -> None:
        self.queue = queue
        self.backoff_initial_seconds = backoff_initial_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self._deliver = deliver
        self._sleep = sleep
        self._jitter = jitter  # uniform in [0, 1)
        self._task: asyncio.Task[None] | None = None

    @property
    def backlogged(self) -> bool:
        return self.queue.backlogged

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"replay-{self.queue.name}")

    async def stop(self) -> None:
        """Stop now, even mid-backoff or mid-delivery (an interrupted entry stays queued)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.wait([task])
        if not task.cancelled() and task.exception() is not None:
            log.error("replayer for mirror %s had failed", self.queue.name,
                      exc_info=task.exception())

    def backoff(self, failures: int) -> float:
        """The pause after `failures` + 1 failures in a row: doubling from the initial value
        up to the maximum, with jitter (between half and all of it) so that mirrors coming
        back do not see every gateway retry at once."""
        base = min(self.backoff_max_seconds,
                   self.backoff_initial_seconds * 2.0 ** min(failures, 64))
        return base * (0.5 + 0.5 * self._jitter())

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self.queue.expire()
                entry = self.queue.peek()
                if entry is None:
                    await self.queue.wait_for_entries()
                    continue
                result = await self._attempt(entry)
                if result.outcome is Outcome.DELIVERED:
                    await self.queue.ack()
                    failures = 0
                    continue
                if result.outcome is Outcome.REJECTED:
                    await self.queue.drop_head(result.detail)
                    failures = 0
                    continue
                self.queue.record_failure(result.detail)
                delay = max(self.backoff(failures),
                            min(result.retry_after or 0.0, RETRY_AFTER_CEILING_SECONDS))
                log.warning("mirror %s: %s; retrying in %.1f s (%d entries queued)",
                            self.queue.name, result.detail, delay, self.queue.stats.depth)
            except Exception as exc:  # the queue itself failed: keep trying, slowly
                log.exception("replay queue %s failed", self.queue.name)
                self.queue.record_failure(f"replay queue: {exc}")
                delay = self.backoff(failures)
            failures += 1
            await self._sleep(delay)

    async def _attempt(self, entry: QueuedEntry) -> Delivery:
        try:
            return await self._deliver(entry)
        except Exception as exc:  # a bug in deliver must not stop the replay
            log.exception("delivering to mirror %s failed", self.queue.name)
            return Delivery(Outcome.RETRY, None, f"{type(exc).__name__}: {exc}")
