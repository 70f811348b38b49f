"""first() and last() beside other aggregates, without GROUP BY time: the tied point 1.x picks.

1.6.7 answers first()/last() the same way alone or beside `mean()`, `count()`, `spread()`...:
between series tied on the selected time, the point its shortcut lets through
(`firstlast.py`). The plain aggregate query picks such a point by another rule, so for these
statements first()/last() are read again, by themselves, through `firstlast`'s per-series
query, and their points replace the plain query's ones group by group.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import pyarrow as pa

from . import firstlast
from .schema import MeasurementSchema
from .select_plan import SelectPlan
from .sqlnames import dim_name, prim_name
from .storage import build_query, with_absent_dims

Runner = Callable[..., pa.Table]


def applies(plan: SelectPlan) -> bool:
    """True when first()/last() stand beside other aggregates over the whole range."""
    funcs = firstlast.whole_range_funcs(plan)
    chosen = [f for f in funcs if f in firstlast.SELECTORS]
    return bool(chosen) and len(chosen) < len(funcs)


def replace_points(plan: SelectPlan, database: str, schema: MeasurementSchema,
                   dimensions: list[str], now: int, table: pa.Table, run: Runner,
                   copies: int = 1, extra: Sequence[str] = ()) -> pa.Table:
    """`table` (the plain query's rows) with each first()/last() point replaced by the one
    1.x picks (a no-op for other plans)."""
    if not applies(plan) or not table.num_rows:
        return table
    indexes = [i for i, p in enumerate(plan.prims) if p.func in firstlast.SELECTORS]
    alone = dataclasses.replace(plan, prims=[plan.prims[i] for i in indexes], selector=False,
                                selector_time=False)
    query = build_query(alone, database, schema, dimensions, now, copies, extra)
    points = firstlast.resolve(alone, schema,
                               with_absent_dims(run(query), schema, dimensions))
    dims = [dim_name(i) for i in range(len(dimensions))]
    rows = {key: row for row, key in enumerate(_keys(points, dims))}
    order = [rows.get(key) for key in _keys(table, dims)]
    for position, index in enumerate(indexes):
        picked = points.column(prim_name(position)).take(pa.array(order, pa.int64()))
        table = table.set_column(table.column_names.index(prim_name(index)),
                                 prim_name(index), picked)
    return table


def _keys(table: pa.Table, dims: list[str]) -> list[tuple[object, ...]]:
    if not dims:
        return [()] * table.num_rows
    return list(zip(*(table.column(d).to_pylist() for d in dims), strict=True))
