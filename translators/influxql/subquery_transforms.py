"""A parent's transformations of its calls over a subquery's batches, under GROUP BY time.

Where a subquery's rows come in batches (`subquery_batches.py`), `median()`, `spread()` and
the like answer a row per batch and bucket, several at one time, none filled; over its
sample() rows the calls answer a row per run of a bucket (`subquery_runs.py`). 1.x's
transformation iterator (`cumulative_sum(median(a))`) reads those points one after the other
across the batches, as it reads any call's points: `cumulative_sum()` adds each, `derivative()`
and `difference()` keep the first of several points at one time, `moving_average()` takes
each. So the gateway answers each call as a statement of its own (`_0`), then each
transformation over its call's points, the fields joined as 1.x's cursor joins them and
paged by LIMIT and OFFSET. Not matched under fill(<number>), fill(previous) or fill(linear):
1.x fills the bucket before the range a looking-back transformation reads (`difference()`
of fill(3) answers 7 at the range's start), not those past the rows."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, cast

from . import ast
from . import functions as fn
from .results import Series
from .select_list import column_names, field_name, parent_columns, strip_parens
from .subquery_batches import time_grid
from .subquery_calls import call_groups, series_by_key
from .subquery_inner import descending, is_time
from .subquery_runs import sample_run_fields

#: The transformations matched, each a function of a call's points and its arguments.
_MATCHED = frozenset({"cumulative_sum", "difference", "non_negative_difference",
                      "moving_average", "derivative", "non_negative_derivative"})
#: The calls they are matched over: a value a row (no tag columns, no rows of their own).
_CALLS = frozenset({"median", "mode", "stddev", "spread", "percentile", "count", "sum", "min",
                    "max", "first", "last", "mean"})


@dataclass(frozen=True, slots=True)
class TransformsApart:
    """A parent whose every field is a transformation of one call, as a statement per call
    (its one field `_0`) and each field's transformation of its call's points."""

    statements: tuple[ast.SelectStatement, ...]
    reads: tuple[int, ...]  # each field's call (position in `statements`)
    calls: tuple[ast.Call, ...]  # each field's transformation
    names: tuple[tuple[str | None, str], ...]  # each field's alias and generated name


def transforms_apart(statement: ast.SelectStatement) -> TransformsApart | None:
    """The parent split into its calls where every field is a matched transformation of a
    call, one of them windowed by 1.x's reduce iterators apart (`call_groups`), under GROUP
    BY time, ascending, fill(null) or fill(none); None otherwise."""
    if (descending(statement) or not any(is_time(d) for d in statement.dimensions)
            or statement.fill not in (ast.FillOption.NULL, ast.FillOption.NONE)
            or len(statement.sources) != 1
            or not isinstance(statement.sources[0], ast.SubQuery)):
        return None
    index: dict[ast.Expr, int] = {}
    reads, calls = [], []
    for item in statement.fields:
        call = strip_parens(item.expr)
        if not (isinstance(call, ast.Call) and call.name in _MATCHED and call.args):
            return None
        inner = strip_parens(call.args[0])
        if not (isinstance(inner, ast.Call) and inner.name in _CALLS and inner.args
                and isinstance(inner.args[0], ast.VarRef)):
            return None
        if inner.name == "count" and call.name in fn.LOOKS_BACK:
            # it reads the bucket before the range too, where count() fills 0 (not matched)
            return None
        reads.append(index.setdefault(inner, len(index)))
        calls.append(call)
    statements = tuple(dataclasses.replace(statement, fields=(ast.Field(inner, "_0"),),
                                           limit=0, offset=0) for inner in index)
    if not any(call_groups(one) or sample_run_fields(one) for one in statements):
        return None
    return TransformsApart(statements, tuple(reads), tuple(calls),
                           tuple((f.alias, field_name(f.expr)) for f in statement.fields))


def evaluate_transforms(answers: list[list[Series]], apart: TransformsApart,
                        statement: ast.SelectStatement, now: int,
                        nested: bool) -> list[Series]:
    """Each field's transformation over its call's points (`answers`, one per statement of
    `apart`), the fields' points joined by 1.x's cursor (by series, then at each step the
    least time, one point of each field), then LIMIT and OFFSET; `nested`: named as a
    grandparent reads them."""
    grid = time_grid(statement, now)
    interval = grid[0] if grid is not None else 1_000_000_000
    names = (parent_columns([alias or name for alias, name in apart.names]) if nested
             else column_names(apart.names))
    out = []
    for pieces in series_by_key(answers):
        fields = [_transform(call, [] if pieces[read] is None else [
            (row[0], row[1]) for row in cast(Series, pieces[read]).values], interval)
                  for call, read in zip(apart.calls, apart.reads, strict=True)]
        end = statement.offset + statement.limit if statement.limit else None
        rows = _joined(fields)[statement.offset:end]
        first = next(s for s in pieces if s is not None)
        if rows:
            out.append(Series(first.name, ["time", *names], rows, first.tags,
                              first.has_time, timezone=first.timezone))
    return out


def _transform(call: ast.Call, points: list[fn.Point], interval: int) -> list[fn.Point]:
    """One transformation of a call's points (nulls are no points)."""
    if call.name in ("derivative", "non_negative_derivative"):
        unit = interval
        if len(call.args) > 1 and isinstance(call.args[1], ast.DurationLiteral):
            unit = call.args[1].nanoseconds
        return fn.derivative(points, unit, non_negative=call.name.startswith("non_negative"))
    if call.name == "moving_average":
        size = call.args[1]
        assert isinstance(size, ast.IntegerLiteral)  # the validator checked it
        return fn.moving_average(points, size.value)
    return fn.TRANSFORM_FUNCTIONS[call.name](points)


def _joined(fields: list[list[fn.Point]]) -> list[list[Any]]:
    """The fields' points as 1.x's cursor joins them: the least time among their next
    points, one point of each field at that time."""
    places = [0] * len(fields)
    rows: list[list[Any]] = []
    while True:
        times = [f[p][0] for f, p in zip(fields, places, strict=True) if p < len(f)]
        if not times:
            return rows
        time = min(times)
        row: list[Any] = [time]
        for at, points in enumerate(fields):
            if places[at] < len(points) and points[places[at]][0] == time:
                row.append(points[places[at]][1])
                places[at] += 1
            else:
                row.append(None)
        rows.append(row)
