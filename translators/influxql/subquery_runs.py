"""A subquery's sample() rows numbered by the runs a parent's GROUP BY time reduces apart.

1.x's cursor emits a subquery's sample() points bucket by bucket, then series by series, each
series' points ascending, so a parent grouping by time alone meets its buckets out of order:
its reduce iterators close a window at a point of another bucket, and each run of one of its
buckets in that order answers a row of its own (`SELECT sum(s) FROM (SELECT sample(used, 5)
AS s ... GROUP BY time(20m), host) GROUP BY time(10m)` answers 00:00 and 00:10 per host).
The runs are numbered as batches (`Series.batches`) the parent reduces each on its own."""

from __future__ import annotations

from typing import Any, cast

from . import ast
from .errors import QueryError
from .results import Series
from .select_list import field_name
from .subquery_batches import time_grid, window_of
from .subquery_inner import as_subquery, descending, is_time
from .timerange import split_condition

#: The calls whose runs are matched: those reducing twice, whose second reduce iterator joins
#: again the first one's windows that a row null in their column of another bucket split.
_TWICE = frozenset({"count", "sum", "min", "max", "first", "last", "mean"})


def sample_run_fields(statement: ast.SelectStatement) -> frozenset[int]:
    """The parent's fields (positions) reducing a sample() column run by run: where it
    groups by time alone, ascending, over one subquery grouped by time, and every field is a
    call reducing twice of a column; the others' calls reduce as usual, each call's rows
    paged by LIMIT and OFFSET before the join. Empty where not matched (fill(linear)
    neither)."""
    if (len(statement.sources) != 1 or not isinstance(statement.sources[0], ast.SubQuery)
            or descending(statement) or statement.slimit or statement.soffset
            or statement.fill is ast.FillOption.LINEAR
            or not statement.dimensions or not all(is_time(d) for d in statement.dimensions)):
        return frozenset()
    inner = as_subquery(statement.sources[0])
    if not any(is_time(d) for d in inner.dimensions) or not all(
            isinstance(item.expr, ast.Call) and item.expr.name in _TWICE
            and len(item.expr.args) == 1 and isinstance(item.expr.args[0], ast.VarRef)
            for item in statement.fields):
        return frozenset()
    sampled = {item.alias or field_name(item.expr) for item in inner.fields
               if isinstance(item.expr, ast.Call) and item.expr.name == "sample"}
    return frozenset(at for at, name in enumerate(_read(statement)) if name in sampled)


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
    after the last row it fills up to the range's end. No more buckets per series than
    `max_buckets` (a range open to now would fill years), as elsewhere (`fill.limit_buckets`).
    """
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
    for series in found:
        if not series.values:
            continue
        first = series.values[0][0] if span.lower is None else span.lower
        expected = (first - offset) // interval * interval + offset
        if (statement.fill is not ast.FillOption.NONE
                and (end - expected) // interval + 1 > max_buckets):
            raise QueryError(
                f"the query would return more than {max_buckets} buckets per series; "
                "narrow its time range or widen the GROUP BY time interval")
        previous: list[Any] | None = None
        rows: list[list[Any]] = []
        at = 0
        while at < len(series.values) or expected <= end:
            row = series.values[at] if at < len(series.values) else None
            if row is None and statement.fill is ast.FillOption.NONE:
                break
            if row is None or (row[0] > expected
                               and statement.fill is not ast.FillOption.NONE):
                rows.append([expected, *(_filler(statement, count, previous, i)
                                         for i, count in enumerate(counts, start=1))])
            else:
                rows.append(row)
                previous = row
                at += 1
            expected += interval
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
            at: int) -> Any:
    """The value 1.x's fill iterator invents for a call (count() fills 0 for null)."""
    match statement.fill:
        case ast.FillOption.NUMBER:
            return statement.fill_value
        case ast.FillOption.PREVIOUS:
            return None if previous is None else previous[at]
        case _:
            return 0 if count else None


def number_runs(answered: list[Series], statement: ast.SelectStatement,
                fields: frozenset[int], now: int) -> list[Series]:
    """The subquery's series (no batches yet) with each row's run number: rows walked in 1.x's
    emission order (inner bucket, series, time), a new run wherever the parent's bucket
    changes. A row null in every column the `fields` read is a nil point, skipped (it closes
    no window)."""
    if not answered or any(s.batches is not None or s.order is not None for s in answered):
        return answered
    inner = as_subquery(statement.sources[0])
    inner_bucket = window_of(inner, now)
    parent_bucket = window_of(statement, now)
    names = {name for at, name in enumerate(_read(statement)) if at in fields}
    rows = sorted((inner_bucket(row[0]), number, row[0], at)
                  for number, series in enumerate(answered)
                  for at, row in enumerate(series.values) if row[0] is not None)
    numbers: dict[tuple[int, int], int] = {}
    run, last = 0, None
    for _, number, time, at in rows:
        series = answered[number]
        row = series.values[at]
        if all(row[i] is None for i, c in enumerate(series.columns) if c in names):
            numbers[number, at] = run
            continue
        bucket = (series.name, parent_bucket(time))
        if last is not None and bucket != last:
            run += 1
        last = bucket
        numbers[number, at] = run
    out = []
    for number, series in enumerate(answered):
        places = [at for at in range(series.row_count) if (number, at) in numbers]
        out.append(Series(series.name, series.columns, [series.values[at] for at in places],
                          series.tags, series.has_time, timezone=series.timezone,
                          batches=[numbers[number, at] for at in places]))
    return out
