"""Parse a line-protocol body into per-measurement Arrow chunks plus per-line errors.

Lines are grouped by skeleton (see fast.py); groups of one clean shape take the vectorised
path, everything else (escapes, quotes, comments, odd spacing, bad lines) the slow path. The
pieces are then merged per measurement in line order, with the first type a field shows in
the body winning and later conflicting lines rejected, as InfluxDB does.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from . import fast
from .model import TIME_COLUMN, FieldType, LineError, ParsedBatch, TableChunk
from .precision import Precision
from .slow import LineSyntaxError, Point, PointRefused, parse_line

# Columns one chunk may hold, and how many recent chunks a line may join: both keep the work
# linear in the body when lines name many different fields.
MAX_CHUNK_COLUMNS = 256
_RECENT_BUILDERS = 8


def parse_lines(
    body: bytes,
    precision: Precision,
    default_time: int,
    *,
    vectorised: bool = True,
) -> ParsedBatch:
    """Parse `body`; `default_time` (ns) is used for lines without a timestamp.

    `vectorised=False` forces every line through the slow path (for tests and comparison).
    """
    text = body[:-1] if body.endswith(b"\n") else body
    if not text.strip():
        return ParsedBatch()
    pieces: list[TableChunk] = []
    slow_lines: list[int] = []
    raw_lines: list[bytes] | None = None

    if vectorised:
        skel = fast.skeleton(text)
        newline = skel.find(b"\n")
        first = skel if newline < 0 else skel[:newline]
        count = skel.count(b"\n") + 1
        shape = fast.shape_of(first)
        if shape is not None and skel == b"\n".join([first] * count):
            block = fast.parse_block(text, shape, range(1, count + 1), precision, default_time)
            if block is not None:
                return _merge(block, ParsedBatch(), text)
        raw_lines = text.split(b"\n")
        groups: dict[bytes, list[int]] = {}
        for index, line_skeleton in enumerate(skel.split(b"\n")):
            groups.setdefault(line_skeleton, []).append(index)
        for line_skeleton, indexes in groups.items():
            shape = fast.shape_of(line_skeleton)
            block = None
            if shape is not None:
                data = b"\n".join([raw_lines[i] for i in indexes])
                numbers = [i + 1 for i in indexes]
                block = fast.parse_block(data, shape, numbers, precision, default_time)
            if block is None:
                slow_lines.extend(indexes)
            else:
                pieces.extend(block)
    else:
        raw_lines = text.split(b"\n")
        slow_lines = list(range(len(raw_lines)))

    rejected = ParsedBatch()
    if slow_lines:
        slow_lines.sort()
        pieces.extend(_parse_slowly(raw_lines, slow_lines, precision, default_time, rejected))
    return _merge(pieces, rejected, text)


def _parse_slowly(
    raw_lines: list[bytes],
    indexes: Sequence[int],
    precision: Precision,
    default_time: int,
    rejected: ParsedBatch,
) -> list[TableChunk]:
    points: dict[str, list[tuple[int, Point]]] = {}
    for index in indexes:
        raw = raw_lines[index]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            rejected.reject(LineError(index + 1, raw.decode("utf-8", "replace"), "invalid UTF-8"))
            continue
        text = line.lstrip(" \t").removesuffix("\r")  # CRLF endings are accepted
        if not text.strip() or text.startswith("#"):
            continue
        try:
            point = parse_line(text, precision, default_time)
        except LineSyntaxError as exc:
            rejected.reject(LineError(index + 1, text, str(exc)))
            continue
        except PointRefused as exc:
            rejected.reject(LineError(index + 1, text, str(exc), parsed=True))
            continue
        points.setdefault(point.measurement, []).append((index + 1, point))
    return [chunk for m, rows in points.items() for chunk in _points_to_chunks(m, rows)]


def _points_to_chunks(measurement: str, rows: list[tuple[int, Point]]) -> list[TableChunk]:
    """Columns for one measurement's slow-path points, in as few compatible chunks as may be.

    A point goes to the first chunk whose columns agree with its own in role and type.
    """
    Builder = tuple[dict[str, None], dict[str, FieldType], list[tuple[int, Point]]]
    builders: list[Builder] = []
    for number, point in rows:
        chosen: Builder | None = None
        for builder in builders[-_RECENT_BUILDERS:]:  # bounded: linear in the lines
            tags, fields, _ = builder
            new = sum(k not in tags for k in point.tags) + sum(
                k not in fields for k in point.fields)
            if len(tags) + len(fields) + new <= MAX_CHUNK_COLUMNS and all(
                k not in fields for k in point.tags
            ) and all(
                k not in tags and fields.get(k, t) is t for k, (t, _) in point.fields.items()
            ):
                chosen = builder
                break
        if chosen is None:
            chosen = ({}, {}, [])
            builders.append(chosen)
        tags, fields, kept = chosen
        for key in point.tags:
            tags.setdefault(key)
        for key, (ftype, _) in point.fields.items():
            fields.setdefault(key, ftype)
        kept.append((number, point))
    return [_build_chunk(measurement, *builder) for builder in builders]


def _build_chunk(
    measurement: str,
    tag_names: dict[str, None],
    field_types: dict[str, FieldType],
    kept: list[tuple[int, Point]],
) -> TableChunk:
    columns: dict[str, pa.Array] = {
        TIME_COLUMN: pa.array([p.time for _, p in kept], pa.int64()),
    }
    for key in tag_names:
        columns[key] = pa.array([p.tags.get(key) for _, p in kept], pa.string())
    for key, ftype in field_types.items():
        values = [p.fields[key][1] if key in p.fields else None for _, p in kept]
        columns[key] = pa.array(values, ftype.arrow)
    return TableChunk(
        measurement,
        pa.table(columns),
        tuple(sorted(tag_names)),
        field_types,
        [number for number, _ in kept],
    )


def _merge(pieces: list[TableChunk], rejected: ParsedBatch, text: bytes) -> ParsedBatch:
    """Join compatible pieces of each measurement, keeping chunks in first-line order.

    As the slow path's builders do, a piece joins the first of its measurement's recent groups
    whose columns agree with it in role and type, if the union stays within
    MAX_CHUNK_COLUMNS (sparse bodies, each line naming other fields, would otherwise become
    rows x columns of nulls).
    """
    Group = tuple[list[TableChunk], dict[str, None], dict[str, FieldType]]
    groups: list[list[TableChunk]] = []
    recent: dict[str, list[Group]] = {}
    for piece in sorted(pieces, key=lambda p: p.lines[0] if len(p.lines) else 0):
        if not piece.num_rows:
            continue
        candidates = recent.setdefault(piece.measurement, [])
        for group, tags, fields in candidates[-_RECENT_BUILDERS:]:
            width = len(set(tags) | set(fields) | set(piece.tags) | set(piece.fields))
            if width <= MAX_CHUNK_COLUMNS and _compatible(piece, tags, fields):
                group.append(piece)
                tags.update(dict.fromkeys(piece.tags))
                fields.update(piece.fields)
                break
        else:
            groups.append([piece])
            candidates.append((groups[-1], dict.fromkeys(piece.tags), dict(piece.fields)))
    rejected.chunks = [_join(group) for group in groups]
    return rejected


def _compatible(piece: TableChunk, tags: dict[str, None], fields: dict[str, FieldType]
                ) -> bool:
    """No column is a tag on one side and a field on the other, or a field of two types."""
    for key, ftype in piece.fields.items():
        if key in tags or fields.get(key, ftype) is not ftype:
            return False
    return all(key not in fields for key in piece.tags)


def line_text(raw_lines: list[bytes], number: int) -> str:
    """A line as error messages quote it: without leading whitespace or its line ending."""
    raw = raw_lines[number - 1].decode("utf-8", "replace")
    return raw.lstrip(" \t").removesuffix("\r")


def _join(parts: list[TableChunk]) -> TableChunk:
    if len(parts) == 1:
        return parts[0]
    tags: dict[str, None] = {}
    fields: dict[str, FieldType] = {}
    for part in parts:
        tags.update(dict.fromkeys(part.tags))
        fields.update(part.fields)
    merged = pa.concat_tables([p.table for p in parts], promote_options="default")
    lines = [n for p in parts for n in p.lines]
    if lines != sorted(lines):
        order = pc.sort_indices(pa.array(lines))
        merged = merged.take(order)
        lines = [lines[i] for i in order.to_pylist()]
    return TableChunk(parts[0].measurement, merged, tuple(sorted(tags)), fields, lines)
