"""first() and last() without GROUP BY time: the point 1.x picks when series tie on time.

1.6.7 answers these from each shard with a shortcut: it merges the group's series (in series-key
order, reversed for last) by time with Go's container/heap, keeps the merged points through a
LIMIT 1 that lets two through (it checks the count before counting), and hands those two to the
reducer, which keeps the earlier (later) point and, at equal times, the larger value. So when
three or more series have a point at the selected time, which two of them reach the reducer is
the heap's choice. The storage query (`storage.py`) answers each series' own first (last) point
in the group, and `resolve` replays 1.x's merge over them.

One measurement named in several databases (`FROM "db1".."m", "db2".."m"`) is one input per
database to 1.x's query engine: each database's point is picked as above, then merged again,
in FROM order, through the same reducer, so at equal times the larger value wins whichever
database comes first (an integer field meeting a float one is read as a float). Each series
point then carries `d`, its database's place in FROM.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlglot import exp

from .readorder import heap_merge, shard_group
from .results import series_key
from .schema import MeasurementSchema
from .select_plan import SelectPlan
from .sqlnames import COUNTED, cast, col, ident, prim_name

Point = dict[str, Any]  # {"t", "v", "a<i>"...}: a series' candidate point
SELECTORS = ("first", "last")


def whole_range_funcs(plan: SelectPlan) -> list[str]:
    """The plan's functions when it aggregates over the whole range (none otherwise): with
    GROUP BY time 1.x reduces every point, and the larger value simply wins a tie. So does it
    over a subquery's rows: the shortcut is the storage engine's, and they are one stream."""
    if not plan.aggregate or plan.interval is not None:
        return []
    if plan.reads_subquery:
        return []
    return [p.func for p in plan.prims if p.func is not None]


def applies(plan: SelectPlan) -> bool:
    """True when every aggregate of the plan is first() or last() over the whole range."""
    funcs = whole_range_funcs(plan)
    return bool(funcs) and all(f in SELECTORS for f in funcs)


def series_point(func: str, point: exp.Expression, time: exp.Expression) -> exp.Expression:
    """The series' own first (last) point; a series has one point per time."""
    node = exp.ArgMin if func == "first" else exp.ArgMax
    return node(this=point, expression=time)


def by_group(per_series: exp.Select, dims: list[str], columns: list[str],
             points: list[str], series: str, time: str,
             source: str | None = None) -> exp.Select:
    """Collect the per-series rows into one row per group: each of `points` becomes the list
    of {s: series, p: point} of the series that have one, plus {d: the `source` column} when
    the rows come from several databases. `dims`: the tags the measurement has (those it
    lacks are added in Arrow: `storage.with_absent_dims`)."""
    select: list[exp.Expression] = [col(name) for name in dims]
    for name in columns:
        if name in points:
            fields = [exp.PropertyEQ(this=ident("s"), expression=col(series)),
                      exp.PropertyEQ(this=ident("p"), expression=col(name))]
            if source is not None:
                fields.append(exp.PropertyEQ(this=ident("d"), expression=col(source)))
            entry = exp.Struct(expressions=fields)
            present = exp.Not(this=exp.Is(this=col(name), expression=exp.Null()))
            agg: exp.Expression = exp.Filter(this=exp.ArrayAgg(this=entry),
                                             expression=exp.Where(this=present))
        elif name == COUNTED:
            agg = cast(exp.Sum(this=col(name)), "BIGINT")
        elif name == time:
            agg = cast(exp.null(), "BIGINT")
        else:  # a selector's companion: filled from the selected point
            agg = exp.null()
        select.append(agg.as_(name, quoted=True))
    # built for this query alone: sqlglot's defensive copies are not needed
    query = exp.select(*select, copy=False).from_(
        per_series.subquery("__by_series", copy=False), copy=False)
    if dims:
        query = query.group_by(*(col(name) for name in dims), copy=False)
    return query


def resolve(plan: SelectPlan, schema: MeasurementSchema, table: pa.Table) -> pa.Table:
    """The storage rows with each first()/last() list of series points replaced by the point
    1.x picks from it (a no-op for other plans)."""
    if not applies(plan):
        return table
    measurement, tags = schema.name, sorted(schema.tags)
    columns = [prim_name(i) for i in range(len(plan.prims))]
    companions = sorted((p.name, i) for i, p in enumerate(plan.prims) if p.func is None)
    aux = [f"a{i}" for _, i in companions]
    for index, name in enumerate(columns):
        if name not in table.column_names:
            continue
        column = table.column(name)
        if not pa.types.is_list(column.type):
            continue
        entry_type = column.type.value_type
        point_type = entry_type.field("p").type
        func = plan.prims[index].func
        pick = _pick_by_source if entry_type.get_field_index("d") >= 0 else _pick
        chosen = [pick(func, entries, measurement, tags, aux)
                  for entries in column.to_pylist()]
        table = table.set_column(table.column_names.index(name), name,
                                 pa.array(chosen, type=point_type))
    return table


def _pick(func: str | None, entries: list[dict[str, Any]] | None, measurement: str,
          tags: list[str], aux: list[str]) -> Point | None:
    if not entries:
        return None
    if len(entries) == 1:
        return entries[0]["p"]  # type: ignore[no-any-return]
    last = func == "last"
    times = [e["p"]["t"] for e in entries]
    edge = max(times) if last else min(times)
    if not aux and times.count(edge) == len(times):
        # The common case (a host's cpus all report at once; one shard): with every item
        # equal, Go's heap never moves one, so the first two out are the series first and
        # last in key order (reversed for last()), and the larger value of the two wins.
        keys = [series_key(measurement, tags, tuple(e["s"])) for e in entries]
        low = min(range(len(keys)), key=keys.__getitem__)
        high = max(range(len(keys)), key=keys.__getitem__)
        kept, other = (entries[high]["p"], entries[low]["p"]) if last else (
            entries[low]["p"], entries[high]["p"])
        return other if _larger(other["v"], kept["v"], last) else kept  # type: ignore[no-any-return]
    shard = shard_group(edge)
    # 1.x merges shard by shard; only the shard of the selected time can hold it.
    present = [(series_key(measurement, tags, tuple(e["s"])), e["p"]) for e in entries
               if shard_group(e["p"]["t"]) == shard]
    present.sort(key=lambda item: item[0], reverse=last)
    if sum(1 for _, p in present if p["t"] == edge) == 1:
        return next(p for _, p in present if p["t"] == edge)

    def less(x: Point, y: Point) -> bool:
        if x["t"] != y["t"]:
            return bool(x["t"] > y["t"] if last else x["t"] < y["t"])
        for key in aux:  # companions by name; 1.x stops at the first one that is not text
            left, right = x.get(key), y.get(key)
            if not isinstance(left, str) or not isinstance(right, str):
                return False
            if left != right:
                return left > right if last else left < right
        return False

    points = [p for _, p in present]
    if not aux and all(p["t"] == edge for p in points):  # tied within the shard (see above)
        kept, *rest = points[0], points[-1]
    else:
        kept, *rest = heap_merge([[p] for p in points], less, limit=2)
    if rest and rest[0]["t"] == edge and _larger(rest[0]["v"], kept["v"], last):
        kept = rest[0]
    return kept


def _pick_by_source(func: str | None, entries: list[dict[str, Any]] | None, measurement: str,
                    tags: list[str], aux: list[str]) -> Point | None:
    """The point 1.x picks when the group's series come from several databases: each
    database's own pick, then the earliest (latest) of those, the larger value at equal times
    and, between equal values, the database named first."""
    if not entries:
        return None
    sources: dict[int, list[dict[str, Any]]] = {}
    for entry in entries:
        sources.setdefault(entry["d"], []).append(entry)
    last = func == "last"
    kept: Point | None = None
    for place in sorted(sources):
        point = _pick(func, sources[place], measurement, tags, aux)
        if point is None:
            continue
        if kept is None or _before(point, kept, last):
            kept = point
    return kept


def _before(point: Point, held: Point, last: bool) -> bool:
    """True when the reducer of first() (last()) replaces `held` by `point`."""
    if point["t"] != held["t"]:
        return bool(point["t"] > held["t"] if last else point["t"] < held["t"])
    return _larger(point["v"], held["v"], last)


def _larger(value: Any, held: Any, last: bool) -> bool:
    """The reducer's tie-break at equal times: the larger value; for booleans first() keeps
    false and last() keeps true."""
    if isinstance(value, bool):
        return value and not held if last else held and not value
    return bool(value > held)
