"""Run InfluxQL SELECT statements over a SQL runner and a schema provider.

Pure and synchronous: the caller passes `run`, which executes a sqlglot query on the addressed
store and returns an Arrow table; the gateway calls this module on a query worker thread.
SHOW statements run in `show_run.py`; DELETE and DROP SERIES conditions come from `deletion.py`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from translators.cancel import CancelFlag

from . import (
    ast,
    beside,
    columnar,
    firstlast,
    firstlast_beside,
    int64,
    iterators,
    paging,
    rawcut,
    rawheap,
    recent,
    timesort,
)
from .errors import QueryError
from .fill import absent_counts
from .readrange import time_bounds
from .results import Series
from .rewrite import plan_select, resolve_sources
from .schema import SchemaProvider
from .select_list import expand_fields, parent_columns, schema_union
from .select_plan import SelectPlan, Source, stream_keys
from .shape import group_rows, shape
from .sqlnames import VIRTUAL_DB
from .storage import build_query, with_absent_dims
from .subquery_types import untyped_columns
from .typecheck import check_types

Runner = Callable[[exp.Expression], pa.Table]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one statement's answer, so no query can exhaust memory (1.x can be made to
    answer 900 MB for an unbounded GROUP BY time over one stray old point), nor keep a CPU
    once its caller gave up on it: `cancel`, the read's own flag (`SelectPlan.cancel`)."""

    max_buckets: int = 100_000  # per series, fill() included
    max_rows: int = 1_000_000  # rows read from storage for one measurement
    cancel: CancelFlag = field(default_factory=CancelFlag)


def select(statement: ast.SelectStatement, database: str | None, schema: SchemaProvider,
           run: Runner, now: int, limits: Limits = Limits(),
           series_times: recent.SeriesTimes | None = None,
           paged_by: tuple[ast.Dimension, ...] | None = None,
           keep_nan: bool = False, mapped: tuple[int, int] | None = None,
           read_once: bool = False, beside_transforms: bool = False,
           reduce_layers: int = 0, batched_read: bool = False) -> list[Series]:
    """`series_times`, when the store can tell each series' latest time, lets a lone last()
    read only the recent end of the data (`recent.py`). `paged_by`: the GROUP BY that keys
    SLIMIT/SOFFSET's page when it is not the statement's own (a subquery's parent's).
    `keep_nan`: answer NaN as NaN, for a parent to read (`SelectPlan.keep_nan`). `mapped`:
    the time range whose shard groups 1.x maps for a subquery, its outermost statement's.
    `read_once`: its parent's transformations read it (`SelectPlan.read_once`).
    `beside_transforms`: the aggregates half of `beside.py` (`SelectPlan.beside_transforms`).
    `reduce_layers`: its parent's reducers read it (`SelectPlan.reduce_layers`).
    `batched_read`: a raw parent reads its batches (`SelectPlan.batched_read`)."""
    halves = beside_halves(statement, database, schema)
    if halves is not None:
        _check_beside_types(statement, halves, database, schema, run, now)
        found = beside.select_beside(statement, halves, lambda half: select(
            half, database, schema, run, now, limits, series_times, paged_by, keep_nan, mapped,
            read_once, beside_transforms=True),
            now, _stored_kinds(statement, database, schema),
            _untyped_columns(statement, database, schema))
        if keep_nan:  # a subquery's answer: its columns named as its parent reads them
            for series in found:
                series.columns = ["time", *parent_columns(halves.read_names)]
        return found
    if any(isinstance(s, ast.SubQuery) for s in statement.sources):
        from .subquery import select_from_subqueries  # it calls back into select()

        return select_from_subqueries(statement, database, schema, run, now, limits, paged_by,
                                      keep_nan, mapped, read_once)
    plan = plan_select(statement, database, schema, now)
    if plan is None:
        return []
    plan.keep_nan = keep_nan
    plan.read_once = read_once
    plan.reduce_layers = reduce_layers
    plan.batched_read = batched_read
    plan.beside_transforms = beside_transforms
    plan.cancel = limits.cancel
    if keep_nan:  # a subquery's answer: its columns named as its parent reads them
        plan.columns = parent_columns(plan.read_names)
    if plan.type_error is not None:
        # 1.x types the fields by the shard groups the range reaches; none: no types, no error
        if not any(_indexed(plan, s, now, run, tagged=False) for s in plan.sources):
            return []
        raise QueryError(plan.type_error)
    plan.paged_by = paged_by
    if plan.slimit:  # SOFFSET alone answers nothing: no index to read
        plan.paged = {}
        for source in plan.sources:
            plan.paged.setdefault(source.schema.name, set()).update(paging.paged_tag_sets(
                plan, source, now, run))
    try:
        return _answer(plan, run, now, limits, series_times, mapped)
    except _MeansMayWrap:
        plan.exact_means = int64.integer_means(plan)
        return _answer(plan, run, now, limits, series_times, mapped)


def beside_halves(statement: ast.SelectStatement, database: str | None,
                  schema: SchemaProvider) -> beside.Halves | None:
    """The statement's halves when it is aggregates beside raw transformations
    (`beside.split`), its calls' wildcards expanded over its measurements."""
    return beside.split(statement, lambda s: expand_fields(
        s, resolve_sources(s.sources, database, schema)))


def _stored_kinds(statement: ast.SelectStatement, database: str | None,
                  schema: SchemaProvider) -> dict[str, str] | None:
    """Each field's stored kind over the statement's measurements, and "tag" for each tag
    (None over a subquery, whose columns its parent types by their values)."""
    if any(isinstance(s, ast.SubQuery) for s in statement.sources):
        return None
    fields, tags = schema_union(resolve_sources(statement.sources, database, schema))
    return {**dict.fromkeys(tags, "tag"), **{name: str(kind) for name, kind in fields.items()}}


def _untyped_columns(statement: ast.SelectStatement, database: str | None,
                     schema: SchemaProvider) -> frozenset[str]:
    """The names the statement reads that its subqueries leave untyped (`subquery_types`)."""
    subqueries = [s.statement for s in statement.sources if isinstance(s, ast.SubQuery)]
    if not subqueries:
        return frozenset()
    names = {ref.name for item in statement.fields for ref in ast.var_refs(item.expr)}
    return frozenset(untyped_columns(subqueries, names, lambda sources: resolve_sources(
        sources, database, schema)))


def _check_beside_types(statement: ast.SelectStatement, halves: beside.Halves,
                        database: str | None, schema: SchemaProvider, run: Runner,
                        now: int) -> None:
    """1.x types the whole SELECT list, math between the halves' calls included
    (`mode(message) * difference(latency)`), and fails where the range reaches a shard group
    holding the measurement, as for any statement (`select`)."""
    if any(isinstance(s, ast.SubQuery) for s in statement.sources):
        return  # its parent is asked again over the subquery's rows
    try:
        check_types(statement.fields, resolve_sources(statement.sources, database, schema))
    except QueryError:
        def plan_of(half: tuple[ast.Expr, ...]) -> SelectPlan | None:
            return plan_select(dataclasses.replace(statement, fields=tuple(
                ast.Field(part) for part in half)), database, schema, now) if half else None

        # planning a half checks its calls' own arguments, which 1.x checks first (a warmup
        # type it does not know)
        plan = plan_of(halves.aggregates)
        plan_of(halves.transforms)
        if plan is not None and any(_indexed(plan, s, now, run, tagged=False)
                                    for s in plan.sources):
            raise


def _indexed(plan: SelectPlan, source: Source, now: int, run: Runner, tagged: bool,
             mapped: tuple[int, int] | None = None) -> bool:
    """Whether 1.x's index holds the source's measurement in the shard groups the range
    reaches (`mapped`'s, when given; `tagged`: a series WHERE's tag comparisons keep). A
    subquery's rows always are."""
    if source.database == VIRTUAL_DB:
        return True
    return paging.holds_series(plan, source, now, run, tagged, mapped)


def _read(plan: SelectPlan, source: Source, dimensions: list[str], now: int, run: Runner,
          limits: Limits) -> pa.Table:
    """The storage rows of one source, at most `limits.max_rows` + 1 of them."""
    query = build_query(plan, source.database, source.schema, dimensions, now,
                        source.copies, source.extra, source.mentions)
    limit = query.args.get("limit")
    # the store's own table, read once (a subquery's rows come in an order of their own)
    by_time = (limit is None and source.database != VIRTUAL_DB and source.copies == 1
               and not source.extra and not source.mentions
               and timesort.take_time_order(query))
    if limit is None or int(limit.expression.name) > limits.max_rows:
        # Without ORDER BY this cap keeps rows in stored order, not time order: sound only
        # because a read past max_rows is refused whole, never answered truncated.
        query = query.limit(exp.Literal.number(limits.max_rows + 1), copy=False)
    table = with_absent_dims(run(query), source.schema, dimensions)
    return timesort.in_time_order(table) if by_time else table


class _MeansMayWrap(Exception):
    """A group's integer mean may hold a series sum past int64: compute it from its points."""


def _answer(plan: SelectPlan, run: Runner, now: int, limits: Limits,
            series_times: recent.SeriesTimes | None,
            mapped: tuple[int, int] | None = None) -> list[Series]:
    lower, upper = time_bounds(plan, now)
    by_columns = columnar.eligible(plan) and stream_keys(plan) is None
    from_recent = series_times is not None and recent.applies(plan)
    blocks = []
    groups = []
    for source in plan.sources:
        refused = iterators.refusal(plan, source.schema)
        if refused is not None:
            # 1.x fails building the iterator, over the series its index holds (iterators.py)
            # in the shard groups mapped for the outermost statement, a subquery's too, and
            # SLIMIT/SOFFSET's page of them
            if source.database == VIRTUAL_DB or paging.builds_iterators(plan, source, now, run,
                                                                        mapped):
                raise QueryError(refused)
            continue
        dimensions = plan.dimensions(source.schema)
        if from_recent and not source.extra:  # the writer's index is per database
            assert series_times is not None
            found = recent.last_block(plan, source.database, source.schema, dimensions, now,
                                      run, series_times, source.copies)
            if found is not None:
                blocks.append(found)
                continue
        tie = rawheap.mode(plan, source.schema, dimensions, source.database, source.copies,
                           [*source.extra, *source.mentions])
        if tie == rawheap.SORTED and plan.shard_cut is not None:
            tie = rawheap.HEAP  # which tied rows a shard group's cut keeps: the walk decides
        if tie != rawheap.HEAP:
            table = _read(plan, source, dimensions, now, run, limits)
        if tie == rawheap.HEAP or tie == rawheap.SORTED and not rawheap.tags_decide(
                plan, source.schema, dimensions, table):  # a row lacks a tag: the heap decides
            table = rawcut.read(plan, source, dimensions, now, run, limits.max_rows,
                                series_times)
        if int64.RISK in table.column_names:
            if pc.any(table.column(int64.RISK)).as_py():
                raise _MeansMayWrap
            table = table.drop_columns([int64.RISK])
        table = firstlast.resolve(plan, source.schema, table)
        table = firstlast_beside.replace_points(plan, source.database, source.schema,
                                                dimensions, now, table, run, source.copies,
                                                source.extra)
        if table.num_rows > limits.max_rows:
            raise rawcut.too_many(limits.max_rows)
        if by_columns:
            found = columnar.block(plan, source.schema.name, dimensions, table, lower,
                                   absent_counts(plan, source.schema))
            if found is not None:
                blocks.append(found)
            continue
        columns = {name: table.column(name).to_pylist() for name in table.column_names}
        groups.extend(group_rows(plan, source.schema.name, dimensions, columns,
                                 absent_counts(plan, source.schema)))
    if by_columns:
        return columnar.series(plan, blocks, lower, upper, limits.max_buckets)
    return shape(plan, groups, lower, upper, limits.max_buckets)
