"""The replay queue on disk: order and head across restarts, torn tails, segments, damage."""

from __future__ import annotations

import gzip
import shutil
import struct
from pathlib import Path

import pytest

from gateway.backends import replay_log
from gateway.backends.replay import QueuedEntry, QueuedStatement, QueuedWrite
from gateway.backends.replay_log import HEAD_FILE, SEGMENT_MAGIC, ReplayLog, ReplayLogError
from gateway.backends.replay_record import TABLE_CREATION, DirectoryInUse, encode_record
from gateway.errors import Category, GatewayError
from tests.backends.replay_support import NOW, drain, entry, number, open_queue


def segments(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.seg"))


async def test_entries_come_back_whole_and_in_order_after_a_restart(tmp_path: Path) -> None:
    written = [entry(i, enqueued_ns=int(NOW * 1e9) + i, database=f"db{i % 3}",
                     retention_policy=None if i % 2 else "rp", precision=("ns", "ms", "s")[i % 3],
                     gzip=bool(i % 4 == 0)) for i in range(40)]
    queue = open_queue(tmp_path)
    for item in written:
        await queue.append(item)
    await queue.close()

    reopened = open_queue(tmp_path)
    assert reopened.stats.depth == 40
    assert reopened.stats.bytes == sum(item.record_bytes for item in written)
    assert await drain(reopened) == written
    await reopened.close()


async def test_acknowledged_entries_stay_acknowledged_after_a_restart(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    for i in range(10):
        await queue.append(entry(i))
    for _ in range(4):
        queue.peek()
        await queue.ack()
    await queue.close()

    reopened = open_queue(tmp_path)
    assert reopened.stats.depth == 6
    assert [number(item) for item in await drain(reopened)] == list(range(4, 10))
    await reopened.close()
    assert open_queue(tmp_path).peek() is None


async def test_a_restart_without_close_keeps_everything_appended(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The directory lock of a killed process goes with it; here one process plays both.
    monkeypatch.setattr(replay_log, "lock_directory", lambda directory: -1)
    queue = open_queue(tmp_path)
    for i in range(5):
        await queue.append(entry(i))
    queue.peek()
    await queue.ack()
    # No close: the files are as a killed process leaves them.
    second = open_queue(tmp_path)
    assert [number(item) for item in await drain(second)] == [1, 2, 3, 4]
    await second.close()
    await queue.close()


TORN_TAILS = [
    pytest.param(lambda: encode_record(5, entry(5))[:-7], id="record cut in its body"),
    pytest.param(lambda: encode_record(5, entry(5))[:3], id="record cut in its frame"),
    pytest.param(lambda: encode_record(5, entry(5))[:-1] + b"X", id="record with a bad crc"),
    pytest.param(lambda: encode_record(6, entry(5)), id="record with the wrong number"),
    pytest.param(lambda: bytes(4096), id="zeros from an unsynced extension"),
    pytest.param(lambda: encode_record(5, entry(5))[:-4] + encode_record(6, entry(6)),
                 id="whole record after a torn one"),
]


@pytest.mark.parametrize("make_tail", TORN_TAILS)
async def test_a_torn_tail_is_cut_and_appending_goes_on(tmp_path: Path, make_tail) -> None:
    queue = open_queue(tmp_path)
    for i in range(5):
        await queue.append(entry(i))
    await queue.close()
    [segment] = segments(tmp_path)
    good_size = segment.stat().st_size
    with segment.open("ab") as file:
        file.write(make_tail())

    reopened = open_queue(tmp_path)
    assert segment.stat().st_size == good_size
    assert reopened.stats.depth == 5
    await reopened.append(entry(7))
    await reopened.close()
    assert [number(item) for item in await drain(open_queue(tmp_path))] == [0, 1, 2, 3, 4, 7]


async def test_a_segment_torn_while_being_created_is_started_again(tmp_path: Path) -> None:
    queue = open_queue(tmp_path, segment_bytes=1)  # every batch starts a new segment
    await queue.append(entry(0))
    await queue.close()
    torn = tmp_path / f"{1:020d}.seg"
    torn.write_bytes(SEGMENT_MAGIC[:3])

    reopened = open_queue(tmp_path, segment_bytes=1)
    assert torn.read_bytes() == SEGMENT_MAGIC
    await reopened.append(entry(1))
    assert [number(item) for item in await drain(reopened)] == [0, 1]
    await reopened.close()


def test_a_file_that_is_not_a_segment_is_refused(tmp_path: Path) -> None:
    (tmp_path / f"{0:020d}.seg").write_bytes(b"something else entirely")
    with pytest.raises(ReplayLogError, match="not a replay queue segment"):
        ReplayLog(tmp_path).open()


async def test_segments_roll_and_go_once_delivered(tmp_path: Path) -> None:
    size = entry(0).record_bytes
    queue = open_queue(tmp_path, segment_bytes=3 * size)
    for i in range(10):
        await queue.append(entry(i))
    # Three records fill a segment; the fourth append starts the next one.
    assert [path.name for path in segments(tmp_path)] == [
        f"{first:020d}.seg" for first in (0, 3, 6, 9)]
    for _ in range(7):
        queue.peek()
        await queue.ack()
    assert [path.name for path in segments(tmp_path)] == [f"{6:020d}.seg", f"{9:020d}.seg"]
    assert queue.stats.bytes == 3 * size
    await queue.close()

    reopened = open_queue(tmp_path, segment_bytes=3 * size)
    assert [number(item) for item in await drain(reopened)] == [7, 8, 9]
    assert [path.name for path in segments(tmp_path)] == [f"{9:020d}.seg"]
    await reopened.append(entry(10))
    assert [number(item) for item in await drain(reopened)] == [10]
    await reopened.close()


async def test_an_empty_queue_rolls_and_restarts_at_the_right_number(tmp_path: Path) -> None:
    size = entry(0).record_bytes
    queue = open_queue(tmp_path, segment_bytes=2 * size)
    for i in range(2):
        await queue.append(entry(i))
    await drain(queue)
    await queue.append(entry(2))  # the full segment is left behind for a new one
    assert [path.name for path in segments(tmp_path)] == [f"{2:020d}.seg"]
    await queue.close()
    assert [number(item) for item in await drain(open_queue(tmp_path))] == [2]


async def test_a_torn_head_slot_falls_back_to_the_previous_head(tmp_path: Path) -> None:
    queue = open_queue(tmp_path)
    for i in range(5):
        await queue.append(entry(i))
    queue.peek()
    await queue.ack()  # generation 1, slot 1
    queue.peek()
    await queue.ack()  # generation 2, slot 0
    await queue.close()
    head = tmp_path / HEAD_FILE
    raw = bytearray(head.read_bytes())
    assert struct.unpack_from("<Q", raw, 0)[0] == 2
    raw[9] ^= 0xFF  # tear the newer slot
    head.write_bytes(bytes(raw))

    # Entry 1 comes back (sent once more); nothing is skipped.
    assert [number(item) for item in await drain(open_queue(tmp_path))] == [1, 2, 3, 4]


async def test_without_a_head_everything_still_on_disk_is_replayed(tmp_path: Path) -> None:
    size = entry(0).record_bytes
    queue = open_queue(tmp_path, segment_bytes=2 * size)
    for i in range(6):
        await queue.append(entry(i))
    for _ in range(3):
        queue.peek()
        await queue.ack()
    await queue.close()
    (tmp_path / HEAD_FILE).unlink()
    # The segment of 0 and 1 is gone; 2 was delivered but its segment remains.
    assert [number(item) for item in await drain(open_queue(tmp_path))] == [2, 3, 4, 5]


async def test_a_damaged_sealed_segment_is_skipped_and_counted(tmp_path: Path) -> None:
    size = entry(0).record_bytes
    queue = open_queue(tmp_path, segment_bytes=3 * size)
    for i in range(7):
        await queue.append(entry(i))
    await queue.close()
    first = segments(tmp_path)[0]
    raw = bytearray(first.read_bytes())
    raw[len(SEGMENT_MAGIC) + size + 40] ^= 0xFF  # inside record 1
    first.write_bytes(bytes(raw))

    reopened = open_queue(tmp_path, segment_bytes=3 * size)
    assert number(reopened.peek()) == 0  # record 0 is intact
    # Records 1 and 2 share the damaged segment: lost, and counted as dropped.
    assert [number(item) for item in await drain(reopened)] == [0, 3, 4, 5, 6]
    assert reopened.stats.dropped == 2
    await reopened.close()


async def test_a_queue_directory_is_held_by_one_open_queue_at_a_time(tmp_path: Path) -> None:
    first = open_queue(tmp_path)
    await first.append(entry(0))
    # Another process (or this one) appending there would overwrite the first's records.
    with pytest.raises(GatewayError, match="in use by another gateway") as refused:
        open_queue(tmp_path)
    assert refused.value.category is Category.CONFLICT
    assert isinstance(refused.value.__cause__, DirectoryInUse)
    await first.append(entry(1))
    await first.close()
    second = open_queue(tmp_path)  # free again once closed
    assert [number(item) for item in await drain(second)] == [0, 1]
    await second.close()



# Left by the gateway before statements were queued (made by its ReplayQueue: four writes,
# the first acknowledged), so that an upgrade is known to replay what an older one queued.
BEFORE_STATEMENTS = Path(__file__).parent / "fixtures" / "queue_before_statements"
FIXTURE_NS = 1_700_000_000_000_000_000


async def test_a_queue_left_before_statements_were_queued_replays_after_an_upgrade(
        tmp_path: Path) -> None:
    directory = tmp_path / "b"
    shutil.copytree(BEFORE_STATEMENTS, directory)
    queue = open_queue(directory)
    assert (queue.stats.depth, queue.stats.head) == (3, "write")
    later = QueuedStatement("upgraded", None, 'DELETE FROM "old" WHERE "host" = \'h1\'',
                            int(NOW * 1e9))
    await queue.append(later)  # the upgraded gateway goes on appending to the old segment
    first, zipped, third, fourth = await drain(queue)
    assert first == QueuedWrite("upgraded", None, "s", b"old,host=h1 value=1i 1600000001",
                                False, FIXTURE_NS + 1)
    assert (zipped.database, zipped.retention_policy, zipped.precision, zipped.gzip,
            zipped.enqueued_ns) == ("upgraded", "autogen", "ms", True, FIXTURE_NS + 2)
    assert gzip.decompress(zipped.body) == (b"old,host=h2 value=2i 1600000002000\n"
                                            b"old,host=h3 value=3i 1600000003000")
    assert third == QueuedWrite("upgraded", None, "ns",
                                b"old,host=h4 value=4i 1600000004000000000", False,
                                FIXTURE_NS + 3)
    assert fourth == later
    await queue.close()


async def test_statements_and_writes_come_back_in_order_after_a_restart(tmp_path: Path) -> None:
    written: list[QueuedEntry] = []
    for i in range(12):
        if i == 5:  # a kind of its own: InfluxDB 3's table creation, not InfluxQL
            written.append(QueuedStatement(f"db{i}", None, '{"db": "db5", "table": "é"}',
                                           int(NOW * 1e9) + i, TABLE_CREATION))
        elif i % 3 == 2:
            written.append(QueuedStatement(f"db{i}", None if i % 2 else "rp",
                                           f"DROP SERIES FROM cpu WHERE host = 'é{i}'",
                                           int(NOW * 1e9) + i))
        else:
            written.append(entry(i, enqueued_ns=int(NOW * 1e9) + i))
    queue = open_queue(tmp_path)
    for item in written:
        await queue.append(item)
    assert queue.stats.statements_appended == 4
    await queue.close()
    reopened = open_queue(tmp_path)
    assert reopened.stats.bytes == sum(item.record_bytes for item in written)
    assert await drain(reopened) == written
    await reopened.close()
