"""Output values of a SELECT over one series' rows: its expressions evaluated row by row and
its transformations (derivative, difference, moving_average, cumulative_sum, elapsed,
holt_winters, the technical-analysis indicators) computed over the buckets' values.

Input: the rows `shape.py` computed for one series (time, prim values), its buckets filled.
A transformation over another reads that one's points, as 1.x chains their iterators; the
buckets before the range that a looking-back transformation reads reach only it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from translators.lineprotocol import FieldType

from . import cursor, holtwinters, indicators, iterators, readorder
from . import functions as fn
from .errors import QueryError
from .select_plan import Lit, Math, Node, Op, PrimRef, SelectPlan, Transform, transforms_in

Row = list[Any]  # [time, output values...]
_CASTS = ("__integer", "__float")  # a float field read `::integer`, an integer `::float`


def evaluate(plan: SelectPlan, rows: list[tuple[int, list[Any]]],
             keep: cursor.Window = None) -> list[Row]:
    """The output rows. `keep`: the buckets asked for, when buckets beyond them were read for
    the transformations that look back; only those see them, and answer for them what they
    answer there (a hold period of 0, a fill value), as 1.x does."""
    if not any(transforms_in(node) for node in plan.outputs):
        return [[time, *(evaluate_node(node, values) for node in plan.outputs)]
                for time, values in rows]
    asked = cursor.asked_rows(plan, rows, keep)
    columns: list[dict[int, Any]] = []
    times: set[int] = set()
    for node in plan.outputs:
        if transforms_in(node):
            column = _over_points(node, plan, rows, asked, keep, 0)
        else:  # 1.x answers a row wherever any column has one, fill()ed buckets included
            column = {t: evaluate_node(node, v) for t, v in asked}
        columns.append(column)
        times.update(column)
    return [[t, *(c.get(t) for c in columns)] for t in sorted(times)]


class Merge(NamedTuple):
    """How a group's raw rows reach a transformation when it merges several series or FROM
    mentions: each row's mention and 1.x series key, and per field (prim index) the
    mentions in the order 1.x reads them (`readorder.input_orders`)."""

    keys: list[tuple[int, str]]
    inputs: Mapping[int, list[int]]


def points_of(plan: SelectPlan, rows: list[tuple[int, list[Any]]],
              keep: cursor.Window, merge: Merge | None = None) -> cursor.Points:
    """A transformation's points over one series' buckets (`_points`), for the join;
    `merge`: how the group's raw rows are read, when it merges several series or mentions."""
    return lambda transform: _points(transform, plan, rows, keep, 0, merge)


def _points(transform: Transform, plan: SelectPlan, rows: list[tuple[int, list[Any]]],
            keep: cursor.Window, back: int,
            merge: Merge | None = None) -> list[tuple[int, Any]]:
    """A transformation's points in the answer's order, several at one time when it reads
    the raw points of several series. Over another transformation it reads that one's
    points (`difference(derivative(mean(x)))`), as 1.x chains their iterators. `back`: the
    buckets before the range its caller reads; one that looks back reads one more, and so
    does its argument (`difference(moving_average(..))` reads two)."""
    back += transform.name in fn.LOOKS_BACK
    source = cursor.asked_rows(plan, rows, cursor.widened(plan, keep, back))
    if transforms_in(transform.arg):
        series = sorted(_over_points(transform.arg, plan, rows, source, keep, back).items())
    elif merge is not None and (read := _raw_field(transform.arg)) is not None:
        index, cast = read
        merged = _merged(plan, rows, merge, index)
        if cast is not None:  # 1.x casts each point as it reads it, after the merge
            merged = [(t, fn.math_function(cast, [v])) for t, v in merged]
        return _transform(transform, merged, plan)
    else:
        series = [(t, evaluate_node(transform.arg, v)) for t, v in source]
    if plan.descending:
        series.reverse()  # 1.x walks the series newest first under ORDER BY DESC
    return _transform(transform, series, plan)


def _raw_field(node: Node) -> tuple[int, str | None] | None:
    """The field (prim index) a transformation reads raw, with the cast it reads it through
    (`difference(x::integer)` over a float field), or None when it reads something else."""
    if isinstance(node, PrimRef):
        return node.index, None
    if (isinstance(node, Math) and node.name in _CASTS and len(node.args) == 1
            and isinstance(node.args[0], PrimRef)):
        return node.args[0].index, node.name
    return None


def _merged(plan: SelectPlan, rows: list[tuple[int, list[Any]]], merge: Merge,
            index: int) -> list[tuple[int, Any]]:
    """A field's raw points over a group of several series, in the order 1.x's merge hands
    them to a transformation: FROM's mentions one after the other in the order it reads
    them, and within one, by time (newest first under DESC), between series at one time
    the way Go's heap leaves them (`readorder.merge_series`)."""
    ranks = {mention: rank for rank, mention in enumerate(merge.inputs.get(index, ()))}
    runs: dict[tuple[int, str], list[readorder.Point]] = {}
    for (time, values), (mention, key) in zip(rows, merge.keys, strict=True):
        if values[index] is not None:
            runs.setdefault((ranks.get(mention, 0), key), []).append(
                {"t": time, "v": values[index]})
    out: list[tuple[int, Any]] = []
    for rank in sorted({rank for rank, _ in runs}):
        ordered = [runs[key] for key in sorted(runs) if key[0] == rank]
        out.extend((p["t"], p["v"]) for p in readorder.merge_series(ordered, plan.descending))
    return out


def _over_points(node: Node, plan: SelectPlan, rows: list[tuple[int, list[Any]]],
                 source: list[tuple[int, list[Any]]], keep: cursor.Window,
                 back: int) -> dict[int, Any]:
    """`node`, which reads transformations, by time: math over transformations is done on
    their points (`derivative(...) * 8`), and on every row of `source` when it also reads a
    function's value (`derivative(..) + mean(..)`)."""
    computed = {t: dict(_points(t, plan, rows, keep, back)) for t in transforms_in(node)}
    stamps = {t for points in computed.values() for t in points}
    if _reads_rows(node):
        stamps.update(t for t, _ in source)
    by_time = dict(rows)
    blank = [None] * len(plan.prims)
    return {t: evaluate_node(node, by_time.get(t, blank),
                             {k: points.get(t) for k, points in computed.items()})
            for t in stamps}


def _transform(node: Transform, series: list[tuple[int, Any]], plan: SelectPlan) -> list[Any]:
    name = node.name
    params = node.params
    if name in fn.TRANSFORMS and name != "elapsed":
        _numbers_only(name, series)
    if name in indicators.NAMES:
        return indicators.compute(name, series, params)
    if name in holtwinters.NAMES:
        return holtwinters.compute(name, series, params, plan.interval, plan.cancel.check)
    if name in ("derivative", "non_negative_derivative"):
        unit = int(params[0]) if params else (plan.interval or 1_000_000_000)
        return fn.derivative(series, unit, non_negative=name.startswith("non_negative"),
                             descending=plan.descending)
    if name == "elapsed":
        unit = int(params[0]) if params else 1
        return fn.elapsed(series, unit)
    if name == "moving_average":
        if not params:
            raise QueryError("invalid number of arguments for moving_average, expected 2, got 1")
        return fn.moving_average(series, int(params[0]))
    function = fn.TRANSFORM_FUNCTIONS.get(name)
    if function is None:
        raise QueryError(f"{name}() is not supported yet by influx-gateway")
    return function(series)


def _reads_rows(node: Node) -> bool:
    """Whether an output reads a row's values other than through a transformation."""
    if isinstance(node, PrimRef):
        return True
    if isinstance(node, Op):
        return _reads_rows(node.lhs) or _reads_rows(node.rhs)
    if isinstance(node, Math):
        return any(_reads_rows(a) for a in node.args)
    return False


def evaluate_node(node: Node, values: list[Any],
                  computed: Mapping[Transform, Any] | None = None) -> Any:
    """One output value from a row's prim values; `computed`: the transformations' values
    at that row's time."""
    if isinstance(node, PrimRef):
        return values[node.index]
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Op):
        return fn.binary(node.op, evaluate_node(node.lhs, values, computed),
                         evaluate_node(node.rhs, values, computed))
    if isinstance(node, Math):
        return fn.math_function(node.name, [evaluate_node(a, values, computed) for a in node.args])
    if computed is not None and node in computed:
        return computed[node]
    raise QueryError("a transformation cannot be nested in another one yet")


def _numbers_only(name: str, series: list[tuple[int, Any]]) -> None:
    """1.x's transformation iterators refuse text and booleans once they meet a point."""
    for _, value in series:
        if isinstance(value, str | bool):
            ftype = FieldType.STRING if isinstance(value, str) else FieldType.BOOLEAN
            raise QueryError(iterators.message(name, ftype))
