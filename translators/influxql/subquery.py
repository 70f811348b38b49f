"""SELECT ... FROM (SELECT ...): the outer statement evaluated over the inner one's series.

Each inner statement runs first (through `engine.select`, so subqueries nest), adjusted as 1.x
adjusts a subquery to its parent. Its series become rows of a virtual measurement per series
name: the time, the series' tags as tags, the output columns as fields typed from their values.
The outer statement then runs over those rows with the ordinary planner, storage query and
shaping, the rows handed to the runner as Arrow tables it scans by name. How 1.x adjusts
the inner statement to its parent is `subquery_inner.py`'s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol, cast

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from translators.lineprotocol import FieldType

from . import ast
from .conditions import condition_sql
from .regex import matcher
from .results import Series
from .rewrite import plan_select, resolve_sources
from .schema import SchemaProvider, StaticSchema
from .select_list import parent_columns, schema_union, strip_parens
from .select_plan import PrimRef, SelectPlan
from .sqlnames import STORED_TIME, TIME, VIRTUAL_DB, col, ident
from .subquery_apart import select_apart
from .subquery_batches import (
    BATCH,
    emission_stretches,
    into_batches,
    join_batches,
    range_windows,
    read_raw,
    reduce_batches,
)
from .subquery_calls import (
    CallGroup,
    call_groups,
    filled_apart,
    join_calls,
)
from .subquery_fill import statement_fills_in_runs
from .subquery_inner import (
    aggregates,
    as_subquery,
    check_directions,
    descending,
    expand_dimensions,
    inner_statement,
    is_time,
    streams,
)
from .subquery_range import (
    cut_early_rows,
    mapped_range,
    parent_condition,
)
from .subquery_rows import SEQUENCE, Virtual, add_series, drop_uncast, positions, row_count
from .subquery_rows import schema as schema_of
from .subquery_rows import table as table_of
from .subquery_runs import (
    default_runs,
    fill_runs,
    number_runs,
    run_condition,
    sample_run_fields,
)
from .subquery_types import (
    add_types,
    check_parent_types,
    column_types,
    tag_columns_typed,
    untyped_columns,
)
from .timerange import split_condition

if TYPE_CHECKING:
    from .engine import Limits, Runner

#: The table and column `_meeting` reads a subquery's rows through.
_MET, _ROW = "__met", "__row"


class TableRunner(Protocol):
    """A runner that can also scan Arrow tables by name for one query (the store's Reader)."""

    def __call__(self, query: exp.Expression,
                 tables: Mapping[str, pa.Table] | None = None) -> pa.Table: ...


def select_from_subqueries(statement: ast.SelectStatement, database: str | None,
                           schema: SchemaProvider, run: Runner, now: int, limits: Limits,
                           paged_by: tuple[ast.Dimension, ...] | None = None,
                           keep_nan: bool = False,
                           mapped: tuple[int, int] | None = None,
                           read_once: bool = False, plain_transforms: bool = False,
                           seen_batches: list[bool] | None = None) -> list[Series]:
    """`paged_by`: the outermost statement's GROUP BY, when this one is itself a subquery;
    `keep_nan`: then its NaN stay too (`SelectPlan.keep_nan`); `mapped`: the outermost
    statement's time range, whose shard groups 1.x maps for every subquery below it;
    `read_once`: its parent's transformations read it (`SelectPlan.read_once`);
    `plain_transforms`: its transformations of calls are computed as usual even where they
    would be split (`transforms_apart`); `seen_batches`: told whether the parent's calls
    read the subquery's rows in batches."""
    from .engine import select  # engine imports this module lazily; select recurses

    _check_parent_list(statement, now)
    check_directions(statement)
    def select_part(part: ast.SelectStatement, *, plain_transforms: bool = False,
                    seen_batches: list[bool] | None = None) -> list[Series]:
        return select_from_subqueries(part, database, schema, run, now, limits, paged_by,
                                      keep_nan, mapped, read_once,
                                      plain_transforms=plain_transforms,
                                      seen_batches=seen_batches)

    found = select_apart(statement, select_part, now, plain_transforms, keep_nan)
    if found is not None:
        return found
    # The parent's `*` and regexes range over the tags its subqueries grouped by; the outer
    # statement keeps them as written (its wildcard columns then list no tag).
    parent = dataclasses.replace(
        statement, dimensions=expand_dimensions(statement, database, schema))
    # 1.x hands a parent's dimensions down to its subqueries, however deep: they key the page.
    nested = paged_by is not None
    paged_by = parent.dimensions if paged_by is None else paged_by
    mapped = mapped or mapped_range(statement, now)
    inners = [inner_statement(as_subquery(source), parent, now) for source in statement.sources]
    plans = [_stored_plan(inner, database, schema, now) for inner in inners]
    types = [column_types(plan, now, run, mapped) for plan in plans]
    subqueries = [as_subquery(s) for s in statement.sources]

    def untyped(virtual: dict[str, Virtual]) -> None:
        names = {f for rows in virtual.values() for f in rows.fields}
        resolve = lambda sources: resolve_sources(sources, database, schema)  # noqa: E731
        found = untyped_columns(subqueries, names, resolve)
        tagged = tag_columns_typed(subqueries, names, resolve)
        for rows in virtual.values():
            rows.untyped = found
            rows.tagged |= tagged & set(rows.fields)
            for name in tagged & set(rows.fields):
                rows.typed.setdefault(name, FieldType.STRING)

    check_parent_types(statement, types, now, untyped)
    groups = call_groups(statement)
    layers = max((g.layers for g in groups), default=0)
    raw_read = _raw_reads_batches(statement)
    # the fields reducing a subquery's sample() rows run by run (`subquery_runs.py`)
    runs = sample_run_fields(statement)
    read: list[tuple[list[Series], bool, set[str], set[str]]] = []
    for source, inner, inner_plan in zip(statement.sources, inners, plans, strict=True):
        # 1.x emits a subquery's rows by bucket, then series: an aggregate without GROUP BY
        # time has one bucket, so its rows come series by series whatever their times.
        by_time = not aggregates(inner) or any(is_time(d) for d in inner.dimensions)
        # ...but a fill()ed one answers its fill iterator's runs, one after the other
        by_time = by_time and not statement_fills_in_runs(inner)
        # ...and a raw one over subqueries answers their rows in the order they came
        by_time = by_time and not (not aggregates(inner) and any(
            isinstance(s, ast.SubQuery) for s in inner.sources))
        # 1.x's parent reads a NaN the subquery computes as a point (count() counts it)
        answered = select(inner, database, schema, run, now, limits, paged_by=paged_by,
                          keep_nan=True, mapped=mapped, read_once=streams(statement),
                          reduce_layers=layers, batched_read=raw_read)
        if descending(statement):
            # run in the parent's order (fill(previous) looks forward...), read in time order
            answered = [_ascending(s) for s in reversed(answered)]
        answered = cut_early_rows(answered, parent, now,
                                  lambda condition, a=answered: _meeting(a, condition, run))
        own = {d.expr.name for d in expand_dimensions(as_subquery(source), database, schema)
               if isinstance(d.expr, ast.VarRef)}
        read.append((answered, by_time, tag_columns(inner, inner_plan, database, schema, now),
                     own))

    def windowed(group: CallGroup | None, by_runs: frozenset[int] = frozenset()
                 ) -> list[list[Series]]:
        """Each subquery's series, its rows numbered by the batches `group`'s calls window
        them in (`Series.batches`; as they came where None)."""
        out = []
        for answered, by_time, _, _ in read:
            if by_runs:
                condition = run_condition(statement, by_runs, now)
                kept = None if condition is None else {
                    number: mask.to_pylist()
                    for number, mask in _meeting(answered, condition, run).items()}
                answered = number_runs(answered, statement, by_runs, now, kept)
            if group and answered and all(a.batches is not None for a in answered):
                # the parent's condition filters the rows before its reducers read them
                answered = reduce_batches(
                    answered, parent, group.layers,
                    lambda a=answered: _parent_filter(a, statement, now, run), group.names,
                    now)
            elif group and group.layers == 1 and not by_time and answered and all(
                    a.batches is None and a.order is None for a in answered):
                # a fill run's rows come run after run: its leading nulls close windows
                answered = range_windows(answered, parent, _lower_bound(statement, now),
                                         group.names)
            out.append(answered)
        return out

    def run_parent(sources: list[list[Series]], grouped: bool,
                   by_runs: bool = False) -> tuple[list[Series], bool]:
        """The parent over the subqueries' series (`windowed`; `grouped`: by a group of its
        calls), and whether its rows came in batches."""
        virtual: dict[str, Virtual] = {}
        batched = False  # a subquery's rows carry their batch numbers as a tag
        apart = False  # ...and their stretches of one parent group (`emission_stretches`)
        for answered, (_, by_time, tagged, own), inner_types in zip(sources, read, types,
                                                                     strict=True):
            if raw_read and answered and all(a.order is not None for a in answered):
                # its cursor went back and forth between the parent's groups: a series a
                # stretch
                stretches = emission_stretches(answered, parent.dimensions,
                                               descending(statement))
                answered, apart = stretches or answered, stretches is not None
            if (grouped or raw_read) and answered and all(
                    a.batches is not None for a in answered):
                answered = [piece for series in answered for piece in into_batches(series)]
                batched = True
            for rank, series in enumerate(answered):
                # Descending answers reverse time but keep series order (the shaper
                # reverses all).
                rank = -rank if descending(statement) else rank
                rows = virtual.setdefault(series.name, Virtual())
                add_series(rows, series, rank, by_time)
                rows.tagged.update(tagged)
                rows.own.update(own)
            add_types(virtual, inner_types)
        untyped(virtual)
        if aggregates(statement) or streams(statement):
            for rows in virtual.values():
                drop_uncast(rows)
        names = sorted(virtual)
        schemas = {name: schema_of(name, virtual[name]) for name in names}
        tables = {_table_name(i): table_of(schemas[name], virtual[name])
                  for i, name in enumerate(names)}
        # The subqueries were paged with this statement's SLIMIT/SOFFSET; 1.x pages nothing
        # here.
        outer = dataclasses.replace(
            statement, sources=tuple(ast.Measurement(n, database=VIRTUAL_DB) for n in names),
            condition=parent_condition(statement, now), slimit=0, soffset=0)
        if batched:  # LIMIT and OFFSET count the rows of every batch (`join_batches`)
            outer = dataclasses.replace(
                outer, dimensions=(*outer.dimensions, ast.Dimension(ast.VarRef(BATCH))),
                limit=0, offset=0)
            if any(is_time(d) for d in statement.dimensions):
                # a batch's rows keep their buckets, none filled (1.x's fill iterator
                # passes the points that go back to an earlier bucket)
                outer = dataclasses.replace(outer, fill=ast.FillOption.NONE)
        scan = cast("TableRunner", run)
        renames = {name: _table_name(i) for i, name in enumerate(names)}

        def run_outer(query: exp.Expression) -> pa.Table:
            return scan(_point_at_tables(query, renames), tables=tables)

        # A subquery's own fill() over these rows runs by the outermost's groups too.
        found = select(outer, VIRTUAL_DB, StaticSchema({VIRTUAL_DB: schemas}), run_outer,
                       now, limits, paged_by=paged_by if nested else None,
                       keep_nan=keep_nan, read_once=read_once)
        if not batched:
            return found, False
        if raw_read:
            return read_raw(found, statement.limit, statement.offset, descending(statement),
                            apart), True
        if by_runs:  # LIMIT and OFFSET count the rows fill_runs() invents too
            return join_batches(found, 0, 0), True
        return join_batches(found, statement.limit, statement.offset), True

    if runs:
        if seen_batches is not None:
            seen_batches.append(True)
        found = fill_runs(run_parent(windowed(None, runs), True, True)[0], statement, now,
                          limits.max_buckets)
        every = frozenset(range(len(statement.fields)))
        if runs == every:
            return found
        # calls of other columns reduce their rows as usual, joined as 1.x's cursor joins
        plain = run_parent(windowed(None), False)[0]
        joined = join_calls([found, plain], [CallGroup(2, frozenset(), runs),
                                             CallGroup(2, frozenset(), every - runs)],
                            [True, True], descending(statement))
        # a call without a point at a row's time reads the cursor's default: fill()'s number
        return default_runs(joined, statement)
    filled = [filled_apart(statement, group) for group in groups]
    pieces = [windowed(None if plain else group)
              for group, plain in zip(groups, filled, strict=True)] or [windowed(None)]
    in_batches = any(series.batches for sources in pieces for answered in sources
                     for series in answered)
    if seen_batches is not None:
        seen_batches.append(bool(groups) and in_batches)
    if len(pieces) < 2 or not in_batches:
        return run_parent(pieces[0], bool(groups))[0]
    # each group's calls window the rows their own way: one run each, joined as 1.x's
    # cursor joins the calls' points
    answers, batched = zip(*(run_parent(sources, not plain)
                             for sources, plain in zip(pieces, filled, strict=True)),
                           strict=True)
    joined = join_calls(list(answers), groups, [cut or plain for cut, plain
                                                in zip(batched, filled, strict=True)])
    # beside filled buckets a call without a point at a row's time reads the cursor's
    # default (fill()'s number, the previous value)
    return default_runs(joined, statement) if any(filled) else joined


def _raw_reads_batches(statement: ast.SelectStatement) -> bool:
    """Whether a raw parent reads the nils its subquery's cursor answers between batches of
    rows, which its LIMIT, OFFSET and condition meet (`read_raw`); not matched under
    SLIMIT/SOFFSET or several sources."""
    return (not aggregates(statement) and not streams(statement)
            and len(statement.sources) == 1 and not statement.slimit
            and not statement.soffset)


def _ascending(series: Series) -> Series:
    """A descending answer's series with its rows in time order (an emission order, read
    backwards too)."""
    order = None if series.order is None else [-place for place in series.order[::-1]]
    batches = None if series.batches is None else series.batches[::-1]
    if series.arrays is not None:
        return Series(series.name, series.columns, None, series.tags, series.has_time,
                      timezone=series.timezone, arrays=[a[::-1] for a in series.arrays],
                      order=order, batches=batches)
    return Series(series.name, series.columns, series.values[::-1], series.tags,
                  series.has_time, timezone=series.timezone, order=order, batches=batches)


def _check_parent_list(statement: ast.SelectStatement, now: int) -> None:
    """1.x compiles the parent's own SELECT list, GROUP BY and fill() before it looks at a
    subquery: the parent's statement errors (`mixing aggregate and non-aggregate queries`,
    `undefined function`, `fill(none) must be used with a function`) win over the subquery's
    direction and its own errors. Planned over no source, only those checks can fail."""
    bare = dataclasses.replace(statement, sources=(), condition=parent_condition(statement, now))
    plan_select(bare, VIRTUAL_DB, StaticSchema({}), now)



# -- series to rows -----------------------------------------------------------------------------


def _stored_plan(inner: ast.SelectStatement, database: str | None, schema: SchemaProvider,
                 now: int) -> SelectPlan | None:
    """The plan of a subquery answered by one statement over stored measurements, planned
    once for its column types and its tag columns; None for one nested over subqueries, or
    of aggregates beside raw transformations (answered in two halves), or planning nothing."""
    if any(isinstance(s, ast.SubQuery) for s in inner.sources) or _beside(inner, database,
                                                                            schema):
        return None
    return plan_select(inner, database, schema, now)


def _beside(inner: ast.SelectStatement, database: str | None, schema: SchemaProvider) -> bool:
    from .engine import beside_halves  # engine imports this module lazily

    return beside_halves(inner, database, schema) is not None


def tag_columns(inner: ast.SelectStatement, plan: SelectPlan | None, database: str | None,
                schema: SchemaProvider, now: int) -> set[str]:
    """The columns of a subquery 1.x types as tags: a tag it selects (by name, cast or
    aliased, or as one of top()'s tag arguments). A middle subquery's are those it reads by
    name, `*` or regex from its own subqueries' tag columns and grouped tags. `plan`: the
    subquery's `_stored_plan`."""
    if not any(isinstance(s, ast.SubQuery) for s in inner.sources):
        if plan is None:  # also aggregates beside transformations, which select no tag
            return set()
        fields, tags = schema_union(plan.sources)
        # a tag read through a cast (`host::field`) is typed by the measurement: a tag still
        prims = [plan.prims[n.index] for n in plan.outputs if isinstance(n, PrimRef)]
        named = {p.name for p in prims if p.func is None and (
            p.role == "tag" or p.name in tags and p.name not in fields)}
        return {column for column, node in zip(parent_columns(plan.read_names), plan.outputs,
                                               strict=True)
                if isinstance(node, PrimRef) and plan.prims[node.index].name in named}
    if _beside(inner, database, schema):
        return set()  # aggregates and transformations select no tag
    below: set[str] = set()
    for source in inner.sources:
        if isinstance(source, ast.SubQuery):
            deeper = source.statement
            below |= tag_columns(deeper, _stored_plan(deeper, database, schema, now), database,
                                 schema, now)
            below |= {d.expr.name for d in source.statement.dimensions
                      if isinstance(d.expr, ast.VarRef)}
    grouped = {d.expr.name for d in inner.dimensions if isinstance(d.expr, ast.VarRef)}
    found: set[str] = set()
    for item in inner.fields:
        expr = strip_parens(item.expr)
        if isinstance(expr, ast.Wildcard) and expr.type is not ast.DataType.FIELD:
            found |= below - grouped
        elif isinstance(expr, ast.RegexLiteral):
            found |= {n for n in below - grouped if matcher(expr.pattern).search(n)}
        elif isinstance(expr, ast.VarRef) and expr.name in below:
            found.add(item.alias or expr.name)
    return found


def _meeting(answered: list[Series], condition: ast.Expr, run: Runner) -> dict[int, pa.Array]:
    """Per series of `answered` (by number), whether each of its rows meets `condition`."""
    kept: dict[int, pa.Array] = {}
    names: dict[str, list[int]] = {}
    for number, series in enumerate(answered):
        names.setdefault(series.name, []).append(number)
    for name, numbers in names.items():
        virtual = Virtual()
        for number in numbers:
            add_series(virtual, answered[number], 0, True)
        schema = schema_of(name, virtual)
        rows = positions(row_count(virtual))
        # the rows' order is never asked here: no SEQUENCE (a Python merge when times go back)
        table = table_of(schema, virtual, sequence=False).append_column(_ROW, rows)
        query = exp.select(col(_ROW)).from_(exp.Table(this=ident(_MET))).where(
            condition_sql(condition, schema))
        met = cast("TableRunner", run)(query, tables={_MET: table})
        meets = pc.is_in(rows, value_set=met.column(_ROW).combine_chunks())
        offset = 0
        for number in numbers:
            size = answered[number].row_count
            kept[number] = meets.slice(offset, size)
            offset += size
    return kept


def _parent_filter(answered: list[Series], statement: ast.SelectStatement, now: int,
                   run: Runner) -> dict[int, pa.Array] | None:
    """Per series of `answered` (by number), whether each row meets the parent's condition
    other than time; None when there is none."""
    rest, _ = split_condition(statement.condition, now, statement.timezone)
    return None if rest is None else _meeting(answered, rest, run)


def _lower_bound(statement: ast.SelectStatement, now: int) -> int | None:
    """The lower bound of the statement's own time range, if any."""
    return split_condition(statement.condition, now, statement.timezone)[1].lower


def _table_name(index: int) -> str:
    return f"__subquery_{index}"


def _point_at_tables(query: exp.Expression, renames: Mapping[str, str]) -> exp.Expression:
    """The storage query with each virtual measurement replaced by its registered table, and
    raw rows in the order 1.x emits them rather than by time alone."""

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and node.text("db") == VIRTUAL_DB:
            return exp.Table(this=ident(renames[node.name]))
        return node

    query = query.transform(swap)
    order = query.args.get("order")
    if isinstance(order, exp.Order):
        for ordered in order.expressions:
            if isinstance(ordered.this, exp.Column) and ordered.this.name == STORED_TIME:
                ordered.set("this", col(SEQUENCE))
    # LIMIT and OFFSET pushed down (a rank per series) count rows in that order too: runs
    # share times, so ranking by time would pick rows from every run
    for window in query.find_all(exp.Window):
        for ordered in window.find_all(exp.Ordered):
            if isinstance(ordered.this, exp.Column) and ordered.this.name == TIME:
                ordered.set("this", col(SEQUENCE))
    return query
