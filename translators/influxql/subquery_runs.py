"""A subquery's sample() rows numbered by the runs a parent's GROUP BY time reduces apart.

1.x's cursor emits a subquery's sample() points bucket by bucket, then series by series, each
series' points ascending, so a parent grouping by time alone meets its buckets out of order:
its reduce iterators close a window at a point of another bucket, and each run of one of its
buckets in that order answers a row of its own (`SELECT sum(s) FROM (SELECT sample(used, 5)
AS s ... GROUP BY time(20m), host) GROUP BY time(10m)` answers 00:00 and 00:10 per host).
The runs are numbered as batches (`Series.batches`) the parent reduces each on its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from . import ast
from .errors import QueryError
from .results import Series
from .select_list import field_name
from .subquery_batches import time_grid, window_of
from .subquery_inner import as_subquery, descending, is_time
from .timerange import split_condition

#: The calls whose runs are matched: those reducing twice, whose second reduce iterator joins
#: again the first one's windows that a row null in their column of another bucket split...
_TWICE = frozenset({"count", "sum", "min", "max", "first", "last", "mean"})
#: ...and those reducing once, for which such a row ends the run (`number_runs`).
_ONCE = frozenset({"median", "mode", "stddev", "spread"})


def sample_run_fields(statement: ast.SelectStatement) -> frozenset[int]:
    """The parent's fields (positions) reducing a sample() column run by run: where it
    groups by time alone over one subquery grouped by time, and every field is a call
    reducing twice of a column, or once (`spread()`, `median()`...) of a sample() column,
    those of sample() columns all of one kind; the others' calls reduce as usual, each
    call's rows paged by LIMIT and OFFSET before the join. Empty where not matched."""
    if (len(statement.sources) != 1 or not isinstance(statement.sources[0], ast.SubQuery)
            or statement.slimit or statement.soffset
            or not statement.dimensions or not all(is_time(d) for d in statement.dimensions)):
        return frozenset()
    inner = as_subquery(statement.sources[0])
    if not any(is_time(d) for d in inner.dimensions) or not all(
            isinstance(item.expr, ast.Call) and item.expr.name in _TWICE | _ONCE
            and len(item.expr.args) == 1 and isinstance(item.expr.args[0], ast.VarRef)
            for item in statement.fields):
        return frozenset()
    sampled = {item.alias or field_name(item.expr) for item in inner.fields
               if isinstance(item.expr, ast.Call) and item.expr.name == "sample"}
    runs = frozenset(at for at, name in enumerate(_read(statement)) if name in sampled)
    once = {at for at in range(len(statement.fields)) if _reduces_once(statement, at)}
    if once - runs or once and once != runs:
        return frozenset()  # once over another column, or calls of both kinds over sample()
    conditioned = split_condition(statement.condition, 0, statement.timezone)[0] is not None
    if once and run_condition(statement, runs, 0) is None and conditioned:
        return frozenset()  # a condition on other columns keeps steps of theirs (not matched)
    if descending(statement) and conditioned and len(runs) < len(statement.fields):
        # the other calls' points are steps of their own there, which the condition meets
        # apart from the sample() points the gateway's rows join them with (not matched)
        return frozenset()
    return runs


def run_condition(statement: ast.SelectStatement, fields: frozenset[int],
                  now: int) -> ast.Expr | None:
    """The parent's condition other than time when it reads only the columns the run
    `fields` read: 1.x's filter iterator drops the cursor's steps it does not keep before
    the reduce iterators see them, a step without a point of those columns too."""
    rest = split_condition(statement.condition, now, statement.timezone)[0]
    names = {name for at, name in enumerate(_read(statement)) if at in fields}
    if rest is None or not {v.name for v in ast.var_refs(rest)} <= names:
        return None
    return rest


def _reduces_once(statement: ast.SelectStatement, at: int) -> bool:
    """Whether the field (a call, `sample_run_fields` checked) reduces once."""
    return cast(ast.Call, statement.fields[at].expr).name in _ONCE


def _read(statement: ast.SelectStatement) -> list[str]:
    """The column each field's call reads (`sample_run_fields` checked the shape)."""
    return [cast(ast.VarRef, cast(ast.Call, item.expr).args[0]).name
            for item in statement.fields]


def fill_runs(found: list[Series], statement: ast.SelectStatement, now: int,
              max_buckets: int) -> list[Series]:
    """The parent's rows (run after run, `join_batches`) through 1.x's fill iterator: it
    expects a bucket at the range's start and one more after each row it answers, and
    invents a row where the next row comes later than expected; a row going back to an
    earlier bucket is answered as it is (and the expected bucket still moves on), and
    after the last row it fills up to the range's end (under ORDER BY time DESC from the
    range's last bucket down, a row going back being a later one). fill(linear) draws the
    line from the point it answered before, filled or not, to the row it read next. No more
    buckets per series than `max_buckets` (a range open to now would fill years), as
    elsewhere (`fill.limit_buckets`)."""
    grid = time_grid(statement, now)
    if grid is None:
        return found
    interval, offset = grid
    span = split_condition(statement.condition, now, statement.timezone)[1]
    end = (span.upper if span.upper is not None else now) - offset
    end = end // interval * interval + offset
    counts = [isinstance(item.expr, ast.Call) and item.expr.name == "count"
              for item in statement.fields]
    out = []
    # under ORDER BY time DESC it expects the range's last bucket first, one less after each
    step = -interval if descending(statement) else interval
    for series in found:
        if not series.values:
            continue
        first = span.lower
        if first is None:  # from the first row (the earliest, walked backwards)
            first = min(r[0] for r in series.values) if step < 0 else series.values[0][0]
        start = (first - offset) // interval * interval + offset
        if (statement.fill is not ast.FillOption.NONE
                and (end - start) // interval + 1 > max_buckets):
            raise QueryError(
                f"the query would return more than {max_buckets} buckets per series; "
                "narrow its time range or widen the GROUP BY time interval")
        expected, last = (start, end) if step > 0 else (end, start)
        previous: list[Any] | None = None
        rows: list[list[Any]] = []
        at = 0
        while at < len(series.values) or (expected - last) * step <= 0:
            row = series.values[at] if at < len(series.values) else None
            if row is None and statement.fill is ast.FillOption.NONE:
                break
            if row is None or ((row[0] - expected) * step > 0
                               and statement.fill is not ast.FillOption.NONE):
                rows.append([expected, *(_filler(statement, count, previous, i, row, expected,
                                                 interval)
                                         for i, count in enumerate(counts, start=1))])
            else:
                rows.append(row)
                at += 1
            previous = rows[-1]  # 1.x's fill iterator keeps the point it answered, filled too
            expected += step
        rows = rows[statement.offset:statement.offset + statement.limit
                    if statement.limit else None]
        if not rows:
            continue
        out.append(Series(series.name, series.columns, rows, series.tags, series.has_time,
                          timezone=series.timezone))
    return out


def default_runs(joined: list[Series], statement: ast.SelectStatement) -> list[Series]:
    """The joined rows with each call lacking a point there (null) given the cursor's
    default: fill()'s number under fill(number), the call's previous value under
    fill(previous)."""
    if statement.fill is ast.FillOption.NUMBER:
        for series in joined:
            series.values = [[row[0], *(statement.fill_value if v is None else v
                                        for v in row[1:])] for row in series.values]
    elif statement.fill is ast.FillOption.PREVIOUS:
        for series in joined:
            last: list[Any] = [None] * len(series.columns)
            for row in series.values:
                for at in range(1, len(row)):
                    if row[at] is None:
                        row[at] = last[at]
                    last[at] = row[at]
    return joined


def _filler(statement: ast.SelectStatement, count: bool, previous: list[Any] | None,
            at: int, following: list[Any] | None, time: int, interval: int) -> Any:
    """The value 1.x's fill iterator invents for a call (count() fills 0 for null) at `time`,
    between the point it answered before (`previous`, filled or not) and the row it read
    next (`following`, None past the last)."""
    match statement.fill:
        case ast.FillOption.NUMBER:
            return statement.fill_value
        case ast.FillOption.PREVIOUS:
            return None if previous is None else previous[at]
        case ast.FillOption.LINEAR:
            if previous is None or following is None:
                return None
            return _linear(time // interval, previous[0] // interval,
                           following[0] // interval, previous[at], following[at])
        case _:
            return 0 if count else None


def _linear(time: int, before: int, after: int, first: Any, second: Any) -> Any:
    """1.x's linear fill in bucket units: integers through a float64 slope, truncated."""
    if first is None or second is None or after == before:
        return None
    value = (second - first) / (after - before) * (time - before) + first
    if isinstance(first, int) and isinstance(second, int) and not isinstance(first, bool):
        return int(value)  # Go's int64() truncates toward zero
    return value


def number_runs(answered: list[Series], statement: ast.SelectStatement,
                fields: frozenset[int], now: int,
                kept: dict[int, list[bool]] | None = None) -> list[Series]:
    """The subquery's series (no batches yet) with each row's run number: rows walked in 1.x's
    emission order (`emission_order`), a new run wherever the parent's bucket changes. A row
    null in every column the `fields` read is a nil point, skipped: to calls reducing twice
    it closes no window (their second reduce joins the windows again), to those reducing
    once it closes one when of another bucket (1.x's reduce iterator reads the window's
    points by time before it skips a nil one). `kept`: per series (by number), the rows
    `run_condition` keeps; a step it drops is no point at all."""
    if not answered or any(s.batches is not None or s.order is not None for s in answered):
        return answered
    inner = as_subquery(statement.sources[0])
    inner_bucket = window_of(inner, now)
    parent_bucket = window_of(statement, now)
    names = {name for at, name in enumerate(_read(statement)) if at in fields}
    once = any(_reduces_once(statement, at) for at in fields)
    numbers: dict[tuple[int, int], int] = {}
    run, last, closed = 0, None, False
    for number, points in emission_order(answered, inner_bucket, descending(statement)):
        series = answered[number]
        time = series.values[points[0][1]][0]
        read = [at for name, at in points
                if name in names and (kept is None or kept[number][at])]
        for _, at in points:
            numbers.setdefault((number, at), run)
        if not read and kept is not None:
            continue  # the filter iterator drops the step
        if not read:
            # ...to a call reducing once one of another bucket ends the window
            closed = closed or (once and last is not None
                                and (series.name, parent_bucket(time)) != last)
            continue
        bucket = (series.name, parent_bucket(time))
        if last is not None and (bucket != last or closed):
            run += 1
        last, closed = bucket, False
        for at in read:
            numbers[number, at] = run
    for number, series in enumerate(answered):  # rows of no call's point
        for at in range(series.row_count):
            numbers.setdefault((number, at), run)
    out = []
    for number, series in enumerate(answered):
        places = [at for at in range(series.row_count) if (number, at) in numbers]
        out.append(Series(series.name, series.columns, [series.values[at] for at in places],
                          series.tags, series.has_time, timezone=series.timezone,
                          batches=[numbers[number, at] for at in places]))
    return out


def emission_order(answered: list[Series], inner_bucket: Callable[[int], int],
                   descending: bool = False) -> list[tuple[int, list[tuple[str, int]]]]:
    """The subquery's points in the order 1.x's cursor emitted them, step by step: each step
    a series number and the (column, row) points of it emitted together. Each column's points
    come from a call iterator of its own, bucket by bucket, then series by series, each
    series' points ascending; the cursor takes at each step the least series, then time,
    among the calls' next points, and one point of each call there. So a max() point of a
    later bucket of an earlier series comes between a series' sample() points, on a row of
    its own (the gateway's rows join the columns by time: a row may be two steps). Under
    ORDER BY time DESC the buckets come newest first (series and points still ascending
    inside), and the cursor takes the greatest series, then time."""
    if not answered:
        return []
    names = answered[0].columns[1:]
    streams: list[list[tuple[int, int, int, int]]] = []
    for name in names:
        streams.append(sorted(
            (-inner_bucket(row[0]) if descending else inner_bucket(row[0]), number, row[0], at)
            for number, series in enumerate(answered)
            if name in series.columns
            for at, row in enumerate(series.values)
            if row[0] is not None and row[series.columns.index(name)] is not None))
    heads = [0] * len(streams)
    out: list[tuple[int, list[tuple[str, int]]]] = []
    while True:
        nexts = [(stream[h][1], stream[h][2]) for stream, h in zip(streams, heads, strict=True)
                 if h < len(stream)]
        if not nexts:
            return out
        least = max(nexts) if descending else min(nexts)
        points = []
        for i, stream in enumerate(streams):
            if heads[i] < len(stream) and (stream[heads[i]][1], stream[heads[i]][2]) == least:
                points.append((names[i], stream[heads[i]][3]))
                heads[i] += 1
        out.append((least[0], points))
