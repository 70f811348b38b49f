"""A subquery's series as the rows of virtual measurements: Arrow tables its parent scans.

Each series is kept as it came, a column at a time (its Arrow arrays when the engine shaped it
so, `Series.arrays`, otherwise its Python rows turned into columns), so a subquery answering
millions of rows (a fill()ed one's runs) reaches its parent without a Python object per row.
The rows' place in 1.x's emission order (`SEQUENCE`) is sorted out with Arrow kernels too.
"""

from __future__ import annotations

import dataclasses
import heapq
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from translators.lineprotocol import FieldType

from .results import Series
from .schema import MeasurementSchema
from .select_list import UNREAD
from .values import array_types, coerce, type_of, value_types

#: The virtual tables' column holding each row's place in 1.x's emission order.
SEQUENCE = "__seq"

Column = pa.Array | list[Any]


@dataclasses.dataclass(slots=True)
class Piece:
    """One series' rows: times (int64 nanoseconds), its columns by name (a column it lacks
    is null), its tags, and what orders its rows among the others' (`Virtual.pieces`)."""

    times: pa.Array
    columns: dict[str, Column]
    tags: dict[str, str]
    rank: int
    by_time: bool


@dataclasses.dataclass(slots=True)
class Virtual:
    """The rows one series name contributes, series by series."""

    tags: list[str] = dataclasses.field(default_factory=list)
    fields: list[str] = dataclasses.field(default_factory=list)
    # 1.x emits the rows by (bucket time when `by_time`, series rank, row index), merging
    # the series' streams by their next rows' keys
    pieces: list[Piece] = dataclasses.field(default_factory=list)
    # Each field's type as the subquery's statement gives it, for a column without values
    typed: dict[str, FieldType] = dataclasses.field(default_factory=dict)
    # The columns 1.x types as tags (`SELECT x, host`), which a parent's `count(*)` skips
    tagged: set[str] = dataclasses.field(default_factory=set)
    # The tags some subquery of this name groups by itself (the others were handed down)
    own: set[str] = dataclasses.field(default_factory=set)


def add_series(virtual: Virtual, series: Series, rank: int, by_time: bool) -> None:
    """1.x's subquery rows: the series' tags stay tags, its columns become fields (a grouped
    tag also selected as a column, or a field aliased like it, is both)."""
    names = series.columns[1:]
    for column in names:
        if column not in virtual.fields and not column.startswith(UNREAD):
            virtual.fields.append(column)
    tags = series.tags or {}
    for key in tags:
        if key not in virtual.tags:
            virtual.tags.append(key)
    arrays: list[Column]
    if series.arrays is not None:
        times = series.arrays[0]
        arrays = list(series.arrays[1:])
    else:
        rows = series.values
        transposed = list(zip(*rows, strict=True)) if rows else [()] * len(series.columns)
        times = pa.array(transposed[0], pa.int64())
        arrays = [list(values) for values in transposed[1:]]
    columns: dict[str, Column] = {}
    for name, values in zip(names, arrays, strict=True):
        if name.startswith(UNREAD):
            continue
        if name in columns:  # a name twice: its last value that is not null
            values = [b if b is not None else a for a, b in zip(
                _listed(columns[name]), _listed(values), strict=True)]
        columns[name] = values
    virtual.pieces.append(Piece(times, columns, tags, rank, by_time))


def schema(name: str, virtual: Virtual) -> MeasurementSchema:
    fields = {f: _field_type(virtual, f) or virtual.typed.get(f) or FieldType.FLOAT
              for f in virtual.fields}
    # 1.x keeps a grouped tag and a field aliased like it apart (`SELECT x AS host ... GROUP BY
    # host`): the parent groups by the tag and reads the field; the tag gets a column of its own.
    shadowed = {t: f"__tag_{t}" for t in virtual.tags if t in fields}
    return MeasurementSchema(name, tuple(sorted(virtual.tags)), fields, shadowed,
                             tag_fields=frozenset(virtual.tagged & set(fields)),
                             handed_tags=frozenset(set(virtual.tags) - virtual.own))


def table(schema: MeasurementSchema, virtual: Virtual) -> pa.Table:
    pieces = virtual.pieces
    columns: dict[str, pa.ChunkedArray] = {
        "time": pc.cast(pa.chunked_array([p.times for p in pieces], pa.int64()),
                        pa.timestamp("ns")),
        SEQUENCE: _sequence(pieces)}
    for tag in schema.tags:
        columns[schema.tag_column(tag)] = pa.chunked_array(
            [pa.repeat(pa.scalar(p.tags.get(tag), pa.string()), len(p.times)) for p in pieces],
            pa.string())
    for name, ftype in schema.fields.items():
        columns[name] = pa.chunked_array(
            [_coerced(p.columns.get(name), len(p.times), ftype) for p in pieces], ftype.arrow)
    return pa.table(columns)


def row_count(virtual: Virtual) -> int:
    return sum(len(p.times) for p in virtual.pieces)


def _listed(values: Column) -> list[Any]:
    return values if isinstance(values, list) else values.to_pylist()


def _field_type(virtual: Virtual, name: str) -> FieldType | None:
    found: set[FieldType] = set()
    for piece in virtual.pieces:
        values = piece.columns.get(name)
        if values is not None:
            found |= value_types(values) if isinstance(values, list) else array_types(values)
    return type_of(found)


def _coerced(values: Column | None, count: int, ftype: FieldType) -> pa.Array:
    """A piece's column as the field's type (`values.coerce`)."""
    if values is None:
        return pa.nulls(count, ftype.arrow)
    if not isinstance(values, list):
        if values.type == ftype.arrow:
            return values
        if pa.types.is_null(values.type):
            return pa.nulls(count, ftype.arrow)
        if ftype is FieldType.FLOAT and pa.types.is_integer(values.type):
            return pc.cast(values, pa.float64(), safe=False)
        values = values.to_pylist()
    return pa.array([coerce(v, ftype) for v in values], ftype.arrow)


def positions(count: int) -> pa.Array:
    """0, 1, ... count - 1."""
    return pc.subtract(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), count)),
                       pa.scalar(1, pa.int64()))


def _sequence(pieces: list[Piece]) -> pa.ChunkedArray:
    """Each row's place in 1.x's emission order: the pieces' rows merged by (time when
    `by_time`, rank, row index), as `heapq.merge` merges them (ties in piece order)."""
    sizes = [len(p.times) for p in pieces]
    if not any(p.by_time for p in pieces) and len({p.rank for p in pieces}) == len(pieces):
        # a piece's rows one after the other, the pieces in rank order
        first, offsets = 0, [0] * len(pieces)
        for number in sorted(range(len(pieces)), key=lambda n: pieces[n].rank):
            offsets[number], first = first, first + sizes[number]
        return pa.chunked_array([pc.add(positions(size), pa.scalar(offset, pa.int64()))
                                 for size, offset in zip(sizes, offsets, strict=True)],
                                pa.int64())
    if all(not p.by_time or len(p.times) < 2 or pc.all(pc.greater_equal(
            p.times[1:], p.times[:-1])).as_py() for p in pieces):
        # every stream in key order: the merge is a stable sort of the keys
        keys = pa.table({
            "t": pa.chunked_array([p.times if p.by_time else pa.repeat(
                pa.scalar(0, pa.int64()), size) for p, size in zip(pieces, sizes, strict=True)],
                pa.int64()),
            "r": pa.chunked_array([pa.repeat(pa.scalar(p.rank, pa.int64()), size)
                                   for p, size in zip(pieces, sizes, strict=True)], pa.int64()),
            "i": pa.chunked_array([positions(size) for size in sizes], pa.int64())})
        order = pc.sort_indices(keys, sort_keys=[("t", "ascending"), ("r", "ascending"),
                                                 ("i", "ascending")])
        # the inverse of the permutation `order` is its own sort order
        return pa.chunked_array([pc.cast(pc.sort_indices(order), pa.int64())], pa.int64())
    # a stream whose times go back (a fill()ed subquery's runs, read by a raw one) keeps
    # its own order: merged as 1.x merges it
    keys = [(t if p.by_time else 0, p.rank, i) for p in pieces
            for i, t in enumerate(p.times.to_pylist())]
    bounds = [sum(sizes[:n]) for n in range(len(pieces) + 1)]
    ranks = list(heapq.merge(*(range(a, b) for a, b in zip(bounds, bounds[1:], strict=False)),
                             key=keys.__getitem__))
    sequence = [0] * len(ranks)
    for position, row in enumerate(ranks):
        sequence[row] = position
    return pa.chunked_array([pa.array(sequence, pa.int64())], pa.int64())
