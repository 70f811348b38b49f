"""Sealed segments' side files: opening a queue reads the last segment and, of each sealed one,
its side file and one record header, not its records; and finds the same statements as a
walk of every record would, whether the side files are there, missing, torn, another
segment's, or left stale by segments that changed under them."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from gateway.backends import replay_record
from gateway.backends.replay_log import SEGMENT_MAGIC, ReplayLog
from gateway.backends.replay_record import QueuedStatement, QueuedWrite, encode_record
from tests.backends.replay_support import NOW, entry
from tests.backends.test_replay_open import SEGMENT, entries, expected, found, opened

HEADER = 27  # a record's frame and fixed fields: what checking a side file reads of it


class ReadsByFile:
    """replay_record.pread, counting the bytes it reads from each file."""

    def __init__(self) -> None:
        self.bytes: Counter[str] = Counter()
        self._pread = replay_record.pread

    def __call__(self, fd: int, count: int, offset: int) -> bytes:
        data = self._pread(fd, count, offset)
        self.bytes[os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))] += len(data)
        return data


def filled(directory: Path, items: list, *, statements: bool = True) -> None:
    log = ReplayLog(directory, segment_bytes=SEGMENT, statements=statements)
    log.open()
    for start in range(0, len(items), 250):
        log.append(items[start:start + 250])
    log.close()


def reopened_counting(directory: Path, monkeypatch: pytest.MonkeyPatch
                      ) -> tuple[ReplayLog, ReadsByFile]:
    reads = ReadsByFile()
    with monkeypatch.context() as patch:
        patch.setattr(replay_record, "pread", reads)
        log = opened(directory)
    return log, reads


def assert_read_only_the_last_segment(directory: Path, reads: ReadsByFile) -> None:
    segments = sorted(path.name for path in directory.glob("*.seg"))
    *sealed, tail = segments
    assert len(sealed) >= 3
    # of each sealed segment its last record's header (checking its side file), and of the
    # head's segment the head record; the last segment once, whole (its CRCs checked)
    assert sum(reads.bytes[name] for name in sealed) <= HEADER * len(sealed) + 2_000
    records = (directory / tail).stat().st_size - len(SEGMENT_MAGIC)
    assert records <= reads.bytes[tail] <= records + 2_000


@pytest.mark.parametrize("statements", [pytest.param(True, id="written by drop_oldest"),
                                        pytest.param(False, id="written by reject")])
def test_opening_reads_only_the_last_segment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             statements: bool) -> None:
    items = entries(12_000, seed=5)
    filled(tmp_path, items, statements=statements)
    assert sorted(p.stem for p in tmp_path.glob("*.idx")) == sorted(
        p.stem for p in tmp_path.glob("*.seg"))[:-1]

    log, reads = reopened_counting(tmp_path, monkeypatch)
    assert found(log) == expected(items, 0)
    assert_read_only_the_last_segment(tmp_path, reads)
    log.advance(before=7_000)  # the head moves into a later segment, mid-segment
    log.close()

    again, reads = reopened_counting(tmp_path, monkeypatch)
    assert again.state().head_seq == 7_000
    assert found(again) == expected(items, 7_000)
    assert_read_only_the_last_segment(tmp_path, reads)
    again.close()


def test_a_torn_tail_behind_sealed_segments(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    items = entries(12_000, seed=6)
    filled(tmp_path, items)
    torn = QueuedStatement("db", None, 'DROP MEASUREMENT "torn"', int(NOW * 1e9))
    with max(tmp_path.glob("*.seg")).open("ab") as file:  # a crash mid-append
        file.write(encode_record(len(items), torn)[:-3])

    log, reads = reopened_counting(tmp_path, monkeypatch)
    assert log.state().next_seq == len(items)
    assert found(log) == expected(items, 0)
    assert_read_only_the_last_segment(tmp_path, reads)
    last = QueuedStatement("db", None, 'DROP MEASUREMENT "after"', int(NOW * 1e9))
    log.append([last])
    log.close()
    again = opened(tmp_path)
    assert found(again) == expected([*items, last], 0)
    again.close()


def damage(kind: str, side_file: Path) -> None:
    raw = side_file.read_bytes()
    if kind == "missing":
        side_file.unlink()
    elif kind == "torn":
        side_file.write_bytes(raw[:len(raw) // 2])
    elif kind == "flipped byte":
        side_file.write_bytes(raw[:-5] + bytes([raw[-5] ^ 1]) + raw[-4:])
    elif kind == "empty":
        side_file.write_bytes(b"")
    else:  # another segment's, whole and checksummed
        shutil.copy(min(side_file.parent.glob("*.idx")), side_file)


@pytest.mark.parametrize("kind", ["missing", "torn", "flipped byte", "empty",
                                  "another segment's"])
def test_a_bad_side_file_is_rebuilt_by_walking_its_segment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    items = entries(12_000, seed=7)
    filled(tmp_path, items)
    side_files = sorted(tmp_path.glob("*.idx"))
    good = {path.name: path.read_bytes() for path in side_files}
    for path in side_files[1::2]:
        damage(kind, path)

    log, reads = reopened_counting(tmp_path, monkeypatch)
    assert found(log) == expected(items, 0)
    # the segments whose side file was bad were walked (their headers), and only those
    walked = [path.with_suffix(".seg").name for path in side_files[1::2]]
    assert all(reads.bytes[name] > 1_000 for name in walked)
    log.close()
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*.idx")} == good

    again, reads = reopened_counting(tmp_path, monkeypatch)
    assert found(again) == expected(items, 0)
    assert_read_only_the_last_segment(tmp_path, reads)
    again.close()


def same_sizes(count: int, *, statement_every: int, enqueued_ns: int) -> list:
    """Writes and statements all of one size on disk, a statement every `statement_every`."""
    out: list[QueuedWrite | QueuedStatement] = []
    for number in range(count):
        write = entry(number, enqueued_ns=enqueued_ns)
        if number % statement_every == statement_every - 1:
            # its metadata is 2 bytes shorter than a write's ("" against "ns")
            text = f'DROP MEASUREMENT "m{number:0{len(write.body) - 18}d}"'
            out.append(QueuedStatement("db", None, text, enqueued_ns))
            assert out[-1].record_bytes == write.record_bytes
        else:
            out.append(write)
    return out


def test_a_side_file_is_not_trusted_once_its_segment_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Segments of the same sizes and counts, statements elsewhere: the side files of the
    # first queue do not describe the second one's segments put in their place
    first, second = tmp_path / "first", tmp_path / "second"
    filled(first, same_sizes(15_000, statement_every=7, enqueued_ns=int(NOW * 1e9)))
    items = same_sizes(15_000, statement_every=11, enqueued_ns=int(NOW * 1e9) + 1)
    filled(second, items)
    segments = sorted(path.name for path in first.glob("*.seg"))
    assert segments == sorted(path.name for path in second.glob("*.seg"))
    assert len(segments) > 2
    for name in segments:
        shutil.copy(second / name, first / name)

    log = opened(first)
    assert found(log) == expected(items, 0)
    log.close()
    assert {p.name: p.read_bytes() for p in first.glob("*.idx")} == {
        p.name: p.read_bytes() for p in second.glob("*.idx")}


def test_side_files_of_no_sealed_segment_are_removed(tmp_path: Path) -> None:
    items = entries(3_000, seed=8)
    filled(tmp_path, items)
    side_files = sorted(tmp_path.glob("*.idx"))
    tail = max(tmp_path.glob("*.seg"))
    # a roll that failed once the tail's was written; a crash between a segment's unlink and
    # its side file's; a crash mid-write of a temporary one
    shutil.copy(side_files[0], tail.with_suffix(".idx"))
    shutil.copy(side_files[0], tmp_path / f"{10**12:020d}.idx")
    shutil.copy(side_files[0], tmp_path / f"{side_files[1].name}.tmp")

    log = opened(tmp_path)
    assert found(log) == expected(items, 0)
    assert sorted(tmp_path.glob("*.idx*")) == side_files
    log.advance(before=2_000)  # delivered: the segments before the head go, side files too
    log.close()
    remaining = sorted(p.stem for p in tmp_path.glob("*.seg"))
    assert sorted(p.stem for p in tmp_path.glob("*.idx*")) == remaining[:-1]
    assert len(remaining) < len(side_files) + 1
