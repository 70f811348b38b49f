"""The DuckDB query behind one measurement of a SELECT plan, built as sqlglot expressions.

Tables are the native store's: one schema per database, one table per measurement, a
TIMESTAMP_NS `time` column, VARCHAR tags and typed fields. The query yields, per row, the
time (`__t`, nanoseconds; the bucket start when aggregating by time, NULL when aggregating
without), the grouping tags (`__d0`...) and one column per plan prim (`__p0`...). Aggregates
that need a series' points in Python (percentile, top, mode...) come back as time-ordered lists
of {t, v, a0...} structs, where a0... are the query's raw columns (a selector's companions).
The column names are `sqlnames.py`'s; WHERE conditions are built by `conditions.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyarrow as pa
from sqlglot import exp

from translators.lineprotocol import FieldType

from . import firstlast, int64
from .conditions import condition_sql, pinned_tags
from .rawheap import key_name
from .readorder import SHARD_GROUP, SHARD_ORIGIN
from .readrange import read_bounds, stored_time_within, time_bounds
from .schema import MeasurementSchema, readable_as
from .select_plan import Prim, SelectPlan, read_type, stream_keys, transforms_in
from .sql_aggregates import SQL_AGGREGATES, not_null, sql_aggregate, struct
from .sqlnames import (
    COUNTED,
    INPUT,
    SERIES,
    SOURCE,
    STORED_TIME,
    TIME,
    VIRTUAL_DB,
    call,
    cast,
    col,
    dim_name,
    ident,
    prim_name,
)
from .subquery_rows import SEQUENCE

# Functions whose answer between equal values (integral: points at one time) depends on the
# order 1.x reads points in.
READ_ORDER = frozenset({"mode", "percentile", "integral"})
# Functions that read the series' order (`SERIES`): selectors break ties with it.
_BY_SERIES = READ_ORDER | {"first", "last", "min", "max", "top", "bottom"}
# Functions whose points carry their series: top() and bottom() merge them in read order.
_READ_SERIES = READ_ORDER | {"top", "bottom"}

def needs_points(plan: SelectPlan, prim: Prim) -> bool:
    """True when the prim is computed in Python from the bucket's points."""
    return prim.func is not None and (prim.func not in SQL_AGGREGATES
                                      or prim in plan.exact_means)


def stored_table(database: str, schema: MeasurementSchema, copies: int = 1,
                 extra: Sequence[str] = (), labelled: bool = False,
                 mentions: Sequence[str] = ()) -> exp.Expression:
    """The measurement's stored rows: its table, or, when FROM names it several times (in one
    database or more), every mention's rows (columns matched by name). `labelled` adds the
    column `SOURCE`: the database's place in FROM (0 for `database`, then `extra`'s).
    `mentions` (FROM's databases in order) adds the column `INPUT`: the mention's place.

    A field a database stores as another type than `schema` reads it as is converted (a
    number) or left out (null), as 1.x reads it (`schema.read_as`)."""
    name = schema.name
    databases = list(mentions) or [database] * copies + list(extra)
    if len(databases) == 1:
        return exp.Table(this=ident(name), db=ident(database))
    places = {db: place for place, db in enumerate(dict.fromkeys(databases))}
    union: exp.Query | None = None
    for mention, db in enumerate(databases):
        replace = []
        for field, stored in schema.retyped.get(db, {}).items():
            wanted = schema.fields[field]
            value = col(field) if readable_as(stored, wanted) else exp.null()
            replace.append(cast(value, wanted.sql_type).as_(ident(field), copy=False))
        columns: list[exp.Expression] = [exp.Star(replace=replace or None)]
        if labelled:
            columns.append(exp.Literal.number(places[db]).as_(SOURCE, copy=False))
        if mentions:
            columns.append(exp.Literal.number(mention).as_(INPUT, copy=False))
        stored = exp.select(*columns, copy=False).from_(
            exp.Table(this=ident(name), db=ident(db)), copy=False)
        union = stored if union is None else exp.Union(
            this=union, expression=stored, distinct=False, by_name=True)
    assert union is not None
    return union.subquery(ident(name))


def build_query(plan: SelectPlan, database: str, schema: MeasurementSchema,
                dimensions: list[str], now: int, copies: int = 1,
                extra: Sequence[str] = (), mentions: Sequence[str] = (),
                heap: bool = False) -> exp.Select:
    """`mentions`: FROM's databases in order, when it names the measurement several times.
    `heap`: raw rows whose order at one time 1.x's heap decides (`rawheap.py`): every tag
    read for the series keys, every row of the range (`rawcut.py` cuts it under LIMIT),
    sorted by group and time only."""
    # first()/last() over the whole range: one point per series, resolved by `firstlast`;
    # 1.x reads each database of FROM as an input of its own, so their points stay apart.
    per_series = firstlast.applies(plan)
    by_source = per_series and bool(extra)
    # a transformation of raw points reads each mention's points apart (`shape.input_orders`)
    transformed = any(transforms_in(node) for node in plan.outputs)
    by_input = not plan.aggregate and transformed
    table = stored_table(database, schema, copies, extra, labelled=by_source,
                         mentions=mentions if by_input else ())
    time_ns = call("epoch_ns", col("time"))
    where = _where(plan, schema, now)
    raw = [p for p in plan.prims if p.func is None]
    grouped = grouping_dims(schema, dimensions)
    # the rows hold only the tags the measurement has: a GROUP BY tag it lacks is added in
    # Arrow (`with_absent_dims`), as DuckDB carried thousands of such NULL columns through
    # its sort and projections (3.3 s at 6,000)
    dims = {i: tag_value(schema, dimensions[i]).as_(dim_name(i), copy=False) for i in grouped}
    if not plan.aggregate:
        present = [not_null(_value(schema, p)) for p in raw if p.role == "field"]
        # 1.x: every row a subquery answers stays
        if present and database != VIRTUAL_DB and not _every_field(raw, schema, copies, extra):
            anyone = exp.or_(*present, copy=False)
            where = anyone if where is None else exp.and_(where, anyone, copy=False)
        select = exp.select(time_ns.as_(TIME, copy=False), *dims.values(),
                            *(_value(schema, p).as_(prim_name(i), copy=False)
                              for i, p in enumerate(plan.prims)), copy=False)
        if transformed:
            # a group's series merged: their points at one time reach a transformation in
            # the order 1.x's merge leaves them (`outputs._merged`)
            select = select.select(_series_order(schema).as_(SERIES, copy=False), copy=False)
            if by_input and mentions:
                select = select.select(col(INPUT), copy=False)
        if heap:
            select = select.select(*(col(schema.tag_column(t)).as_(key_name(i), copy=False)
                                     for i, t in enumerate(sorted(schema.tags))), copy=False)
        query = select.from_(table, copy=False)
        if where is not None:
            query = query.where(where, copy=False)
        # Sorted on the stored time column (not its epoch_ns), then on the tags themselves:
        # DuckDB's top-N then narrows its scan to the row groups that can still place.
        keyed = stream_keys(plan)  # a raw subquery over subqueries: their rows as they come
        order = [exp.Ordered(this=col(dim_name(i))) for i in grouped
                 if keyed is None or dimensions[i] in keyed]
        order.append(exp.Ordered(this=col(STORED_TIME)))
        if heap:  # rows of one time are put in order in Arrow: by time alone costs far less
            return query.order_by(*order, copy=False)
        # equal times: by series (a tag the condition pins to one value cannot order them)
        order.extend(_series_ordering(schema, pinned_tags(plan.condition, schema)))
        wanted = _rows_wanted(plan)
        if wanted is None:
            return query.order_by(*order, copy=False)
        if not dimensions and not plan.descending and plan.shard_cut is None:
            # one series: its first rows
            return query.order_by(*order, copy=False).limit(exp.Literal.number(wanted), copy=False)
        # LIMIT/OFFSET per series, pushed down so storage reads only the rows answered;
        # OFFSET alone per series and shard group (`SelectPlan.shard_cut`)
        partition = [col(dim_name(i)) for i in grouped]
        ranked = [exp.Ordered(this=col(TIME), desc=plan.descending)]
        if plan.shard_cut is not None:
            partition.append(_bucket(col(TIME), SHARD_GROUP, SHARD_ORIGIN % SHARD_GROUP))
            # rows of one time by series, as the read's order has them (a tie at the cut
            # must not leave out the row that decides whether 1.x's heap orders them)
            ranked.extend(exp.Ordered(this=o.this, desc=plan.descending,
                                      nulls_first=not plan.descending)
                          for o in _series_ordering(schema, pinned_tags(plan.condition,
                                                                        schema)))
        rank = exp.Window(this=exp.RowNumber(), partition_by=partition or None,
                          order=exp.Order(expressions=ranked))
        query = query.qualify(exp.LTE(this=rank, expression=exp.Literal.number(wanted)), copy=False)
        return query.order_by(*order, copy=False)
    # Aggregates: bucket in an inner query, aggregate in the outer one.
    inner_columns: list[exp.Expression] = [time_ns.as_(TIME, copy=False),
                                           *(dims[i] for i in grouped)]
    series_tags = [f"__g{j}" for j in range(len(schema.tags))] if per_series else []
    if per_series:
        inner_columns.extend(col(schema.tag_column(t)).as_(name, copy=False)
                             for name, t in zip(series_tags, sorted(schema.tags), strict=True))
        if by_source:
            inner_columns.append(col(SOURCE))
    elif plan.exact_means or any(p.func in _BY_SERIES for p in plan.prims):
        inner_columns.append(_series_order(schema).as_(SERIES, copy=False))
    # a subquery's rows reach mode() and percentile() in the order its cursor emitted them
    emitted = database == VIRTUAL_DB and any(p.func in READ_ORDER for p in plan.prims)
    if emitted:
        inner_columns.append(col(SEQUENCE))
    for index, prim in enumerate(plan.prims):
        if prim.func is None or needs_points(plan, prim) or prim.func in SQL_AGGREGATES:
            inner_columns.append(_asked_only(plan, prim, _value(schema, prim), now)
                                 .as_(f"__v{index}", copy=False))
    inner = exp.select(*inner_columns, copy=False).from_(table, copy=False)
    if where is not None:
        inner = inner.where(where, copy=False)
    group: list[exp.Expression] = [col(dim_name(i)) for i in grouped]
    outer: list[exp.Expression] = [col(dim_name(i)) for i in grouped]
    if by_source:
        group.append(col(SOURCE))
        outer.append(col(SOURCE))
    if per_series:
        group.extend(col(name) for name in series_tags)
        outer.append(exp.Array(expressions=[
            exp.Coalesce(this=col(name), expressions=[exp.Literal.string("")])
            for name in series_tags] or [exp.Literal.string("")]).as_(SERIES, copy=False))
    lower, _ = read_bounds(plan, *time_bounds(plan, now))
    # Rows from or after the first bucket's offset floor with one plain division.
    plain = lower >= plan.interval_offset
    if plan.interval is not None:
        bucket = _bucket(col(TIME), plan.interval, plan.interval_offset, plain)
        outer.append(bucket.as_(TIME, copy=False))
        group.append(col(TIME))
    else:
        outer.append(cast(exp.null(), "BIGINT").as_(TIME, copy=False))
    raw_values = [(i, p) for i, p in enumerate(plan.prims) if p.func is None]
    risks: list[exp.Expression] = []
    for index, prim in enumerate(plan.prims):
        if prim.func is None:  # a selector's companion: filled from the selected point
            outer.append(exp.null().as_(prim_name(index), copy=False))
            continue
        value = col(f"__v{index}")
        if needs_points(plan, prim):
            fields = [exp.PropertyEQ(this=ident("t"), expression=col(TIME)),
                      exp.PropertyEQ(this=ident("v"), expression=value)]
            fields += [exp.PropertyEQ(this=ident(f"a{i}"), expression=col(f"__v{i}"))
                       for i, _ in raw_values]
            # they need the series (top()'s limited read merges them)
            if prim.func in _READ_SERIES or prim in plan.exact_means:
                fields.append(exp.PropertyEQ(this=ident("s"), expression=col(SERIES)))
            if emitted:
                fields.append(exp.PropertyEQ(this=ident("q"), expression=col(SEQUENCE)))
            agg: exp.Expression = exp.ArrayAgg(this=exp.Order(
                this=exp.Struct(expressions=fields),
                expressions=[exp.Ordered(this=col(TIME))]))
            agg = exp.Filter(this=agg,
                             expression=exp.Where(this=not_null(value.copy())))
        elif per_series:
            point = [("t", col(TIME)), ("v", value),
                     *((f"a{i}", col(f"__v{i}")) for i, _ in raw_values)]
            agg = exp.Filter(this=firstlast.series_point(prim.func, struct(*point), col(TIME)),
                             expression=exp.Where(this=not_null(value.copy())))
        else:
            companions = [(f"a{i}", col(f"__v{i}")) for i, _ in raw_values]
            if prim.func == "count" and absent(schema, prim):
                # 1.x has no iterator for a field the measurement lacks: null, not 0
                agg = cast(exp.null(), "BIGINT")
            else:
                agg = sql_aggregate(prim, value, schema,
                                    grouped=bool(dimensions) or plan.interval is not None,
                                    selector=plan.selector, companions=companions,
                                    one_stream=database == VIRTUAL_DB,
                                    descending=plan.descending)
            if (prim.func == "mean" and read_type(schema, prim) is FieldType.INTEGER
                    and database != VIRTUAL_DB):
                risks.append(int64.risk(value.copy()))
        outer.append(agg.as_(prim_name(index), copy=False))
    if risks:
        outer.append(exp.or_(*risks, copy=False).as_(int64.RISK, copy=False))
    # Buckets where none of the aggregated fields has a value do not exist for 1.x.
    aggregated = [i for i, p in enumerate(plan.prims) if p.func is not None]
    if len({(plan.prims[i].name, plan.prims[i].role) for i in aggregated}) == 1:  # one field
        # counted where it is read the longest: over the bucket before the range too
        widest = max(aggregated, key=lambda i: plan.prims[i].reads_back)
        counted: exp.Expression = exp.Count(this=col(f"__v{widest}"))
    else:
        present = [not_null(col(f"__v{i}")) for i in aggregated]
        counted = exp.Filter(this=exp.Count(this=exp.Star()),
                             expression=exp.Where(this=exp.or_(*present, copy=False)))
    outer.append(counted.as_(COUNTED, copy=False))
    query = exp.select(*outer, copy=False).from_(inner.subquery("__rows", copy=False),
                                                 copy=False)
    if group:
        query = query.group_by(*(
            _bucket(col(TIME), plan.interval, plan.interval_offset, plain)
            if plan.interval is not None and g.name == TIME else g for g in group), copy=False)
    if per_series:
        names = [prim_name(i) for i in range(len(plan.prims))]
        query = firstlast.by_group(
            query, [dim_name(i) for i in grouped], [TIME, *names, COUNTED],
            [prim_name(i) for i, p in enumerate(plan.prims) if p.func is not None],
            SERIES, TIME, SOURCE if by_source else None)
    return query


def _rows_wanted(plan: SelectPlan) -> int | None:
    """How many rows per series a raw query can answer at most (None: all of them)."""
    if plan.aggregate or plan.rows_end is None:
        return None
    if any(transforms_in(node) for node in plan.outputs):
        return None  # transformations need the rows before the ones answered
    return plan.shard_cut or plan.rows_end


def _bucket(time: exp.Expression, interval: int, offset: int,
            plain: bool = False) -> exp.Expression:
    """Floor `time` to its bucket start: buckets are aligned to the epoch plus the offset.

    `plain`: every time is at least `offset`, so integer division floors (DuckDB's `//`
    truncates toward zero, which floors only there); it is the cheaper form.
    """
    step = exp.Literal.number(interval)
    shifted = exp.Paren(this=exp.Sub(this=time, expression=exp.Literal.number(offset)))
    if plain:
        start = exp.Mul(this=exp.IntDiv(this=shifted, expression=step), expression=step)
        return exp.Add(this=start, expression=exp.Literal.number(offset))
    remainder = exp.Mod(this=exp.Paren(this=exp.Add(
        this=exp.Mod(this=shifted, expression=step), expression=step)), expression=step)
    return exp.Sub(this=time, expression=exp.Paren(this=remainder))


def _series_order(schema: MeasurementSchema) -> exp.Expression:
    values = [exp.Coalesce(this=col(schema.tag_column(t)), expressions=[exp.Literal.string("")])
              for t in sorted(schema.tags)]
    return exp.Array(expressions=values or [exp.Literal.string("")])


def _every_field(raw: Sequence[Prim], schema: MeasurementSchema, copies: int,
                 extra: Sequence[str]) -> bool:
    """Whether raw rows select every field of one stored table (`SELECT *`), so none can be
    all null: every stored point has a field (writes refuse points without one, and SELECT
    INTO writes none), and the test that a row has one would read every field column of the
    range only to pass it (1,000 rows of ten fields over an hour: 4.0 to 2.6 ms in DuckDB)."""
    if copies != 1 or extra or schema.retyped:
        return False  # a union of tables: a database's row may lack every field selected
    selected = {p.name for p in raw if p.role == "field" and schema.role(p.name) == "field"}
    return selected.issuperset(schema.fields)


def _series_ordering(schema: MeasurementSchema, pinned: set[str]) -> list[exp.Ordered]:
    """The order of `_series_order` as sort keys: tag by tag, a missing tag first (a stored
    tag value is never empty, so this equals comparing the lists); `pinned` tags, one value
    on every row, are left out (they would only make DuckDB's sort slower)."""
    return [exp.Ordered(this=col(schema.tag_column(t)), nulls_first=True)
            for t in sorted(schema.tags) if t not in pinned]


def grouping_dims(schema: MeasurementSchema, dimensions: list[str]) -> list[int]:
    """The places in `dimensions` of the tags the measurement has. The others are all null:
    left out of the query and added in Arrow (`with_absent_dims`), since DuckDB's cost of
    grouping by or carrying them grows faster than their number (6,000 of them took
    seconds)."""
    return [i for i, name in enumerate(dimensions) if name in schema.tags]


def with_absent_dims(table: pa.Table, schema: MeasurementSchema,
                     dimensions: Sequence[str]) -> pa.Table:
    """`build_query`'s rows with the column of each GROUP BY tag the measurement lacks, all
    null, where the query left it out (its raw rows select only the tags it has)."""
    names = set(table.column_names)
    missing = [dim_name(i) for i, name in enumerate(dimensions)
               if name not in schema.tags and dim_name(i) not in names]
    if not missing:
        return table
    nulls = pa.chunked_array([pa.nulls(table.num_rows, pa.string())])
    return pa.table([*table.columns, *[nulls] * len(missing)],
                    names=[*table.column_names, *missing])


def adding_absent_dims(run: Callable[[exp.Expression], pa.Table], schema: MeasurementSchema,
                       dimensions: Sequence[str]) -> Callable[[exp.Expression], pa.Table]:
    """`run`, its answers given the columns of the GROUP BY tags the measurement lacks
    (`with_absent_dims`)."""
    return lambda query: with_absent_dims(run(query), schema, dimensions)


def tag_value(schema: MeasurementSchema, name: str) -> exp.Expression:
    if name in schema.tags:
        return col(schema.tag_column(name))
    return cast(exp.null(), "VARCHAR")


def absent(schema: MeasurementSchema, prim: Prim) -> bool:
    """True when the measurement holds nothing `prim` reads (a field it lacks)."""
    return isinstance(_value(schema, prim), exp.Null)


def _value(schema: MeasurementSchema, prim: Prim) -> exp.Expression:
    role = schema.role(prim.name)
    if role == "tag" and prim.name in schema.handed_tags:
        return exp.null()
    if role == "field" and prim.role == "field" or role == "tag" and prim.role == "tag":
        if prim.cast is not None and read_type(schema, prim) is not schema.fields[prim.name]:
            return _converted(col(prim.name), prim.cast)
        return col(prim.name)
    if prim.role == "tag" and prim.name in schema.tags:
        # 1.x: a subquery's tag shadowed by a field of its name reads the field's value
        return col(prim.name)
    return exp.null()






_TWO_63 = exp.Literal.number(2.0 ** 63)


def _converted(value: exp.Expression, kind: str) -> exp.Expression:
    """A field read through a cast to the other number kind, as Go converts it on amd64: an
    integer widened, a float truncated, -2^63 where no int64 holds it."""
    if kind == "float":
        return cast(value, "DOUBLE")
    within = exp.and_(exp.GTE(this=value, expression=exp.Neg(this=_TWO_63.copy())),
                      exp.LT(this=value.copy(), expression=_TWO_63.copy()), copy=False)
    return exp.Case(ifs=[exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()),
                                true=cast(exp.null(), "BIGINT")),
                         exp.If(this=within, true=cast(call("trunc", value.copy()), "BIGINT"))],
                    default=exp.Literal.number(-(2 ** 63)))


def _asked_only(plan: SelectPlan, prim: Prim, value: exp.Expression,
                now: int) -> exp.Expression:
    """An aggregate's value, null outside the range its call reads when the query reads
    further for another call: 1.x moves the range of a looking-back transformation's call
    alone, so the same partial first bucket holds fewer points for the others."""
    asked = time_bounds(plan, now)
    own = read_bounds(plan, *asked, prim.reads_back)
    if prim.func is None or isinstance(value, exp.Null) or read_bounds(plan, *asked) == own:
        return value
    within = exp.and_(*stored_time_within(*own), copy=False)
    return exp.Case(ifs=[exp.If(this=within, true=value)])


def _where(plan: SelectPlan, schema: MeasurementSchema, now: int) -> exp.Expression | None:
    parts = stored_time_within(*read_bounds(plan, *time_bounds(plan, now)))
    if plan.condition is not None:
        parts.append(condition_sql(plan.condition, schema, nan=plan.reads_subquery))
    return exp.and_(*parts, copy=False) if parts else None
