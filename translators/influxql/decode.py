"""A 1.x `/query` answer read back into `StatementResult`s, for re-encoding in another format.

The gateway asks an InfluxDB 1.x or 2.x upstream (its v1 `/query`) and answers the caller in
the caller's generation: 1.x JSON, CSV or MessagePack, or InfluxDB 3's tables. Reading the
upstream's body into the executor's own results lets the existing encoders write every one of
those. Conventions kept (see `results.py`): a series whose first column is `time` holds its
times as integer nanoseconds (`has_time`), tags stay a dict (`None` when absent), `partial`
flags, statement ids, messages and per-statement errors are kept as sent.

JSON cannot tell 2.0 from 2: Go's encoding/json writes an integral float as an integer. Within
one series column, integers beside floats are read back as floats (and `-0` as -0.0), which
leaves one loss: a float column whose every value is integral comes back as integers. The JSON
and CSV encoders write both alike; MessagePack and InfluxDB 3's typed tables do not, so
`decode_v1_msgpack` (1.x always writes float64 there) is the lossless way to read an upstream.

Chunked answers (`chunked=true`) are read whole: their pieces are glued back into one result
per statement, a series continued across pieces (marked `partial`) into one series.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Mapping
from typing import Any

import msgpack

from translators.encoders.influxql_time import EPOCH_DIVISORS

from .results import Message, Series, StatementResult
from .timerange import parse_time_string

_MSGP_TIME = 5  # tinylib/msgp's extension type for time.Time: int64 seconds, uint32 nanos
_TIME = struct.Struct(">qI")


class MalformedAnswer(ValueError):
    """The body is not a 1.x `/query` answer."""


class RequestFailed(Exception):
    """The upstream failed the whole request: 1.x's `{"error": "..."}` (also mid-stream)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Nanos(int):
    """A time read from MessagePack's time extension: already nanoseconds, whatever `epoch`."""


def _parse_int(text: str) -> int | float:
    # Go writes an integer zero as `0`; `-0` can only be a negative-zero float.
    return -0.0 if text == "-0" else int(text)


def _time(value: Any, divisor: int) -> int | None:
    if value is None:
        return None
    if type(value) is _Nanos:
        return int(value)
    if type(value) is int:
        return value * divisor
    if isinstance(value, str):
        ns = parse_time_string(value)
        if ns is not None:
            return ns
    raise MalformedAnswer(f"not a time: {value!r}")


def _series(raw: Any, divisor: int) -> Series:
    if not isinstance(raw, Mapping):
        raise MalformedAnswer("a series is not an object")
    columns = list(raw.get("columns") or [])
    values = raw.get("values") or []
    tags = raw.get("tags")
    if not (isinstance(values, list) and all(isinstance(r, list) for r in values)
            and all(isinstance(c, str) for c in columns)
            and (tags is None or isinstance(tags, Mapping))):
        raise MalformedAnswer("a series has malformed columns, values or tags")
    has_time = bool(columns) and columns[0] == "time"
    rows = [list(row) for row in values]
    if has_time:
        for row in rows:
            if row:
                row[0] = _time(row[0], divisor)
    return Series(str(raw.get("name") or ""), columns, rows,
                  dict(tags) if tags else None, has_time, bool(raw.get("partial", False)))


def _result(raw: Any, statement_id: int, divisor: int) -> StatementResult:
    if not isinstance(raw, Mapping):
        raise MalformedAnswer("a result is not an object")
    sid = raw.get("statement_id", statement_id)
    messages = raw.get("messages") or []
    if type(sid) is not int or not isinstance(messages, list) or not all(
            isinstance(m, Mapping) for m in messages):
        raise MalformedAnswer("a result has a malformed statement_id or messages")
    error = raw.get("error")
    return StatementResult(
        sid, [_series(s, divisor) for s in raw.get("series") or []],
        [Message(str(m.get("level", "")), str(m.get("text", ""))) for m in messages],
        None if error is None else str(error), bool(raw.get("partial", False)))


def _response(document: Any, divisor: int, after: StatementResult | None
              ) -> list[StatementResult]:
    """The results of one response object. A result without an id (MessagePack's failed
    statements) takes the next id; first in a chunk, the id of the chunk before if that one
    was partial (the statement failed after answering rows)."""
    if not isinstance(document, Mapping):
        raise MalformedAnswer("the answer is not an object")
    if "results" not in document:
        if "error" in document:
            raise RequestFailed(str(document["error"]))
        if document:
            raise MalformedAnswer("the answer has no results")
    raw = document.get("results") or []
    if not isinstance(raw, list):
        raise MalformedAnswer("results is not a list")
    out: list[StatementResult] = []
    for item in raw:
        if out:  # an unchunked answer: one result per statement, in order
            implied = out[-1].statement_id + 1
        else:
            implied = 0 if after is None else after.statement_id + (not after.partial)
        out.append(_result(item, implied, divisor))
    return out


def _divisor(epoch: str | None) -> int:
    """Nanoseconds per integer time unit: 1.x answers integers in the `epoch` it was asked."""
    return EPOCH_DIVISORS.get(epoch or "", 1)


def merge_pieces(pieces: Iterable[StatementResult]) -> list[StatementResult]:
    """Chunks glued back: one result per statement, a partial series joined to its rest."""
    merged: list[StatementResult] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if last is None or last.statement_id != piece.statement_id:
            merged.append(StatementResult(piece.statement_id, list(piece.series),
                                          list(piece.messages), piece.error, piece.partial))
            continue
        for series in piece.series:
            tail = last.series[-1] if last.series else None
            if tail is not None and tail.partial and (tail.name, tail.tags, tail.columns) == (
                    series.name, series.tags, series.columns):
                last.series[-1] = Series(tail.name, tail.columns, tail.values + series.values,
                                         tail.tags, tail.has_time, series.partial)
            else:
                last.series.append(series)
        last.messages.extend(piece.messages)
        last.error = piece.error if piece.error is not None else last.error
        last.partial = piece.partial
    return merged


def _restore_floats(results: list[StatementResult]) -> list[StatementResult]:
    """Integers in a column that also holds floats were integral floats (see the docstring)."""
    for result in results:
        for series in result.series:
            if not series.values:
                continue
            first = 1 if series.has_time else 0
            width = max(map(len, series.values))
            for index in range(first, width):
                kinds = {type(r[index]) for r in series.values if index < len(r)}
                if float in kinds and int in kinds:
                    for row in series.values:
                        if index < len(row) and type(row[index]) is int:
                            row[index] = float(row[index])
    return results


def decode_v1_json(body: bytes, *, epoch: str | None = "ns") -> list[StatementResult]:
    """The results of an unchunked 1.x JSON answer. Integer times are in `epoch` units (ask
    the upstream for `epoch=ns`); RFC3339 times are read whatever `epoch` says. Raises
    `RequestFailed` for a request-level error, `MalformedAnswer` for anything else."""
    try:
        document = json.loads(body, parse_int=_parse_int)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedAnswer(f"the answer is not JSON: {exc}") from None
    return _restore_floats(merge_pieces(_response(document, _divisor(epoch), None)))


def decode_v1_chunks(body: bytes, *, epoch: str | None = "ns") -> list[StatementResult]:
    """The results of a chunked 1.x JSON answer (objects one after another, newline-separated
    or pretty-printed), merged into whole statements; an unchunked answer reads the same."""
    try:
        text = body.decode()
    except UnicodeDecodeError as exc:
        raise MalformedAnswer(f"the answer is not UTF-8: {exc}") from None
    decoder = json.JSONDecoder(parse_int=_parse_int)
    pieces: list[StatementResult] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos == len(text):
            break
        try:
            document, pos = decoder.raw_decode(text, pos)
        except ValueError as exc:
            raise MalformedAnswer(f"the answer is not JSON: {exc}") from None
        pieces.extend(_response(document, _divisor(epoch), pieces[-1] if pieces else None))
    return _restore_floats(merge_pieces(pieces))


def _ext(code: int, data: bytes) -> Any:
    if code == _MSGP_TIME and len(data) == _TIME.size:
        seconds, nanos = _TIME.unpack(data)
        return _Nanos(seconds * 1_000_000_000 + nanos)
    return msgpack.ExtType(code, data)


def decode_v1_msgpack(body: bytes, *, epoch: str | None = "ns") -> list[StatementResult]:
    """The results of a 1.x MessagePack answer, chunked (maps back to back) or not. Types
    survive exactly: floats are float64 on this wire, times an extension (or integers in
    `epoch` units when one was asked)."""
    unpacker = msgpack.Unpacker(raw=False, ext_hook=_ext, strict_map_key=False,
                                max_buffer_size=max(len(body), 1))
    unpacker.feed(body)
    pieces: list[StatementResult] = []
    try:
        for document in unpacker:
            pieces.extend(_response(document, _divisor(epoch), pieces[-1] if pieces else None))
    except (ValueError, msgpack.UnpackException) as exc:
        if isinstance(exc, MalformedAnswer):
            raise
        raise MalformedAnswer(f"the answer is not MessagePack: {exc}") from None
    if unpacker.tell() != len(body):
        raise MalformedAnswer("the answer ends inside a MessagePack value")
    return merge_pieces(pieces)


def finished_v1_msgpack(body: bytes, *, epoch: str | None = "ns") -> list[StatementResult]:
    """The statements that had finished in the first part of a chunked 1.x MessagePack
    answer (what arrived before the request was cut short). A map whose last result is not
    `partial` ends a statement; the answer up to the last such map is decoded, and what
    follows (the rows of a statement cut short, however many) is only stepped over."""
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False,
                                max_buffer_size=max(len(body), 1))
    unpacker.feed(body)
    end = 0
    try:
        while True:
            if _ends_statement(unpacker):
                end = unpacker.tell()
    except (ValueError, TypeError, msgpack.UnpackException, msgpack.OutOfData):
        pass  # the end of what arrived, or something not 1.x's: nothing more is finished
    return decode_v1_msgpack(body[:end], epoch=epoch) if end else []


def _ends_statement(unpacker: msgpack.Unpacker) -> bool:
    """Reads one response map of a chunked answer, stepping over its series: whether its
    last result ended its statement."""
    ended = False
    for _ in range(unpacker.read_map_header()):
        if unpacker.unpack() != "results":
            unpacker.skip()
            continue
        for _ in range(unpacker.read_array_header()):
            ended = True
            for _ in range(unpacker.read_map_header()):
                if unpacker.unpack() == "partial":
                    ended = not unpacker.unpack()
                else:
                    unpacker.skip()
    return ended
