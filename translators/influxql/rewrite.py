"""SELECT made concrete against the schema: sources resolved, GROUP BY read, tags told from
fields, and every output column reduced to a small evaluation tree over stored values.

The result is a `select_plan.SelectPlan`; the SELECT list's checks, wildcard expansion and
column names are `select_list.py`'s, each expression's evaluation tree `plan_nodes.py`'s.
Errors are 1.x's, in its words.
"""

from __future__ import annotations

import dataclasses

from . import ast
from .errors import QueryError, StatementPanic
from .field_checks import check_fields, nil_operand, wild_calls, written_calls
from .functions import (
    MULTI_ROW,
    SELECTORS,
    TRANSFORMS,
)
from .plan_nodes import Builder
from .regex import matcher
from .schema import MeasurementSchema, SchemaProvider, read_as
from .select_list import (
    column_names,
    expand_fields,
    field_name,
    has_aggregate,
    strip_parens,
)
from .select_plan import (
    PrimRef,
    SelectPlan,
    Source,
    Transform,
    outermost,
    transforms_in,
)
from .sqlnames import VIRTUAL_DB
from .timerange import split_condition, utc_offset_ns
from .typecheck import check_types

# -- the rewrite --------------------------------------------------------------------------------


def plan_select(statement: ast.SelectStatement, database: str | None, schema: SchemaProvider,
                now: int) -> SelectPlan | None:
    sources = resolve_sources(statement.sources, database, schema)
    condition, time_range = split_condition(statement.condition, now, statement.timezone)
    # 1.x answers an empty result when no measurement matches, once the statement checks out
    nothing = not sources
    if nothing:
        sources = [Source(database or "", MeasurementSchema(""))]
    plan = SelectPlan(
        sources=sources, columns=[], outputs=[], prims=[], condition=condition,
        time_range=time_range, fill=statement.fill, fill_value=statement.fill_value,
        limit=statement.limit, offset=statement.offset, slimit=statement.slimit,
        soffset=statement.soffset, timezone=statement.timezone,
        descending=bool(statement.sort_fields) and not statement.sort_fields[0].ascending,
    )
    _read_dimensions(plan, statement.dimensions)
    if plan.interval is not None and plan.timezone:
        # 1.x aligns buckets to local time: shift by the zone's offset at the range start
        # (one offset for the whole range: a daylight-saving change inside it is not followed)
        anchor = time_range.lower if time_range.lower is not None else now
        local = utc_offset_ns(plan.timezone, anchor)
        plan.interval_offset = (plan.interval_offset - local) % plan.interval
    check_fields(statement)
    fields = expand_fields(statement, sources)
    plan.aggregate = any(has_aggregate(f.expr) for f in fields)
    # 1.x checks for aggregates before it expands wildcards: `mean(/nomatch/), x` mixes an
    # aggregate with a raw field although the call matches nothing
    written = plan.aggregate or any(has_aggregate(f.expr) for f in statement.fields)
    builder = Builder(plan, sources)
    names: list[tuple[str | None, str]] = []
    for item in fields:
        expr = strip_parens(item.expr)
        if isinstance(expr, ast.VarRef) and expr.name.lower() == "time":
            continue  # time is always the first column
        plan.outputs.append(builder.node(expr, top=True))
        names.append((item.alias, field_name(expr)))
    if plan.interval is not None and not written:
        if written_calls(statement):
            # a transformation of math over raw fields (`cumulative_sum(abs(x))`): 1.x's
            # compiler saw a call beside a field
            raise QueryError("mixing aggregate and non-aggregate queries is not supported")
        raise QueryError("GROUP BY requires at least one aggregate function")
    if not plan.outputs:
        if len(fields) < len(statement.fields) or any(
                isinstance(strip_parens(f.expr), ast.Wildcard | ast.RegexLiteral)
                for f in statement.fields):
            return None  # a wildcard or regex that matched nothing: an empty answer
        raise QueryError("at least 1 non-time field must be queried")
    plan.columns = column_names(names)
    plan.read_names = [alias or generated for alias, generated in names]
    # one call read both beside and by a looking-back transformation is one call still
    calls = list(dict.fromkeys(dataclasses.replace(p, reads_back=0)
                               for p in plan.prims if p.func))
    plan.selector = plan.aggregate and len(calls) == 1 and calls[0].func in SELECTORS
    # 1.x: a lone selector answers its point's time, except under GROUP BY time, where only
    # the functions answering several points per bucket (top, bottom, sample) keep theirs.
    plan.selector_time = plan.selector and (plan.interval is None
                                            or calls[0].func in MULTI_ROW)
    plan.extra_buckets = max((p.reads_back for p in plan.prims), default=0)
    plan.mapped_buckets = builder.mapped_buckets
    if (plan.interval is not None and not plan.descending and time_range.lower is None
            and any(t.name in TRANSFORMS for n in plan.outputs for t in transforms_in(n))):
        # 1.x moves the range's start back one bucket for a transformation over GROUP BY
        # time; from no lower bound (the minimum time) that wraps around, and the answer is
        # empty. Under ORDER BY time DESC it moves the end instead.
        nothing = True
    # 1.x checks the SELECT list before it expands it: a wildcard or regex is a raw field
    # there, even one that matches nothing (`SELECT /nomatch/, mean(x)` fails)
    expanded_raw = any(isinstance(strip_parens(f.expr), ast.Wildcard | ast.RegexLiteral)
                       for f in statement.fields)
    if plan.aggregate:
        wild = wild_calls(statement)
        lone = plan.selector and written_calls(statement) == 1 and not wild
        if not lone and (expanded_raw or any(p.func is None for p in plan.prims)):
            if not wild and all(c.func in SELECTORS for c in calls):  # 1.x's wording
                raise QueryError("mixing multiple selector functions with tags or fields "
                                 "is not supported")
            raise QueryError("mixing aggregate and non-aggregate queries is not supported")
    else:
        transformed = any(transforms_in(n) for n in plan.outputs)
        # a raw field outside the transformations (`cumulative_sum(x) + x`) is a raw column
        raw_beside = any(isinstance(c, PrimRef) for n in plan.outputs
                         for c in outermost(n, (PrimRef, Transform)))
        if written and (expanded_raw or raw_beside):
            raise QueryError("mixing aggregate and non-aggregate queries is not supported")
        if transformed and (expanded_raw or raw_beside
                            or any(not transforms_in(n) for n in plan.outputs)):
            raise QueryError("mixing aggregate and non-aggregate queries is not supported")
        # 1.x refuses only these two without a function; fill(previous) and fill(<number>)
        # over raw rows are ignored. Over transformations of raw points every fill is
        # accepted: its number (or previous value) is what a call without a point at a row's
        # time reads (`cursor.join`), none and linear read null there.
        if not transformed and statement.fill in (ast.FillOption.NONE, ast.FillOption.LINEAR):
            raise QueryError(f"fill({statement.fill.value}) must be used with a function")
    if any(nil_operand(f.expr) for f in statement.fields):
        raise StatementPanic("unreachable")  # where 1.x builds the iterators
    if builder.unsupported_call is not None:
        # 1.x builds a transformation's input as a call iterator, which math is not
        raise QueryError(f"unsupported call: {builder.unsupported_call}")
    try:
        check_types(fields, sources)
    except QueryError as exc:
        # 1.x types fields by the shard groups the range reaches: the engine decides
        plan.type_error = str(exc)
    if not plan.aggregate and not any(transforms_in(n) for n in plan.outputs) and not any(
            _typed(ref, builder) for f in fields for ref in ast.var_refs(f.expr)):
        # 1.x: raw fields all of unknown type (`SELECT nosuch FROM (SELECT u ...)`) build no
        # iterator at all, where one known beside them reads rows (its nulls too)
        return None
    stored = all(s.database != VIRTUAL_DB for s in sources)
    if nothing or not plan.aggregate and stored and not any(p.role == "field"
                                                            for p in plan.prims):
        # or only tags selected: 1.x answers nothing, but a subquery's GROUP BY tags are
        # values of its rows
        return None
    return plan


def _typed(ref: ast.VarRef, builder: Builder) -> bool:
    """Whether 1.x's type mapping gives a field a type: a cast to a kind or to a tag, or a
    name the sources have (`::field` of an unknown name stays unknown)."""
    if ref.type not in (None, ast.DataType.FIELD):
        return True
    return ref.name in builder.fields and ref.name not in builder.untyped \
        or ref.name in builder.tags


def resolve_sources(sources: tuple[ast.Source, ...], database: str | None,
                     schema: SchemaProvider) -> list[Source]:
    resolved: dict[str, Source] = {}
    for source in sources:
        if isinstance(source, ast.SubQuery):
            raise QueryError("subqueries are not supported yet by influx-gateway")
        db = source.database or database
        if not db:
            raise QueryError("database name required")
        if source.regex is not None:
            names = [m for m in schema.measurements(db) if matcher(source.regex.pattern).search(m)]
        else:
            names = [source.name or ""]
        for name in names:
            found = schema.measurement(db, name)
            if found is None:
                continue
            known = resolved.get(name)
            if known is None:
                resolved[name] = Source(db, found, own={db: found}, mentions=[db])
                continue
            known.mentions.append(db)
            if known.database == db:
                known.copies += 1
            else:
                known.extra.append(db)
                known.own[db] = found
                known.schema = _both(known.schema, found)
    for found in resolved.values():
        if found.extra:
            found.schema = _retyped(found.schema, found.own)
        if len(found.mentions) < 2:
            found.mentions = []
    return [resolved[name] for name in sorted(resolved)]


def _both(first: MeasurementSchema, other: MeasurementSchema) -> MeasurementSchema:
    """One measurement's schema over two databases: their tags and fields (where both have a
    field, the type 1.x reads it as)."""
    tags = first.tags + tuple(t for t in other.tags if t not in first.tags)
    fields = {**other.fields, **first.fields}
    for name, ftype in other.fields.items():
        fields[name] = read_as([fields[name], ftype])
    return MeasurementSchema(first.name, tags, fields,
                             {**other.tag_columns, **first.tag_columns})


def _retyped(schema: MeasurementSchema, own: dict[str, MeasurementSchema]
             ) -> MeasurementSchema:
    """`schema` knowing which database stores which field as another type."""
    retyped = {db: {name: ftype for name, ftype in found.fields.items()
                    if ftype is not schema.fields[name]} for db, found in own.items()}
    retyped = {db: fields for db, fields in retyped.items() if fields}
    if not retyped:
        return schema
    return dataclasses.replace(schema, retyped=retyped)


def _read_dimensions(plan: SelectPlan, dimensions: tuple[ast.Dimension, ...]) -> None:
    for dimension in dimensions:
        expr = dimension.expr
        if isinstance(expr, ast.Call) and expr.name == "time":
            if plan.interval is not None:
                raise QueryError("multiple time dimensions not allowed")
            plan.interval, plan.interval_offset = _time_dimension(expr)
            if plan.interval == 0:
                plan.interval = None  # 1.x reads time(0s) as no time grouping
        elif isinstance(expr, ast.VarRef):
            if expr.name.lower() == "time":
                raise QueryError("time() is a function and expects at least one argument")
            plan.dimension_names.append(expr.name)
        elif isinstance(expr, ast.Wildcard):
            plan.dimension_all = True
        elif isinstance(expr, ast.RegexLiteral):
            plan.dimension_regexes.append(expr.pattern)
        else:
            raise QueryError("only time and tag dimensions allowed")


def _time_dimension(call: ast.Call) -> tuple[int, int]:
    if not call.args or len(call.args) > 2:
        raise QueryError("time dimension expected 1 or 2 arguments")
    interval = call.args[0]
    if not isinstance(interval, ast.DurationLiteral):
        raise QueryError("time dimension must have duration argument")
    if interval.nanoseconds < 0:
        raise QueryError("time dimension must have positive duration")
    offset = 0
    if len(call.args) == 2:
        arg = call.args[1]
        if isinstance(arg, ast.DurationLiteral):
            offset = arg.nanoseconds
        elif isinstance(arg, ast.Call) and arg.name == "now":
            raise QueryError("time dimension offset now() is not supported yet by influx-gateway")
        else:
            raise QueryError("time dimension offset must be duration or now()")
    return interval.nanoseconds, offset % interval.nanoseconds if interval.nanoseconds else 0
