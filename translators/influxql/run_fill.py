"""A subquery's fill runs filled a column at a time, with Arrow kernels.

Each run of a subquery's fill iterator covers the whole range (`subquery_fill.py`), so a
few points answer a row per bucket per run: millions of rows near the cap. `fill.fill_rows`
builds each of them as Python objects; here the run's points stay Python (there are few)
and the buckets are Arrow arrays: each column is the run's distinct values taken by an index
per bucket, the index null where the bucket has no value and filled forward for
fill(previous), or pointing at fill's number; fill(linear) computes its values with the
same operations, in the same order, as `fill.linear`. The answers are `fill_rows`'s: a
column whose values would not all be of one Python type (an integer fill value beside
float points...) is answered by `fill_rows` instead (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import ast, cursor
from .fill import fill_numbers
from .select_plan import PrimRef, SelectPlan, transforms_in

Rows = list[tuple[int, list[Any]]]

_ARROW = {float: pa.float64(), int: pa.int64(), bool: pa.bool_(), str: pa.string()}
_INT64 = (-(1 << 63), (1 << 63) - 1)


def applies(plan: SelectPlan, keep: tuple[int, int] | None) -> bool:
    """Whether a plan's runs can be filled here: each output a call's column, no buckets
    read beyond those asked for."""
    return (keep is None and plan.interval is not None
            and plan.fill in (ast.FillOption.NUMBER, ast.FillOption.PREVIOUS,
                              ast.FillOption.LINEAR)
            and all(isinstance(node, PrimRef) and not transforms_in(node)
                    for node in plan.outputs))


def buckets(start: int, end: int, interval: int) -> pa.Array:
    """The bucket times from start to end, ascending (int64 nanoseconds)."""
    count = (end - start) // interval + 1
    steps = pc.cumulative_sum(pa.repeat(pa.scalar(interval, pa.int64()), count))
    return pc.add(steps, pa.scalar(start - interval, pa.int64()))


def filled_columns(plan: SelectPlan, rows: Rows, times: pa.Array, silent: frozenset[int],
                   quiet: frozenset[int], kinds: Sequence[str | None]
                   ) -> list[pa.Array] | None:
    """A run's output columns (time first), ascending, over the buckets `times`: what
    `fill.fill_rows` then the cursor's join (`cursor.applies`) or `outputs.evaluate` answer.
    `silent`: the prims `fill_rows` leaves alone; `quiet`: those without a point in the
    series (`cursor.silent`), which the cursor's join reads as its default. None when a
    column mixes Python types."""
    assert plan.interval is not None
    count = len(times)
    ordered = _ordered(plan, rows, times)
    numbers = fill_numbers(plan, kinds)
    joined = cursor.applies(plan)
    columns: list[pa.Array] = [times]
    for node in plan.outputs:
        index = node.index  # type: ignore[union-attr]
        if index in quiet:
            default = None
            if joined:  # the join reads its default where a call has no point
                default = cursor.missing_value(plan.fill, plan.fill_value, kinds[index], None)
            column = constant(default, count)
        else:
            column = _column(plan, index, ordered, rows, times, index in silent,
                             numbers[index])
        if column is None:
            return None
        columns.append(column)
    return columns


def prim_column(plan: SelectPlan, rows: Rows, times: pa.Array, index: int, silent: bool,
                kinds: Sequence[str | None]) -> pa.Array | None:
    """One prim's column of a run over the buckets `times`, ascending, as `fill.fill_rows`
    fills it (`silent`: left alone but for fill(linear)); None when it mixes Python types."""
    number = fill_numbers(plan, kinds)[index]
    return _column(plan, index, _ordered(plan, rows, times), rows, times, silent, number)


def _ordered(plan: SelectPlan, rows: Rows, times: pa.Array) -> list[tuple[int, int]]:
    """The rows on the buckets `times`: (bucket number, row number), a later row at one
    time winning, by bucket."""
    assert plan.interval is not None
    start, count = times[0].as_py(), len(times)
    places: dict[int, int] = {}
    for number, (time, _) in enumerate(rows):
        place, off = divmod(time - start, plan.interval)
        if not off and 0 <= place < count:
            places[place] = number
    return sorted(places.items())


def constant(value: Any, count: int) -> pa.Array | None:
    """`value` repeated, an Arrow array of its Python type (None when it has none)."""
    if value is None:
        return pa.nulls(count)
    kind = _ARROW.get(type(value))
    if kind is None or kind == pa.int64() and not _INT64[0] <= value <= _INT64[1]:
        return None
    return pa.repeat(pa.scalar(value, kind), count)


def _column(plan: SelectPlan, index: int, ordered: list[tuple[int, int]], rows: Rows,
            times: pa.Array, silent: bool, number: Any) -> pa.Array | None:
    """One prim's column. A silent one keeps its rows' values (a count's 0 too), filled
    only by fill(linear), as `fill_rows` leaves it."""
    assert plan.interval is not None
    counted = plan.prims[index].func == "count"
    places: list[int] = []
    values: list[Any] = []
    for place, number_ in ordered:
        value = rows[number_][1][index]
        if value is None or not silent and counted and value == 0:
            continue  # no point: filled like an empty bucket
        places.append(place)
        values.append(value)
    option = plan.fill
    fill_value = number if option is ast.FillOption.NUMBER and not silent else None
    found = {type(v) for v in [*values, fill_value] if v is not None}
    if not found:
        return pa.nulls(len(times))
    kind = _ARROW.get(found.pop()) if len(found) == 1 else None
    if kind is None or kind == pa.int64() and not all(
            _INT64[0] <= v <= _INT64[1] for v in [*values, fill_value] if v is not None):
        return None  # mixed types, or an unsigned value past int64
    point_times = [times[0].as_py() + place * plan.interval for place in places]
    mask = pc.is_in(times, value_set=pa.array(point_times, pa.int64()))
    taken = pc.replace_with_mask(pa.nulls(len(times), pa.int64()), mask,
                                 pa.array(range(len(values)), pa.int64()))
    points = pa.array(values, kind)
    if option is ast.FillOption.NUMBER and not silent:
        points = pa.concat_arrays([points, pa.array([fill_value], kind)])
        return points.take(pc.fill_null(taken, len(values)))
    if option is ast.FillOption.PREVIOUS and not silent:  # backwards under DESC
        return points.take(pc.fill_null_backward(taken) if plan.descending
                           else pc.fill_null_forward(taken))
    if option is not ast.FillOption.LINEAR or kind in (pa.string(), pa.bool_()):
        # a silent prim is left alone, but for fill(linear); 1.x has none for text, booleans
        return points.take(taken)
    return _linear(plan, points, taken, times, point_times)


def _linear(plan: SelectPlan, points: pa.Array, taken: pa.Array, times: pa.Array,
            point_times: list[int]) -> pa.Array | None:
    """fill(linear) as `fill._interpolate` walks it: between two points in the answer's
    order, from the earlier one in that order (the later in time under DESC)."""
    assert plan.interval is not None
    before, after = pc.fill_null_forward(taken), pc.fill_null_backward(taken)
    if plan.descending:
        before, after = after, before
    between = pc.and_(pc.is_null(taken), pc.and_(pc.is_valid(before), pc.is_valid(after)))
    stamps = pa.array(point_times, pa.int64())
    interval = pa.scalar(plan.interval, pa.int64())
    x = pc.divide(times, interval)  # Go's integer division, truncated toward zero too
    x0 = pc.divide(stamps.take(before), interval)
    x1 = pc.divide(stamps.take(after), interval)
    first, last = points.take(before), points.take(after)
    integer = pa.types.is_integer(points.type)
    if integer:  # Go subtracts the int64s (wrapping) before the float division
        delta = pc.cast(pc.subtract(last, first), pa.float64(), safe=False)
        first = pc.cast(first, pa.float64(), safe=False)
    else:
        delta = pc.subtract(last, first)
    span = pc.cast(pc.subtract(x1, x0), pa.float64(), safe=False)
    offset = pc.cast(pc.subtract(x, x0), pa.float64(), safe=False)
    values = pc.add(pc.multiply(pc.divide(delta, span), offset), first)
    if integer:
        inside = pc.if_else(between, values, pa.scalar(0.0))
        if pc.max(pc.abs(inside)).as_py() >= 2.0**63:
            return None  # Python's int() answers it, in fill_rows
        values = pc.cast(values, pa.int64(), safe=False)  # truncated, as int() does
    known = points.take(taken)
    return pc.if_else(between, values, known)
