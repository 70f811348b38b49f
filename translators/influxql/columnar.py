"""The common SELECT shapes turned into series a column at a time, with Arrow kernels.

`shape.py` handles every plan row by row in Python. Most statements need none of that: raw
columns, or aggregates DuckDB computed whole (mean, count, max...) with each output a plain
column and fill(null) or fill(none). For those the storage rows are grouped, sorted and cut
into series here, and Python touches each output row once, to build it. The answers are the
same as `shape.py`'s (the differential suite runs both on the same statements); a series whose
buckets need filling is handed to `shape.py`'s fill. The series keep their columns as Arrow
slices of the sorted block (`Series.arrays`), so the encoders can write them without Python
rows ever being built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import ast
from .fill import bucket_span, fill_rows, own_start
from .paging import page_series
from .results import Series
from .select_plan import PrimRef, SelectPlan
from .sqlnames import COUNTED, TIME, dim_name, prim_name
from .storage import needs_points

_FILLS = (ast.FillOption.NULL, ast.FillOption.NONE)


def eligible(plan: SelectPlan) -> bool:
    """True when every output is a stored column or a whole-SQL aggregate of one."""
    if plan.fill not in _FILLS:
        return False
    if not all(isinstance(node, PrimRef) for node in plan.outputs):
        return False
    if plan.fill is ast.FillOption.NONE and plan.rows_end is not None and len(plan.prims) > 1:
        return False  # LIMIT cuts each function's buckets on its own (cursor.py)
    if plan.aggregate:
        return all(p.func is not None and not needs_points(plan, p) for p in plan.prims)
    return True


@dataclass(slots=True)
class Block:
    """One measurement's storage rows, sorted by tag set then time, as Arrow columns."""

    name: str
    dimensions: list[str]
    keys: list[tuple[str, ...]]  # per series
    bounds: list[int]  # series i is rows bounds[i]:bounds[i + 1]
    times: pa.Array  # int64 nanoseconds
    columns: list[pa.Array]  # one per plan output
    absent_counts: frozenset[int] = frozenset()  # fill.absent_counts of its measurement


def block(plan: SelectPlan, name: str, dimensions: list[str], table: pa.Table,
          lower: int, absent_counts: frozenset[int] = frozenset()) -> Block | None:
    if COUNTED in table.column_names:  # buckets where no aggregated field has a value
        table = table.filter(pc.not_equal(table.column(COUNTED), 0))
    if not table.num_rows:
        return None
    dims = [dim_name(i) for i in range(len(dimensions))]
    # a tag the measurement lacks is null on every row (`storage.with_absent_dims`): it
    # orders and splits nothing, and thousands of them made the sort and the keys cost seconds
    absent = {d for d in dims if table.column(d).null_count == table.num_rows}
    if dims:  # one new table, not one per dimension: thousands of GROUP BY tags took minutes
        names, columns = table.column_names, table.columns
        position = {n: i for i, n in enumerate(names)}
        for name_ in dims:
            if name_ in absent:
                continue
            values = columns[position[name_]]
            if not pa.types.is_string(values.type):  # a subquery's field named like a tag
                values = pc.cast(values, pa.string())
            columns[position[name_]] = pc.fill_null(values, "")
        table = pa.table(columns, names=names)
    times = table.column(TIME)
    values: list[pa.ChunkedArray] = []
    selected: pa.ChunkedArray | None = None
    for index in range(len(plan.prims)):
        column = table.column(prim_name(index))
        if plan.aggregate and pa.types.is_struct(column.type):  # a selector: {.., t, v}
            point_time = pc.struct_field(column, "t")
            selected = point_time if selected is None else pc.coalesce(point_time, selected)
            column = pc.struct_field(column, "v")
        values.append(column)
    if plan.aggregate:
        default = lower if plan.time_range.lower is not None else 0
        times = pc.fill_null(times, default)
        if plan.selector_time and selected is not None:
            times = pc.coalesce(selected, times)
    names = [f"__c{i}" for i in range(len(values))]
    varying = [d for d in dims if d not in absent]
    work = pa.table([*(table.column(d) for d in varying), times, *values],
                    [*varying, TIME, *names])
    if varying or plan.aggregate:
        order = [(d, "ascending") for d in varying]
        if plan.aggregate:
            order.append((TIME, "ascending"))
        work = work.take(pc.sort_indices(work, sort_keys=order))  # stable: raw ties keep order
    bounds = [0]
    keys: list[tuple[str, ...]] = []
    if varying:
        joined = pc.binary_join_element_wise(*(work.column(d) for d in varying), "\x00")
        if work.num_rows > 1:
            changed = pc.not_equal(joined.slice(1), joined.slice(0, work.num_rows - 1))
            bounds.extend(i + 1 for i in pc.indices_nonzero(changed).to_pylist())
    starts = pa.array(bounds, pa.int64())
    dim_values = [[""] * len(bounds) if d in absent
                  else pc.take(work.column(d), starts).to_pylist() for d in dims]
    keys = list(zip(*dim_values, strict=True)) if dims else [()]
    bounds.append(work.num_rows)
    columns = [_nil_as_null(plan, node, work.column(names[node.index]).combine_chunks())
               for node in plan.outputs]
    return Block(name, dimensions, keys, bounds, work.column(TIME).combine_chunks(), columns,
                 absent_counts)


def _nil_as_null(plan: SelectPlan, node: Any, column: pa.Array) -> pa.Array:
    """stddev() of one point is NaN, which 1.x answers as null (`cursor.nan_as_null`); so
    is a subquery's NaN and what a function computes from it, unless this is a subquery too."""
    if plan.keep_nan or not pa.types.is_floating(column.type):
        return column
    if plan.prims[node.index].func != "stddev" and not plan.reads_subquery:
        return column
    return pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)


def series(plan: SelectPlan, blocks: list[Block], lower: int, upper: int,
           max_buckets: int) -> list[Series]:
    start: int | None = None
    end = 0
    if plan.interval is not None:
        firsts = (t for found in blocks
                  for t in pc.take(found.times, pa.array(found.bounds[:-1])).to_pylist())
        start, end = bucket_span(plan, lower, upper, firsts, max_buckets)
    out: list[Series] = []
    for found in blocks:
        for key, a, b in zip(found.keys, found.bounds, found.bounds[1:], strict=False):
            arrays = [found.times.slice(a, b - a), *(c.slice(a, b - a) for c in found.columns)]
            arrays, quiet = _no_counts(plan, arrays)
            if start is not None and plan.fill is ast.FillOption.NULL:
                own = own_start(plan, start, found.times[a].as_py())
                arrays = _filled(plan, arrays, own, end, found.absent_counts | quiet)
            if plan.descending:
                arrays = [array[::-1] for array in arrays]
            if plan.rows_end is not None:
                arrays = [array[plan.offset:plan.rows_end] for array in arrays]
            if len(arrays[0]):
                tags = dict(zip(found.dimensions, key, strict=True)) or None
                out.append(Series(found.name, ["time", *plan.columns], None, tags,
                                  has_time=True, timezone=plan.timezone, arrays=arrays))
    if plan.slimit or plan.soffset:
        out = page_series(out, plan)
    if plan.descending:
        out.reverse()  # 1.x walks series in reverse order too
    return out


def _no_counts(plan: SelectPlan, arrays: list[pa.Array]) -> tuple[list[pa.Array], frozenset[int]]:
    """A count() of 0 is no point in 1.x: null in a series where the count has none
    (`cursor.silent`, returned), and under fill(none) or without GROUP BY time in every
    bucket where it has none (fill(null) answers 0 there: `fill.fill_rows`, but without a
    lower bound only from the count's first point on)."""
    quiet: set[int] = set()
    out = list(arrays)
    for position, node in enumerate(plan.outputs, start=1):
        if plan.prims[node.index].func != "count":  # type: ignore[union-attr]
            continue
        column = out[position]
        zero = pc.fill_null(pc.equal(column, 0), False)
        if pc.all(zero).as_py():
            quiet.add(node.index)  # type: ignore[union-attr]
        elif plan.interval is not None and plan.fill is not ast.FillOption.NONE:
            if plan.time_range.lower is not None:
                continue
            # without a lower bound the count's fill starts at its own first point
            first = pc.index(zero, False).as_py()
            zero = pa.array([i < first for i in range(len(zero))])
        out[position] = pc.if_else(zero, pa.scalar(None, column.type), column)
    return out, frozenset(quiet)


def _filled(plan: SelectPlan, arrays: list[pa.Array], start: int, end: int,
            absent_counts: frozenset[int]) -> list[pa.Array]:
    """fill(null): every bucket from start to end; a series already holding each is kept."""
    assert plan.interval is not None
    if len(arrays[0]) == (end - start) // plan.interval + 1:
        return arrays
    width = len(plan.prims)
    columns = [array.to_pylist() for array in arrays[1:]]
    rows = []
    for index, time in enumerate(arrays[0].to_pylist()):
        values: list[Any] = [None] * width
        for node, column in zip(plan.outputs, columns, strict=True):
            values[node.index] = column[index]  # type: ignore[union-attr]
        rows.append((time, values))
    filled = fill_rows(plan, rows, start, end, absent_counts)
    out_columns = [[values[node.index] for _, values in filled]  # type: ignore[union-attr]
                   for node in plan.outputs]
    return [pa.array([time for time, _ in filled], arrays[0].type),
            *(pa.array(column, array.type)
              for column, array in zip(out_columns, arrays[1:], strict=True))]
