"""A lone `last()` per group read from the recent end of the data only.

`SELECT last(f) FROM m GROUP BY host` asks for each group's latest point, which a plain
aggregate finds by reading every stored row. The native store's writer knows each series' latest
time; the smallest of those over the series that can answer is a time from which every group's
latest point, if it carries `f`, is on or after. Reading only from there finds each group's
answer exactly: a group with any point in that window has its latest point there too. A group
with none (its latest rows lack `f`, or the writer's times ran ahead of what this read sees) is
missing from the window's answer; then the caller reads everything, as without this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pyarrow as pa
from sqlglot import exp

from . import columnar, firstlast
from .rewrite import SelectPlan
from .schema import MeasurementSchema
from .storage import build_query, condition_sql, dim_name, ident, tag_value, time_bounds
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
    from .engine import mentions_field  # engine imports this module

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
    table = firstlast.resolve(plan, schema, run(query))
    found = columnar.block(plan, schema.name, dimensions, table, lower)
    if found is None or set(found.keys) != expected:
        return None
    return found


def _expected_groups(plan: SelectPlan, schema: MeasurementSchema, dimensions: list[str],
                     times: pa.Table, lower: int, upper: int,
                     run: Runner) -> tuple[set[tuple[str, ...]], int | None]:
    """The groups of the series that may hold points in the statement's range, and the
    earliest of their latest times (capped at the range's end)."""
    last = exp.column("time", quoted=True)  # line protocol cannot name a tag `time`
    keys = [exp.Coalesce(this=tag_value(schema, name), expressions=[exp.Literal.string("")])
            for name in dimensions]
    dims = [key.as_(dim_name(i)) for i, key in enumerate(keys)]
    start = exp.Min(this=exp.func("least", last, exp.Literal.number(upper))).as_("__from")
    where: exp.Expression = exp.GTE(this=last, expression=exp.Literal.number(lower))
    if plan.condition is not None:
        where = exp.and_(where, condition_sql(plan.condition, schema))
    query = exp.select(*dims, start).from_(exp.Table(this=ident(_SERIES))).where(where)
    if keys:  # by the expressions: an alias could be shadowed by a tag of the same name
        query = query.group_by(*(key.copy() for key in keys), copy=False)
    table = run(query, {_SERIES: times})
    starts = [s for s in table.column("__from").to_pylist() if s is not None]
    if not starts:
        return set(), None
    keys = [table.column(dim_name(i)).to_pylist() for i in range(len(dims))]
    return set(zip(*keys, strict=True)) if dims else {()}, min(starts)
