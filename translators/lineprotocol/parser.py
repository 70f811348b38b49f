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
from .spans import point_spans, without_final_newline

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
    text = without_final_newline(body)
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
    """The lines of `body` as the parser numbers them (see `_join_spans`), one per newline
    and one more: a final newline ends the last point and is part of none, as in
    `parse_lines`."""
    text = without_final_newline(body)
    lines = text.split(b"\n")
    points = _join_spans(lines, point_spans(text, lines))
    return points if text is body else [*points, b""]


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
    for candidate in candidates[-_RECENT_BUILDERS:]:
        if candidate[0].accepts(tags, fields):
            candidate[0].add(tags, fields)
            return candidate[1]
    columns, members = _Columns(), []
    columns.add(tags, fields)
    candidates.append((columns, members))
    return members


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
    clashing = _clashing_columns(pieces)
    for piece in sorted(pieces, key=lambda p: p.lines[0] if len(p.lines) else 0):
        if not piece.num_rows or piece.measurement in clashing:
            continue
        members = _place(candidates.setdefault(piece.measurement, []), piece.tags,
                         piece.fields)
        if not members:
            groups.append(members)
        members.append(piece)
    for measurement, columns in clashing.items():
        groups += _runs([p for p in pieces if p.measurement == measurement and p.num_rows],
                        columns)
    groups.sort(key=lambda group: min(piece.lines[0] for piece in group))
    rejected.chunks = [_join(group) for group in groups]
    return rejected


def _clashing_columns(pieces: list[TableChunk]) -> dict[str, set[str]]:
    """Per measurement, the columns its pieces give two types or roles."""
    seen: dict[tuple[str, str], FieldType | None] = {}  # None: a tag
    clashing: dict[str, set[str]] = {}
    for piece in pieces:
        for key in piece.tags:
            if seen.setdefault((piece.measurement, key), None) is not None:
                clashing.setdefault(piece.measurement, set()).add(key)
        for key, ftype in piece.fields.items():
            if seen.setdefault((piece.measurement, key), ftype) is not ftype:
                clashing.setdefault(piece.measurement, set()).add(key)
    return clashing


def _runs(pieces: list[TableChunk], clashing: set[str]) -> list[list[TableChunk]]:
    """A measurement's rows cut into runs of consecutive lines that agree on the columns its
    lines give two types or roles (`clashing`): one group of pieces per run, in line order.

    The store checks chunks in order, and a row it refuses gives no column its type; within
    a run every line that names such a column gives it one type, so whichever line of the
    run the store keeps first, the type of the earliest line it keeps wins, as in 1.x. A
    chunk holding lines of both sides of a change (a path's piece, placed by its first
    line) would let a later line's type win. A new run starts at each line whose type for
    such a column is not the one the last line naming it gave.
    """
    lines = pa.array([n for piece in pieces for n in piece.lines], pa.int64())
    order = pc.sort_indices(lines)
    cuts = pa.array([False] * len(lines))
    for name in clashing:
        kinds = []
        for piece in pieces:
            kind = "tag" if name in piece.tags else piece.fields.get(name)
            if kind is None:
                kinds.append(pa.nulls(piece.num_rows, pa.string()))
            else:
                held = pc.is_valid(piece.table.column(name))
                kinds.append(pc.if_else(held, pa.scalar(str(kind)), pa.scalar(None, pa.string())))
        ordered = pa.chunked_array(kinds, pa.string()).combine_chunks().take(order)
        at = pc.indices_nonzero(pc.is_valid(ordered))
        named = ordered.take(at)
        if len(named) > 1:
            changed = pc.not_equal(named.slice(1), named.slice(0, len(named) - 1))
            starts = at.slice(1).filter(changed).to_pylist()
            if starts:
                cut = [False] * len(lines)
                for start in starts:
                    cut[start] = True
                cuts = pc.or_(cuts, pa.array(cut))
    run_in_order = pc.cumulative_sum(pc.cast(cuts, pa.int64()))
    run = pc.take(run_in_order, pc.sort_indices(order))  # each row's run, in piece order
    runs: dict[int, list[TableChunk]] = {}
    offset = 0
    for piece in pieces:
        mine = run.slice(offset, piece.num_rows)
        offset += piece.num_rows
        for number in pc.unique(mine).to_pylist():
            rows = pc.indices_nonzero(pc.equal(mine, number))
            table = piece.table.take(rows)
            held = [c for c in table.column_names
                    if c == TIME_COLUMN or table.column(c).null_count < table.num_rows]
            names = set(held)
            runs.setdefault(number, []).append(TableChunk(
                piece.measurement, table.select(held), tuple(t for t in piece.tags if t in names),
                {k: t for k, t in piece.fields.items() if k in names},
                [piece.lines[i] for i in rows.to_pylist()]))
    return [runs[number] for number in sorted(runs)]


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
