"""From the storage query's rows to 1.x's series: buckets filled, functions applied, limits cut.

Input: for each measurement, the rows of `storage.build_query` as Python columns. Output:
Series sorted by measurement and tag set, columns `time` + the plan's names, times in
nanoseconds. The Python work here is per output row, never per stored point, except for the
functions that need a bucket's points (percentile, top, mode...), which get them as lists.
The rows come grouped into series by `series_rows.py`, each bucket's aggregate values from
`bucket_values.py`; the output expressions and transformations over a series' rows are
`outputs.py`'s (or, call by call, `cursor.py`'s join).
"""

from __future__ import annotations

import random
from functools import partial
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import ast, cursor, late_fill, percentile_windows, run_fill, run_join, topread
from . import functions as fn
from . import integral as area
from .bucket_values import beside_others, compute
from .fill import bucket_of, bucket_span, cursor_fill, fill_point_companions, fill_rows, own_start
from .outputs import Merge, evaluate, evaluate_node, points_of
from .paging import in_page, page_series
from .readorder import input_orders
from .readrange import moved_bounds
from .results import Series, series_key
from .schema import MeasurementSchema
from .select_plan import Math, Node, PrimRef, SelectPlan, Transform, outermost, transforms_in
from .series_rows import SeriesRows, group_rows, schema_of
from .shard_index import groups_by
from .subquery_fill import (
    as_series_runs,
    call_streams,
    fills_in_runs,
    joined_runs,
    runs,
)

__all__ = ["SeriesRows", "group_rows", "shape"]

Row = list[Any]  # [time, prim values...]


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
    # Beside other calls sample()'s points are rows apart, joined to their filled buckets.
    beside = beside_others(plan)
    multi = any(p.func in fn.MULTI_ROW for p in plan.prims) and not beside
    # nor integral's when it is the only function (beside others it is filled like them)
    unfilled = multi or all(p.func in (None, "integral", *fn.MULTI_ROW) for p in plan.prims)
    series: list[Series] = []
    if (plan.aggregate and plan.paged_by is not None and plan.rows_end is None
            and not plan.slimit and not plan.soffset
            and any(p.func == "percentile" for p in plan.prims)
            and (walked := percentile_windows.cursor_rows(
                plan, [g.rows for g in groups], _window_keys(plan, groups))) is not None):
        # a subquery's rows as its cursor emits them, back in time where a call reads ahead
        return _walked(plan, groups, *walked, keep)
    breaks: dict[int, tuple[int, ...]] = {}  # a group's `Series.breaks`, by its id
    batches: dict[int, list[int]] = {}  # and its `Series.batches`
    # 1.x's cursor walks only the series SLIMIT/SOFFSET leave, so their first window is the
    # page's first series' (`percentile-low-rank-slimit-*`)
    walked_groups = [one for one, in _paged(plan, [(g,) for g in groups])]
    if plan.aggregate and (read := percentile_windows.read_rows(
            plan, [g.rows for g in walked_groups], _window_keys(plan, walked_groups),
            end)) is not None:
        groups, breaks, batches = percentile_windows.kept_rows(plan, walked_groups, *read)
    # NaN: computed (stddev() of one point and what reads it, math: sqrt(-1)), or a subquery's
    nan_possible = (plan.aggregate or any(_computed(node) for node in plan.outputs)
                    or plan.reads_subquery)
    computed = []
    every = []  # each group's rows, the series without a function's point included
    # each group's read order of FROM's mentions, by group (a fill run keeps its group)
    read_inputs = {id(g): order for g, order in zip(groups, _input_orders(plan, groups),
                                                     strict=True)}
    for group in groups:
        plan.cancel.check()  # a series' buckets in Python: thousands of series take seconds
        rows, integrals = compute(plan, group, lower, upper, rng)
        quiet = cursor.silent(plan, rows) if plan.aggregate else frozenset()
        every.append((group, rows, integrals, quiet))
        if quiet and not integrals and len(quiet) == sum(
                p.func not in (None, "integral") for p in plan.prims):
            continue  # no function has a point in the series (a low percentile's)
        if quiet:
            rows = _quieted(plan, rows, quiet, schema_of(plan, group.name))
        computed.append(((group, integrals, quiet), group.name, rows))
    prefilled = walked = by_columns = False
    if late_fill.applies(as_series_runs(plan, _window_keys(plan, groups))) and not unfilled \
            and start is not None and end is not None \
            and (late := _late(plan, _paged(plan, every), start, end)) is not None:
        # a percentile's fill iterator answers nothing between its points: the cursor's walk
        computed = [((group, {}, frozenset()), group.name, rows[::-1] if plan.descending else rows)
                    for (group, *_), rows in zip(_paged(plan, every), late, strict=True) if rows]
        prefilled = walked = True
    if plan.paged_by is not None and not unfilled and not walked and not beside and fills_in_runs(
            plan.fill, plan.interval is not None, (p.func for p in plan.prims)):
        # a subquery's fill runs over its parent's groups, a run per change of series
        keys = [d.expr.name for d in plan.paged_by if isinstance(d.expr, ast.VarRef)]
        tagged = [(p, (p[0].name, *(dict(p[0].tags).get(k, "") for k in keys)), rows)
                  for p, _, rows in computed]
        calls = [i for i, p in enumerate(plan.prims) if p.func is not None]
        if len(calls) > 1 and start is not None and end is not None and not any(
                transforms_in(node) for node in plan.outputs):
            # the calls' runs joined, as many rows as 1.x's cursor answers for them
            per_call, rank = call_streams(plan, tagged, calls)
            spans, stretches = run_join.counted(plan, per_call, rank, (start, end),
                                                max_buckets)
            joined = run_join.applies(plan, keep) and run_join.joined_columns(
                plan, per_call, spans, stretches, (start, end), lambda p: _kinds(plan, p[0]),
                lambda p: p[0].absent_counts)
            if joined:
                series = [_arrays_series(plan, group, [times, *(
                    calls[node.index] for node in plan.outputs)],  # type: ignore[union-attr]
                    nan_possible and not plan.keep_nan) for (group, _, _), times, calls in joined]
                series, computed = [s for s in series if s.row_count], []
            else:
                computed = [(payload, None, rows) for payload, rows in joined_runs(
                    plan, per_call, rank,
                    lambda p, rows, quiet: _filled(plan, p[0], rows, start, end, quiet),
                    lambda p: _kinds(plan, p[0]))]
            prefilled = True
        else:
            computed = [(payload, None, rows) for payload, rows in runs(tagged,
                                                                       plan.descending)]
            if start is not None and end is not None:
                # capped as the calls' runs joined are: the rows each run fills
                run_join.counted(plan, {0: [(p, rows) for p, _, rows in computed]},
                                 lambda _: 0, (start, end), max_buckets)
                by_columns = run_fill.applies(plan, keep)
    bucket_times: dict[int, pa.Array] = {}  # by a run's first bucket: the runs share them
    for (group, integrals, quiet), _, rows in computed:
        plan.cancel.check()  # filling and transforming, a series at a time (holt_winters...)
        if by_columns and not integrals and start is not None and end is not None:
            found = _run_series(plan, group, rows, (start, end), quiet, bucket_times,
                                nan_possible and not plan.keep_nan)
            if found is not None:
                if found.row_count:
                    series.append(found)
                continue
        if plan.interval is not None and start is not None and end is not None \
                and not unfilled and not prefilled:
            rows = _filled(plan, group, rows, start, end, quiet)
        rows = fill_point_companions(plan, rows, _kinds(plan, group))
        # under GROUP BY time 1.x's cursor joins sample()'s points to the other calls'
        # answers, transformations included (`cursor.joined_rows`' `apart`), and so
        # integral()'s rows beside a transformation, which reads only its own buckets
        apart = integrals if plan.interval is not None and (
            beside and all(p.func != "integral" for p in plan.prims)
            or integrals and any(transforms_in(node) for node in plan.outputs)) else {}
        if integrals and not apart:  # 1.x fills the other functions' buckets, never the
            # rows apart (integral()'s, sample()'s)
            rows = _beside_integrals(plan, rows, integrals, quiet, schema_of(plan, group.name))
        if multi:  # fill runs over their rows in the answer's order (topread.py)
            turn = plan.descending and plan.fill is ast.FillOption.PREVIOUS
            rows = topread.fill_companions(plan, _descending(plan, rows, True) if turn else rows)
            rows = _descending(plan, rows, True) if turn else rows
        joined = (cursor.applies(plan) or bool(apart)) and not walked
        out_rows = (cursor.joined_rows(plan, rows, keep, schema_of(plan, group.name),
                                       evaluate_node,
                                       points_of(plan, rows, keep,
                                                 _merge(plan, group, read_inputs[id(group)])),
                                       quiet, apart)
                    if joined else evaluate(plan, rows, keep))
        if nan_possible and not plan.keep_nan:
            out_rows = cursor.nan_as_null(out_rows)
        if plan.descending:
            out_rows = _descending(plan, out_rows, multi)
        # the joins cut each call on its own
        if plan.rows_end is not None and not joined and not integrals and not walked:
            out_rows = out_rows[plan.offset:plan.rows_end]
        if not out_rows:
            continue
        series.append(Series(
            name=group.name, columns=["time", *plan.columns], values=out_rows,
            tags=dict(group.tags) if group.tags else None, has_time=True,
            timezone=plan.timezone,
            breaks=breaks.get(id(group), ()) if len(out_rows) == len(group.rows) else (),
            batches=batches.get(id(group)) if len(out_rows) == len(group.rows) else None))
    for place in percentile_windows.filled_breaks(plan, [g.rows for g in walked_groups], end):
        # chunked, the result ends with the series, not partial (`chunked-percentile-*`)
        for one in series:
            if _answers([one], walked_groups[place]):
                one.breaks = (one.row_count,)
    if _predicts_only(plan) and walked_groups and not _answers(series, walked_groups[0]):
        # holt_winters()' reduce iterator ends the read at a first window (series) that
        # predicts nothing (too few buckets): the cursor's peek finds nothing
        return []
    if plan.slimit or plan.soffset:
        series = page_series(series, plan)
    if plan.descending:
        series.reverse()  # 1.x walks series in reverse order too
    return series


def _predicts_only(plan: SelectPlan) -> bool:
    """Whether every column is holt_winters() or holt_winters_with_fit(), read ascending."""
    return not plan.descending and bool(plan.outputs) and all(
        isinstance(node, Transform) and node.name in fn.PREDICTORS for node in plan.outputs)


def _answers(series: list[Series], group: SeriesRows) -> bool:
    """Whether the group's series is among those answered."""
    tags = dict(group.tags) if group.tags else None
    return any(s.name == group.name and s.tags == tags for s in series)


def _walked(plan: SelectPlan, groups: list[SeriesRows],
            walked: list[tuple[int, int, list[Any]]], numbers: list[int] | None,
            keep: tuple[int, int] | None) -> list[Series]:
    """A subquery's series from the rows 1.x's cursor emits (`percentile_windows.
    cursor_rows`), each row keeping its place in that order for the parent, and its batch
    number (`numbers`, `Series.batches`) if any."""
    rows: dict[int, list[tuple[int, list[Any]]]] = {}
    places: dict[int, list[int]] = {}
    for place, (at, time, values) in enumerate(walked):
        rows.setdefault(at, []).append((time, values))
        places.setdefault(at, []).append(place)
    return [Series(name=groups[at].name, columns=["time", *plan.columns],
                   values=evaluate(plan, rows[at], keep),
                   tags=dict(groups[at].tags) if groups[at].tags else None, has_time=True,
                   timezone=plan.timezone, order=places[at],
                   batches=None if numbers is None else [numbers[p] for p in places[at]])
            for at in sorted(rows)]


def _window_keys(plan: SelectPlan, groups: list[SeriesRows]) -> list[Any] | None:
    """A subquery's series by the window its reduce iterators read them in: measurement
    and the parent's GROUP BY tags, which 1.x hands down as the subquery's dimensions."""
    if plan.paged_by is None:
        return None
    grouped = groups_by(plan.paged_by)
    return [(g.name, tuple((k, v) for k, v in sorted(g.tags) if grouped(k))) for g in groups]


def _filled(plan: SelectPlan, group: SeriesRows, rows: list[tuple[int, list[Any]]],
            start: int, end: int, quiet: frozenset[int], reverse: bool = False
            ) -> list[tuple[int, list[Any]]]:
    """A series' buckets from its first to `end`, filled (`fill.fill_rows`), latest first
    if `reverse`."""
    first = rows[0][0] if rows else None
    nils = (percentile_windows.nil_windows(plan, group.rows)
            if plan.fill is ast.FillOption.LINEAR else {})
    filled = fill_rows(plan, rows, own_start(plan, start, first), end,
                       quiet | group.absent_counts, _kinds(plan, group), nils)
    return filled[::-1] if reverse else filled


def _late(plan: SelectPlan, every: list[tuple[SeriesRows, list[tuple[int, list[Any]]],
                                            dict[int, list[tuple[int, float]]], frozenset[int]]],
          start: int, end: int) -> list[list[tuple[int, list[Any]]]] | None:
    """Each series' rows as 1.x's cursor walks calls whose fill answers nothing between
    points (`late_fill`), or None when the usual joins answer the same."""
    series = []
    for group, rows, integrals, quiet in every:
        values = dict(rows)
        windows = {i: [(t, values[t][i]) for t, v in group.rows
                       if t is not None and percentile_windows.present(v[i])]
                   for i, p in enumerate(plan.prims) if p.func == "percentile"}
        if plan.descending:
            windows = {i: w[::-1] for i, w in windows.items()}
        series.append(late_fill.Series(partial(_filled, plan, group, rows, start, end, quiet,
                                               plan.descending),
                                       integrals, quiet, windows, _kinds(plan, group)))
    return late_fill.rows(plan, series, start, end)


def _paged(plan: SelectPlan, every: list[Any]) -> list[Any]:
    """The series SLIMIT/SOFFSET leave, each `every` entry led by its group: 1.x pages the
    tag sets before it builds an iterator, so its cursor walks only these."""
    if not (plan.slimit or plan.soffset):
        return every
    keeps = in_page(plan)
    return [one for one in every if keeps(one[0].name, dict(one[0].tags))]


def _run_series(plan: SelectPlan, group: SeriesRows, rows: list[tuple[int, list[Any]]],
                span: tuple[int, int], quiet: frozenset[int], bucket_times: dict[int, pa.Array],
                nan_as_null: bool) -> Series | None:
    """A subquery's fill run as a series of Arrow columns (`run_fill`), in the answer's
    order, LIMIT and OFFSET applied; None where `_filled`'s rows must answer it."""
    assert plan.interval is not None
    start, end = span
    own = own_start(plan, start, rows[0][0] if rows else None)
    if own not in bucket_times:
        bucket_times[own] = run_fill.buckets(own, end, plan.interval)
    columns = run_fill.filled_columns(plan, rows, bucket_times[own], quiet | group.absent_counts,
                                      quiet, _kinds(plan, group))
    if columns is None:
        return None
    return _arrays_series(plan, group, [c[::-1] for c in columns] if plan.descending
                          else columns, nan_as_null)


def _arrays_series(plan: SelectPlan, group: SeriesRows, columns: list[pa.Array],
                   nan_as_null: bool) -> Series:
    """A series of Arrow columns in the answer's order, LIMIT and OFFSET applied."""
    if nan_as_null:  # as `cursor.nan_as_null`
        columns = [c if not pa.types.is_floating(c.type) else
                   pc.if_else(pc.is_nan(c), pa.scalar(None, c.type), c) for c in columns]
    if plan.rows_end is not None:
        columns = [c[plan.offset:plan.rows_end] for c in columns]
    return Series(group.name, ["time", *plan.columns], None,
                  dict(group.tags) if group.tags else None, has_time=True,
                  timezone=plan.timezone, arrays=columns)


def _kinds(plan: SelectPlan, group: SeriesRows) -> list[str | None]:
    return [cursor.kind_of(plan, PrimRef(i), schema_of(plan, group.name))
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
    if group.series is None or plan.reads_subquery:
        # a subquery's rows come in the order its cursor emits them, runs that go back in
        # time included: 1.x's transformation reads that stream as it is
        return None
    schema = schema_of(plan, group.name)
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
    """The other functions' rows joined with integral()'s, or sample()'s points beside them
    (`bucket_values.compute`'s rows apart; `integral.join`). A function
    without a point in the series (`quiet`, a low percentile's) has no rows of its own and
    reads the fill value beside the others (`cursor.silent`): when all of them are quiet,
    only integral()'s rows answer. Under fill(<number>) an integral without an area at their
    row's time reads the number (filled buckets hold it already)."""
    defaults = [cursor.missing_value(plan.fill, plan.fill_value,
                                     cursor.kind_of(plan, PrimRef(i), schema), None)
                for i in range(len(plan.prims))]
    others = [i for i, p in enumerate(plan.prims)
              if p.func not in (None, "integral") and i not in integrals]
    if others and all(i in quiet for i in others):
        rows = []
    elif plan.fill is ast.FillOption.NUMBER:
        # an integral without an area at the others' row reads fill's number there too
        rows = [(t, [defaults[i] if i in quiet or (i in integrals and v is None) else v
                     for i, v in enumerate(values)]) for t, values in rows]
    if plan.fill is ast.FillOption.NONE:
        # a bucket where no other call has a point (a low percentile() selecting nothing)
        # is no row of theirs: only integral()'s area there, if any, answers
        rows = [(t, values) for t, values in rows if any(values[i] is not None for i in others)]
    cut = (plan.offset, plan.rows_end) if plan.rows_end is not None else None
    if cut is not None and plan.fill is ast.FillOption.NONE:
        rows = _cut_each(rows, others, cut, plan.descending)
        integrals = {i: areas[cut[0]:cut[1]] for i, areas in integrals.items()}
        cut = None
    return area.join(rows, integrals, plan.descending, defaults,
                     carry=plan.fill is ast.FillOption.PREVIOUS, cut=cut)


def _cut_each(rows: list[tuple[int, list[Any]]], calls: list[int], cut: tuple[int, int],
              descending: bool) -> list[tuple[int, list[Any]]]:
    """LIMIT/OFFSET over each call's own points (in the answer's order), as 1.x cuts each
    iterator before the join: under fill(none) a call's points are its buckets with a value,
    so a call without one in the first buckets (a low percentile()) reaches later rows."""
    ordered = rows[::-1] if descending else rows
    kept: dict[int, set[int]] = {
        i: set([at for at, (_, values) in enumerate(ordered)
                if values[i] is not None][cut[0]:cut[1]]) for i in calls}
    out = []
    for at, (time, values) in enumerate(ordered):
        if any(at in kept[i] for i in calls):
            out.append((time, [None if i in kept and at not in kept[i] else v
                               for i, v in enumerate(values)]))
    return out[::-1] if descending else out


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
