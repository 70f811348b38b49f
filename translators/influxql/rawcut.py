"""A raw read whose ties 1.x's heap orders (`rawheap.py`), cut where LIMIT ends it.

With LIMIT n OFFSET m and no GROUP BY tags, only the first k = n + m rows in time order can be
answered. The time T of the k-th row is found first (DuckDB's top-N over time); the rows up to
T (ties at T included) are read. The walk of those rows also depends on which series have a
later point in T's shard group: 1.x's heap holds each series' next point once its point before
is popped, and every series' first point from the start, which changes the heap's layout
(Go's heap moves items past each other) though none of them is popped before the k-th row. Which
point it is does not matter: past T it is greater than every row up to T, and the rows up to T
move the same past any such item (`rawheap.Beyond` stands in for them). So the read also asks
which series have a point after T in its shard group: the rows of the top-N's next
`series count` times show them all when every series of the measurement is seen there
(Telegraf's aligned points); otherwise one DISTINCT query over the rest of the group does.
ORDER BY time DESC mirrors all of it. GROUP BY tags cuts each group apart (`_cut_groups`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from . import rawheap
from .errors import QueryError
from .readorder import SHARD_GROUP, SHARD_ORIGIN, shard_group
from .readrange import timestamp_literal
from .schema import MeasurementSchema
from .select_plan import NO_END, SelectPlan, Source
from .sqlnames import STORED_TIME, TIME, call, col, dim_name
from .storage import adding_absent_dims, build_query, grouping_dims

Runner = Callable[[exp.Expression], pa.Table]
SeriesTimes = Callable[[str, str], pa.Table | None]


def read(plan: SelectPlan, source: Source, dimensions: list[str], now: int, run: Runner,
         max_rows: int, series_times: SeriesTimes | None = None) -> pa.Table:
    """The rows of a HEAP mode read in 1.x's order (`rawheap.reorder`), at most `max_rows`
    + 1 of them read. A LIMIT whose order would need more: the first rows of each series,
    in series order at one time (the read without the heap)."""
    run = adding_absent_dims(run, source.schema, dimensions)
    try:
        return _shard_cut(plan, dimensions, _read(plan, source, dimensions, now, run,
                                                  max_rows, series_times))
    except _TooMany:
        if (plan.rows_end is None or plan.rows_end == NO_END) and plan.shard_cut is None:
            raise too_many(max_rows) from None
    return run(_capped(build_query(plan, source.database, source.schema, dimensions, now,
                                   source.copies, source.extra, source.mentions), max_rows))


def _shard_cut(plan: SelectPlan, dimensions: list[str], rows: pa.Table) -> pa.Table:
    """Each group's first rows in each shard group, as 1.x's walk reads them
    (`SelectPlan.shard_cut`); the rows are laid out ascending, walked back under DESC."""
    wanted = plan.shard_cut
    if wanted is None:
        return rows
    times = rows.column(TIME).to_pylist()
    keep = [False] * rows.num_rows
    for a, b in itertools.pairwise(rawheap.group_starts(rows, len(dimensions))):
        counted: dict[int, int] = {}
        for r in range(b - 1, a - 1, -1) if plan.descending else range(a, b):
            group = shard_group(times[r])
            counted[group] = counted.get(group, 0) + 1
            keep[r] = counted[group] <= wanted
    return rows.filter(pa.array(keep, pa.bool_()))


class _TooMany(Exception):
    """A read found more than `max_rows` rows."""


def _read(plan: SelectPlan, source: Source, dimensions: list[str], now: int, run: Runner,
          max_rows: int, series_times: SeriesTimes | None) -> pa.Table:
    schema = source.schema

    def heap_query() -> exp.Select:
        return build_query(plan, source.database, schema, dimensions, now, source.copies,
                           source.extra, source.mentions, heap=True)

    wanted = plan.rows_end
    if wanted is None or wanted > max_rows:
        return _all(plan, schema, dimensions, heap_query(), run, max_rows)
    found = series_times(source.database, schema.name) if series_times is not None else None
    if dimensions:
        cut = _cut_groups(plan, schema, dimensions, heap_query(), run, max_rows, found)
        return _all(plan, schema, dimensions, heap_query(), run, max_rows) if cut is None else cut
    counted = None if found is None else found.num_rows  # every series the table holds
    spare = max(counted or 1, 1)
    times = run(_times(heap_query(), plan.descending, wanted + spare)).column(TIME).to_pylist()
    if len(times) < wanted:  # fewer rows than LIMIT: all of them
        return _all(plan, schema, dimensions, heap_query(), run, max_rows)
    cut, reach = times[wanted - 1], times[-1]
    # every row of the cut's shard group past the cut is among the rows up to `reach`
    whole = len(times) < wanted + spare or shard_group(reach) != shard_group(cut)
    beyond_reach = exp.GTE if plan.descending else exp.LTE
    rows = run(_capped(heap_query().where(beyond_reach(
        this=col(STORED_TIME), expression=timestamp_literal(reach)), copy=False), max_rows))
    if rows.num_rows > max_rows:
        raise _TooMany
    stamps = rows.column(TIME)
    inside = pc.greater_equal(stamps, cut) if plan.descending else pc.less_equal(stamps, cut)
    start = SHARD_ORIGIN + shard_group(cut) * SHARD_GROUP
    group = pc.and_(pc.greater_equal(stamps, start), pc.less(stamps, start + SHARD_GROUP))
    keys = [rawheap.key_name(i) for i in range(len(schema.tags))]
    beyond = rows.filter(pc.and_(pc.invert(inside), group)).select(keys)
    if not whole and (counted is None or _series(beyond) < counted):
        beyond = pa.concat_tables([beyond, run(_later(heap_query(), schema, plan.descending,
                                                      reach, start))])
    kept = rows.filter(inside)
    if kept.num_rows < wanted:  # a write between the reads took rows away: read them all
        return _all(plan, schema, dimensions, heap_query(), run, max_rows)
    stand_in = cut - 1 if plan.descending else cut + 1
    return rawheap.reorder(plan, schema, dimensions, kept, rawheap.Beyond(stand_in, beyond))


def _cut_groups(plan: SelectPlan, schema: MeasurementSchema, dimensions: list[str],
                query: exp.Select, run: Runner, max_rows: int,
                found: pa.Table | None) -> pa.Table | None:
    """GROUP BY tags: each group's first LIMIT + 2 S rows in time order (S: the most series
    a group has in the store's index, so every row at the cut is among them), which hold a
    point past the group's cut of every series that has one in its shard group when the
    group ends among them, or passes the cut's shard group, or shows every series of the
    group past the cut (aligned points). Past the cut, any point of a series does as well
    as its next one, so the rows are ordered as read. None: a group shows fewer, or the
    index is not at hand, or those rows would pass `max_rows`. (Without GROUP BY, a top-N
    of times and the rows up to the LIMIT + S-th read fewer columns and measured faster.)"""
    if found is None:
        return None
    wanted = plan.rows_end
    assert wanted is not None
    groups: dict[tuple[Any, ...], int] = {}
    for group in zip(*(found.column(d).to_pylist() if d in found.column_names
                       else [None] * found.num_rows for d in dimensions), strict=True):
        groups[group] = groups.get(group, 0) + 1
    # a group's rows at its cut and at the next time (DuckDB keeps the first rows by a row
    # number far cheaper than by a rank, which would keep every tie)
    spare = 2 * max(groups.values(), default=1)
    if wanted + spare > max_rows:
        return None
    partition = [col(dim_name(i)) for i in grouping_dims(schema, dimensions)]
    rank = exp.Window(this=exp.RowNumber(), partition_by=partition or None,
                      order=exp.Order(expressions=[exp.Ordered(this=col(STORED_TIME),
                                                               desc=plan.descending)]))
    rows = run(_capped(query.qualify(exp.LTE(this=rank, expression=exp.Literal.number(
        wanted + spare)), copy=False), max_rows))
    if rows.num_rows > max_rows:
        raise _TooMany
    times = rows.column(TIME).to_pylist()
    keys = list(zip(*(rows.column(rawheap.key_name(i)).to_pylist()
                      for i in range(len(schema.tags))), strict=True))
    tags = list(zip(*(rows.column(dim_name(i)).to_pylist() for i in range(len(dimensions))),
                    strict=True))
    starts = rawheap.group_starts(rows, len(dimensions))
    keep = [True] * rows.num_rows
    for a, b in itertools.pairwise(starts):
        if b - a < wanted + spare:
            continue  # every row of the group was read
        walked = range(b - 1, a - 1, -1) if plan.descending else range(a, b)
        cut, reach = times[walked[wanted - 1]], times[walked[-1]]
        if shard_group(reach) != shard_group(cut):
            continue
        after = set()
        for r in walked[wanted:]:  # one point past the cut per series (full times stay so)
            if times[r] == cut:
                continue
            keep[r] = keys[r] not in after
            after.add(keys[r])
        counted = groups.get(tags[a])
        if counted is None or len(after) < counted:
            return None
    return rawheap.reorder(plan, schema, dimensions, rows.filter(pa.array(keep, pa.bool_())))


def too_many(max_rows: int) -> QueryError:
    return QueryError(f"the answer would exceed {max_rows} rows (query.max_rows); narrow the "
                      "time range, add a LIMIT or aggregate with GROUP BY time")


def _all(plan: SelectPlan, schema: MeasurementSchema, dimensions: list[str],
         query: exp.Select, run: Runner, max_rows: int) -> pa.Table:
    """Every row of the range, ordered: more than `max_rows` are not (a LIMIT cuts the
    ordered rows, not the ones read)."""
    rows = run(_capped(query, max_rows))
    if rows.num_rows > max_rows:
        raise _TooMany
    return rawheap.reorder(plan, schema, dimensions, rows)


def _capped(query: exp.Select, max_rows: int) -> exp.Select:
    limit = query.args.get("limit")
    if limit is None or int(limit.expression.name) > max_rows:
        query = query.limit(exp.Literal.number(max_rows + 1), copy=False)
    return query


def _times(query: exp.Select, descending: bool, count: int) -> exp.Select:
    """The times of the first `count` rows in the walk's time order."""
    out = query.select(call("epoch_ns", col("time")).as_(TIME, copy=False), append=False,
                       copy=False)
    out.set("order", None)
    return out.order_by(exp.Ordered(this=col(STORED_TIME), desc=descending), copy=False).limit(
        exp.Literal.number(count), copy=False)


def _later(query: exp.Select, schema: MeasurementSchema, descending: bool, reach: int,
           start: int) -> exp.Select:
    """The series (their key columns) with a row past `reach` in the shard group from
    `start`."""
    out = query.select(*(col(schema.tag_column(t)).as_(rawheap.key_name(i), copy=False)
                         for i, t in enumerate(sorted(schema.tags))),
                       append=False, copy=False).distinct(copy=False)
    out.set("order", None)
    if descending:
        within = exp.and_(exp.LT(this=col(STORED_TIME), expression=timestamp_literal(reach)),
                          exp.GTE(this=col(STORED_TIME), expression=timestamp_literal(start)))
    else:
        within = exp.and_(
            exp.GT(this=col(STORED_TIME), expression=timestamp_literal(reach)),
            exp.LT(this=col(STORED_TIME), expression=timestamp_literal(start + SHARD_GROUP)))
    return out.where(within, copy=False)


def _series(keys: pa.Table) -> int:
    """How many series the key columns name."""
    return rawheap.series_count(keys.columns) if keys.num_columns else 0
