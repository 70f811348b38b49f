"""Opening a replay log of many records: the statements' positions a drop_oldest queue needs
are found again (and a torn tail cut) reading many records per read, not one or two reads a
record. Positions are checked against the sizes of the records appended, before and after a
restart, after the head moved, and after a crash left half a record at the end."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gateway.backends import replay_record
from gateway.backends.replay_log import ReplayLog
from gateway.backends.replay_record import QueuedStatement, QueuedWrite, encode_record
from tests.backends.replay_support import NOW, entry

SEGMENT = 256 * 1024


def entries(count: int, seed: int) -> list[QueuedWrite | QueuedStatement]:
    """Writes of several sizes, about one in fifty a statement."""
    rng = random.Random(seed)
    out: list[QueuedWrite | QueuedStatement] = []
    for number in range(count):
        if rng.random() < 0.02:
            out.append(QueuedStatement("db", None, f'DROP MEASUREMENT "m{number}"',
                                       int(NOW * 1e9)))
        else:
            plain = entry(number)
            out.append(QueuedWrite("db", None, "ns", plain.body + b"#" * rng.randrange(300),
                                   False, plain.enqueued_ns))
    return out


def expected(items: list[QueuedWrite | QueuedStatement], head: int) -> list[tuple[int, int]]:
    """(seq, record bytes from the head to it) of each statement at or past record `head`."""
    out, position = [], 0
    for seq, item in enumerate(items[head:], head):
        if isinstance(item, QueuedStatement):
            out.append((seq, position))
        position += item.record_bytes
    return out


def found(log: ReplayLog) -> list[tuple[int, int]]:
    """The statements the log keeps, positions counted from its head."""
    state = log.state()
    at_head = log._end - state.bytes
    return [(seq, position - at_head) for seq, position in log._statements]


def opened(directory: Path) -> ReplayLog:
    log = ReplayLog(directory, segment_bytes=SEGMENT, statements=True)
    log.open()
    return log


class CountedReads:
    """replay_record.pread, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self._pread = replay_record.pread

    def __call__(self, fd: int, count: int, offset: int) -> bytes:
        self.calls += 1
        return self._pread(fd, count, offset)


@pytest.mark.parametrize("block", [pytest.param(None, id="1 MiB reads"),
                                   pytest.param(97, id="97-byte reads")])
def test_statements_are_found_again_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            block: int | None) -> None:
    if block is not None:  # records and headers cut by every read's end
        monkeypatch.setattr(replay_record, "_WALK_BLOCK", block)
    items = entries(12_000, seed=block or 1)
    log = opened(tmp_path)
    for start in range(0, len(items), 250):
        log.append(items[start:start + 250])
    assert found(log) == expected(items, 0)
    log.close()
    assert len(list(tmp_path.glob("*.seg"))) > 5  # the walk crosses segments

    reopened = opened(tmp_path)
    assert found(reopened) == expected(items, 0)
    first = expected(items, 0)[0][0]
    assert reopened.state().droppable == sum(i.record_bytes for i in items[:first])
    reopened.advance(before=5_000)  # delivered: the head moves into a later segment
    reopened.close()

    again = opened(tmp_path)
    assert again.state().head_seq == 5_000
    assert found(again) == expected(items, 5_000)
    again.close()


def test_a_crash_mid_append_leaves_the_statements_before_it(tmp_path: Path) -> None:
    items = entries(3_000, seed=3)
    log = opened(tmp_path)
    log.append(items)
    log.close()
    # a statement torn in its body, as a crash mid-append leaves it
    torn = QueuedStatement("db", None, 'DROP MEASUREMENT "torn"', int(NOW * 1e9))
    tail = max(tmp_path.glob("*.seg"))
    with tail.open("ab") as file:
        file.write(encode_record(len(items), torn)[:-5])

    reopened = opened(tmp_path)
    assert reopened.state().next_seq == len(items)  # the torn record was cut
    assert found(reopened) == expected(items, 0)
    last = QueuedStatement("db", None, 'DROP MEASUREMENT "after"', int(NOW * 1e9))
    reopened.append([last])
    reopened.close()
    again = opened(tmp_path)
    assert found(again) == expected([*items, last], 0)
    again.close()


def test_opening_reads_many_records_at_a_time(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    items = entries(12_000, seed=4)
    log = opened(tmp_path)
    log.append(items)  # one segment (rolled only between appends), checked whole on open
    log.close()
    reads = CountedReads()
    monkeypatch.setattr(replay_record, "pread", reads)
    reopened = opened(tmp_path)
    assert found(reopened) == expected(items, 0)
    reopened.close()
    # a read or two per record before (36,000 here); a few per MiB of records now
    assert reads.calls < 50
