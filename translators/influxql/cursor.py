"""1.x's cursor over GROUP BY time calls: each call's points apart, joined by time.

1.x builds one iterator per function call of the SELECT list (an aggregate, a selector, or a
transformation with the aggregate it reads), cuts each one by LIMIT and OFFSET on its own, and
answers a row at every time any of them has a point, in the answer's order. A call without a
point at that time reads the cursor's default: fill(<number>)'s value cast to the call's type,
under fill(previous) the value the call last had in the series, otherwise null. So a
transformation that answers nothing in a bucket reads the fill value beside another function,
and `LIMIT 2` over two calls whose points fall at different times answers up to four rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from . import ast
from . import functions as fn
from .fill import UNTYPED, bucket_of, cursor_fill
from .schema import MeasurementSchema
from .select_plan import Node, PrimRef, SelectPlan, Transform, outermost, read_type, transforms_in

K = TypeVar("K", bound=Hashable)  # what names a stream `merge` joins

Call = PrimRef | Transform
Evaluate = Callable[[Node, list[Any], Mapping[Transform, Any] | None], Any]
Points = Callable[[Transform], list[tuple[int, Any]]]  # several at one time: a merge's
Window = tuple[int, int] | None  # the buckets asked for when some beyond them were read


def in_window(time: int, keep: Window) -> bool:
    return keep is None or keep[0] <= time <= keep[1]


def asked_rows(plan: SelectPlan, rows: list[tuple[int, list[Any]]], keep: Window
               ) -> list[tuple[int, list[Any]]]:
    """The rows of the buckets asked for (all of them when none was read beyond), by their
    bucket: beside integral() sample()'s points are rows at their own times."""
    if keep is None:
        return rows
    return [r for r in rows if in_window(bucket_of(plan, r[0]), keep)]


def widened(plan: SelectPlan, keep: Window, buckets: int) -> Window:
    """The buckets a call reads `buckets` before the asked ones (after them, under ORDER
    BY time DESC), as 1.x moves a looking-back transformation's range (`readrange.py`)."""
    if keep is None or not buckets or plan.interval is None:
        return keep
    if plan.descending:
        return keep[0], keep[1] + plan.interval * buckets
    return keep[0] - plan.interval * buckets, keep[1]


def applies(plan: SelectPlan) -> bool:
    """Whether the answer is 1.x's join of calls: GROUP BY time over aggregates, selectors
    and transformations (not the several rows of top/bottom/sample/distinct, integral()'s
    own rows or a lone selector's companions, which `shape.py` answers its own way; sample()
    beside other calls `shape.py` joins here too, its points apart), or transformations of
    raw points (`difference(x), cumulative_sum(y)`)."""
    if not plan.aggregate:
        return any(transforms_in(node) for node in plan.outputs)
    return (plan.aggregate and plan.interval is not None and not plan.selector_time
            and all(p.func is not None and p.func != "integral" and p.func not in fn.MULTI_ROW
                    for p in plan.prims))


def silent(plan: SelectPlan, rows: list[tuple[int, list[Any]]]) -> frozenset[int]:
    """The aggregates without a point in a series' rows (a count of 0 is none, a low
    percentile() that selects nothing neither): 1.x's fill never starts for them, so they
    read the cursor's default, and a series where every one is silent has no rows at all."""
    def point(func: str, value: Any) -> bool:
        return value is not None and not (func == "count" and value == 0)

    return frozenset(i for i, p in enumerate(plan.prims) if p.func not in (None, "integral")
                     and not any(point(p.func, values[i]) for _, values in rows))


def calls_in(node: Node) -> list[Call]:
    """The calls an output reads: transformations whole, aggregates by reference."""
    return outermost(node, (PrimRef, Transform))  # type: ignore[return-value]


def kind_of(plan: SelectPlan, call: Node, schema: MeasurementSchema | None) -> str | None:
    """The type 1.x gives a call's values ("float", "integer", "string", "boolean"), which
    its fill value is cast to; None when unknown."""
    name = call.name if isinstance(call, Transform) else None
    if isinstance(call, PrimRef):
        name = plan.prims[call.index].func
    if name in fn.FLOAT_CALLS:
        return "float"
    if name in fn.INTEGER_CALLS:
        return "integer"
    if isinstance(call, Transform):
        arg = call.arg
        if isinstance(arg, PrimRef) and plan.prims[arg.index].func is None:
            return _stored_kind(plan, arg, schema)  # a transformation of raw points
        return kind_of(plan, arg, schema)
    if not isinstance(call, PrimRef):
        return None
    if plan.prims[call.index] in plan.untyped:
        return UNTYPED
    return _stored_kind(plan, call, schema)


def _stored_kind(plan: SelectPlan, ref: PrimRef, schema: MeasurementSchema | None
                 ) -> str | None:
    stored = read_type(schema, plan.prims[ref.index]) if schema is not None else None
    return stored.value if stored is not None else None


def join(plan: SelectPlan, streams: dict[Call, list[tuple[int, Any]]],
         kinds: dict[Call, str | None], emitted: frozenset[Call] = frozenset()
         ) -> list[tuple[int, dict[Call, Any]]]:
    """One series' rows in the answer's order (newest first under ORDER BY time DESC): each
    call's points cut by LIMIT/OFFSET, joined by time, a missing value read as the cursor's
    default. A call may have several points at one time (a transformation of several
    series' raw points): each row takes the next point of every call at the row's time.
    `emitted`: the calls whose points are already in 1.x's emission order."""
    kept: dict[Call, list[tuple[int, Any]]] = {}
    for call, points in streams.items():
        # a transformation answers its points in the order it reads them, which is not by
        # time when FROM names the measurement several times (`readorder.input_orders`):
        # 1.x's cursor takes them so, each row at the earliest time among the calls' next
        # points. Buckets are sorted (stable: points at one time keep their order).
        ordered = points if isinstance(call, Transform) or call in emitted else sorted(
            points, key=lambda point: point[0], reverse=plan.descending)
        if plan.rows_end is not None:
            ordered = ordered[plan.offset:plan.rows_end]
        kept[call] = ordered
    return merge(kept, kinds, plan.descending, plan.fill, plan.fill_value)


def merge(streams: Mapping[K, list[tuple[int, Any]]], kinds: Mapping[K, str | None],
          descending: bool, fill: ast.FillOption, fill_value: float | int | None
          ) -> list[tuple[int, dict[K, Any]]]:
    """1.x's cursor over streams of (time, value) points whose times may repeat: each row
    takes the next point of every stream at the earliest time (the latest under DESC) of
    their heads; a stream without one there reads the cursor's default (`missing_value`,
    fill's number cast to its kind in `kinds`)."""
    heads = dict.fromkeys(streams, 0)
    carried: dict[K, Any] = {}
    out = []
    while True:
        times = [points[heads[key]][0] for key, points in streams.items()
                 if heads[key] < len(points)]
        if not times:
            return out
        time = max(times) if descending else min(times)
        values = {}
        for key, points in streams.items():
            if heads[key] < len(points) and points[heads[key]][0] == time:
                value = points[heads[key]][1]
                heads[key] += 1
            else:
                value = missing_value(fill, fill_value, kinds.get(key), carried.get(key))
            values[key] = carried[key] = value
        out.append((time, values))


def missing_value(fill: ast.FillOption, fill_value: float | int | None, kind: str | None,
                  last: Any) -> Any:
    """What 1.x's cursor reads for a call without a point at a row's time: fill's number
    cast to the call's numeric type (`cursor_fill`), under fill(previous) the call's `last`
    value (its row map keeps it), otherwise null."""
    if fill is ast.FillOption.NUMBER:
        return cursor_fill(fill_value, kind)
    if fill is ast.FillOption.PREVIOUS:
        return last
    return None


def joined_rows(plan: SelectPlan, rows: list[tuple[int, list[Any]]],
                keep: Window, schema: MeasurementSchema | None,
                evaluate: Evaluate, points: Points,
                quiet: frozenset[int] = frozenset(),
                apart: Mapping[int, list[tuple[int, Any]]] | None = None) -> list[list[Any]]:
    """One series' output rows, ascending, LIMIT and OFFSET applied: `rows` are its buckets
    (time, prim values), filled; `keep` the buckets asked for when some before them were
    read for the transformations that look back; `evaluate` computes an output from prim
    values and transformation values, `points` a transformation's points by time (those it
    answers for the buckets before `keep` included: 1.x answers them too);
    `quiet`: the aggregates without a point in the series (`silent`); `apart`: by prim
    index, the points of a call that are not its buckets' (sample()'s, at their own times,
    in 1.x's emission order)."""
    apart = apart or {}
    asked = asked_rows(plan, rows, keep)
    streams: dict[Call, list[tuple[int, Any]]] = {}
    for call in (c for node in plan.outputs for c in calls_in(node)):
        if call in streams:
            continue
        if isinstance(call, PrimRef) and call.index in apart:
            # integral()'s rows are the asked range's already (under DESC a window's end)
            whole = plan.prims[call.index].func == "integral"
            streams[call] = [(t, v) for t, v in apart[call.index]
                             if whole or in_window(bucket_of(plan, t), keep)]
            continue
        if isinstance(call, PrimRef):  # fill(none) leaves the call's empty buckets out
            streams[call] = [] if call.index in quiet else [
                (t, v[call.index]) for t, v in asked
                if v[call.index] is not None or plan.fill is not ast.FillOption.NONE]
            continue
        streams[call] = points(call)
    kinds = {call: kind_of(plan, call, schema) for call in streams}
    out = []
    emitted = frozenset(c for c in streams if isinstance(c, PrimRef) and c.index in apart)
    for time, values in join(plan, streams, kinds, emitted):
        prims: list[Any] = [None] * len(plan.prims)
        for call, value in values.items():
            if isinstance(call, PrimRef):
                prims[call.index] = value
        out.append([time, *(evaluate(node, prims, values) for node in plan.outputs)])
    return out[::-1] if plan.descending else out


def nan_as_null(rows: list[list[Any]]) -> list[list[Any]]:
    """1.x's cursor answers a NaN (stddev() of one point, and whatever is computed from it)
    as null; an infinity stays, and fails the answer's JSON as in 1.x."""
    return [[None if isinstance(v, float) and v != v else v for v in row] for row in rows]
