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


def read_record(fd: int, offset: int, end: int, seq: int, *,
                whole: bool) -> tuple[int, int, bytes, bool]:
    """(enqueued_ns, size on disk, payload, is a statement) of record `seq` at `offset`,
    which must end by `end`. Only a `whole` read returns the payload and checks the CRC; else
    b"" (skipping a record needs its length and kind, not its body)."""
    raw = pread(fd, _FRAME.size + _FIXED.size, offset)
    if len(raw) < _FRAME.size + _FIXED.size:
        raise DamagedRecord("short record header")
    crc, length = _FRAME.unpack_from(raw)
    if length < _FIXED.size or offset + _FRAME.size + length > end:
        raise DamagedRecord(f"record length {length} runs past the segment")
    found, enqueued_ns, flags, _ = _FIXED.unpack_from(raw, _FRAME.size)
    if found != seq:
        raise DamagedRecord(f"record {found} where {seq} was expected")
    payload = b""
    if whole:
        payload = pread(fd, length, offset + _FRAME.size)
        if zlib.crc32(payload, zlib.crc32(_LENGTH.pack(length))) != crc:
            raise DamagedRecord("checksum mismatch")
    return enqueued_ns, _FRAME.size + length, payload, bool(flags & _FLAG_STATEMENT)


_HEADER = struct.Struct("<IIQqB")  # a record's first bytes, through its flags
_WALK_BLOCK = 1 << 20  # bytes read at a time by walk_records


@dataclass(frozen=True, slots=True)
class RecordWalk:
    """What `walk_records` found: where each statement starts, as (seq, offset), and where
    the walk stopped (`offset`, at record `seq`): the end, or the first damaged record."""

    statements: list[tuple[int, int]]
    offset: int
    seq: int


def walk_records(fd: int, offset: int, end: int, seq: int, *, whole: bool) -> RecordWalk:
    """The records from `offset` (numbered from `seq`) to `end`, checked as `read_record`
    checks them (with `whole`, their CRC too), but read a block of many records at a time:
    a read per record cost about 5 us, most of a queue's opening when its records are
    small."""
    statements: list[tuple[int, int]] = []
    block, base = b"", offset
    header = _FRAME.size + _FIXED.size
    unpack, crc32, pack_length = _HEADER.unpack_from, zlib.crc32, _LENGTH.pack
    while offset < end:
        at = offset - base
        if at + header > len(block):
            block, base, at = pread(fd, min(_WALK_BLOCK, end - offset), offset), offset, 0
            if len(block) < header:
                break
        crc, length, found, _, flags = unpack(block, at)
        size = _FRAME.size + length
        if length < _FIXED.size or offset + size > end or found != seq:
            break
        if whole:
            if at + size > len(block):  # a record longer than what is left of the block
                block, base, at = pread(fd, max(_WALK_BLOCK, size), offset), offset, 0
            payload = memoryview(block)[at + _FRAME.size:at + size]
            if len(payload) < length or crc32(payload, crc32(pack_length(length))) != crc:
                break
        if flags & _FLAG_STATEMENT:
            statements.append((seq, offset))
        offset += size
        seq += 1
    return RecordWalk(statements, offset, seq)


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
