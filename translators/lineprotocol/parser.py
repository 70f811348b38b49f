"""Parse a line-protocol body into per-measurement Arrow chunks plus per-line errors.

Lines are grouped by skeleton (see fast.py); groups of one clean shape take the vectorised
path, everything else (escapes, quotes, comments, odd spacing, bad lines) the slow path. The
pieces are then merged per measurement in line order, with the first type a field shows in
the body winning and later conflicting lines rejected, as InfluxDB does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from . import fast
from .model import TIME_COLUMN, FieldType, LineError, ParsedBatch, TableChunk
from .precision import Precision
from .slow import LineSyntaxError, Point, PointRefused, parse_line
from .spans import point_spans

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
    if not text or text.isspace():  # isspace stops at the first other byte; strip copies
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
        if shape is not None and skel == (first + b"\n") * (count - 1) + first:
            block = fast.parse_block(text, shape, range(1, count + 1), precision, default_time)
            if block is not None:
                return _merge(block, ParsedBatch(), text)
        raw_lines = text.split(b"\n")
        skeletons = skel.split(b"\n")
        spans = point_spans(text, raw_lines)
        if spans:
            raw_lines = _join_spans(raw_lines, spans)
            for first, last in spans.items():  # the lines a point took: blank, so skipped
                skeletons[first + 1:last + 1] = [b""] * (last - first)
        groups: dict[bytes, list[int]] = {}
        for index, line_skeleton in enumerate(skeletons):
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
        raw_lines = split_points(text)
        slow_lines = list(range(len(raw_lines)))

    rejected = ParsedBatch()
    if slow_lines:
        slow_lines.sort()
        pieces.extend(_parse_slowly(raw_lines, slow_lines, precision, default_time, rejected))
    return _merge(pieces, rejected, text)


def split_points(body: bytes) -> list[bytes]:
    """The lines of `body` as the parser numbers them: see `_join_spans`."""
    lines = body.split(b"\n")
    return _join_spans(lines, point_spans(body, lines))


def _join_spans(raw_lines: list[bytes], spans: dict[int, int]) -> list[bytes]:
    """Each point that spans lines (an escaped newline, a newline inside a quoted string
    value: see spans.py) joined into its first line, and the lines it took left blank, so
    that every other line keeps its number, as InfluxDB 1.x and 2.x read such points."""
    if not spans:
        return raw_lines
    joined = list(raw_lines)
    for first, last in spans.items():
        joined[first] = b"\n".join(raw_lines[first:last + 1])
        joined[first + 1:last + 1] = [b""] * (last - first)
    return joined


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


@dataclass(slots=True)
class _Columns:
    """The columns of a chunk being gathered: which are tags, and each field's type."""

    tags: dict[str, None] = field(default_factory=dict)
    fields: dict[str, FieldType] = field(default_factory=dict)

    def accepts(self, tags: Iterable[str], fields: Mapping[str, FieldType]) -> bool:
        """Rows with these columns may join: no column is a tag on one side and a field on
        the other, no field has two types, and the chunk stays within MAX_CHUNK_COLUMNS."""
        new = 0
        for key in tags:
            if key in self.fields:
                return False
            new += key not in self.tags
        for key, ftype in fields.items():
            if key in self.tags or self.fields.get(key, ftype) is not ftype:
                return False
            new += key not in self.fields
        return len(self.tags) + len(self.fields) + new <= MAX_CHUNK_COLUMNS

    def add(self, tags: Iterable[str], fields: Mapping[str, FieldType]) -> None:
        self.tags.update(dict.fromkeys(tags))
        for key, ftype in fields.items():
            self.fields.setdefault(key, ftype)


def _place(candidates: list[tuple[_Columns, list]], tags: Iterable[str],
           fields: Mapping[str, FieldType]) -> list:
    """The members of the first recent candidate that accepts these columns, or of a new one
    (empty) if none does. Looking at the last few only keeps the work linear in the body."""
    recent = candidates[-_RECENT_BUILDERS:]
    for at, candidate in enumerate(recent):
        if candidate[0].accepts(tags, fields) and not _settles_early(recent, at, tags, fields):
            candidate[0].add(tags, fields)
            return candidate[1]
    columns, members = _Columns(), []
    columns.add(tags, fields)
    candidates.append((columns, members))
    return members


def _settles_early(recent: list[tuple[_Columns, list]], at: int, tags: Iterable[str],
                   fields: Mapping[str, FieldType]) -> bool:
    """Whether these columns, placed in `recent[at]`, would be the first to give a column its
    type or role there while a later candidate, holding an earlier line, gives it another.
    The store checks chunks in order, so the later line's type would win; in 1.x the first
    line's does (a line too wide to join a chunk starts another, MAX_CHUNK_COLUMNS)."""
    later = [columns for columns, _ in recent[at + 1:]]
    if not later:
        return False
    held = [columns for columns, _ in recent[:at + 1]]
    for key, ftype in fields.items():
        if not any(key in c.fields or key in c.tags for c in held) and any(
                key in c.tags or c.fields.get(key, ftype) is not ftype for c in later):
            return True
    return any(not any(key in c.fields or key in c.tags for c in held)
               and any(key in c.fields for c in later) for key in tags)


def _points_to_chunks(measurement: str, rows: list[tuple[int, Point]]) -> list[TableChunk]:
    """Columns for one measurement's slow-path points, in as few compatible chunks as may be
    (the same rule as `_merge` uses for pieces)."""
    candidates: list[tuple[_Columns, list]] = []
    for number, point in rows:
        fields = {key: ftype for key, (ftype, _) in point.fields.items()}
        _place(candidates, point.tags, fields).append((number, point))
    return [_build_chunk(measurement, columns.tags, columns.fields, kept)
            for columns, kept in candidates]


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
    """Join compatible pieces of each measurement, keeping chunks in first-line order; the
    rule is the slow path's (`_place`), so both paths cut the same chunks."""
    groups: list[list[TableChunk]] = []
    candidates: dict[str, list[tuple[_Columns, list]]] = {}
    for piece in sorted(pieces, key=lambda p: p.lines[0] if len(p.lines) else 0):
        if not piece.num_rows:
            continue
        members = _place(candidates.setdefault(piece.measurement, []), piece.tags,
                         piece.fields)
        if not members:
            groups.append(members)
        members.append(piece)
    rejected.chunks = [_join(group) for group in groups]
    return rejected


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
