"""InfluxQL answers as 1.6.7's `/query` writes MessagePack (`Accept: application/x-msgpack`).

1.6.7 writes MessagePack by hand with tinylib/msgp, not from its JSON structs, so the shape
differs from the JSON answer in ways the v1 Python client (`influxdb` package) relies on:

* a result is `{statement_id, [messages], series, [partial]}` with `series` present even when
  empty, while a failed statement is `{error}` alone, without its `statement_id`;
* a series is `{[name], [tags], columns, values, [partial]}`; tags with empty values are kept
  (1.6.7 writes them in Go's random map order; here they are sorted);
* integers take the smallest *signed* encoding (`0xd1 0x00 0x80` for 128, where a stock packer
  writes `0xcc 0x80`); floats are always float64; times are extension type 5 holding big-endian
  int64 seconds and uint32 nanoseconds (floored), or plain integers with `epoch`;
* chunks follow each other with no separator; a request-level error is `{error}`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, repeat
from typing import Any

import msgpack

from translators.influxql.results import Message, Series, StatementResult

from .influxql_chunks import DEFAULT_CHUNK_SIZE, ChunkingMap, merge_chunks, split_chunks
from .influxql_columns import piece_batches
from .influxql_msgpack_columns import msgpack_values
from .influxql_time import columns_of, epoch_times

_packer = msgpack.Packer(autoreset=True)
_pack = _packer.pack
_map = _packer.pack_map_header
_array = _packer.pack_array_header
_TIME = struct.Struct(">3sqI")
_TIME_HEADER = b"\xc7\x0c\x05"  # ext 8, 12 bytes, type 5 (msgp's time extension)
_NANOS = 1_000_000_000
_KEYS = {key: _pack(key) for key in (
    "results", "statement_id", "messages", "series", "partial", "error", "name", "tags",
    "columns", "values", "level", "text")}
_TRUE = _pack(True)


def _pack_int(value: int) -> bytes:
    # msgp's AppendInt64: the smallest signed form, never the unsigned ones.
    if 127 < value <= 0x7FFF:
        return b"\xd1" + value.to_bytes(2, "big")
    if 0x7FFF < value <= 0x7FFFFFFF:
        return b"\xd2" + value.to_bytes(4, "big")
    if 0x7FFFFFFF < value <= 0x7FFFFFFFFFFFFFFF:
        return b"\xd3" + value.to_bytes(8, "big")
    return _pack(value)  # negatives match already; beyond int64 msgp writes a uint64 too


def _pack_value(value: Any) -> bytes:
    return _pack_int(value) if type(value) is int else _pack(value)


def _pack_time(nanos: int | None) -> bytes:
    if nanos is None:
        return _pack(None)
    seconds, fraction = divmod(nanos, _NANOS)
    return _TIME.pack(_TIME_HEADER, seconds, fraction)


def _time_column(column: Sequence[int | None], epoch: str | None) -> list[bytes]:
    if epoch:
        return [_pack_value(v) for v in epoch_times(column, epoch)]
    if None in column:
        return [_pack_time(v) for v in column]
    seconds, fractions = zip(*map(divmod, column, repeat(_NANOS)), strict=True)
    return list(map(_TIME.pack, repeat(_TIME_HEADER), seconds, fractions))


def _column(column: Sequence[Any]) -> list[bytes]:
    if int in set(map(type, column)):
        return [_pack_value(v) for v in column]
    return list(map(_pack, column))


def _values(series: Series, epoch: str | None, written: Written) -> bytes:
    packed = written.get(id(series))
    if packed is not None:
        return packed
    values = series.values
    out = [_array(len(values))]
    if not values:
        return out[0]
    columns = columns_of(values)
    if columns is None:
        for row in values:
            cells = [_pack_value(v) for v in row]
            if series.has_time and row:
                cells[0] = _time_column([row[0]], epoch)[0]
            out.append(_array(len(row)) + b"".join(cells))
        return b"".join(out)
    width = len(columns)
    if not width:
        return b"".join(out) + _array(0) * len(values)
    packed = [_time_column(c, epoch) if i == 0 and series.has_time else _column(c)
              for i, c in enumerate(columns)]
    out.extend(chain.from_iterable(zip(repeat(_array(width)), *packed)))
    return b"".join(out)


def _series(series: Series, epoch: str | None, written: Written) -> bytes:
    size = 2 + bool(series.name) + bool(series.tags) + series.partial
    out = [_map(size)]
    if series.name:
        out += [_KEYS["name"], _pack(series.name)]
    if series.tags:
        out += [_KEYS["tags"], _map(len(series.tags))]
        out += [_pack(k) + _pack(v) for k, v in sorted(series.tags.items())]
    out += [_KEYS["columns"], _array(len(series.columns)), *map(_pack, series.columns)]
    out += [_KEYS["values"], _values(series, epoch, written)]
    if series.partial:
        out += [_KEYS["partial"], _TRUE]
    return b"".join(out)


def _message(message: Message) -> bytes:
    return b"".join([_map(2), _KEYS["level"], _pack(message.level),
                     _KEYS["text"], _pack(message.text)])


def _result(result: StatementResult, epoch: str | None, written: Written) -> bytes:
    if result.error is not None:
        return _map(1) + _KEYS["error"] + _pack(result.error)
    out = [_map(2 + bool(result.messages) + result.partial),
           _KEYS["statement_id"], _pack_int(result.statement_id)]
    if result.messages:
        out += [_KEYS["messages"], _array(len(result.messages)),
                *map(_message, result.messages)]
    out += [_KEYS["series"], _array(len(result.series)),
            *(_series(s, epoch, written) for s in result.series)]
    if result.partial:
        out += [_KEYS["partial"], _TRUE]
    return b"".join(out)


def _response(results: Sequence[StatementResult], epoch: str | None,
              written: Written | None = None) -> bytes:
    if written is None:
        written = _written(results, epoch)
    return b"".join([_map(1), _KEYS["results"], _array(len(results)),
                     *(_result(r, epoch, written) for r in results)])


# Packed `values` of series held as Arrow columns, by id() of series still alive.
Written = dict[int, bytes]


def _written(results: Sequence[StatementResult], epoch: str | None) -> Written:
    many = [s for r in results for s in r.series if s.arrays is not None and s.row_count]
    packed = msgpack_values(many, epoch)
    return {id(s): p for s, p in zip(many, packed, strict=True) if p is not None}


def encode_msgpack(results: Sequence[StatementResult], *, epoch: str | None = None,
                   chunking: ChunkingMap | None = None) -> bytes:
    """The unchunked `/query` MessagePack body for `results`."""
    return _response(merge_chunks(results, chunking), epoch)


def encode_msgpack_chunks(results: Iterable[StatementResult], *,
                          chunk_size: int = DEFAULT_CHUNK_SIZE, epoch: str | None = None,
                          chunking: ChunkingMap | None = None) -> Iterator[bytes]:
    """The `chunked=true` MessagePack body: one map per piece, back to back."""
    for batch in piece_batches(split_chunks(results, chunk_size, chunking)):
        written = _written(batch, epoch)
        for piece in batch:
            yield _response([piece], epoch, written)


def encode_msgpack_error(message: str) -> bytes:
    """A request-level failure: `{"error": message}`, nothing after it."""
    return _map(1) + _KEYS["error"] + _pack(message)
