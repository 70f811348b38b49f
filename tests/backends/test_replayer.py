"""The replayer: order, backoff, Retry-After, rejected entries, stopping; and how an HTTP status
becomes a Delivery."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.backends.replay import QueuedWrite, ReplayQueue
from gateway.backends.replayer import Delivery, Outcome, Replayer
from tests.backends.replay_support import drain, entry, number, open_queue


class Mirror:
    """A fake mirror: answers from a script (then DELIVERED), remembering every attempt."""

    def __init__(self, script: dict[int, list[Delivery]] | None = None) -> None:
        self.script = script or {}
        self.attempts: list[int] = []
        self.delivered: list[int] = []
        self.changed = asyncio.Event()

    async def deliver(self, item: QueuedWrite) -> Delivery:
        key = number(item)
        self.attempts.append(key)
        self.changed.set()
        answers = self.script.get(key)
        result = answers.pop(0) if answers else Delivery(Outcome.DELIVERED)
        if result.outcome is Outcome.DELIVERED:
            self.delivered.append(key)
        return result

    async def wait_for(self, count: int) -> None:
        while len(self.attempts) < count:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 10)


async def drained(queue: ReplayQueue) -> None:
    """Return once the replayer has emptied the queue (its last ack done)."""
    async with asyncio.timeout(10):
        while queue.backlogged:
            await asyncio.sleep(0.005)


class Sleeps:
    """An injected sleep that records each pause and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


def replayer(queue: ReplayQueue, mirror: Mirror, sleeps: Sleeps | None = None, *,
             jitter: float = 0.999) -> Replayer:
    return Replayer(queue, mirror.deliver, backoff_initial_seconds=0.5,
                    backoff_max_seconds=4.0, sleep=sleeps or Sleeps(), jitter=lambda: jitter)


RETRY = Delivery(Outcome.RETRY, None, "the mirror answered 503")


async def test_failures_back_off_doubling_to_the_cap_then_all_go_in_order(
        tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    for i in range(4):
        await queue.append(entry(i))
    mirror, sleeps = Mirror({0: [RETRY] * 6, 2: [RETRY]}), Sleeps()
    task = replayer(queue, mirror, sleeps, jitter=0.0)
    task.start()
    await drained(queue)
    await task.stop()
    assert mirror.delivered == [0, 1, 2, 3]
    assert mirror.attempts == [0] * 7 + [1, 2, 2, 3]
    # jitter 0 is half the base: 0.5, 1, 2, 4, 4, 4 halved; the count restarts after success.
    assert sleeps.delays == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 0.25]
    stats = queue.stats
    assert (stats.depth, stats.replayed, stats.failures) == (0, 4, 7)
    assert stats.last_error == "the mirror answered 503"


@pytest.mark.parametrize(("failures", "jitter", "expected"), [
    pytest.param(0, 0.0, 0.25, id="first, least jitter"),
    pytest.param(0, 0.999, 0.49975, id="first, most jitter"),
    pytest.param(2, 0.5, 1.5, id="third"),
    pytest.param(3, 0.999, 3.998, id="at the cap"),
    pytest.param(500, 0.999, 3.998, id="far past the cap"),
])
def test_backoff_doubles_with_jitter_up_to_the_cap(tmp_path: Path, failures: int,
                                                  jitter: float, expected: float) -> None:
    queue = ReplayQueue(tmp_path, max_bytes=1, max_age_seconds=1, when_full="reject")
    assert replayer(queue, Mirror(), jitter=jitter).backoff(failures) == pytest.approx(expected)


async def test_retry_after_is_honoured_when_longer_than_the_backoff(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    await queue.append(entry(0))
    mirror = Mirror({0: [Delivery(Outcome.RETRY, 30.0, "429"),
                         Delivery(Outcome.RETRY, 0.1, "429")]})
    sleeps = Sleeps()
    task = replayer(queue, mirror, sleeps, jitter=0.0)
    task.start()
    await drained(queue)
    await task.stop()
    assert sleeps.delays == [30.0, 0.5]  # 0.1 is shorter than the second backoff
    assert mirror.delivered == [0]


async def test_retry_after_is_honoured_up_to_an_hour(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    await queue.append(entry(0))
    mirror = Mirror({0: [Delivery(Outcome.RETRY, 99_999_999_999.0, "429")]})
    sleeps = Sleeps()
    task = replayer(queue, mirror, sleeps, jitter=0.0)
    task.start()
    await drained(queue)
    await task.stop()
    assert sleeps.delays == [3600.0]
    assert mirror.delivered == [0]


async def test_a_rejected_entry_is_dropped_counted_and_not_retried(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    for i in range(3):
        await queue.append(entry(i))
    mirror = Mirror({1: [Delivery(Outcome.REJECTED, None, "400: unable to parse")]})
    sleeps = Sleeps()
    task = replayer(queue, mirror, sleeps)
    task.start()
    await drained(queue)
    await task.stop()
    assert mirror.attempts == [0, 1, 2]
    assert mirror.delivered == [0, 2]
    assert sleeps.delays == []
    assert (queue.stats.rejected, queue.stats.replayed, queue.stats.depth) == (1, 2, 0)


async def test_a_deliver_that_raises_is_retried(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    await queue.append(entry(0))
    calls = []

    async def flaky(item: QueuedWrite) -> Delivery:
        calls.append(number(item))
        if len(calls) == 1:
            raise ConnectionResetError("reset by peer")
        return Delivery(Outcome.DELIVERED)

    sleeps = Sleeps()
    task = Replayer(queue, flaky, backoff_initial_seconds=1, backoff_max_seconds=1,
                    sleep=sleeps, jitter=lambda: 0.0)
    task.start()
    await drained(queue)
    await task.stop()
    assert calls == [0, 0]
    assert queue.stats.last_error == "ConnectionResetError: reset by peer"


async def test_an_idle_replayer_wakes_when_an_entry_is_appended(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    mirror = Mirror()
    task = replayer(queue, mirror)
    task.start()
    await asyncio.sleep(0.05)
    assert mirror.attempts == []
    await queue.append(entry(0))
    await drained(queue)
    await task.stop()
    assert mirror.delivered == [0]


async def test_stop_is_prompt_in_the_middle_of_a_backoff(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    await queue.append(entry(0))
    mirror = Mirror({0: [RETRY]})
    # Real sleeps and an hour-long backoff: stop must not wait for it.
    task = Replayer(queue, mirror.deliver, backoff_initial_seconds=3600,
                    backoff_max_seconds=3600)
    task.start()
    await mirror.wait_for(1)
    await asyncio.sleep(0.01)
    await asyncio.wait_for(task.stop(), 30)
    assert mirror.delivered == []
    assert queue.stats.depth == 1 and task.backlogged
    await queue.close()


async def test_an_entry_cut_off_mid_delivery_stays_queued(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    await queue.append(entry(0))
    started = asyncio.Event()

    async def hangs(item: QueuedWrite) -> Delivery:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    task = Replayer(queue, hangs, backoff_initial_seconds=1, backoff_max_seconds=1)
    task.start()
    await asyncio.wait_for(started.wait(), 10)
    await task.stop()
    await queue.close()
    assert [number(item) for item in await drain(open_queue(tmp_path))] == [0]

