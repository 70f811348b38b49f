"""A target's 400 for lines of one part of a split write, read back as the native store's
partial write for that part, each line numbered in the caller's body.

`numbers[i]` is the caller's number of the part's physical line i+1 (the parts joined, as
sent). 1.x and 2.x name a line by its text (v1_write_errors reads their words); InfluxDB 3
numbers the lines of the part it was sent.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pyarrow.compute as pc

from gateway.backends.upstream.base import Generation
from gateway.backends.upstream.v1_write_errors import read_write_error
from gateway.errors import PartialWrite
from gateway.services.routing import RelayedError
from gateway.services.upstream_guard import GUARDED
from translators.lineprotocol import LineError, Precision, line_text, parse_lines, split_points
from translators.lineprotocol.model import (
    BEYOND_RETENTION,
    TIME_COLUMN,
    ParsedBatch,
    named_refusal,
    refused_for_time_key,
)
from translators.lineprotocol.rewrite import Part

# Why a point of a part is not stored though it parsed: its target stores all or nothing.
UNSTORED = "not written: upstream {} stores nothing of a batch with a line it cannot parse"
# InfluxDB 3's summaries of a write it refused lines of (its `data` lists them).
V3_PARTIAL = "partial write of line protocol occurred"
V3_FAILED = "write of line protocol failed"
_HOUR = 3600 * 10**9  # the shortest shard group 1.x makes, in ns
# 1.x's words for a point giving a field another type than its shard holds.
_CONFLICT = re.compile(r'field type conflict: input field "(?P<key>.*)" on measurement '
                       r'"(?P<measurement>.*)" is type (?P<given>\w+), already exists as '
                       r'type \w+')


def joined(parts: list[Part]) -> bytes:
    return b"\n".join(part.body for part in parts)


def refused_lines(error: RelayedError, parts: list[Part], numbers: list[int],
                  precision: Precision) -> PartialWrite | None:
    """An upstream's 400 for lines of its part, as the native store's partial write naming
    them in the caller's body; None for any other answer, or a line not found in the part.
    `precision`: the part's timestamps'."""
    reply = error.reply
    if reply.status != 400:
        return None
    if reply.generation is Generation.V3:
        return _by_3x(error, parts, numbers)
    if reply.generation not in GUARDED:
        return None
    read = read_write_error(reply.error_message())
    if (read is not None and reply.generation is Generation.V1
            and read.refusal is not None and read.dropped):
        return _dropped_by_1x(read.refusal, read.dropped, parts, numbers, precision)
    if read is None or read.refusal is not None or read.dropped or not read.unparsed:
        return None
    raw = split_points(joined(parts))
    # 1.x quotes a point without its leading blanks (its carriage return kept); the native
    # store's text leaves the carriage return out too (line_text).
    points = [(i, point.lstrip(b" \t").decode("utf-8", "replace"))
              for i, point in enumerate(raw) if point.strip() and i < len(numbers)]
    errors: list[LineError] = []
    at = 0
    for unparsed in read.unparsed:
        while at < len(points) and points[at][1] != unparsed.text:
            at += 1
        if at == len(points):
            return None
        index = points[at][0]
        errors.append(LineError(numbers[index], line_text(raw, index + 1), unparsed.reason))
        at += 1
    total = sum(part.points for part in parts)
    if reply.generation is Generation.V1:
        # 1.x stores the rest (`partial write: ... dropped=0`), or nothing when no line parsed
        return PartialWrite(errors, written=total - len(errors) if read.partial else 0,
                            dropped=0)
    return _none_stored(error.upstream, errors, raw, numbers)


def _by_3x(error: RelayedError, parts: list[Part], numbers: list[int]) -> PartialWrite | None:
    """InfluxDB 3's 400 listing the lines of its part it refused (`data`, numbered in the
    part): it stored the rest (`partial write of line protocol occurred`) or nothing."""
    try:
        body = json.loads(error.reply.body)
    except ValueError:
        return None
    summary = body.get("error") if isinstance(body, dict) else None
    data = body.get("data") if isinstance(body, dict) else None
    if summary not in (V3_PARTIAL, V3_FAILED) or not isinstance(data, list) or not data:
        return None
    raw = split_points(joined(parts))
    errors: list[LineError] = []
    for entry in data:
        number = entry.get("line_number") if isinstance(entry, dict) else None
        reason = entry.get("error_message") if isinstance(entry, dict) else None
        if (not isinstance(number, int) or isinstance(number, bool)
                or not 0 < number <= min(len(numbers), len(raw)) or not isinstance(reason, str)):
            return None
        text = line_text(raw, number) or str(entry.get("original_line", ""))
        errors.append(LineError(numbers[number - 1], text, reason))
    if summary == V3_FAILED:
        return _none_stored(error.upstream, errors, raw, numbers)
    return PartialWrite(errors, written=sum(part.points for part in parts) - len(errors),
                        dropped=0)


def _none_stored(upstream: str, errors: list[LineError], raw: list[bytes],
                 numbers: list[int]) -> PartialWrite:
    """A part its target stored nothing of, `errors` naming the lines it refused: its other
    points are named as not written (refused though they parsed)."""
    named = {e.line_number for e in errors}
    unstored = [LineError(numbers[i], line_text(raw, i + 1), UNSTORED.format(upstream),
                          parsed=True)
                for i, point in enumerate(raw[:len(numbers)])
                if point.strip() and not point.lstrip()[:1] == b"#" and numbers[i] not in named]
    return PartialWrite(sorted(errors + unstored, key=lambda e: e.line_number), written=0,
                        dropped=len(unstored))


def _dropped_by_1x(refusal: str, dropped: int, parts: list[Part], numbers: list[int],
                   precision: Precision) -> PartialWrite | None:
    """1.x's `partial write: <refusal> dropped=N` for a part, as the native store's partial
    write, or None when the points it refused cannot be told. Once it refused a point 1.x
    leaves the lines it could not parse unmentioned, so they, and the points it refuses for
    their `time` tag or field, are named as the gateway's parser (which refuses what 1.x
    refuses) names them. Which points were beyond retention 1.x does not say: they are
    counted (dropped, and omitted: rejected lines not described). For a field type
    conflict its shard's types decide, and it names only the first: the points giving that
    field that type are named when they are all it refused (`_conflicting`)."""
    parsed = parse_lines(joined(parts), precision, 0)
    errors = [replace(e, line_number=numbers[e.line_number - 1]) for e in parsed.errors
              if 0 < e.line_number <= len(numbers)]
    refused = [e for e in errors if e.parsed]
    total = sum(part.points for part in parts)
    if refusal == BEYOND_RETENTION and not refused:
        return PartialWrite(errors, written=total - dropped - parsed.error_count,
                            dropped=dropped, beyond_retention=dropped,
                            omitted=dropped + parsed.error_count - len(errors))
    if _time_keys_alone(refusal, dropped, refused, parsed.refused_count):
        # Every shard refuses a point for its `time` key, so the parser's refusals are all
        # that 1.x refused; over several shard groups it counts those of the shard whose
        # answer came first (PointsWriter returns the first shard's error): all are
        # counted, as one shard holding them all counts them, and as the native store does
        return PartialWrite(errors, written=total - parsed.error_count,
                            dropped=parsed.refused_count,
                            omitted=parsed.error_count - len(errors))
    conflicting = _conflicting(refusal, parsed, parts, numbers)
    refused = sorted(refused + conflicting, key=lambda e: e.line_number)
    if parsed.refused_count + len(conflicting) != dropped or named_refusal(refused) != refusal:
        return None
    return PartialWrite(sorted(errors + conflicting, key=lambda e: e.line_number),
                        written=total - parsed.error_count - len(conflicting), dropped=dropped,
                        omitted=parsed.error_count - len(errors))


def _time_keys_alone(refusal: str, dropped: int, refused: list[LineError],
                     refused_count: int) -> bool:
    """True when 1.x's refusal of a part is one of its refused points' `time` key refusals,
    all those described are such refusals, and it counts no more points than they are."""
    return (refused_for_time_key(refusal) and 0 < dropped <= refused_count
            and any(e.reason == refusal for e in refused)
            and all(refused_for_time_key(e.reason) for e in refused))


def _conflicting(refusal: str, parsed: ParsedBatch, parts: list[Part],
                 numbers: list[int]) -> list[LineError]:
    """The points of a part that give the field 1.x's type conflict names the type it names
    as given, refused with its words, in the caller's numbers; none unless the part's points
    fall in one hour. 1.x keeps field types per shard and, when several shards refuse
    points, reports one shard's refusal and count; its shard groups span whole hours, an
    hour at least, by default: within one hour the points meet one shard, so each of these
    is refused, and `dropped` counts every point refused (another field's too)."""
    match = _CONFLICT.fullmatch(refusal)
    if match is None:
        return []
    key, measurement, given = match.group("key", "measurement", "given")
    hours = {time // _HOUR for chunk in parsed.chunks if chunk.num_rows
             for time in (pc.min(chunk.table.column(TIME_COLUMN)).as_py(),
                          pc.max(chunk.table.column(TIME_COLUMN)).as_py())}
    if len(hours) != 1:
        return []
    raw: list[bytes] | None = None
    found: list[LineError] = []
    for chunk in parsed.chunks:
        if chunk.measurement != measurement or chunk.fields.get(key) != given:
            continue
        raw = split_points(joined(parts)) if raw is None else raw
        present = chunk.table.column(key).is_valid().to_pylist()
        found += [LineError(numbers[line - 1], line_text(raw, line), refusal, parsed=True)
                  for line, valid in zip(chunk.lines, present, strict=True)
                  if valid and 0 < line <= len(numbers)]
    return found
