"""The replay queue's bounds, group commit and stats (the replayer is in test_replayer.py)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import resource
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.backends.replay import QueuedStatement, QueueFull, ReplayQueue
from gateway.backends.replay_log import SEGMENT_MAGIC
from gateway.errors import Category, GatewayError
from tests.backends.replay_support import MAX_AGE, Clock, drain, entry, number, open_queue

SIZE = entry(0).record_bytes


def test_when_full_must_be_a_known_policy(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="reject, drop_oldest"):
        ReplayQueue(tmp_path, max_bytes=1, max_age_seconds=1, when_full="block")


# -- bounds -----------------------------------------------------------------------------------


async def test_reject_refuses_at_the_byte_bound_and_stores_nothing(tmp_path: Path) -> None:
    queue = open_queue(tmp_path, max_bytes=3 * SIZE)
    for i in range(3):
        await queue.append(entry(i))
    with pytest.raises(QueueFull) as caught:
        await queue.append(entry(3))
    error = caught.value
    assert isinstance(error, GatewayError)
    assert error.category is Category.UNAVAILABLE
    assert error.retry_after == queue.retry_after > 0
    assert "mirror-a" in error.message and "replay.max_bytes" in error.message
    assert queue.stats.depth == 3 and queue.stats.dropped == 0
    await queue.close()

    reopened = open_queue(tmp_path, max_bytes=3 * SIZE)
    assert [number(item) for item in await drain(reopened)] == [0, 1, 2]
    await reopened.append(entry(4))  # room again once delivered
    await reopened.close()


async def test_reject_counts_writes_still_being_stored(tmp_path: Path) -> None:
    queue = open_queue(tmp_path, max_bytes=3 * SIZE)
    results = await asyncio.gather(*(queue.append(entry(i)) for i in range(5)),
                                   return_exceptions=True)
    assert results[:3] == [None, None, None]
    assert all(isinstance(result, QueueFull) for result in results[3:])
    assert [number(item) for item in await drain(queue)] == [0, 1, 2]
    await queue.close()


@pytest.mark.parametrize("when_full", ["reject", "drop_oldest"])
async def test_a_write_larger_than_the_bound_is_refused(tmp_path: Path, when_full: str) -> None:
    queue = open_queue(tmp_path, max_bytes=SIZE - 1, when_full=when_full)
    with pytest.raises(QueueFull, match="larger than the bound"):
        await queue.append(entry(0))
    assert queue.stats.depth == 0 and not queue.backlogged
    await queue.close()


async def test_drop_oldest_makes_room_and_counts_what_it_dropped(tmp_path: Path) -> None:
    queue = open_queue(tmp_path, max_bytes=3 * SIZE, when_full="drop_oldest")
    for i in range(5):
        await queue.append(entry(i))
    stats = queue.stats
    assert (stats.depth, stats.bytes, stats.appended) == (3, 3 * SIZE, 5)
    assert (stats.dropped, stats.dropped_bytes) == (2, 2 * SIZE)
    await queue.close()
    # The drop moved the saved head too.
    reopened = open_queue(tmp_path, max_bytes=3 * SIZE, when_full="drop_oldest")
    assert [number(item) for item in await drain(reopened)] == [2, 3, 4]
    await reopened.close()


async def test_drop_oldest_within_one_batch_keeps_the_newest(tmp_path: Path) -> None:
    queue = open_queue(tmp_path, max_bytes=2 * SIZE, when_full="drop_oldest")
    await asyncio.gather(*(queue.append(entry(i)) for i in range(5)))
    assert queue.stats.dropped == 3
    assert [number(item) for item in await drain(queue)] == [3, 4]
    await queue.close()


async def test_reject_refuses_while_the_oldest_entry_is_over_age(tmp_path: Path) -> None:
    clock = Clock()
    queue = open_queue(tmp_path, clock=clock)
    await queue.append(entry(0, enqueued_ns=clock.ns()))
    clock.now += MAX_AGE + 1
    assert queue.stats.oldest_age_seconds == MAX_AGE + 1
    with pytest.raises(QueueFull, match="replay.max_age_seconds"):
        await queue.append(entry(1, enqueued_ns=clock.ns()))
    assert await queue.expire() == 0  # reject never drops
    assert queue.stats.depth == 1
    queue.peek()
    await queue.ack()
    await queue.append(entry(2, enqueued_ns=clock.ns()))
    assert queue.stats.oldest_age_seconds == 0.0
    await queue.close()


async def test_drop_oldest_drops_entries_over_age(tmp_path: Path) -> None:
    clock = Clock()
    queue = open_queue(tmp_path, clock=clock, when_full="drop_oldest")
    for i in range(3):
        await queue.append(entry(i, enqueued_ns=clock.ns()))
        clock.now += 10
    clock.now += MAX_AGE - 25  # entry 0 is MAX_AGE + 5 old, entry 1 MAX_AGE - 5
    assert await queue.expire() == 1
    assert number(queue.peek()) == 1
    clock.now += 10
    await queue.append(entry(3, enqueued_ns=clock.ns()))  # appending drops by age too
    assert queue.stats.dropped == 2
    assert [number(item) for item in await drain(queue)] == [2, 3]
    await queue.close()


def drop(n: int, *, enqueued_ns: int = int(1_700_000_000 * 1e9)) -> QueuedStatement:
    return QueuedStatement("db", None, f'DROP MEASUREMENT "m{n}"', enqueued_ns)


def kinds(items: list) -> list[str]:
    return [item.text if isinstance(item, QueuedStatement) else f"write {number(item)}"
            for item in items]


async def test_drop_oldest_drops_writes_never_statements(tmp_path: Path) -> None:
    statement = drop(0)
    queue = open_queue(tmp_path, max_bytes=2 * SIZE + statement.record_bytes,
                       when_full="drop_oldest")
    await queue.append(entry(0))
    await queue.append(statement)
    await queue.append(entry(1))
    await queue.append(entry(2))  # over the bound: write 0 goes, the DROP now waits first
    assert (queue.stats.dropped, queue.stats.head, queue.stats.refused) == (1, "statement", 0)
    # Nothing ahead of the DROP may go (the writes behind it must not overtake it): refused
    # as under "reject", before anything is stored.
    with pytest.raises(QueueFull, match="replay.max_bytes"):
        queue.check_room(entry(3))
    with pytest.raises(QueueFull, match="replay.max_bytes"):
        await queue.append(entry(3))
    assert (queue.stats.dropped, queue.stats.refused, queue.stats.depth) == (1, 2, 3)
    await queue.close()
    reopened = open_queue(tmp_path, max_bytes=2 * SIZE + statement.record_bytes,
                          when_full="drop_oldest")
    assert kinds(await drain(reopened)) == ['DROP MEASUREMENT "m0"', "write 1", "write 2"]
    await reopened.close()


async def test_drop_oldest_keeps_statements_over_age(tmp_path: Path) -> None:
    clock = Clock()
    queue = open_queue(tmp_path, clock=clock, when_full="drop_oldest")
    await queue.append(entry(0, enqueued_ns=clock.ns()))
    await queue.append(drop(0, enqueued_ns=clock.ns()))
    await queue.append(entry(1, enqueued_ns=clock.ns()))
    clock.now += MAX_AGE + 1
    assert await queue.expire() == 1  # the write before the DROP, not the DROP
    assert queue.stats.head == "statement"
    with pytest.raises(QueueFull, match="replay.max_age_seconds"):
        await queue.append(entry(2, enqueued_ns=clock.ns()))
    assert await queue.expire() == 0
    queue.peek()
    await queue.ack()  # the mirror took the DROP: the old write behind it may go now
    assert await queue.expire() == 1
    await queue.append(entry(3, enqueued_ns=clock.ns()))
    assert kinds(await drain(queue)) == ["write 3"]
    assert (queue.stats.dropped, queue.stats.refused) == (2, 1)
    await queue.close()


# -- group commit -----------------------------------------------------------------------------


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread of every os.fsync made, in order."""
    calls: list[str] = []
    real = os.fsync

    def counted(fd: int) -> None:
        calls.append(threading.current_thread().name)
        real(fd)

    monkeypatch.setattr(os, "fsync", counted)
    return calls


async def test_each_lone_append_is_synced_before_it_returns(tmp_path: Path,
                                                             fsyncs: list[str]) -> None:
    queue = open_queue(tmp_path)
    fsyncs.clear()
    for i in range(5):
        await queue.append(entry(i))
        assert len(fsyncs) == i + 1
    # The blocking work is off the event loop, on the queue's own thread.
    assert all(name.startswith("replay-mirror-a") for name in fsyncs)
    await queue.close()


async def test_each_ack_is_synced_before_it_returns(tmp_path: Path, fsyncs: list[str]) -> None:
    queue = open_queue(tmp_path)
    for i in range(3):
        await queue.append(entry(i))
    fsyncs.clear()
    for i in range(3):
        queue.peek()
        await queue.ack()
        assert len(fsyncs) == i + 1
    await queue.close()


async def test_an_ack_whose_caller_is_cancelled_still_takes_effect(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    await queue.append(entry(0))
    await queue.append(entry(1))
    queue.peek()
    acking = asyncio.ensure_future(queue.ack())
    await asyncio.sleep(0)  # handed to the queue's thread
    acking.cancel()
    async with asyncio.timeout(10):
        while queue.stats.depth != 1:
            await asyncio.sleep(0.005)
    assert acking.cancelled()
    assert queue.stats.replayed == 1
    assert number(queue.peek()) == 1
    await queue.close()


async def test_concurrent_appends_share_fsyncs_and_keep_call_order(tmp_path: Path,
                                                                   fsyncs: list[str]) -> None:
    queue = open_queue(tmp_path)
    fsyncs.clear()
    await asyncio.gather(*(queue.append(entry(i)) for i in range(100)))
    assert 1 <= len(fsyncs) <= 5
    assert queue.stats.appended == 100
    assert [number(item) for item in await drain(queue)] == list(range(100))
    await queue.close()


async def test_a_failed_sync_fails_the_batch_and_stops_appending(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    queue = open_queue(tmp_path)
    await queue.append(entry(0))

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(GatewayError, match="could not store") as caught:
        await queue.append(entry(1))
    assert caught.value.category is Category.UNAVAILABLE
    assert str(tmp_path) not in caught.value.message  # no server detail for the client
    assert "Input/output error" in (queue.stats.last_error or "")
    monkeypatch.undo()
    # Once a sync failed, the page cache cannot be trusted: no more appends until reopened.
    with pytest.raises(GatewayError, match="could not store"):
        await queue.append(entry(2))
    await queue.close()
    reopened = open_queue(tmp_path)
    assert [number(item) for item in await drain(reopened)] == [0]
    await reopened.close()


@contextlib.contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """A real "disk full" for this process: a write past `limit` bytes of any file fails
    with EFBIG (Python ignores SIGXFSZ), as one past the end of a full disk does with ENOSPC."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@pytest.mark.parametrize(("segment_bytes", "limit"), [
    # The batch fails part-way through its write into the segment.
    pytest.param(1 << 20, 64 * SIZE + 1024, id="write"),
    # The segment is full, and the next one cannot even take its magic bytes.
    pytest.param(64 * SIZE, 4, id="roll"),
])
async def test_appending_goes_on_once_a_full_disk_has_room_again(
        tmp_path: Path, segment_bytes: int, limit: int) -> None:
    queue = open_queue(tmp_path, segment_bytes=segment_bytes)
    await asyncio.gather(*(queue.append(entry(n)) for n in range(64)))
    with file_size_limit(limit):
        for _ in range(2):  # refused while the disk is full, however often it is tried
            with pytest.raises(GatewayError, match="could not store"):
                await queue.append(dataclasses.replace(entry(64), body=b"#" * 4096))
    assert "File too large" in (queue.stats.last_error or "")
    await queue.append(entry(64))  # room again: no restart needed
    await queue.close()
    reopened = open_queue(tmp_path, segment_bytes=segment_bytes)
    assert [number(item) for item in await drain(reopened)] == list(range(65))
    await reopened.close()


async def test_a_write_a_full_disk_refuses_drops_nothing_to_make_room(tmp_path: Path) -> None:
    queue = open_queue(tmp_path, max_bytes=4 * SIZE, when_full="drop_oldest")
    for n in range(4):
        await queue.append(entry(n))
    # The queue is at its bound (0 would make room) and the segment cannot grow by a record.
    with file_size_limit(len(SEGMENT_MAGIC) + 4 * SIZE + SIZE // 2):
        with pytest.raises(GatewayError, match="could not store"):
            await queue.append(entry(4))
    assert queue.stats.dropped == 0 and queue.stats.depth == 4
    await queue.append(entry(4))  # room again: now 0 goes, counted
    assert queue.stats.dropped == 1
    assert [number(item) for item in await drain(queue)] == [1, 2, 3, 4]
    await queue.close()


def immutable(path: Path, on: bool) -> bool:
    """Set or clear the file's immutable attribute (root on ext4 and the like); False where
    that cannot be done."""
    if shutil.which("chattr") is None:
        return False
    done = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True)
    return done.returncode == 0


async def test_appending_goes_on_once_a_refusing_file_takes_writes_again(tmp_path: Path
                                                                          ) -> None:
    queue = open_queue(tmp_path)
    await queue.append(entry(0))
    segment = next(tmp_path.glob("*.seg"))
    if not immutable(segment, True):
        pytest.skip("cannot make a file immutable here (needs chattr and root)")
    try:
        # Neither the write nor cutting it off is allowed: the queue refuses until both are.
        for _ in range(2):
            with pytest.raises(GatewayError, match="could not store"):
                await queue.append(entry(1))
        assert "not permitted" in (queue.stats.last_error or "")
    finally:
        immutable(segment, False)
    await queue.append(entry(1))
    await queue.close()
    reopened = open_queue(tmp_path)
    assert [number(item) for item in await drain(reopened)] == [0, 1]
    await reopened.close()


async def test_close_finishes_the_appends_under_way_then_refuses(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    appends = [asyncio.ensure_future(queue.append(entry(i))) for i in range(10)]
    await asyncio.sleep(0)  # all ten are waiting for their batch
    await queue.close()
    assert all(task.done() and task.exception() is None for task in appends)
    with pytest.raises(GatewayError, match="not open") as caught:
        await queue.append(entry(10))
    assert caught.value.category is Category.UNAVAILABLE
    assert [number(item) for item in await drain(open_queue(tmp_path))] == list(range(10))


# -- reading ----------------------------------------------------------------------------------


async def test_ack_after_a_drop_leaves_the_new_head_alone(tmp_path: Path) -> None:
    queue = open_queue(tmp_path, max_bytes=2 * SIZE, when_full="drop_oldest")
    await queue.append(entry(0))
    await queue.append(entry(1))
    assert number(queue.peek()) == 0  # being delivered...
    await queue.append(entry(2))  # ...when the bound drops it
    await queue.ack()
    assert number(queue.peek()) == 1
    assert (queue.stats.replayed, queue.stats.dropped) == (0, 1)
    await queue.close()


async def test_stats_and_backlog_follow_the_queue(tmp_path: Path) -> None:
    clock = Clock()
    queue = open_queue(tmp_path, clock=clock)
    assert not queue.backlogged
    storing = asyncio.ensure_future(queue.append(entry(0, enqueued_ns=clock.ns())))
    await asyncio.sleep(0)
    assert queue.backlogged and queue.stats.depth == 0  # being stored counts as a backlog
    await storing
    await queue.append(entry(1, enqueued_ns=clock.ns()))
    clock.now += 7
    queue.record_failure("mirror down")
    queue.peek()
    await queue.ack()
    queue.peek()
    await queue.drop_head("400 bad")
    stats = queue.stats
    assert (stats.mirror, stats.depth, stats.bytes, stats.oldest_age_seconds) == (
        "mirror-a", 0, 0, 0.0)
    assert (stats.appended, stats.replayed, stats.rejected, stats.dropped) == (2, 1, 1, 0)
    assert (stats.failures, stats.last_error) == (1, "mirror down")
    assert not queue.backlogged
    await queue.close()
