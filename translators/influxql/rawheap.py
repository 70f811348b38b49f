"""Raw rows of several series at one timestamp, in the order InfluxDB 1.6.7 answers them.

1.x merges a group's series with Go's container/heap, one heap per 7-day shard group, the
series taken in series-key order (reversed under ORDER BY time DESC), as it does for the
transformations (`readorder.merge_series`). Its sorted merge compares points by time, then by
the row's auxiliary values: the names the SELECT list reads, sorted, each compared while both
rows hold text (a tag, a string field) and equal; the first value that is not text on either
side (a number, a missing tag, a null) makes the points equal, and the heap decides. So:

- when the names sorted first are tags covering every tag that varies in the group, and every
  row has them, the tags decide and the storage order (time, then tags) is already 1.x's;
- otherwise the heap's walk decides (`heapwalk.py`): a shard group where every series has a
  point at every time (Telegraf's aligned points) steps by one fixed permutation of the
  heap's slots, the rows placed with Arrow kernels; others are walked point by point.

The storage query sorts the rows by time only (sorting by tags too cost DuckDB more than
everything here): the series are ranked from Arrow dictionaries of the tag columns.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from translators.lineprotocol import FieldType

from . import heapsteps, heapwalk
from .conditions import pinned_tags
from .readorder import SHARD_GROUP, SHARD_ORIGIN, shard_group
from .schema import MeasurementSchema
from .select_plan import SelectPlan, transforms_in
from .sqlnames import TIME, VIRTUAL_DB, dim_name, prim_name

SORTED = "sorted"  # the tags decide, if every row has them
HEAP = "heap"  # the heap's walk decides


def key_name(index: int) -> str:
    """The storage query's column of the measurement's `index`th tag (sorted), read for
    1.x's series keys."""
    return f"__k{index}"


def mode(plan: SelectPlan, schema: MeasurementSchema, dimensions: Sequence[str],
         database: str, copies: int = 1, extra: Sequence[str] = ()) -> str | None:
    """How a raw read's rows at one time are put in 1.x's order; None: nothing to do (an
    aggregate, a transformation, which merges on its own, a subquery's rows, a measurement
    FROM names several times, or one series per group)."""
    if plan.aggregate or database == VIRTUAL_DB or copies != 1 or extra:
        return None
    if any(transforms_in(node) for node in plan.outputs):
        return None
    free = set(schema.tags) - set(dimensions) - pinned_tags(plan.condition, schema)
    if not free:
        return None
    leading = _leading_tags(plan, schema)
    return SORTED if free <= set(leading) else HEAP


def _aux(plan: SelectPlan, schema: MeasurementSchema) -> list[tuple[str, int, bool]]:
    """1.x's auxiliary values: (name, prim index, whether it is text), sorted by name."""
    seen: dict[str, tuple[str, int, bool]] = {}
    for index, prim in enumerate(plan.prims):
        if prim.func is None and prim.name not in seen:
            text = prim.role == "tag" or schema.fields.get(prim.name) is FieldType.STRING
            seen[prim.name] = (prim.name, index, text)
    return [seen[name] for name in sorted(seen)]


def _leading_tags(plan: SelectPlan, schema: MeasurementSchema) -> list[str]:
    out = []
    for name, index, _ in _aux(plan, schema):
        if plan.prims[index].role != "tag":
            break
        out.append(name)
    return out


def tags_decide(plan: SelectPlan, schema: MeasurementSchema, dimensions: Sequence[str],
                table: pa.Table) -> bool:
    """In SORTED mode: whether every row holds the leading tags up to the last that varies
    (a missing one is not text to 1.x, and leaves the order to the heap)."""
    free = set(schema.tags) - set(dimensions) - pinned_tags(plan.condition, schema)
    for name, index, _ in _aux(plan, schema):
        if not free:
            return True
        if table.column(prim_name(index)).null_count:
            return False
        free.discard(name)
    return not free


@dataclass(frozen=True, slots=True)
class Beyond:
    """The series with points past a LIMIT's cut (`rawcut.py`), one stand-in point each at
    `time` (just past the cut): the heap holds them as it holds those series' next points,
    which changes its layout, but answers none of them before the rows up to the cut."""

    time: int
    keys: pa.Table  # the key columns `key_name(i)` of rows of those series


def reorder(plan: SelectPlan, schema: MeasurementSchema, dimensions: Sequence[str],
            table: pa.Table, beyond: Beyond | None = None) -> pa.Table:
    """The rows of a HEAP mode read (sorted by group then time, rows of one time in any
    order; the key columns `key_name(i)` added) put in 1.x's order within each group, the
    key columns dropped. Under ORDER BY time DESC the rows stay laid out ascending, the walk
    reversed, as the callers reverse them. With LIMIT, only each group's first rows of the
    walk stay. `beyond`: series past a LIMIT's cut, with one group (no GROUP BY tags)."""
    tags = sorted(schema.tags)
    keys = [key_name(i) for i in range(len(tags))]
    if not table.num_rows:
        return table.drop_columns(keys)
    rows = table.num_rows
    columns = [table.column(k) for k in keys]
    if beyond is not None and beyond.keys.num_rows:
        assert not dimensions
        columns = [pa.chunked_array([*c.chunks, *beyond.keys.column(k).chunks], c.type)
                   for c, k in zip(columns, keys, strict=True)]
    ranks = series_ranks(tags, columns)
    behind = pc.unique(ranks.slice(rows))  # each series past the cut once
    extra = len(behind)
    table = table.drop_columns(keys)
    times = table.column(TIME).combine_chunks().cast(pa.int64())
    texts = []
    for _, index, text in _aux(plan, schema):
        if not text:
            break
        texts.append(table.column(prim_name(index)).to_pylist() + [None] * extra)
    starts = group_starts(table, len(dimensions))
    order: list[int] | range = range(rows)
    shift = 0
    if extra:  # one group: the stand-ins after the rows, or before them laid out for DESC
        assert beyond is not None
        stand_ins = pa.repeat(pa.scalar(beyond.time, pa.int64()), extra)
        added = range(rows, rows + extra)  # no text: never less than another row
        if plan.descending:
            times = pa.concat_arrays([stand_ins, times])
            ranks = pa.concat_arrays([behind, ranks.slice(0, rows)])
            order, shift = [*added, *order], extra
        else:
            times = pa.concat_arrays([times, stand_ins])
            ranks = pa.concat_arrays([ranks.slice(0, rows), behind])
            order = [*order, *added]
        starts = [0, rows + extra]
    if not texts:
        found = heapsteps.aligned(times, ranks, starts, plan.descending, plan.rows_end)
        if found is not None:
            return table.take(pc.subtract(found, shift))
    picked: list[pa.Array] = []
    for a, b in itertools.pairwise(starts):
        compare = None
        if texts:
            values = [tuple(column[r] for column in texts) for r in order[a:b]]
            compare = functools.partial(_aux_less, values, plan.descending)
        walk = _walk(times.slice(a, b - a), ranks.slice(a, b - a), plan.descending, compare,
                     plan.rows_end)
        if plan.descending:
            walk = walk[::-1]  # laid out ascending: the last walked first
        picked.append(pc.add(walk, a - shift))
    return table.take(pa.chunked_array(picked, pa.int64()).combine_chunks())


def group_starts(table: pa.Table, dims: int) -> list[int]:
    """Where each group (its GROUP BY tags) starts in the table, and its end."""
    if not dims:
        return [0, table.num_rows]
    joined = pc.binary_join_element_wise(
        *(pc.fill_null(table.column(dim_name(i)), "") for i in range(dims)), "\x00")
    changed = pc.not_equal(joined.slice(1), joined.slice(0, table.num_rows - 1))
    inner = [i + 1 for i in pc.indices_nonzero(changed).to_pylist()]
    return [0, *inner, table.num_rows]


def _escape(text: str) -> str:
    for char in ",= ":
        text = text.replace(char, "\\" + char)
    return text


_CODES = 1 << 20  # tag value combinations ranked through one table
_ARROW_ROWS = 4096  # a shard group of fewer rows is walked faster in Python


def series_count(columns: Sequence[pa.ChunkedArray]) -> int:
    """How many series (tag value combinations) the key columns name."""
    return len(pc.unique(_series_codes(columns)[0])) if len(columns[0]) else 0


def _series_codes(columns: Sequence[pa.ChunkedArray]
                  ) -> tuple[pa.Array, int, list[pa.Array], list[pa.Array]]:
    """A code per row for its tag values (each column's dictionary index, a missing tag the
    last, as digits of one number while the combinations fit `_CODES`), that bound (above
    `_CODES` when the codes are no longer digits), and each column's dictionary and index."""
    code = pa.repeat(pa.scalar(0, pa.int64()), len(columns[0]))
    width = 1
    dictionaries, indices = [], []
    for column in columns:
        encoded = column.combine_chunks().dictionary_encode()
        values = len(encoded.dictionary) + 1  # a missing tag: the last code
        if width * values >= 1 << 62:  # too many combinations: number the ones present
            code = pc.dictionary_encode(code).indices.cast(pa.int64())
            width = _CODES + 1 + len(pc.unique(code))  # no longer digits of the values
        index = pc.fill_null(encoded.indices.cast(pa.int64()), values - 1)
        code = pc.add(pc.multiply(code, values), index)
        width *= values
        dictionaries.append(encoded.dictionary)
        indices.append(index)
    return code, width, dictionaries, indices


def series_ranks(tags: list[str], columns: Sequence[pa.ChunkedArray]) -> pa.Array:
    """Each row's series' place in 1.x's series-key order (the tags written `k=v` with
    line protocol's escapes, sorted as bytes, a missing tag left out). The rows' tag values
    are coded by Arrow's dictionaries; only each value and each series is seen in Python."""
    code, width, dictionaries, indices = _series_codes(columns)
    pieces = [[f"{_escape(tag)}={_escape(v)}" for v in dictionary.to_pylist()] + [None]
              for tag, dictionary in zip(tags, dictionaries, strict=True)]
    if width <= _CODES:  # few combinations: a rank per code, the codes present ranked
        present = pc.unique(code).to_pylist()
        keys = []
        for packed in present:
            parts = []
            for names in reversed(pieces):
                packed, digit = divmod(packed, len(names))
                parts.append(names[digit])
            keys.append(",".join(p for p in reversed(parts) if p is not None).encode())
        table = [0] * width
        for place, index in enumerate(sorted(range(len(keys)), key=keys.__getitem__)):
            table[present[index]] = place
        return pc.take(pa.array(table, pa.int64()), code)
    series = pc.dictionary_encode(code).indices  # numbered by first appearance
    seen = pc.cumulative_max(series)
    first = pa.concat_arrays([pa.array([True]),
                              pc.greater(series.slice(1), seen.slice(0, len(series) - 1))])
    rows = pc.indices_nonzero(first)  # each series' first row, in series number order
    found = [[names[i] for i in index.take(rows).to_pylist()]
             for names, index in zip(pieces, indices, strict=True)]
    series_keys = [",".join(piece for piece in key if piece is not None).encode()
                   for key in zip(*found, strict=True)]
    order = sorted(range(len(series_keys)), key=series_keys.__getitem__)
    rank = [0] * len(order)
    for place, index in enumerate(order):
        rank[index] = place
    return pc.take(pa.array(rank, pa.int64()), series)


def _aux_less(values: list[tuple[Any, ...]], descending: bool, x: int, y: int) -> bool:
    """Go's sorted-merge comparison of two rows' auxiliary text at one time."""
    for left, right in zip(values[x], values[y], strict=True):
        if not isinstance(left, str) or not isinstance(right, str):
            return False
        if left != right:
            return left > right if descending else left < right
    return False


def _walk(times: pa.Array, ranks: pa.Array, descending: bool,
          compare: heapwalk.Compare | None, wanted: int | None) -> pa.Array:
    """One group's rows (indices into `times`, laid out by time) in the order 1.x's heaps,
    one per shard group, hand them out; at most `wanted`."""
    bounds = _shard_bounds(times)
    segments = list(itertools.pairwise(bounds))
    if descending:
        segments.reverse()
    parts: list[pa.Array] = []
    count = 0
    for a, b in segments:
        left = None if wanted is None else wanted - count
        if left is not None and left <= 0:
            break
        found = None
        if compare is None and b - a >= _ARROW_ROWS:
            found = heapsteps.aligned(times.slice(a, b - a), ranks.slice(a, b - a), [0, b - a],
                             descending, None)
            if found is not None and descending:
                found = found[::-1]  # in the walk's order
        if found is None:
            found = pa.array(heapwalk.walk_segment(
                times.slice(a, b - a).to_pylist(), ranks.slice(a, b - a).to_pylist(),
                descending, compare, a, left), pa.int64())
        elif left is not None and len(found) > left:
            found = found.slice(0, left)
        parts.append(pc.add(found, a))
        count += len(found)
    return pa.concat_arrays(parts) if parts else pa.array([], pa.int64())


def _shard_bounds(times: pa.Array) -> list[int]:
    """Where each shard group's rows start in `times` (ascending), and their end."""
    bounds = [0]
    first, last = shard_group(times[0].as_py()), shard_group(times[-1].as_py())
    for group in range(first + 1, last + 1):
        start = SHARD_ORIGIN + group * SHARD_GROUP
        low, high = bounds[-1], len(times)
        while low < high:  # the first row at or after the group's start
            middle = (low + high) // 2
            if times[middle].as_py() < start:
                low = middle + 1
            else:
                high = middle
        if low > bounds[-1]:
            bounds.append(low)
    return [*bounds, len(times)]
