"""How a parent's WHERE time range reaches its subqueries' rows, as 1.x's iterators read it.

1.x takes the parent's time range out of its condition and hands it to the subquery (the two
ranges intersected); the parent never filters the subquery's rows by time again. A subquery
grouped by time answers its first bucket at the bucket's start, which may lie before the
parent's lower bound, so those rows reach the parent: raw rows and transformations read them.
An aggregate without GROUP BY time reads each source's rows group by group (measurement, then
the parent's GROUP BY tags, descending under ORDER BY time DESC) in one window starting at
the lower bound, and a row before that window ends the whole read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import ast
from .readrange import span_bounds
from .results import Series
from .select_list import has_aggregate
from .timerange import span_condition, split_condition


def within_parent_range(condition: ast.Expr | None, outer: ast.SelectStatement, now: int,
                        outer_interval: bool) -> ast.Expr | None:
    """The subquery's condition narrowed to the parent's time range (1.x intersects them)."""
    _, span = split_condition(outer.condition, now, outer.timezone)
    upper = span.upper
    if upper is None and outer_interval:
        upper = now  # the parent's GROUP BY time range ends at now(), so the subquery's does
    bounds = span_condition(span.lower, upper)
    if condition is None or bounds is None:
        return bounds if condition is None else condition
    return ast.BinaryExpr(ast.BinaryOp.AND, ast.ParenExpr(condition), bounds)


def mapped_range(outer: ast.SelectStatement, now: int) -> tuple[int, int]:
    """The time range whose shard groups 1.x maps for a statement and every subquery under
    it: the outermost statement's own, whatever the subqueries' ranges (so a subquery's
    function fails over a shard group its own range misses)."""
    _, span = split_condition(outer.condition, now, outer.timezone)
    return span_bounds(span, any(_is_time(d) for d in outer.dimensions), now)


def parent_condition(statement: ast.SelectStatement, now: int) -> ast.Expr | None:
    """The parent's own condition over the subquery's rows: without its time comparisons for
    raw rows and transformations (1.x applies the range only inside the subquery)."""
    if _aggregates(statement):
        return statement.condition  # its range still stamps rows and bounds the buckets
    rest, _ = split_condition(statement.condition, now, statement.timezone)
    return rest


def cut_early_rows(answered: list[Series], parent: ast.SelectStatement, now: int,
                   meeting: Callable[[ast.Expr], dict[int, pa.Array]]) -> list[Series]:
    """One subquery source's series with the values an aggregate without GROUP BY time never
    reads set to null, column by column (each of 1.x's calls reads its own column): walking
    the groups in 1.x's order, a group holding a value before the lower bound ends the read;
    ascending that group gives nothing, descending its later values were read first. The
    values before the bound in the groups read are left to the parent's time filter.
    `meeting(condition)`: per series (by number), a mask of the rows the parent's other
    conditions keep, which are all 1.x's read sees."""
    rest, span = split_condition(parent.condition, now, parent.timezone)
    lower = span.lower
    if (lower is None or not _aggregates(parent)
            or any(_is_time(d) for d in parent.dimensions)):
        return answered
    kept = None if rest is None else meeting(rest)
    keys = sorted({d.expr.name for d in parent.dimensions if isinstance(d.expr, ast.VarRef)})
    descending = bool(parent.sort_fields) and not parent.sort_fields[0].ascending

    def group(series: Series) -> tuple[str, tuple[str, ...]]:
        tags = series.tags or {}
        return series.name, tuple(tags.get(k, "") for k in keys)

    order = sorted({group(s) for s in answered}, reverse=descending)
    unread: dict[str, set[tuple[str, tuple[str, ...]]]] = {}
    for column in {c for s in answered for c in s.columns[1:]}:
        early = {group(s) for number, s in enumerate(answered) if column in s.columns
                 and _early(s, number, s.columns.index(column), lower, kept)}
        for position, key in enumerate(order):
            if key in early:
                unread[column] = set(order[position + (1 if descending else 0):])
                break
    if not unread:
        return answered
    return [_without(s, {c for c, groups in unread.items() if group(s) in groups})
            for s in answered]


def _early(series: Series, number: int, index: int, lower: int,
           kept: dict[int, pa.Array] | None) -> bool:
    """Whether the series (the `number`th) holds a value in column `index` before `lower`
    in a row the parent's other conditions keep (`kept`: by series, a mask of its rows;
    None, all of them)."""
    if series.arrays is None:
        mask = None if kept is None else kept[number].to_pylist()
        return any(row[0] < lower and row[index] is not None and (mask is None or mask[place])
                   for place, row in enumerate(series.values))
    times, values = series.arrays[0], series.arrays[index]
    early = pc.and_(pc.less(times, pa.scalar(lower, pa.int64())), pc.is_valid(values))
    if kept is not None:
        early = pc.and_(early, kept[number])
    return bool(pc.any(early).as_py())


def _without(series: Series, columns: set[str]) -> Series:
    """The series with `columns` null; rows left without any value are dropped."""
    if not columns:
        return series
    if series.arrays is not None:
        return _without_arrays(series, columns)
    blank = [i for i, c in enumerate(series.columns) if c in columns]
    rows: list[list[Any]] = []
    places: list[int] = []
    for at, row in enumerate(series.values):
        kept = list(row)
        for index in blank:
            kept[index] = None
        if any(v is not None for v in kept[1:]) or not any(v is not None for v in row[1:]):
            rows.append(kept)
            places.append(at)
    return _kept(series, places, rows=rows)


def _kept(series: Series, places: list[int], *, rows: list[list[Any]] | None = None,
          arrays: list[pa.Array] | None = None) -> Series:
    """The series with only the rows at `places` (given as `rows` or `arrays`), each keeping
    its place in the emission order and its batch number (`Series.order`, `.batches`)."""
    return Series(series.name, series.columns, rows, series.tags, series.has_time,
                  timezone=series.timezone, arrays=arrays,
                  order=None if series.order is None else [series.order[i] for i in places],
                  batches=None if series.batches is None
                  else [series.batches[i] for i in places])


def _without_arrays(series: Series, columns: set[str]) -> Series:
    """`_without` a column at a time."""
    arrays = list(series.arrays or ())
    had = [pc.is_valid(a) for a in arrays[1:]]
    out = [arrays[0], *(pa.nulls(len(a), a.type) if c in columns else a
                        for c, a in zip(series.columns[1:], arrays[1:], strict=True))]
    left = [pc.is_valid(a) for a in out[1:]]
    places = list(range(len(arrays[0]))) if arrays else []
    if had:
        keep = pc.or_(_any(left), pc.invert(_any(had)))
        out = [a.filter(keep) for a in out]
        places = [at for at, kept in enumerate(keep.to_pylist()) if kept]
    return _kept(series, places, arrays=out)


def _any(masks: list[pa.Array]) -> pa.Array:
    found = masks[0]
    for mask in masks[1:]:
        found = pc.or_(found, mask)
    return found


def _aggregates(statement: ast.SelectStatement) -> bool:
    return any(has_aggregate(f.expr) for f in statement.fields)


def _is_time(dimension: ast.Dimension) -> bool:
    return isinstance(dimension.expr, ast.Call) and dimension.expr.name == "time"
