"""The shards' answers to one statement merged into the answer one server would give.

`plan` (see `shard_plan.py`) says how. Series come out in 1.x's order: by measurement, then
by tag values in tag-key order, reversed under ORDER BY time DESC. Rows at the same time from
different shards keep the order of the route's targets (1.x itself orders such ties by no
fixed rule). Columns that differ between shards (a wildcard expanded over different fields)
become their union, sorted after `time` as 1.x sorts a wildcard's expansion.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from typing import Any

from .durations import wrap_int64
from .results import Series, SeriesKey, StatementResult, series_identity
from .shard_index import keep_paged, page_answered
from .shard_plan import Combiner, Merge, ShardPlan


def merge_results(plan: ShardPlan, statement_id: int,
                  answers: Sequence[StatementResult | None],
                  paged: dict[str, set[bytes]] | None = None) -> StatementResult:
    """One statement's results from every shard (None: a shard that did not answer it) as one
    result. A shard's error is the result's error. `paged` holds, per measurement, the tag
    sets SLIMIT/SOFFSET pick from the shards' index (`shard_index.paged_tag_sets`); without
    it they are picked from the series that answered rows."""
    result = StatementResult(statement_id)
    for answer in answers:
        if answer is None:
            result.error = "not executed"
            return result
        if answer.error is not None:
            result.error = answer.error
            return result
        result.messages.extend(m for m in answer.messages if m not in result.messages)
    present = [a for a in answers if a is not None]
    if plan.merge in (Merge.FIRST, Merge.ONE):
        result.series = list(present[0].series) if present else []
        return result
    per_shard = [a.series for a in present]
    if plan.merge is Merge.NAMES:
        result.series = _names(per_shard, plan)
        return result
    if plan.merge is Merge.COMBINE:
        series = _combined(per_shard, plan)
    else:
        series = _aligned([s for shard in per_shard for s in shard])
        if plan.merge is Merge.ROWS:
            series = _rows_merged(series, len(per_shard), plan)
    result.series = _ordered(series, plan, paged)
    return result


def _key(series: Series) -> SeriesKey:
    return series_identity(series.name, series.tags)


def _ordered(series: list[Series], plan: ShardPlan,
             paged: dict[str, set[bytes]] | None) -> list[Series]:
    """Series sorted as 1.x answers them, by measurement and tag values. SOFFSET and SLIMIT
    count each measurement's series apart (`FROM cpu, mem SLIMIT 1` answers one of each) in
    1.x's tag-set order (`shard_index.page_tag_sets`, the native store's rule too), the same
    under ORDER BY time DESC, which then reverses the series, as 1.x does."""
    series = sorted(series, key=lambda s: (s.name, tuple(v for _, v in _key(s)[1])))
    if plan.soffset or plan.slimit:
        if paged is None:
            paged = page_answered(series, plan.slimit, plan.soffset)
        series = keep_paged(series, paged)
    return series[::-1] if plan.descending else series


def _window(values: list[list[Any]], plan: ShardPlan) -> list[list[Any]]:
    values = values[plan.offset:]
    return values[:plan.limit] if plan.limit else values


def _aligned(series: list[Series]) -> list[Series]:
    """Every series with the same columns: the union, sorted after time, when they differ."""
    if len({tuple(s.columns) for s in series}) <= 1:
        return series
    first = ["time"] if any(s.has_time for s in series) else []
    rest = sorted({c for s in series for c in s.columns if c not in first})
    columns = first + rest
    out = []
    for s in series:
        where = {c: i for i, c in enumerate(s.columns)}
        rows = [[row[where[c]] if c in where else None for c in columns] for row in s.values]
        out.append(Series(s.name, list(columns), rows, s.tags, s.has_time, False, s.timezone))
    return out


def _rows_merged(series: list[Series], shards: int, plan: ShardPlan) -> list[Series]:
    """Series with the same name and tags from several shards, merge-sorted by time."""
    groups: dict[SeriesKey, list[Series]] = {}
    for s in series:
        groups.setdefault(_key(s), []).append(s)
    out = []
    for parts in groups.values():
        if len(parts) == 1:
            rows = parts[0].values
        else:
            # heapq.merge is stable: equal times keep the order of the parts (the targets').
            rows = list(heapq.merge(*(p.values for p in parts), key=lambda r: r[0],
                                    reverse=plan.descending))
        head = parts[0]
        out.append(Series(head.name, head.columns, _window(rows, plan), head.tags,
                          head.has_time, False, head.timezone))
    return [s for s in out if s.values]


def _names(per_shard: list[list[Series]], plan: ShardPlan) -> list[Series]:
    """SHOW answers: each series' rows united and sorted, LIMIT/OFFSET per series (1.6.7
    ignores SLIMIT/SOFFSET on SHOW TAG KEYS)."""
    groups: dict[SeriesKey, tuple[Series, set[tuple[Any, ...]]]] = {}
    for shard in per_shard:
        for s in shard:
            head, rows = groups.setdefault(_key(s), (s, set()))
            rows.update(tuple(r) for r in s.values)
    out = []
    for head, rows in groups.values():
        values = _window([list(r) for r in sorted(rows, key=_sortable)], plan)
        if values:
            out.append(Series(head.name, head.columns, values, head.tags, head.has_time))
    out.sort(key=lambda s: _key(s))
    return out


def _sortable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple("" if v is None else str(v) for v in row)


def _combined(per_shard: list[list[Series]], plan: ShardPlan) -> list[Series]:
    """Partial aggregates of the same series and time from several shards, combined."""
    groups: dict[SeriesKey, list[Series]] = {}
    for shard in per_shard:
        for s in shard:
            groups.setdefault(_key(s), []).append(s)
    columns = ["time", *(c.name for c in plan.combiners)]
    out = []
    for parts in groups.values():
        if plan.point_time:
            rows = _picked(parts, plan.combiners[0])
        else:
            rows = _bucketed(parts, plan.combiners)
        rows.sort(key=lambda r: r[0], reverse=plan.descending)
        head = parts[0]
        values = _window(rows, plan)
        if values:
            out.append(Series(head.name, columns, values, head.tags, True, False,
                              head.timezone))
    return out


def _bucketed(parts: list[Series], combiners: tuple[Combiner, ...]) -> list[list[Any]]:
    partials: dict[int, list[list[Any]]] = {}  # time -> per combiner column, the shards' values
    for part in parts:
        where = {c: i for i, c in enumerate(part.columns)}
        for row in part.values:
            cells = partials.setdefault(row[0], [[] for c in combiners for _ in c.columns])
            index = 0
            for combiner in combiners:
                for column in combiner.columns:
                    cells[index].append(row[where[column]] if column in where else None)
                    index += 1
    rows = []
    for time, cells in partials.items():
        row: list[Any] = [time]
        index = 0
        for combiner in combiners:
            width = len(combiner.columns)
            row.append(_combine(combiner.function, cells[index:index + width]))
            index += width
        rows.append(row)
    return rows


def _combine(function: str, cells: list[list[Any]]) -> Any:
    present = [v for v in cells[0] if v is not None]
    if function == "mean":
        total = sum(present)
        count = sum(v for v in cells[1] if v is not None)
        return total / count if count else None
    if not present:
        return None
    reduce: Callable[[list[Any]], Any] = {"count": sum, "sum": sum, "min": min,
                                          "max": max}[function]
    found = reduce(present)
    # integer sums wrap around int64 in 1.x, so the shards' wrapped sums add up the same way
    return wrap_int64(found) if function == "sum" and isinstance(found, int) else found


def _picked(parts: list[Series], combiner: Combiner) -> list[list[Any]]:
    """A lone min() or max(): the shards' selected points, the best one kept (equal values:
    the earliest, as 1.x selects)."""
    column = combiner.columns[0]
    best: list[Any] | None = None
    for part in parts:
        index = part.columns.index(column)
        for row in part.values:
            value = row[index]
            if value is None:
                continue
            if best is None or _better(combiner.function, value, row[0], best[1], best[0]):
                best = [row[0], value]
    return [best] if best is not None else []


def _better(function: str, value: Any, time: int, best: Any, best_time: int) -> bool:
    if value == best:
        return time < best_time
    return value > best if function == "max" else value < best
