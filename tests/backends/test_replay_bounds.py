"""The replay queue's byte bound under drop_oldest with statements queued: a true bound.

Statements are never dropped, nor the writes behind the first of them (they must not
overtake it), so only the writes ahead of the first statement can make room; a write they
cannot make room for is refused as under "reject", whether the statement is stored, still
being stored, or found again on disk after a restart.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from gateway.backends.replay import QueuedStatement, QueuedWrite, QueueFull, ReplayQueue
from tests.backends.replay_support import NOW, drain, entry, open_queue

SIZE = entry(0).record_bytes


def write(number: int, padding: int = 0) -> QueuedWrite:
    """Write `number`, `padding` bytes larger on disk than `entry(number)`."""
    plain = entry(number)
    return QueuedWrite(plain.database, None, "ns", plain.body + b"#" * padding, False,
                       plain.enqueued_ns)


def statement(number: int) -> QueuedStatement:
    return QueuedStatement("db", None, f'DROP MEASUREMENT "m{number}"', int(NOW * 1e9))


def named(items: list) -> list[str]:
    return [item.text if isinstance(item, QueuedStatement)
            else item.body.split(b" ")[0].decode() for item in items]


async def queued_with_a_statement_second(tmp_path: Path) -> ReplayQueue:
    """A drop_oldest queue at its bound: write h0, a statement, write h1."""
    queue = open_queue(tmp_path, max_bytes=2 * SIZE + statement(0).record_bytes,
                       when_full="drop_oldest")
    for item in (write(0), statement(0), write(1)):
        await queue.append(item)
    return queue


async def test_a_write_the_writes_ahead_of_a_statement_cannot_make_room_for_is_refused(
        tmp_path: Path) -> None:
    queue = await queued_with_a_statement_second(tmp_path)
    full = queue.stats.bytes
    # Dropping write 0 frees SIZE bytes, and this write needs more: refused, nothing
    # dropped (before, write 0 was dropped and the queue left over its bound)
    with pytest.raises(QueueFull, match=r"replay\.max_bytes"):
        queue.check_room(write(2, padding=SIZE // 2))
    with pytest.raises(QueueFull, match=r"replay\.max_bytes"):
        await queue.append(write(2, padding=SIZE // 2))
    stats = queue.stats
    assert (stats.bytes, stats.depth, stats.dropped, stats.refused) == (full, 3, 0, 2)
    await queue.append(write(3))  # as large as write 0: write 0 makes room
    stats = queue.stats
    assert (stats.bytes, stats.depth, stats.dropped, stats.refused) == (full, 3, 1, 2)
    assert stats.bytes <= queue.max_bytes
    assert named(await drain(queue)) == ['DROP MEASUREMENT "m0"', "cpu,host=h000001",
                                         "cpu,host=h000003"]
    await queue.close()


async def test_the_bound_counts_a_statement_still_being_stored(tmp_path: Path) -> None:
    # the four appends are made together: the statement is not on disk yet when the last
    # one is admitted, and only write 0 (ahead of it) can make room
    queue = open_queue(tmp_path, max_bytes=2 * SIZE + statement(0).record_bytes,
                       when_full="drop_oldest")
    results = await asyncio.gather(
        *(queue.append(item) for item in (write(0), statement(0), write(1),
                                          write(2, padding=SIZE // 2))),
        return_exceptions=True)
    assert results[:3] == [None, None, None]
    assert isinstance(results[3], QueueFull)
    stats = queue.stats
    assert (stats.depth, stats.dropped, stats.refused) == (3, 0, 1)
    assert stats.bytes <= queue.max_bytes
    await queue.close()


async def test_statements_found_again_after_a_restart_bound_the_queue(tmp_path: Path) -> None:
    queue = await queued_with_a_statement_second(tmp_path)
    await queue.close()
    reopened = open_queue(tmp_path, max_bytes=2 * SIZE + statement(0).record_bytes,
                          when_full="drop_oldest")
    with pytest.raises(QueueFull, match=r"replay\.max_bytes"):
        await reopened.append(write(2, padding=SIZE // 2))
    assert (reopened.stats.depth, reopened.stats.dropped) == (3, 0)
    await reopened.close()


@pytest.mark.parametrize("seed", range(6))
async def test_drop_oldest_never_passes_its_bound_nor_drops_a_statement(
        tmp_path: Path, seed: int) -> None:
    # writes of many sizes, statements, deliveries and restarts in a random order, over
    # small segments: after every step the queue holds at most max_bytes, every statement
    # appended and not delivered is still queued, and what was refused was not stored
    rng = random.Random(seed)
    bound = 6 * SIZE

    def reopen() -> ReplayQueue:
        return open_queue(tmp_path, max_bytes=bound, when_full="drop_oldest",
                          segment_bytes=3 * SIZE)

    queue = reopen()
    waiting: list[str] = []  # statements appended, not yet delivered
    refused = 0  # since the queue was last opened: its counter's count
    for step in range(120):
        roll = rng.random()
        if roll < 0.1:
            await queue.close()
            queue, refused = reopen(), 0
        elif roll < 0.3 and queue.peek() is not None:
            head = queue.peek()
            await queue.ack()
            if isinstance(head, QueuedStatement):
                assert waiting.pop(0) == head.text
        else:
            item: QueuedWrite | QueuedStatement = (
                statement(step) if roll < 0.4 else write(step, rng.randrange(0, 2 * SIZE)))
            before = queue.stats.appended
            try:
                await queue.append(item)
            except QueueFull:
                refused += 1
                assert queue.stats.appended == before
            else:
                if isinstance(item, QueuedStatement):
                    waiting.append(item.text)
        assert queue.stats.bytes <= bound
        assert queue.stats.refused == refused
    found = [item.text for item in await drain(queue) if isinstance(item, QueuedStatement)]
    assert found == waiting
    await queue.close()
