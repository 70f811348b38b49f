"""A subquery's fill() as 1.x runs it: over each parent group's series merged, run by run.

1.x hands a parent's GROUP BY tags down to its subquery as the dimensions its iterators are
ordered by, while the points keep the subquery's own tags. So the fill iterator of a
subquery grouped by more tags than its parent reads one stream per parent group: that
group's series merged by bucket, then by tag set (both descending under ORDER BY time DESC).
It starts a new run each time the stream's series changes, and every run covers the whole
range: fill(<number>) or fill(previous) buckets before and after the run's points, even
where the same series has a point in another run. `fill(-1)` over two series reaching two
buckets in turn answers four runs, the second run of each series filling the bucket its
first run held. fill(linear) interpolates only between points of one run. fill(null), which
1.x turns into fill(none) in a subquery, and the functions 1.x never fills make no runs.

Each call of the subquery's SELECT list has a fill iterator of its own, so calls with points
in different buckets have runs of their own; 1.x's cursor joins them by taking, of every
call's next point, the least by measurement, tag set and time (the greatest under DESC), and
a call without a point there reads the cursor's default (`join_calls`; `run_join.py` walks
the same join a stretch of buckets at a time, with Arrow columns).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from . import ast, cursor
from .errors import QueryError
from .functions import AGGREGATES, MULTI_ROW, SELECTORS
from .select_plan import SelectPlan

#: The fill options whose iterator 1.x runs over a subquery's buckets.
_FILLED = (ast.FillOption.NUMBER, ast.FillOption.PREVIOUS, ast.FillOption.LINEAR)

Rows = list[tuple[int, list[Any]]]
T = TypeVar("T")


def fills_in_runs(fill: ast.FillOption, interval: bool, calls: Iterable[str | None]) -> bool:
    """Whether a subquery's answer is its fill iterator's runs: GROUP BY time, a fill that
    fills, and calls 1.x fills (not top, bottom, sample, distinct, nor integral() alone)."""
    funcs = [c for c in calls if c is not None]
    return (interval and fill in _FILLED and bool(funcs)
            and not any(f in MULTI_ROW for f in funcs)
            and not all(f == "integral" for f in funcs))


def statement_fills_in_runs(statement: ast.SelectStatement) -> bool:
    """`fills_in_runs` for a subquery's statement as its parent adjusted it."""
    interval = any(isinstance(d.expr, ast.Call) and d.expr.name == "time"
                   for d in statement.dimensions)
    # the aggregates and selectors it reads, DISTINCT as `distinct`
    calls = ["distinct" if isinstance(c, ast.Distinct) else c.name
             for f in statement.fields for c in ast.calls(f.expr)
             if isinstance(c, ast.Distinct) or c.name in AGGREGATES or c.name in SELECTORS]
    return fills_in_runs(statement.fill, interval, calls)


def limit_rows(rows: int, max_buckets: int) -> None:
    """No more rows from a subquery's fill runs than ten series' worth of buckets (1.x
    answers millions of rows for a few hundred points). `rows`: what the runs answer, each
    from its own first bucket, the calls' runs joined (`run_join.counted`)."""
    if rows > 10 * max_buckets:
        raise QueryError(
            f"the subquery's fill() would answer more than {10 * max_buckets} rows "
            "(a run per change of series); narrow its time range or widen its GROUP BY time")


def runs(series: Sequence[tuple[T, Hashable, Rows]], descending: bool
         ) -> list[tuple[T, Rows]]:
    """Each run of 1.x's fill iterator, in the order it emits them. `series`: each series'
    payload, parent group (its measurement and parent's GROUP BY tag values) and unfilled
    rows (ascending), sorted by tag set. A run is answered with its series' payload and its
    rows, ascending, still to be filled."""
    groups: dict[Hashable, list[int]] = {}
    for number, (_, group, _rows) in enumerate(series):
        groups.setdefault(group, []).append(number)
    out: list[tuple[T, Rows]] = []
    for numbers in groups.values():
        # (1.6.7 meets a bucket's series in tag order under ORDER BY time DESC too)
        merged = sorted(((time, number, values) for number in numbers
                         for time, values in series[number][2]),
                        key=lambda point: (-point[0] if descending else point[0], point[1]))
        current: int | None = None
        for time, number, values in merged:
            if number != current:
                out.append((series[number][0], []))
                current = number
            out[-1][1].append((time, values))
    if descending:
        out = [(payload, rows[::-1]) for payload, rows in out]
    return out


def as_series_runs(plan: SelectPlan, keys: Sequence[Hashable] | None) -> SelectPlan:
    """The plan as a statement that is no subquery's, when each of its parent's groups
    (`keys`: each series' group) holds one series: a run is then a whole series, so 1.x's
    cursor walks the fill iterators as it walks a top-level statement's (`late_fill`: a
    percentile() selecting nothing beside another call; fuzz 398-709)."""
    if plan.paged_by is None or keys is None or len(set(keys)) != len(keys):
        return plan
    return dataclasses.replace(plan, paged_by=None)


def call_runs(series: Sequence[tuple[T, Hashable, Rows]], calls: Sequence[int],
              counts: frozenset[int], descending: bool) -> dict[int, list[tuple[T, Rows]]]:
    """Each call's runs (`runs`) over the buckets where it has a point (a count() of 0 is
    none): its rows keep only its own value."""
    out: dict[int, list[tuple[T, Rows]]] = {}
    for index in calls:
        own = [(payload, group, [(t, _only(values, index)) for t, values in rows
                                 if values[index] is not None
                                 and not (index in counts and values[index] == 0)])
               for payload, group, rows in series]
        out[index] = runs(own, descending)
    return out


def _only(values: list[Any], index: int) -> list[Any]:
    return [v if i == index else None for i, v in enumerate(values)]


def join_calls(filled: dict[int, list[tuple[T, Rows]]], rank: Callable[[T], int],
               kinds: Callable[[T], Sequence[str | None]], width: int,
               fill: tuple[ast.FillOption, Any], descending: bool) -> list[tuple[T, Rows]]:
    """The calls' filled runs (rows ascending) joined as 1.x's cursor joins its scanners:
    each row at the least (measurement and tag set `rank`, time) among the calls' next
    points, the greatest under ORDER BY time DESC; a call without a point there, or with a
    null one, reads the cursor's default (`cursor.missing_value`: fill(previous) the call's
    last value, kept while the tag set stays). `fill`: the option and its number. Answered
    as runs of one tag set each."""
    streams = {index: [(rank(payload), time, payload, values[index])
                       for payload, rows in call
                       for time, values in (rows[::-1] if descending else rows)]
               for index, call in filled.items()}
    heads = dict.fromkeys(streams, 0)
    out: list[tuple[T, Rows]] = []
    current: int | None = None
    carried: dict[int, Any] = {}
    types: Sequence[str | None] = ()
    pick = max if descending else min
    while True:
        keys = [(points[heads[i]][0], points[heads[i]][1], points[heads[i]][2])
                for i, points in streams.items() if heads[i] < len(points)]
        if not keys:
            break
        key, time, payload = pick(keys, key=lambda k: (k[0], k[1]))
        if key != current:  # a rank is one series' (payload's): its types hold until then
            current, carried, types = key, {}, kinds(payload)
            out.append((payload, []))
        values: list[Any] = [None] * width
        for index, points in streams.items():
            value = None
            if heads[index] < len(points) and points[heads[index]][:2] == (key, time):
                value = points[heads[index]][3]
                heads[index] += 1
            if value is None:
                value = cursor.missing_value(*fill, types[index], carried.get(index))
            values[index] = carried[index] = value
        out[-1][1].append((time, values))
    if descending:
        out = [(payload, rows[::-1]) for payload, rows in out]
    return out


def call_streams(plan: SelectPlan, tagged: Sequence[tuple[T, Hashable, Rows]],
                 calls: Sequence[int]
                 ) -> tuple[dict[int, list[tuple[T, Rows]]], Callable[[T], int]]:
    """Each call's runs (`call_runs`) and how 1.x's cursor ranks their series when it joins
    them: by measurement, then tag set. `tagged`: each series' payload, parent group and
    rows, in tag-set order per measurement."""
    counts = frozenset(i for i in calls if plan.prims[i].func == "count")
    per_call = call_runs(tagged, calls, counts, plan.descending)
    order = sorted(range(len(tagged)), key=lambda n: (_name(tagged[n][1]), n))
    ranks = {id(tagged[n][0]): rank for rank, n in enumerate(order)}
    if plan.descending:
        # Under DESC 1.x's cursor takes the greatest parent group first, and the join takes
        # the greatest rank; the runs come group by group in ascending order (`runs`), so
        # an earlier group ranks higher, or a call without a point in some group (a
        # percentile() selecting nothing there) would answer a later group's rows first
        # and cut the other calls' run in two (fuzz 401-132).
        groups = {g: i for i, g in enumerate(dict.fromkeys(group for _, group, _ in tagged))}
        ranks = {id(payload): ranks[id(payload)] - groups[group] * len(tagged)
                 for payload, group, _ in tagged}
    return per_call, lambda payload: ranks[id(payload)]


def joined_runs(plan: SelectPlan, per_call: dict[int, list[tuple[T, Rows]]],
                rank: Callable[[T], int], fill: Callable[[T, Rows, frozenset[int]], Rows],
                kinds: Callable[[T], Sequence[str | None]]) -> list[tuple[T, Rows]]:
    """A subquery's calls' runs (`call_streams`) each filled on its own, joined as 1.x's
    cursor joins them (`join_calls`), a row at a time. `fill` fills a run's rows leaving
    the given prims alone; `kinds`: a series' prims' types."""
    others = frozenset(range(len(plan.prims)))
    filled = {index: [(payload, fill(payload, rows, others - {index})) for payload, rows in own]
              for index, own in per_call.items()}
    return join_calls(filled, rank, kinds, len(plan.prims), (plan.fill, plan.fill_value),
                      plan.descending)


def _name(group: Hashable) -> str:
    """The measurement of a parent group key (its first element)."""
    return str(group[0]) if isinstance(group, tuple) else ""
