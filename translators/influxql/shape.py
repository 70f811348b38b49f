"""From the storage query's rows to 1.x's series: buckets filled, functions applied, limits cut.

Input: for each measurement, the rows of `storage.build_query` as Python columns. Output:
Series sorted by measurement and tag set, columns `time` + the plan's names, times in
nanoseconds. The Python work here is per output row, never per stored point, except for the
functions that need a bucket's points (percentile, top, mode...), which get them as lists.
The output expressions and transformations over a series' rows are `outputs.py`'s (or, call
by call, `cursor.py`'s join).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import ast, cursor, percentile_windows, topread
from . import functions as fn
from . import integral as area
from .errors import QueryError
from .fill import bucket_of, bucket_span, cursor_fill, fill_rows, own_start
from .int64 import wrapped_mean
from .outputs import Merge, evaluate, evaluate_node, points_of
from .paging import page_series
from .readorder import input_orders, merge_series
from .readrange import moved_bounds
from .results import Series, series_key
from .schema import MeasurementSchema
from .select_plan import Math, Node, Prim, PrimRef, SelectPlan, Transform, outermost, transforms_in
from .sqlnames import COUNTED, INPUT, SERIES, TIME, VIRTUAL_DB, dim_name, prim_name
from .storage import READ_ORDER, needs_points
from .subquery_fill import fills_in_runs, joined_runs, limit_runs, runs, stream_keys

Row = list[Any]  # [time, prim values...]


@dataclass(slots=True)
class SeriesRows:
    name: str
    tags: tuple[tuple[str, str], ...]
    rows: list[tuple[int | None, list[Any]]]  # (time, prim values)
    absent_counts: frozenset[int] = frozenset()  # fill.absent_counts of its measurement
    series: list[Any] | None = None  # each raw row's series key, when transformations read it
    inputs: list[int] | None = None  # each raw row's FROM mention, when FROM names several


def group_rows(plan: SelectPlan, name: str, dimensions: list[str],
               columns: dict[str, list[Any]],
               absent_counts: frozenset[int] = frozenset()) -> list[SeriesRows]:
    if stream_keys(plan) is not None:  # a raw subquery reading subqueries: series as they come
        return _segments(plan, name, dimensions, columns, absent_counts)
    times = columns[TIME]
    dims = [columns[dim_name(i)] for i in range(len(dimensions))]
    prims = [columns[prim_name(i)] for i in range(len(plan.prims))]
    counts = columns.get(COUNTED)
    keys = columns.get(SERIES) if not plan.aggregate else None
    mentions = columns.get(INPUT) if not plan.aggregate else None
    groups: dict[tuple[str, ...], list[tuple[int | None, list[Any]]]] = {}
    series: dict[tuple[str, ...], list[Any]] = {}
    inputs: dict[tuple[str, ...], list[int]] = {}
    for row in range(len(times)):
        if counts is not None and not counts[row]:
            continue
        key = tuple((d[row] or "") for d in dims)
        groups.setdefault(key, []).append((times[row], [p[row] for p in prims]))
        if keys is not None:
            series.setdefault(key, []).append(keys[row])
        if mentions is not None:
            inputs.setdefault(key, []).append(mentions[row])
    out = []
    for key in sorted(groups):
        rows = groups[key]
        if plan.aggregate:
            rows.sort(key=lambda r: r[0] if r[0] is not None else 0)
        out.append(SeriesRows(name, tuple(zip(dimensions, key, strict=True)), rows,
                              absent_counts, series.get(key), inputs.get(key)))
    return out


def _segments(plan: SelectPlan, name: str, dimensions: list[str],
              columns: dict[str, list[Any]], absent_counts: frozenset[int]) -> list[SeriesRows]:
    """The rows in the order they came (read from the end under ORDER BY time DESC, within
    each group of the outermost's GROUP BY), a series ending wherever the tags change."""
    keyed = stream_keys(plan) or frozenset()
    dims = [columns[dim_name(i)] for i in range(len(dimensions))]
    prims = [columns[prim_name(i)] for i in range(len(plan.prims))]
    times = columns[TIME]
    out: list[tuple[tuple[str, ...], SeriesRows]] = []
    current: tuple[str, ...] | None = None
    for row in range(len(times) - 1, -1, -1) if plan.descending else range(len(times)):
        key = tuple((d[row] or "") for d in dims)
        if key != current:
            current = key
            paged = tuple(k for k, d in zip(key, dimensions, strict=True) if d in keyed)
            out.append((paged, SeriesRows(name, tuple(zip(dimensions, key, strict=True)), [],
                                          absent_counts)))
        out[-1][1].rows.append((times[row], [p[row] for p in prims]))
    if plan.descending:  # (shape takes each series' rows in time order)
        for _, series in out:
            series.rows.reverse()
        out.sort(key=lambda segment: segment[0])
    return [series for _, series in out]


def shape(plan: SelectPlan, groups: list[SeriesRows], lower: int, upper: int,
          max_buckets: int) -> list[Series]:
    start: int | None = None
    end: int | None = None
    keep: tuple[int, int] | None = None  # the buckets asked for, when more were read
    if plan.interval is not None:
        start, end = bucket_span(plan, lower, upper,
                                 (g.rows[0][0] for g in groups if g.rows), max_buckets)
        if moved_bounds(plan, lower, upper) != (lower, upper):
            keep = (bucket_of(plan, lower), bucket_of(plan, upper))
    rng = random.Random(0)
    # 1.x never fills the buckets of top, bottom, sample or distinct: an empty one is absent.
    multi = any(p.func in fn.MULTI_ROW for p in plan.prims)
    # nor integral's when it is the only function (beside others it is filled like them)
    unfilled = multi or all(p.func in (None, "integral") for p in plan.prims)
    series: list[Series] = []
    if plan.aggregate and (kept := percentile_windows.read_rows(
            plan, [g.rows for g in groups])) is not None:
        groups = [dataclasses.replace(g, rows=[r for i, r in enumerate(g.rows) if i in rows])
                  for g, rows in zip(groups, kept, strict=True) if rows]
    # NaN: computed (stddev() of one point and what reads it, math: sqrt(-1)), or a subquery's
    nan_possible = (plan.aggregate or any(_computed(node) for node in plan.outputs)
                    or any(s.database == VIRTUAL_DB for s in plan.sources))
    computed = []
    # each group's read order of FROM's mentions, by group (a fill run keeps its group)
    read_inputs = {id(g): order for g, order in zip(groups, _input_orders(plan, groups),
                                                     strict=True)}
    for group in groups:
        rows, integrals = _compute(plan, group, lower, upper, rng)
        quiet = cursor.silent(plan, rows) if plan.aggregate else frozenset()
        if quiet and not integrals and len(quiet) == sum(
                p.func not in (None, "integral") for p in plan.prims):
            continue  # no function has a point in the series (a low percentile's)
        if quiet:
            rows = _quieted(plan, rows, quiet, _schema(plan, group.name))
        computed.append(((group, integrals, quiet), group.name, rows))
    prefilled = False
    if plan.paged_by is not None and not unfilled and fills_in_runs(
            plan.fill, plan.interval is not None, (p.func for p in plan.prims)):
        # a subquery's fill runs over its parent's groups, a run per change of series
        keys = [d.expr.name for d in plan.paged_by if isinstance(d.expr, ast.VarRef)]
        tagged = [(p, (p[0].name, *(dict(p[0].tags).get(k, "") for k in keys)), rows)
                  for p, _, rows in computed]
        calls = [i for i, p in enumerate(plan.prims) if p.func is not None]
        if len(calls) > 1 and start is not None and end is not None and not any(
                transforms_in(node) for node in plan.outputs):
            computed = [(payload, None, rows) for payload, rows in joined_runs(
                plan, tagged, calls, (start, end, max_buckets),
                lambda p, rows, quiet: _filled(plan, p[0], rows, start, end, quiet),
                lambda p: _kinds(plan, p[0]))]
            prefilled = True
        else:
            computed = [(payload, None, rows) for payload, rows in runs(tagged,
                                                                       plan.descending)]
            if start is not None and end is not None:
                limit_runs(plan, len(computed), start, end, max_buckets)
    for (group, integrals, quiet), _, rows in computed:
        if plan.interval is not None and start is not None and end is not None \
                and not unfilled and not prefilled:
            rows = _filled(plan, group, rows, start, end, quiet)
        if integrals:  # 1.x fills the other functions' buckets, never integral()'s rows
            rows = _beside_integrals(plan, rows, integrals, quiet, _schema(plan, group.name))
        if multi:  # fill runs over their rows in the answer's order (topread.py)
            turn = plan.descending and plan.fill is ast.FillOption.PREVIOUS
            rows = topread.fill_companions(plan, _descending(plan, rows, True) if turn else rows)
            rows = _descending(plan, rows, True) if turn else rows
        joined = cursor.applies(plan)
        out_rows = (cursor.joined_rows(plan, rows, keep, _schema(plan, group.name),
                                       evaluate_node,
                                       points_of(plan, rows, keep,
                                                 _merge(plan, group, read_inputs[id(group)])),
                                       quiet)
                    if joined else evaluate(plan, rows, keep))
        if nan_possible and not plan.keep_nan:
            out_rows = cursor.nan_as_null(out_rows)
        if plan.descending:
            out_rows = _descending(plan, out_rows, multi)
        # the joins cut each call on its own
        if plan.rows_end is not None and not joined and not integrals:
            out_rows = out_rows[plan.offset:plan.rows_end]
        if not out_rows:
            continue
        series.append(Series(
            name=group.name, columns=["time", *plan.columns], values=out_rows,
            tags=dict(group.tags) if group.tags else None, has_time=True,
            timezone=plan.timezone))
    if plan.slimit or plan.soffset:
        series = page_series(series, plan)
    if plan.descending:
        series.reverse()  # 1.x walks series in reverse order too
    return series


def _filled(plan: SelectPlan, group: SeriesRows, rows: list[tuple[int, list[Any]]],
            start: int, end: int, quiet: frozenset[int]) -> list[tuple[int, list[Any]]]:
    """A series' buckets from its first to `end`, filled (`fill.fill_rows`)."""
    first = rows[0][0] if rows else None
    return fill_rows(plan, rows, own_start(plan, start, first), end,
                     quiet | group.absent_counts, _kinds(plan, group))


def _kinds(plan: SelectPlan, group: SeriesRows) -> list[str | None]:
    return [cursor.kind_of(plan, PrimRef(i), _schema(plan, group.name))
            for i in range(len(plan.prims))]


def _input_orders(plan: SelectPlan, groups: list[SeriesRows]) -> list[dict[int, list[int]]]:
    """Per group, per raw field (prim index), FROM's mentions in the order a transformation
    reads their points: each call's merge holds only the inputs with a point of its field
    in a group (`readorder.input_orders`)."""
    orders: list[dict[int, list[int]]] = [{} for _ in groups]
    if not any(g.inputs for g in groups):
        return orders
    for index, prim in enumerate(plan.prims):
        if prim.func is not None:
            continue
        found = input_orders([[m for (_, values), m in zip(g.rows, g.inputs, strict=True)
                               if values[index] is not None] if g.inputs else None
                              for g in groups], plan.descending)
        for group, order in zip(orders, found, strict=True):
            group[index] = order
    return orders


def _merge(plan: SelectPlan, group: SeriesRows, inputs: dict[int, list[int]]) -> Merge | None:
    """How a group's raw rows reach a transformation: each row's FROM mention and 1.x series
    key (`cpu,cpu=cpu0,host=a`), by which 1.x orders the series it merges, and `inputs`;
    None when the group holds one series of one mention at most, or reads a subquery."""
    if group.series is None or any(s.database == VIRTUAL_DB for s in plan.sources):
        # a subquery's rows come in the order its cursor emits them, runs that go back in
        # time included: 1.x's transformation reads that stream as it is
        return None
    schema = _schema(plan, group.name)
    tags = sorted(schema.tags) if schema is not None else []
    keys = [series_key(group.name, tags, tuple(k[:len(tags)])) for k in group.series]
    found = list(zip(group.inputs or [0] * len(keys), keys, strict=True))
    return Merge(found, inputs) if len(set(found)) > 1 else None


def _computed(node: Node) -> bool:
    """Whether an output is computed by a transformation or a math function."""
    return bool(outermost(node, (Math, Transform)))


def _quieted(plan: SelectPlan, rows: list[tuple[int, list[Any]]], quiet: frozenset[int],
             schema: MeasurementSchema | None) -> list[tuple[int, list[Any]]]:
    """The rows with the functions without a point in the series (`cursor.silent`) null;
    without GROUP BY time they read the cursor's default there, fill(<number>)'s value."""
    default = {i: None for i in quiet}
    if plan.interval is None and plan.fill is ast.FillOption.NUMBER:
        default = {i: cursor_fill(plan.fill_value, cursor.kind_of(plan, PrimRef(i), schema))
                   for i in quiet}
    return [(t, [default[i] if i in quiet else v for i, v in enumerate(values)])
            for t, values in rows]


def _beside_integrals(plan: SelectPlan, rows: list[tuple[int, list[Any]]],
                      integrals: dict[int, list[tuple[int, float]]], quiet: frozenset[int],
                      schema: MeasurementSchema | None) -> list[tuple[int, list[Any]]]:
    """The other functions' rows joined with integral()'s (`integral.join`). A function
    without a point in the series (`quiet`, a low percentile's) has no rows of its own and
    reads the fill value beside the others (`cursor.silent`): when all of them are quiet,
    only integral()'s rows answer."""
    defaults = [cursor.missing_value(plan.fill, plan.fill_value,
                                     cursor.kind_of(plan, PrimRef(i), schema), None)
                for i in range(len(plan.prims))]
    others = [i for i, p in enumerate(plan.prims) if p.func not in (None, "integral")]
    if others and all(i in quiet for i in others):
        rows = []
    elif quiet and plan.fill is ast.FillOption.NUMBER:
        rows = [(t, [defaults[i] if i in quiet else v for i, v in enumerate(values)])
                for t, values in rows]
    cut = (plan.offset, plan.rows_end) if plan.rows_end is not None else None
    return area.join(rows, integrals, plan.descending, defaults,
                     carry=plan.fill is ast.FillOption.PREVIOUS, cut=cut)


def _descending(plan: SelectPlan, rows: list[Row], multi: bool) -> list[Row]:
    """ORDER BY time DESC: rows in reverse, except that 1.x keeps the several rows of one
    bucket of top, bottom, sample or distinct in their ascending order."""
    if not multi:
        return rows[::-1]
    buckets: list[list[Row]] = []
    previous: int | None = None
    for row in rows:
        bucket = bucket_of(plan, row[0]) if plan.interval is not None else 0
        if not buckets or bucket != previous:
            buckets.append([])
        buckets[-1].append(row)
        previous = bucket
    return [row for bucket_rows in reversed(buckets) for row in bucket_rows]


# -- per-bucket aggregate values ----------------------------------------------------------------


def _compute(plan: SelectPlan, group: SeriesRows, lower: int, upper: int,
             rng: random.Random) -> tuple[list[tuple[int, list[Any]]],
                                          dict[int, list[tuple[int, float]]]]:
    """Each row's time and final prim values (struct and list results resolved), and apart
    from them each integral()'s own rows, by prim index."""
    rows = group.rows
    if not plan.aggregate:
        return rows, {}  # type: ignore[return-value]
    orders = {i: _ReadOrder(plan, group, i) for i, p in enumerate(plan.prims)
              if p.func in READ_ORDER}
    out: list[tuple[int, list[Any]]] = []
    default_time = lower if plan.time_range.lower is not None else 0
    multi = next((i for i, p in enumerate(plan.prims) if p.func in fn.MULTI_ROW), None)
    integrals = _integrals(plan, rows, orders, lower, upper)
    kept = (topread.kept_points(plan, _ReadOrder(plan, group, multi).runs())
            if multi is not None and topread.reads_limited(plan, plan.prims[multi]) else None)
    # rows of the other functions; integral()'s own rows are joined to them below
    others = any(p.func not in (None, "integral") for p in plan.prims)
    for bucket, values in rows if others or not integrals else []:
        time = bucket if bucket is not None else default_time
        if multi is not None:
            points = values[multi] or []
            if kept is not None:
                points = [p for p in points if id(p) in kept]
            out.extend(_multi_rows(plan, multi, points, time, rng))
            continue
        resolved: list[Any] = []
        selected: int | None = None
        aux: dict[int, Any] = {}
        for index, (prim, value) in enumerate(zip(plan.prims, values, strict=True)):
            if prim.func is None or index in integrals:
                resolved.append(None)
                continue
            if needs_points(plan, prim):
                order = orders.get(index)
                point, aux_values = _from_points(
                    prim, value or [], lambda o=order, b=bucket: o.points(b) if o else [])
                aux.update(aux_values)
            elif prim.func in ("first", "last") or (
                    prim.func in ("min", "max") and plan.selector):
                point = _from_struct(prim.func, value)
                aux.update(_companions(value))
            else:
                point = (None, value)
            if point is not None and point[0] is not None:
                selected = point[0]
            resolved.append(point[1] if point is not None else None)
        for position, companion in aux.items():
            resolved[position] = companion
        if plan.selector_time and selected is not None:
            time = selected
        out.append((time, resolved))
    return out, integrals


def _integrals(plan: SelectPlan, rows: list[tuple[int | None, list[Any]]],
               orders: dict[int, _ReadOrder], lower: int,
               upper: int) -> dict[int, list[tuple[int, float]]]:
    """Each integral()'s rows, by prim index: 1.x computes it in one walk over the group's
    points (its series merged in 1.x's read order), window after window (`integral.py`)."""
    out = {}
    interval = plan.interval

    def bucket(time: int) -> tuple[int, int]:
        start = bucket_of(plan, time)
        return start, start + (interval or 0)

    for index, prim in enumerate(plan.prims):
        if prim.func == "integral":
            unit = int(prim.args[0]) if prim.args else 1_000_000_000
            order = orders[index]
            # 1.x walks the series newest first under DESC, merged newest first (`_ReadOrder`)
            points = [(p["t"], p["v"]) for key, _ in (rows[::-1] if plan.descending else rows)
                      for p in order.points(key)]
            out[index] = area.areas(points, unit, bucket=bucket if interval else None,
                                    lower=lower, upper=upper, descending=plan.descending)
    return out


def _multi_rows(plan: SelectPlan, index: int, points: list[dict[str, Any]], time: int,
                rng: random.Random) -> list[tuple[int, list[Any]]]:
    """The rows of top, bottom, sample or distinct for one bucket, companions included."""
    prim = plan.prims[index]
    func = prim.func
    if func == "distinct":
        # 1.x keeps each value's first point in its read order (the newest under DESC) and
        # answers them sorted by that point's time, then by value
        held: dict[Any, int] = {}
        for point in points:
            value, at = point["v"], point["t"]
            if value not in held or (at > held[value] if plan.descending else at < held[value]):
                held[value] = at
        width = len(plan.prims)
        return [(time, [v if i == index else None for i in range(width)])
                for v in sorted(held, key=lambda v: (held[v], v))]
    if func == "sample":
        size = int(prim.args[0]) if prim.args else 0
        chosen = points if len(points) <= size else sorted(
            rng.sample(points, size), key=lambda p: p["t"])
    else:
        chosen = _top(plan, prim, points)
    out = []
    for point in chosen:
        values = [None] * len(plan.prims)
        values[index] = point["v"]
        for key, value in point.items():
            if key[0] == "a":
                values[int(key[1:])] = value
        out.append((point["t"] if plan.selector_time else time, values))
    return out


def _top(plan: SelectPlan, prim: Any, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """top/bottom: the N largest (smallest) values, one per tag combination when tags are
    given; ties go to the earlier point; answered in time order."""
    count = int(prim.args[-1])
    sign = -1 if prim.func == "top" else 1
    tags = [t.name for t in prim.args[:-1]]
    candidates = points
    if tags:
        slots = [f"a{plan.prims.index(Prim(t, 'tag'))}" for t in tags]
        best: dict[tuple[Any, ...], dict[str, Any]] = {}
        for point in points:
            key = tuple(point[s] for s in slots)
            held = best.get(key)
            if held is None or sign * point["v"] < sign * held["v"]:
                best[key] = point
        candidates = list(best.values())
    ranked = sorted(candidates, key=lambda p: (sign * p["v"], p["t"]))[:count]
    return sorted(ranked, key=lambda p: p["t"])


def _from_struct(func: str, value: dict[str, Any] | None) -> tuple[int, Any] | None:
    if value is None:
        return None
    return value["t"], value["v"]


def _companions(point: dict[str, Any] | None) -> dict[int, Any]:
    """The values read beside a selected point, by prim index (its `a<i>` keys)."""
    if point is None:
        return {}
    return {int(k[1:]): v for k, v in point.items() if k.startswith("a")}


def _from_points(prim: Any, points: list[dict[str, Any]],
                 read_order: Callable[[], list[dict[str, Any]]]
                 ) -> tuple[tuple[int | None, Any] | None, dict[int, Any]]:
    func = prim.func
    if func == "percentile":
        chosen = fn.percentile(points, float(prim.args[0]) if prim.args else 50.0, read_order)
        if chosen is None:
            return None, {}
        return (chosen["t"], chosen["v"]), _companions(chosen)
    if func == "mode":
        found = fn.mode(points, read_order)
        return ((None, found) if found is not None else None), {}
    if func == "mean":  # an integer mean whose partial sums may wrap
        return (None, wrapped_mean(points)), {}
    raise QueryError(f"{func}() is not supported yet by influx-gateway")


class _ReadOrder:
    """One prim's points over a group's buckets in the order 1.x reads them, merged once and
    only when a tie asks for it. Under ORDER BY time DESC they are merged newest first
    (`readorder.merge_series`), each bucket's points in that order."""

    def __init__(self, plan: SelectPlan, group: SeriesRows, index: int) -> None:
        self.plan, self.group, self.index = plan, group, index
        self.by_bucket: dict[int | None, list[dict[str, Any]]] | None = None

    def points(self, bucket: int | None) -> list[dict[str, Any]]:
        if self.by_bucket is None:
            self.by_bucket = self._merge()
        return self.by_bucket.get(bucket, [])

    def runs(self) -> list[list[dict[str, Any]]]:
        """The prim's points of each series of the group, in time order and series-key
        order."""
        schema = _schema(self.plan, self.group.name)
        tags = sorted(schema.tags) if schema is not None else []
        runs: dict[str, list[dict[str, Any]]] = {}
        for _, values in self.group.rows:
            for point in values[self.index] or []:
                # a measurement without tags (a subquery's) still orders by one value, ""
                key = series_key(self.group.name, tags, tuple(point["s"][:len(tags)]))
                runs.setdefault(key, []).append(point)
        return [runs[key] for key in sorted(runs)]

    def _merge(self) -> dict[int | None, list[dict[str, Any]]]:
        merged: dict[int | None, list[dict[str, Any]]] = {}
        for point in merge_series(self.runs(), self.plan.descending):
            bucket = bucket_of(self.plan, point["t"]) if self.plan.interval is not None else None
            merged.setdefault(bucket, []).append(point)
        return merged


def _schema(plan: SelectPlan, name: str) -> MeasurementSchema | None:
    return next((s.schema for s in plan.sources if s.schema.name == name), None)
