"""One entry in a replay queue: a write (`QueuedWrite`) or a statement (`QueuedStatement`),
and its record on disk (framed, checksummed, numbered), written by `encode_record` and read
back by `read_record` and `decode_payload`.

A record, little-endian:

    crc32 u32 | length u32 | seq u64 | enqueued_ns i64 | flags u8 | meta_len u16 | meta | body
                           '---------------------- payload: `length` bytes ----------------'

The CRC covers the length field and the payload; `meta` is the msgpack array [database,
retention_policy, precision]. For a write, `body` is the line protocol as the client sent it
(gzipped when flags has bit 0). Flags bit 1 marks a statement: `body` is its text (UTF-8) and
precision is its kind: "" for InfluxQL, `TABLE_CREATION` for the JSON body of InfluxDB 3's
POST /api/v3/configure/table (InfluxQL has no statement that creates a table). Gateways before
statements were queued never set bit 1, so the records they left read back as the writes they
were; those before kinds wrote "", which reads back as the InfluxQL it was. replay_log puts
records back to back in segment files; the file helpers here (positional read and write, sync,
create, lock) serve it and replay_head.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import msgpack

_FRAME = struct.Struct("<II")  # crc32, payload length
_LENGTH = struct.Struct("<I")
_FIXED = struct.Struct("<QqBH")  # seq, enqueued_ns, flags, meta length
_CRC = struct.Struct("<I")
_FLAG_GZIP = 1
_FLAG_STATEMENT = 2
TABLE_CREATION = "configure/table"  # a QueuedStatement's kind: see the module docstring
SEGMENT_MAGIC = b"IGWRPL01"  # a segment file's first bytes; its records follow
SEGMENT_START = len(SEGMENT_MAGIC)


class DamagedRecord(Exception):
    """The bytes at a position are not the record expected there."""


@dataclass(frozen=True, slots=True)
class QueuedWrite:
    """One write waiting for a mirror, as the client sent it."""

    database: str
    retention_policy: str | None
    precision: str  # a translators.lineprotocol.Precision value
    body: bytes
    gzip: bool
    enqueued_ns: int  # wall-clock time it was queued, for the age bound

    @property
    def record_bytes(self) -> int:
        """Its size on disk, framing included."""
        return _FRAME.size + _FIXED.size + len(_meta(self)) + len(self.body)


@dataclass(frozen=True, slots=True)
class QueuedStatement:
    """A statement changing data or schema (DELETE, DROP SERIES, CREATE RETENTION POLICY...)
    waiting for a mirror behind the writes queued before it, as InfluxQL text run against
    `database` (and `retention_policy`), the parameters it was sent with; or, of kind
    `TABLE_CREATION`, a table's creation as InfluxDB 3's configure API takes it."""

    database: str
    retention_policy: str | None
    text: str
    enqueued_ns: int
    kind: str = ""  # "" (InfluxQL) or TABLE_CREATION

    @property
    def body(self) -> bytes:
        return self.text.encode()

    @property
    def record_bytes(self) -> int:
        return _FRAME.size + _FIXED.size + len(_meta(self)) + len(self.body)


QueuedEntry = QueuedWrite | QueuedStatement


def _meta(entry: QueuedEntry) -> bytes:
    precision = entry.precision if isinstance(entry, QueuedWrite) else entry.kind
    return msgpack.packb([entry.database, entry.retention_policy, str(precision)])


def _flags(entry: QueuedEntry) -> int:
    if isinstance(entry, QueuedStatement):
        return _FLAG_STATEMENT
    return _FLAG_GZIP if entry.gzip else 0


def encode_record(seq: int, entry: QueuedEntry) -> bytes:
    """Record number `seq` holding `entry`, framed and checksummed."""
    meta, body = _meta(entry), entry.body
    fixed = _FIXED.pack(seq, entry.enqueued_ns, _flags(entry), len(meta))
    length = _LENGTH.pack(len(fixed) + len(meta) + len(body))
    crc = zlib.crc32(body, zlib.crc32(meta, zlib.crc32(fixed, zlib.crc32(length))))
    return b"".join((_CRC.pack(crc), length, fixed, meta, body))


def decode_payload(payload: bytes) -> QueuedEntry:
    """The write in a record's payload (as `read_record` returns it, CRC checked)."""
    _, enqueued_ns, flags, meta_len = _FIXED.unpack_from(payload)
    start = _FIXED.size
    try:
        database, retention_policy, precision = msgpack.unpackb(payload[start:start + meta_len])
    except (ValueError, TypeError) as exc:
        raise DamagedRecord(f"unreadable metadata: {exc}") from exc
    if not isinstance(database, str) or not isinstance(precision, str) or not (
            retention_policy is None or isinstance(retention_policy, str)):
        raise DamagedRecord("metadata of the wrong types")
    body = payload[start + meta_len:]
    if flags & _FLAG_STATEMENT:
        try:
            text = body.decode()
        except UnicodeDecodeError as exc:
            raise DamagedRecord(f"a statement that is not UTF-8: {exc}") from exc
        return QueuedStatement(database, retention_policy, text, enqueued_ns, precision)
    return QueuedWrite(database, retention_policy, precision, body, bool(flags & _FLAG_GZIP),
                       enqueued_ns)


_HEADER = struct.Struct("<IIQqB")  # a record's first bytes: crc32, length, seq, enqueued_ns, flags
_HEADER_SIZE = _FRAME.size + _FIXED.size  # what must be there to read a header (meta length too)
_WALK_BLOCK = 1 << 20  # bytes read at a time by walk_records


def _header(raw: bytes | memoryview, at: int, offset: int, end: int,
            seq: int) -> tuple[int, int, int, int]:
    """(crc, payload length, enqueued_ns, flags) of the header at raw[at:], checked to be
    record `seq`'s (starting at `offset` in the file and ending by `end`): the one check of a
    record's framing, for `read_record` and `walk_records` alike."""
    if len(raw) - at < _HEADER_SIZE:
        raise DamagedRecord("short record header")
    crc, length, found, enqueued_ns, flags = _HEADER.unpack_from(raw, at)
    if length < _FIXED.size or offset + _FRAME.size + length > end:
        raise DamagedRecord(f"record length {length} runs past the segment")
    if found != seq:
        raise DamagedRecord(f"record {found} where {seq} was expected")
    return crc, length, enqueued_ns, flags


def _check_crc(framed: bytes | memoryview, length: int, crc: int) -> None:
    """Check a record's CRC against `framed`, its bytes from its length field on."""
    if len(framed) < _LENGTH.size + length:
        raise DamagedRecord("short record")
    if zlib.crc32(framed) != crc:
        raise DamagedRecord("checksum mismatch")


def read_record(fd: int, offset: int, end: int, seq: int, *,
                whole: bool) -> tuple[int, int, bytes, bool]:
    """(enqueued_ns, size on disk, payload, is a statement) of record `seq` at `offset`,
    which must end by `end`. Only a `whole` read returns the payload and checks the CRC; else
    b"" (skipping a record needs its length and kind, not its body)."""
    crc, length, enqueued_ns, flags = _header(pread(fd, _HEADER_SIZE, offset), 0, offset, end,
                                              seq)
    payload = b""
    if whole:
        framed = pread(fd, _LENGTH.size + length, offset + _CRC.size)
        _check_crc(framed, length, crc)
        payload = framed[_LENGTH.size:]
    return enqueued_ns, _FRAME.size + length, payload, bool(flags & _FLAG_STATEMENT)


def record_crc(fd: int, offset: int, end: int, seq: int) -> tuple[int, int]:
    """(crc, size on disk) of record `seq` at `offset`, its framing checked as `read_record`
    checks it: what a segment's side file is checked against (replay_index)."""
    crc, length, _, _ = _header(pread(fd, _HEADER_SIZE, offset), 0, offset, end, seq)
    return crc, _FRAME.size + length


@dataclass(frozen=True, slots=True)
class RecordWalk:
    """What `walk_records` found: where each statement starts, as (seq, offset), and where
    the walk stopped (`offset`, at record `seq`): the end, or the first damaged record, and
    then why (`damage`). `last` is where the last record it passed starts (-1: none)."""

    statements: list[tuple[int, int]]
    offset: int
    seq: int
    last: int = -1
    damage: str | None = None


def walk_records(fd: int, offset: int, end: int, seq: int, *, whole: bool) -> RecordWalk:
    """The records from `offset` (numbered from `seq`) to `end`, checked as `read_record`
    checks them (with `whole`, their CRC too), but read a block of many records at a time:
    a read per record cost about 5 us, most of a queue's opening when its records are
    small."""
    statements: list[tuple[int, int]] = []
    block, base, last = memoryview(b""), offset, -1
    header, check_crc = _header, _check_crc
    try:
        while offset < end:
            at = offset - base
            if at + _HEADER_SIZE > len(block):
                block = memoryview(pread(fd, min(_WALK_BLOCK, end - offset), offset))
                base, at = offset, 0
            crc, length, _, flags = header(block, at, offset, end, seq)
            size = _FRAME.size + length
            if whole:
                if at + size > len(block):  # a record longer than what is left of the block
                    block = memoryview(pread(fd, max(_WALK_BLOCK, size), offset))
                    base, at = offset, 0
                check_crc(block[at + _CRC.size:at + size], length, crc)
            if flags & _FLAG_STATEMENT:
                statements.append((seq, offset))
            last = offset
            offset += size
            seq += 1
    except DamagedRecord as exc:
        return RecordWalk(statements, offset, seq, last, str(exc))
    return RecordWalk(statements, offset, seq, last)


def pread(fd: int, count: int, offset: int) -> bytes:
    """`count` bytes from `offset`, fewer only where the file ends."""
    parts = []
    while count > 0:
        chunk = os.pread(fd, count, offset)
        if not chunk:
            break
        parts.append(chunk)
        count -= len(chunk)
        offset += len(chunk)
    return b"".join(parts)


def pwrite_all(fd: int, data: bytes, offset: int) -> None:
    """Write all of `data` at `offset`."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written


def create_file(path: Path, start: bytes) -> int:
    """A new file holding `start`, it and its directory entry synced; an fd to it. One that
    fails half-made is removed, so that its name is free for the next attempt."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        pwrite_all(fd, start, 0)
        os.fsync(fd)
        fsync_dir(path.parent)
    except OSError:
        os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return fd


def fsync_dir(directory: Path) -> None:
    """Make a file's creation durable: its directory entry is the directory's data."""
    fd = _open_directory(directory)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DirectoryInUse(OSError):
    """Another open queue (in this process or another) holds the directory."""


def lock_directory(directory: Path) -> int:
    """An fd of `directory` holding an exclusive lock on it, which the kernel drops when the
    fd is closed or the process dies (so a crash leaves no stale lock)."""
    fd = _open_directory(directory)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DirectoryInUse(f"replay queue {directory} is in use by another gateway (or "
                             "another queue of this one)") from None
    return fd


def _open_directory(directory: Path) -> int:
    return os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
