"""A lone `last()` per group read from the recent end of the data only.

`SELECT last(f) FROM m GROUP BY host` asks for each group's latest point, which a plain
aggregate finds by reading every stored row. The native store's writer knows each series' latest
time; the smallest of those over the series that can answer is a time from which every group's
latest point, if it carries `f`, is on or after. Reading only from there finds each group's
answer exactly: a group with any point in that window has its latest point there too. A group
with none (its latest rows lack `f`, or the writer's times ran ahead of what this read sees) is
missing from the window's answer; then the caller reads everything, as without this module.

Which of several series tied on a group's latest time 1.x answers depends on every series of
the group with a point in that shard (`firstlast.py`: they all enter Go's heap), including one
whose newest rows lack `f` and so has no point in the window. So a group that ties and lacks
some of its series in the window is read in full too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from . import columnar, firstlast
from .conditions import condition_sql
from .deletion import mentions_field
from .readrange import time_bounds
from .schema import MeasurementSchema
from .select_plan import SelectPlan
from .sqlnames import call, dim_name, ident, prim_name
from .storage import build_query, tag_value, with_absent_dims
from .timerange import TimeRange

# (database, measurement) -> one row per stored series: its tag columns and latest `time` (ns),
# covering every series the read's snapshot holds; None when that cannot be promised.
SeriesTimes = Callable[[str, str], pa.Table | None]
Runner = Callable[..., pa.Table]

_SERIES = "__series"


def applies(plan: SelectPlan) -> bool:
    return (plan.aggregate and plan.interval is None and len(plan.prims) == 1
            and plan.prims[0].func == "last" and columnar.eligible(plan))


def last_block(plan: SelectPlan, database: str, schema: MeasurementSchema,
               dimensions: list[str], now: int, run: Runner, series_times: SeriesTimes,
               copies: int = 1) -> columnar.Block | None:
    """The statement's rows for one measurement read from the recent window, or None."""
    if plan.condition is not None and mentions_field(plan.condition, schema):
        return None  # which series can answer depends on field values
    times = series_times(database, schema.name)
    if times is None or not times.num_rows:
        return None
    lower, upper = time_bounds(plan, now)
    expected, start = _expected_groups(plan, schema, dimensions, times, lower, upper, run)
    if start is None:
        return None
    window = TimeRange(start, plan.time_range.upper)
    narrowed = dataclasses.replace(plan, time_range=plan.time_range.intersect(window))
    query = build_query(narrowed, database, schema, dimensions, now, copies)
    table = with_absent_dims(run(query), schema, dimensions)
    if not _ties_complete(table, expected, len(dimensions)):
        return None
    table = firstlast.resolve(plan, schema, table)
    found = columnar.block(plan, schema.name, dimensions, table, lower)
    if found is None or set(found.keys) != expected.keys():
        return None
    return found


def _ties_complete(table: pa.Table, expected: dict[tuple[str, ...], int], dims: int) -> bool:
    """False when a group's series tie on its latest time and some series of the group has no
    point in the window: 1.x's choice between the tied ones depends on that series too."""
    column = table.column(prim_name(0))
    if not pa.types.is_list(column.type):
        return True
    lengths = pc.fill_null(pc.list_value_length(column), 0)
    if pc.sum(lengths).as_py() == sum(expected.values()):
        return True  # every series of every group has a point in the window (the usual case)
    present = lengths.to_pylist()
    keys = [pc.fill_null(table.column(dim_name(i)), "").to_pylist() for i in range(dims)]
    for row, (count, key) in enumerate(zip(present, zip(*keys, strict=True) if keys
                                           else [()] * table.num_rows, strict=True)):
        if count < 2 or count >= expected.get(key, 0):
            continue
        times = [entry["p"]["t"] for entry in column[row].as_py()]
        if times.count(max(times)) > 1:
            return False
    return True


def _expected_groups(plan: SelectPlan, schema: MeasurementSchema, dimensions: list[str],
                     times: pa.Table, lower: int, upper: int,
                     run: Runner) -> tuple[dict[tuple[str, ...], int], int | None]:
    """The groups of the series that may hold points in the statement's range, with how many
    such series each has, and the earliest of their latest times (capped at the range's
    end)."""
    if plan.condition is None:
        return _expected_without_condition(schema, dimensions, times, lower, upper)
    return _expected_by_sql(plan, schema, dimensions, times, lower, upper, run)


def _expected_by_sql(plan: SelectPlan, schema: MeasurementSchema, dimensions: list[str],
                     times: pa.Table, lower: int, upper: int,
                     run: Runner) -> tuple[dict[tuple[str, ...], int], int | None]:
    last = exp.column("time", quoted=True)  # line protocol cannot name a tag `time`
    keys = [exp.Coalesce(this=tag_value(schema, name), expressions=[exp.Literal.string("")])
            for name in dimensions]
    dims = [key.as_(dim_name(i)) for i, key in enumerate(keys)]
    start = exp.Min(this=call("least", last, exp.Literal.number(upper))).as_("__from")
    where: exp.Expression = exp.GTE(this=last, expression=exp.Literal.number(lower))
    if plan.condition is not None:
        where = exp.and_(where, condition_sql(plan.condition, schema))
    count = exp.Count(this=exp.Star()).as_("__count")
    query = exp.select(*dims, start, count).from_(exp.Table(this=ident(_SERIES))).where(where)
    if keys:  # by the expressions: an alias could be shadowed by a tag of the same name
        query = query.group_by(*(key.copy() for key in keys), copy=False)
    table = run(query, {_SERIES: times})
    starts = [s for s in table.column("__from").to_pylist() if s is not None]
    if not starts:
        return {}, None
    counts = table.column("__count").to_pylist()
    keys = [table.column(dim_name(i)).to_pylist() for i in range(len(dims))]
    groups = list(zip(*keys, strict=True)) if dims else [()]
    return dict(zip(groups, counts, strict=True)), min(starts)


def _expected_without_condition(schema: MeasurementSchema, dimensions: list[str],
                                times: pa.Table, lower: int, upper: int
                                ) -> tuple[dict[tuple[str, ...], int], int | None]:
    """`_expected_groups` for a statement without WHERE conditions other than time, in
    Arrow: the series table is a few thousand rows, which DuckDB takes about 0.8 ms to
    register and query and Arrow 0.05 ms to group."""
    kept = times.filter(pc.greater_equal(times.column("time"), lower))
    if not kept.num_rows:
        return {}, None
    start = min(pc.min(kept.column("time")).as_py(), upper)
    if not dimensions:
        return {(): kept.num_rows}, start
    stored = [schema.tag_column(name) if name in schema.tags else None for name in dimensions]
    keys = [pc.fill_null(kept.column(column), "") if column in kept.column_names
            else pa.repeat("", kept.num_rows) for column in stored]
    names = [dim_name(i) for i in range(len(dimensions))]
    counted = pa.table([*keys, kept.column("time")], names=[*names, "time"]).group_by(
        names, use_threads=False).aggregate([("time", "count")])
    groups = zip(*(counted.column(name).to_pylist() for name in names), strict=True)
    return dict(zip(groups, counted.column("time_count").to_pylist(), strict=True)), start
