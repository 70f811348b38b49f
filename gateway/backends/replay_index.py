"""The side file of a sealed replay segment: what opening a queue needs from the segment (how
many records it holds, where its statements start), so that opening reads only the last
segment, however many sealed ones lie before it.

    00000000000000000412.idx   beside 00000000000000000412.seg, once that segment is sealed

A side file, little-endian:

    magic | crc32 u32 | size u64 | count u64 | last u64 | last_crc u32 | n u32 | statements

where each of the n statements is (seq u64, offset u64).

`size` is the segment's size, `count` its records, `last` where its last record starts and
`last_crc` the CRC that record's frame holds; then where each of its `n` statements starts.
The CRC covers everything after it.

It is a cache, not a record of its own: written when the segment is sealed (the log rolls to
a new one), without a sync, and trusted on open only if it is whole and still describes its
segment: the same size, a count that ends where the next segment starts, and the last record
found where it says with the CRC it says. A side file missing, torn or stale is rebuilt by
walking the segment's record headers (replay_log does that and writes it again).

Blocking, like the ReplayLog that uses it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gateway.backends.replay_record import (
    SEGMENT_START,
    DamagedRecord,
    pwrite_all,
    record_crc,
    walk_records,
)

__all__ = ["SegmentIndex", "index_path", "load_index", "remove_index", "remove_strays",
           "sealed_statements", "write_index"]

log = logging.getLogger(__name__)

INDEX_SUFFIX = ".idx"

_MAGIC = b"IGWRIX01"
_CRC = struct.Struct("<I")
_FIXED = struct.Struct("<QQQII")  # size, count, last, last_crc, statements
_STATEMENT = struct.Struct("<QQ")  # seq, offset


@dataclass(frozen=True, slots=True)
class SegmentIndex:
    """A sealed segment's records: how many, where the last starts (-1: none), and where
    each statement starts, as (seq, offset in the segment)."""

    count: int
    last: int
    statements: list[tuple[int, int]]


def index_path(directory: Path, first: int) -> Path:
    """The side file of the segment whose first record is `first`."""
    return directory / f"{first:020d}{INDEX_SUFFIX}"


def sealed_statements(directory: Path, fd: int, first: int, size: int,
                      following: int | None) -> list[tuple[int, int]]:
    """Where the statements of a sealed segment start, as (seq, offset): from its side file;
    when that is missing or stale, by walking the segment's record headers in blocks, then
    writing the side file again (unless the segment is damaged: its rest is passed over, as
    the head will pass it). The segment is open as `fd`, holds records `first` up to
    `following` (the next segment's first) in `size` bytes."""
    assert following is not None, "the last segment is not sealed"
    path = index_path(directory, first)
    index = load_index(path, fd, first, size, following)
    if index is not None:
        return index.statements
    walk = walk_records(fd, SEGMENT_START, size, first, whole=False)
    if walk.offset == size and walk.seq == following:
        write_index(path, fd, first, size,
                    SegmentIndex(walk.seq - first, walk.last, walk.statements))
    return walk.statements


def remove_strays(directory: Path, sealed: Iterable[int]) -> None:
    """Remove the side files in `directory` of no sealed segment: left by a crash between a
    segment's unlink and its side file's, or by a roll that failed once it was written (the
    segment is still the last), and temporary ones a crash left."""
    keep = {index_path(directory, first).name for first in sealed}
    for path in directory.iterdir():
        if path.name.endswith(INDEX_SUFFIX + ".tmp") or (
                path.name.endswith(INDEX_SUFFIX) and path.name not in keep):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def write_index(path: Path, fd: int, first: int, size: int, index: SegmentIndex) -> None:
    """Write the side file at `path` of the segment open as `fd` (its first record `first`,
    `size` bytes). A failure is logged, not raised: the file is only a cache."""
    try:
        last_crc = 0 if index.last < 0 else record_crc(fd, index.last, size,
                                                       first + index.count - 1)[0]
        body = b"".join([_FIXED.pack(size, index.count, max(index.last, 0), last_crc,
                                     len(index.statements)),
                         *(_STATEMENT.pack(seq, offset) for seq, offset in index.statements)])
        temporary = path.with_name(path.name + ".tmp")
        out = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            pwrite_all(out, _MAGIC + _CRC.pack(zlib.crc32(body)) + body, 0)
        finally:
            os.close(out)
        os.replace(temporary, path)  # never a half-written file under the side file's name
    except (OSError, DamagedRecord) as exc:
        log.warning("replay queue: could not write %s (opening will walk its segment): %s",
                    path, exc)


def load_index(path: Path, fd: int, first: int, size: int, following: int) -> SegmentIndex | None:
    """The side file at `path` of the segment open as `fd` (records `first` up to
    `following`, `size` bytes), or None when it is missing, torn or does not describe the
    segment as it is."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("replay queue: could not read %s: %s", path, exc)
        return None
    start = len(_MAGIC) + _CRC.size
    if len(raw) < start + _FIXED.size or not raw.startswith(_MAGIC):
        return _stale(path, "not a side file")
    if zlib.crc32(memoryview(raw)[start:]) != _CRC.unpack_from(raw, len(_MAGIC))[0]:
        return _stale(path, "checksum mismatch")
    saved_size, count, last, last_crc, number = _FIXED.unpack_from(raw, start)
    if len(raw) != start + _FIXED.size + number * _STATEMENT.size:
        return _stale(path, "wrong length")
    if saved_size != size or count != following - first:
        return _stale(path, f"describes {count} records in {saved_size} bytes, the segment "
                      f"holds {following - first} in {size}")
    if count:
        try:
            crc, length = record_crc(fd, last, size, following - 1)
        except DamagedRecord as exc:
            return _stale(path, f"its last record: {exc}")
        if crc != last_crc or last + length != size:
            return _stale(path, "its last record differs")
    flat = struct.unpack_from(f"<{2 * number}Q", raw, start + _FIXED.size)
    return SegmentIndex(count, last if count else -1, list(zip(flat[::2], flat[1::2],
                                                                strict=True)))


def remove_index(path: Path) -> None:
    """Remove a side file (and a temporary one a crash left), if there."""
    for stale in (path, path.with_name(path.name + ".tmp")):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def _stale(path: Path, why: str) -> None:
    log.warning("replay queue: %s does not describe its segment (%s); walking the segment",
                path, why)
    return None
