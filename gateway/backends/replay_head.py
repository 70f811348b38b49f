"""The replay log's head file: the acknowledged position, in two checksummed 64-byte slots
written alternately, so that a crash at any instant leaves the last synced head readable.

A slot is (generation, head seq, segment, offset) u64 each and their CRC32; the valid slot
with the larger generation wins, so a torn slot write leaves the previous head in force.

Blocking and not thread-safe, like the ReplayLog that owns it.
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from gateway.backends.replay_record import fsync_dir, pread, pwrite_all

__all__ = ["HEAD_FILE", "Head", "HeadFile"]

HEAD_FILE = "head"

_SLOT = struct.Struct("<QQQQ")  # generation, head seq, head segment, head offset
_CRC = struct.Struct("<I")
_SLOT_SIZE = 64


@dataclass(frozen=True, slots=True)
class Head:
    """A saved head: the oldest record not yet delivered or dropped, and where it starts."""

    generation: int
    seq: int
    segment: int
    offset: int


class HeadFile:
    """The `head` file of one queue directory."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / HEAD_FILE
        self._fd = -1

    def open(self) -> Head | None:
        """Open (creating it durably if missing) and return the newest valid slot, if any."""
        created = not self.path.exists()
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if created:
            fsync_dir(self.path.parent)
        raw = pread(self._fd, 2 * _SLOT_SIZE, 0)
        best: Head | None = None
        for start in (0, _SLOT_SIZE):
            slot = raw[start:start + _SLOT.size + _CRC.size]
            if len(slot) < _SLOT.size + _CRC.size:
                continue
            if zlib.crc32(slot[:_SLOT.size]) != _CRC.unpack_from(slot, _SLOT.size)[0]:
                continue
            head = Head(*_SLOT.unpack_from(slot))
            if best is None or head.generation > best.generation:
                best = head
        return best

    def write(self, head: Head) -> None:
        """Write `head` into the slot its generation selects and sync it."""
        body = _SLOT.pack(head.generation, head.seq, head.segment, head.offset)
        pwrite_all(self._fd, body + _CRC.pack(zlib.crc32(body)),
                   (head.generation % 2) * _SLOT_SIZE)
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        self._fd = -1
