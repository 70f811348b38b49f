"""The on-disk form of one mirror's replay queue: framed records in segment files, and the
acknowledged position (the head) in a small file that a crash at any instant leaves valid.

A queue's directory:

    00000000000000000000.seg   records numbered from 0 (a segment is named by its first)
    00000000000000000000.idx   a sealed segment's side file: its count and statements
    00000000000000000412.seg   ... only the last segment is ever appended to
    head                       two 64-byte slots, written alternately

A segment is SEGMENT_MAGIC followed by records back to back (replay_record has their layout;
replay_segments names, creates and recovers segment files); replay_head has the head file's
layout, replay_index the side files'. Opening reads the last segment
(checking every record's CRC, to cut a torn tail) and, for a queue that tracks its statements,
the side file of each sealed one from the head on, not its records.

Why it is crash-safe: an append returns only after the records' fsync, and a new segment
exists on disk (its magic and its directory entry synced) before any record goes into it, so
every acknowledged record is whole on disk and precedes anything torn. Recovery keeps the
longest prefix of valid records of the last segment and cuts the rest. The head moves only
past delivered or dropped records; a segment is deleted only once a synced head lies beyond
it. So a crash loses no acknowledged record, and re-sends at most the records the head had
moved past in memory but not yet on disk.

Blocking and not thread-safe: replay.py drives one ReplayLog from one worker thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from gateway.backends.replay_head import HEAD_FILE, Head, HeadFile
from gateway.backends.replay_index import (
    SegmentIndex,
    index_path,
    remove_index,
    remove_strays,
    sealed_statements,
    write_index,
)
from gateway.backends.replay_record import (
    SEGMENT_MAGIC,
    SEGMENT_START,
    DamagedRecord,
    QueuedEntry,
    QueuedStatement,
    QueuedWrite,
    decode_payload,
    encode_record,
    fsync_dir,
    lock_directory,
    pwrite_all,
    read_record,
)
from gateway.backends.replay_segments import (
    SEGMENT_SUFFIX,
    ReplayLogError,
    SegmentReader,
    create_segment,
    list_segments,
    recover_tail,
    segment_path,
)
from gateway.backends.replay_state import LogState, Moved

__all__ = ["DEFAULT_SEGMENT_BYTES", "HEAD_FILE", "SEGMENT_MAGIC", "SEGMENT_SUFFIX", "LogState",
           "Moved", "QueuedEntry", "QueuedWrite", "ReplayLog", "ReplayLogError"]

log = logging.getLogger(__name__)

DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024

_START = SEGMENT_START  # offset of a segment's first record


class ReplayLog:
    """Segment files plus a head file in one directory; see the module docstring."""

    def __init__(self, directory: Path, *, segment_bytes: int = DEFAULT_SEGMENT_BYTES,
                 statements: bool = False) -> None:
        self.directory = directory
        self.segment_bytes = segment_bytes
        self._sizes: dict[int, int] = {}  # first seq of each segment → its size, ascending
        self._tail = 0  # the segment appended to
        self._tail_fd = -1
        self._lock_fd = -1  # the directory, locked while open
        self._head_file = HeadFile(directory)
        self._reader = SegmentReader(directory)  # a segment before the tail
        self._head_seq = 0
        self._head_seg = 0
        self._head_off = _START
        self._persisted_seg = 0  # the head's segment as last synced: older ones may go
        self._next_seq = 0
        self._head_entry: QueuedEntry | None = None
        self._head_entry_seq = -1
        self._generation = 0
        self._version = 0
        self._corrupt = 0
        self._broken: str | None = None
        self._uncut = False  # a failed write may have left bytes past the tail's size
        # Where each queued statement starts, as (seq, position): a position counts record
        # bytes up to the tail's end (`_end`), so the head's is `_end - _queued_bytes()`.
        # Kept only when asked (`statements`, for drop_oldest): on open it costs a read of
        # every record's header, read in blocks.
        self._tracking = statements
        self._statements: deque[tuple[int, int]] = deque()
        self._end = 0
        # The tail's statements, as (seq, offset in the segment), and where its last record
        # starts (-1: none): its side file once it is sealed. Kept whatever `statements` says,
        # so that every sealed segment gets one (a statement is rare: this costs nothing).
        self._tail_statements: list[tuple[int, int]] = []
        self._tail_last = -1

    # -- recovery ---------------------------------------------------------------------------

    def open(self) -> LogState:
        """Recover: cut a torn tail, restore the head, drop segments already consumed."""
        if not self.directory.is_dir():
            self.directory.mkdir(parents=True)
            fsync_dir(self.directory.parent)  # else a power cut can forget the directory
        # Two gateways given one replay.dir would overwrite each other's records.
        self._lock_fd = lock_directory(self.directory)
        try:
            return self._recover()
        except BaseException:
            self.close()
            raise

    def _recover(self) -> LogState:
        firsts = list_segments(self.directory)
        if not firsts:
            os.close(self._create_segment(0))
            firsts = [0]
        for first in firsts[:-1]:
            self._sizes[first] = self._path(first).stat().st_size
        self._tail = firsts[-1]
        remove_strays(self.directory, firsts[:-1])
        self._tail_fd = os.open(self._path(self._tail), os.O_RDWR)
        walk = recover_tail(self._tail_fd, self._path(self._tail), self._tail)
        self._tail_statements, self._tail_last = walk.statements, walk.last
        self._next_seq = walk.seq
        self._sizes[self._tail] = walk.offset
        self._restore_head(self._head_file.open(), firsts[0])
        self._finish(moved=False)
        self._forget_segments()  # left behind by a crash between a head sync and an unlink
        if self._tracking:
            self._find_statements()
        return self.state()

    def _find_statements(self) -> None:
        """Note where the queued statements are from the head on: a sealed segment's from its
        side file, the tail's from the walk that recovered it."""
        position = 0
        for first in [first for first in self._sizes if first >= self._head_seg]:
            offset = self._head_off if first == self._head_seg else _START
            statements = (self._tail_statements if first == self._tail else
                          sealed_statements(self.directory, self._fd(first), first,
                                            self._sizes[first], self._following(first)))
            self._statements.extend((seq, position + at - offset) for seq, at in statements
                                    if at >= offset)
            position += self._sizes[first] - offset
        self._end = position

    def _restore_head(self, saved: Head | None, earliest: int) -> None:
        if saved is not None:
            self._generation = saved.generation
            seq, segment, offset = saved.seq, saved.segment, saved.offset
            if self._head_matches(seq, segment, offset):
                self._head_seq, self._head_seg, self._head_off = seq, segment, offset
                self._persisted_seg = segment
                return
            # Replaying from the oldest segment re-sends; guessing could skip.
            log.error("replay queue %s: the saved head (%d at %d:%d) does not match the "
                      "segments; replaying from the oldest one", self.directory, seq, segment,
                      offset)
        self._head_seq, self._head_seg, self._head_off = earliest, earliest, _START
        self._persisted_seg = earliest

    def _head_matches(self, seq: int, segment: int, offset: int) -> bool:
        size = self._sizes.get(segment)
        if size is None or not _START <= offset <= size or seq > self._next_seq:
            return False
        if offset == size:
            following = self._following(segment)
            return seq == (self._next_seq if following is None else following)
        try:
            self._record(segment, offset, seq, whole=False)
        except DamagedRecord:
            return False
        return True

    # -- operations -------------------------------------------------------------------------

    def append(self, entries: Sequence[QueuedEntry], *, max_bytes: int | None = None,
               older_than_ns: int | None = None) -> Moved:
        """Write and sync `entries` as one batch, then drop the oldest records as the bounds
        demand (drop_oldest passes them; reject checks before it gets here)."""
        if self._broken is not None:
            raise ReplayLogError(self._broken)
        if self._uncut:
            self._cut(self._sizes[self._tail])  # raises while the file still refuses
        # A segment holding no record yet is never left behind (its name is taken). A roll
        # that fails (disk full) leaves the tail as it was: the next append tries again.
        if self._sizes[self._tail] >= self.segment_bytes and self._next_seq > self._tail:
            self._roll()
        start, first_seq = self._sizes[self._tail], self._next_seq
        records = [encode_record(first_seq + i, entry) for i, entry in enumerate(entries)]
        data = b"".join(records)
        try:
            pwrite_all(self._tail_fd, data, start)
        except OSError:
            # Disk full, quota or permissions: no sync has failed, so once the part written
            # is cut off durably the log is as it was, and appending can go on.
            with contextlib.suppress(OSError):
                self._cut(start)
            raise
        try:
            os.fsync(self._tail_fd)
        except OSError as exc:
            self._break(exc)
            with contextlib.suppress(OSError):
                os.ftruncate(self._tail_fd, start)
            raise
        self._sizes[self._tail] = start + len(data)
        self._next_seq += len(entries)
        offset = start
        for seq, (entry, record) in enumerate(zip(entries, records, strict=True), first_seq):
            if isinstance(entry, QueuedStatement):
                self._tail_statements.append((seq, offset))
                if self._tracking:
                    self._statements.append((seq, self._end))
            self._tail_last = offset
            offset += len(record)
            self._end += len(record)
        # Only a batch that is stored makes room: had the head moved before a write that then
        # failed, the entries it passed would be gone from memory, dropped for nothing and
        # uncounted. Dropping after the write frees no less (nothing is deleted before
        # _finish), and a batch larger than the bound pushes out its own oldest.
        dropped, freed, moved = self._move(max_bytes=max_bytes, older_than_ns=older_than_ns)
        self._finish(moved, first_seq, entries)
        return Moved(self.state(), dropped, freed)

    def _cut(self, size: int) -> None:
        """Cut the tail segment back to `size` after a failed write, durably. Until that has
        worked, nothing more is appended (a part of the failed batch may follow `size`)."""
        self._uncut = True
        os.ftruncate(self._tail_fd, size)
        os.fsync(self._tail_fd)
        self._uncut = False

    def _break(self, exc: OSError) -> None:
        # After a failed fsync the kernel may have thrown the dirty pages away, so nothing
        # appended later could be trusted: refuse until the queue is reopened.
        self._broken = f"writing {self._path(self._tail)} failed: {exc}"
        log.error("replay queue %s: %s", self.directory, self._broken)

    def advance(self, *, before: int | None = None, max_bytes: int | None = None,
                older_than_ns: int | None = None) -> Moved:
        """Move the head past records numbered below `before`, then past the oldest writes
        while the log holds more than `max_bytes`, then past those enqueued before
        `older_than_ns` (the bounds stop at a statement); sync the head once."""
        entries, freed, moved = self._move(before=before, max_bytes=max_bytes,
                                           older_than_ns=older_than_ns)
        self._finish(moved)
        return Moved(self.state(), entries, freed)

    def state(self) -> LogState:
        self._version += 1
        while self._statements and self._statements[0][0] < self._head_seq:
            self._statements.popleft()  # delivered, or lost to a damaged segment
        queued = self._queued_bytes()
        droppable = (None if not self._tracking else queued if not self._statements
                     else self._statements[0][1] - (self._end - queued))
        return LogState(self._version, self._head_seq, self._next_seq, queued,
                        self._head_entry, self._corrupt, droppable)

    def close(self) -> None:
        self._reader.close()
        for fd in (self._tail_fd, self._lock_fd):
            if fd >= 0:
                os.close(fd)
        self._head_file.close()
        self._tail_fd = self._lock_fd = -1

    # -- the head ---------------------------------------------------------------------------

    def _move(self, *, before: int | None = None, max_bytes: int | None = None,
              older_than_ns: int | None = None) -> tuple[int, int, bool]:
        entries = freed = 0
        moved = False
        while self._head_seq < self._next_seq:
            try:
                enqueued_ns, length, _, statement = self._record(
                    self._head_seg, self._head_off, self._head_seq, whole=False)
            except DamagedRecord as exc:
                self._skip_damaged(exc)
                moved = True
                continue
            delivered = before is not None and self._head_seq < before
            # The bounds drop only writes: a statement dropped (a DROP MEASUREMENT, a
            # DELETE) would leave the mirror holding what the primary removed. One at the
            # head stops them; replay.py refuses beforehand what they could not make room
            # for (LogState.droppable), as "reject" does.
            if not (delivered or (not statement and (
                    (max_bytes is not None and self._queued_bytes() > max_bytes)
                    or (older_than_ns is not None and enqueued_ns < older_than_ns)))):
                break
            self._head_seq += 1
            self._head_off += length
            self._normalise_head()
            entries += 1
            freed += length
            moved = True
        return entries, freed, moved

    def _finish(self, moved: bool, batch_seq: int = 0,
                batch: Sequence[QueuedEntry] = ()) -> None:
        """Load the head record, then sync the head (if it moved) and delete what it left."""
        moved = self._normalise_head() or moved
        entry = None
        while self._head_seq < self._next_seq:
            if self._head_entry is not None and self._head_entry_seq == self._head_seq:
                entry = self._head_entry
            elif batch_seq <= self._head_seq < batch_seq + len(batch):
                entry = batch[self._head_seq - batch_seq]
            else:
                try:
                    entry = decode_payload(self._record(self._head_seg, self._head_off,
                                                        self._head_seq, whole=True)[2])
                except DamagedRecord as exc:
                    self._skip_damaged(exc)
                    moved = True
                    continue
            break
        self._head_entry, self._head_entry_seq = entry, self._head_seq
        if moved:
            self._persist_head()
            self._forget_segments()

    def _normalise_head(self) -> bool:
        """At the end of a segment that is not the last, the head is at the next one's start."""
        changed = False
        while self._head_seg != self._tail and self._head_off >= self._sizes[self._head_seg]:
            following = self._following(self._head_seg)
            assert following is not None
            if following != self._head_seq:
                self._count_lost(following - self._head_seq, f"segment {self._head_seg} ends "
                                 f"at record {self._head_seq}, the next starts at {following}")
            self._head_seg, self._head_off, self._head_seq = following, _START, following
            changed = True
        return changed

    def _skip_damaged(self, exc: Exception) -> None:
        if self._head_seg == self._tail:
            raise ReplayLogError(f"{self._path(self._head_seg)} is damaged at offset "
                                 f"{self._head_off}: {exc}")
        following = self._following(self._head_seg)
        assert following is not None
        self._count_lost(following - self._head_seq,
                         f"{self._path(self._head_seg).name} is damaged at offset "
                         f"{self._head_off}: {exc}")
        self._head_seg, self._head_off, self._head_seq = following, _START, following

    def _count_lost(self, count: int, why: str) -> None:
        self._corrupt += max(count, 0)
        log.error("replay queue %s: %d records lost: %s", self.directory, count, why)

    def _persist_head(self) -> None:
        self._generation += 1
        self._head_file.write(Head(self._generation, self._head_seq, self._head_seg,
                                   self._head_off))
        self._persisted_seg = self._head_seg

    def _forget_segments(self) -> None:
        for first in [first for first in self._sizes if first < self._persisted_seg]:
            del self._sizes[first]
            self._reader.forget(first)
            with contextlib.suppress(FileNotFoundError):
                self._path(first).unlink()
            remove_index(index_path(self.directory, first))

    # -- segments ---------------------------------------------------------------------------

    def _roll(self) -> None:
        fd = self._create_segment(self._next_seq)
        # Sealed: its side file spares the next opening a walk of its records
        write_index(index_path(self.directory, self._tail), self._tail_fd, self._tail,
                    self._sizes[self._tail], SegmentIndex(self._next_seq - self._tail,
                                                          self._tail_last,
                                                          self._tail_statements))
        os.close(self._tail_fd)
        self._tail_fd, self._tail = fd, self._next_seq
        self._sizes[self._tail] = _START
        self._tail_statements, self._tail_last = [], -1

    def _create_segment(self, first: int) -> int:
        return create_segment(self.directory, first)

    def _path(self, first: int) -> Path:
        return segment_path(self.directory, first)

    def _following(self, segment: int) -> int | None:
        return next((first for first in self._sizes if first > segment), None)

    def _queued_bytes(self) -> int:
        total = sum(size - _START for first, size in self._sizes.items()
                    if first >= self._head_seg)
        return total - (self._head_off - _START)

    def _fd(self, segment: int) -> int:
        if segment == self._tail:
            return self._tail_fd
        return self._reader.fd(segment)

    def _record(self, segment: int, offset: int, seq: int, *,
                whole: bool) -> tuple[int, int, bytes, bool]:
        return read_record(self._fd(segment), offset, self._sizes[segment], seq, whole=whole)

