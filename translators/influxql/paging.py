"""SLIMIT and SOFFSET on the native store: the tag sets 1.x's index pages.

1.6.7 pages the tag sets of the series its index holds for the measurement in the shard
groups the time range reaches (filtered by WHERE's tag comparisons), sorted by tag-set key
(`shard_index.tag_set_key`), before it reads a point: a series with no point in the time range
still takes its place, and the page comes out shorter. The native store has no shards, so the
index is read as the series with a point in the 7-day shard groups (`readorder.shard_group`)
the range reaches. 1.x pages each shard group apart; they are pooled here, which equals 1.x
when the range lies within one shard group.

A subquery is paged by its parent's GROUP BY tags (`SelectPlan.paged_by`): 1.x hands the
parent's dimensions down with its SLIMIT/SOFFSET (`subquery_inner.inner_statement`).
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
from sqlglot import exp

from .readorder import SHARD_GROUP, SHARD_ORIGIN, shard_group
from .readrange import mapped_bounds, timestamp_literal
from .results import Series
from .schema import MeasurementSchema
from .select_plan import SelectPlan, Source
from .shard_index import groups_by, keep_paged, kept_series, page_tag_sets, paged_keeps
from .sqlnames import col, ident
from .timerange import MAX_TIME, MIN_TIME

Runner = Callable[..., pa.Table]


def paged_tag_sets(plan: SelectPlan, source: Source, now: int, run: Runner,
                   mapped: tuple[int, int] | None = None) -> set[bytes]:
    """The tag-set keys of the source's measurement SLIMIT/SOFFSET leave for `plan` (in the
    shard groups of `mapped`, when given): each database's index is paged apart
    (`FROM "db1".."m", "db2".."m" SLIMIT 1` answers a series of each)."""
    chosen: set[bytes] = set()
    for database in dict.fromkeys([source.database, *source.extra]):
        chosen |= _paged(plan, database, source.own.get(database, source.schema), now, run,
                         mapped)
    return chosen


def builds_iterators(plan: SelectPlan, source: Source, now: int, run: Runner,
                     mapped: tuple[int, int] | None = None) -> bool:
    """Whether 1.x builds a series iterator for the source (where a function refuses its
    input's type): its index holds a series WHERE's tag comparisons keep, and SLIMIT/SOFFSET
    leave one of their tag sets: 1.x pages the tag sets before it builds any iterator, so
    `SOFFSET 1` past the only group, or SOFFSET without SLIMIT, builds none."""
    if not (plan.slimit or plan.soffset):
        return holds_series(plan, source, now, run, True, mapped)
    return bool(paged_tag_sets(plan, source, now, run, mapped))


def holds_series(plan: SelectPlan, source: Source, now: int, run: Runner,
                 tagged: bool = True, mapped: tuple[int, int] | None = None) -> bool:
    """Whether 1.x's index holds a series of the source's measurement in the shard groups the
    statement's range reaches, or `mapped` (`tagged`: one that WHERE's tag comparisons keep)."""
    return any(kept_series(_indexed(plan, database, source.own.get(database, source.schema),
                                    now, run, mapped), plan.condition if tagged else None)
               for database in dict.fromkeys([source.database, *source.extra]))


def _indexed(plan: SelectPlan, database: str, schema: MeasurementSchema, now: int,
             run: Runner, mapped: tuple[int, int] | None = None) -> list[dict[str, str]]:
    tags = sorted(schema.tags)
    table = run(_index_query(plan, database, schema, now, tags, mapped))
    columns = [table.column(i).to_pylist() for i in range(len(tags))]
    return [{k: v for k, v in zip(tags, row, strict=True) if v is not None}
            for row in zip(*columns, strict=True)] if tags else [{}] * min(table.num_rows, 1)


def _paged(plan: SelectPlan, database: str, schema: MeasurementSchema, now: int,
           run: Runner, mapped: tuple[int, int] | None = None) -> set[bytes]:
    indexed = _indexed(plan, database, schema, now, run, mapped)
    grouped = _grouped(plan) or set(plan.dimensions(schema)).__contains__
    return page_tag_sets(indexed, lambda t: {k: v for k, v in t.items() if grouped(k)},
                         plan.condition, plan.slimit, plan.soffset)


def page_series(series: list[Series], plan: SelectPlan) -> list[Series]:
    """The answered series SLIMIT/SOFFSET leave: those whose tag sets are in the index's
    page (`plan.paged`, which the engine reads whenever SLIMIT is given). SOFFSET without
    SLIMIT answers nothing, as in 1.x."""
    if not plan.slimit or plan.paged is None:
        return []
    return keep_paged(series, plan.paged, _grouped(plan))


def in_page(plan: SelectPlan) -> Callable[[str, dict[str, str]], bool]:
    """Whether SLIMIT/SOFFSET's page keeps a series of a measurement with tags (`page_series`
    for one series, before it is computed)."""
    if not plan.slimit or plan.paged is None:
        return lambda name, tags: False
    return paged_keeps(plan.paged, _grouped(plan))


def _grouped(plan: SelectPlan) -> Callable[[str], bool] | None:
    return groups_by(plan.paged_by) if plan.paged_by is not None else None


def _index_query(plan: SelectPlan, database: str, schema: MeasurementSchema, now: int,
                 tags: list[str], mapped: tuple[int, int] | None = None) -> exp.Select:
    """The distinct tag sets stored in the shard groups the statement's range (or
    `mapped`) reaches."""
    lower, upper = mapped or mapped_bounds(plan, now)
    parts: list[exp.Expression] = []
    if lower > MIN_TIME:
        start = SHARD_ORIGIN + shard_group(lower) * SHARD_GROUP
        parts.append(exp.GTE(this=col("time"), expression=timestamp_literal(max(start, MIN_TIME))))
    if upper < MAX_TIME:
        end = SHARD_ORIGIN + (shard_group(upper) + 1) * SHARD_GROUP
        parts.append(exp.LT(this=col("time"), expression=timestamp_literal(min(end, MAX_TIME))))
    columns = [col(schema.tag_column(t)) for t in tags] or [exp.Literal.number(1)]
    query = exp.select(*columns).distinct().from_(
        exp.Table(this=ident(schema.name), db=ident(database)))
    if parts:
        query = query.where(exp.and_(*parts))
    return query if tags else query.limit(1)
