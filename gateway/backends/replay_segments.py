"""A replay queue's segment files: their names, finding them on disk, creating one, and
recovering the last one (the only one ever appended to) after a crash.

A segment is named by the number of its first record, `00000000000000000412.seg`, and holds
SEGMENT_MAGIC followed by records back to back (replay_record has their layout). ReplayLog
(replay_log) owns the segments of one queue; this module holds what it does to a segment
file that needs none of its state.

Blocking, like the ReplayLog that uses it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from gateway.backends.replay_record import (
    SEGMENT_MAGIC,
    SEGMENT_START,
    RecordWalk,
    create_file,
    pread,
    pwrite_all,
    walk_records,
)

__all__ = ["SEGMENT_SUFFIX", "ReplayLogError", "SegmentReader", "create_segment",
           "list_segments", "recover_tail", "segment_path"]

log = logging.getLogger(__name__)

SEGMENT_SUFFIX = ".seg"


class ReplayLogError(Exception):
    """The log cannot go on: damage recovery cannot repair, or an earlier write failed."""


def segment_path(directory: Path, first: int) -> Path:
    return directory / f"{first:020d}{SEGMENT_SUFFIX}"


def list_segments(directory: Path) -> list[int]:
    """The first record numbers of the segments in `directory`, ascending."""
    return sorted(int(p.name[:-len(SEGMENT_SUFFIX)]) for p in directory.iterdir()
                  if p.name.endswith(SEGMENT_SUFFIX)
                  and p.name[:-len(SEGMENT_SUFFIX)].isdigit())


def create_segment(directory: Path, first: int) -> int:
    """Create the segment numbered from `first`, its magic and directory entry synced."""
    return create_file(segment_path(directory, first), SEGMENT_MAGIC)


def recover_tail(fd: int, path: Path, first: int) -> RecordWalk:
    """Check every record of the last segment (open read-write as `fd`) and cut a torn write
    at its end durably; the walk returned ends where the segment now does."""
    size = os.fstat(fd).st_size
    if pread(fd, SEGMENT_START, 0) != SEGMENT_MAGIC:
        if size > SEGMENT_START:
            raise ReplayLogError(f"{path} is not a replay queue segment")
        # Torn while being created: it never held a record.
        pwrite_all(fd, SEGMENT_MAGIC, 0)
        os.ftruncate(fd, SEGMENT_START)
        os.fsync(fd)
        size = SEGMENT_START
    walk = walk_records(fd, SEGMENT_START, size, first, whole=True)
    if walk.offset < size:
        log.warning("replay queue %s: cutting %d bytes of a torn write at the end of %s (%s)",
                    path.parent, size - walk.offset, path.name, walk.damage)
        os.ftruncate(fd, walk.offset)
        os.fsync(fd)
    return walk


class SegmentReader:
    """One sealed segment open for reading at a time (the head reads them in order)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._open: tuple[int, int] | None = None  # (segment, fd)

    def fd(self, segment: int) -> int:
        if self._open is None or self._open[0] != segment:
            self.close()
            self._open = (segment, os.open(segment_path(self.directory, segment), os.O_RDONLY))
        return self._open[1]

    def forget(self, segment: int) -> None:
        """Close `segment` if it is the one open (it is about to be deleted)."""
        if self._open is not None and self._open[0] == segment:
            self.close()

    def close(self) -> None:
        if self._open is not None:
            fd, self._open = self._open[1], None
            os.close(fd)
