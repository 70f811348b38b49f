"""SELECT made concrete against the schema: sources resolved, GROUP BY read, tags told from
fields, and every output column reduced to a small evaluation tree over stored values.

The result is a `select_plan.SelectPlan`; the SELECT list's checks, wildcard expansion and
column names are `select_list.py`'s. Errors are 1.x's, in its words.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from translators.lineprotocol import FieldType

from . import ast, holtwinters, indicators
from .errors import QueryError, StatementPanic
from .field_checks import check_fields, nil_operand, wild_calls, written_calls
from .functions import (
    AGGREGATES,
    FLOAT_CALLS,
    INTEGER_CALLS,
    LOOKS_BACK,
    MATH,
    MULTI_ROW,
    PREDICTORS,
    SELECTORS,
    TRANSFORMS,
    mapped_buckets,
)
from .regex import matcher
from .schema import MeasurementSchema, SchemaProvider, read_as
from .select_list import (
    column_names,
    expand_fields,
    field_name,
    has_aggregate,
    schema_union,
    strip_parens,
)
from .select_plan import (
    Lit,
    Math,
    Node,
    Op,
    Prim,
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
from .validate import ARITY, check_call

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
    builder = _Builder(plan, sources)
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
            _typed(ref, builder) for f in fields for ref in _refs(f.expr)):
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


def _refs(expr: ast.Expr) -> list[ast.VarRef]:
    expr = strip_parens(expr)
    if isinstance(expr, ast.VarRef):
        return [expr]
    if isinstance(expr, ast.Call):
        return [r for a in expr.args for r in _refs(a)]
    if isinstance(expr, ast.BinaryExpr):
        return _refs(expr.lhs) + _refs(expr.rhs)
    return []


def _typed(ref: ast.VarRef, builder: _Builder) -> bool:
    """Whether 1.x's type mapping gives a field a type: a cast to a kind or to a tag, or a
    name the sources have (`::field` of an unknown name stays unknown)."""
    if ref.type not in (None, ast.DataType.FIELD):
        return True
    return ref.name in builder.fields or ref.name in builder.tags


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

# -- building evaluation trees ------------------------------------------------------------------


KNOWN_CALLS = frozenset(ARITY) | {"top", "bottom"}
#: What a wildcard or regex 1.x leaves unexpanded reads: a name no measurement holds (a field
#: key cannot be empty).
UNEXPANDED = ""


class _Builder:
    def __init__(self, plan: SelectPlan, sources: list[Source]) -> None:
        self.plan = plan
        self.fields, self.tags = schema_union(sources)
        self.stored = any(s.database != VIRTUAL_DB for s in sources)
        # building the argument of this many transformations that look back
        self.reads_back = 0
        self.mapped_buckets = 0  # the most any function maps beyond the range (1.x's)
        self.in_binary = False  # building an operand of math, where 1.x expands no wildcard
        self.unsupported_call: str | None = None  # math read by a transformation

    def prim(self, prim: Prim) -> PrimRef:
        if prim not in self.plan.prims:
            self.plan.prims.append(prim)
        return PrimRef(self.plan.prims.index(prim))

    def role(self, ref: ast.VarRef) -> str:
        if ref.type is ast.DataType.TAG:
            return "tag"
        if ref.type is not None and ref.type is not ast.DataType.TAG:
            return "field"
        if ref.name in self.fields:
            return "field"
        if ref.name in self.tags:
            return "tag"
        return "field"  # unknown names read as empty fields, as 1.x answers nulls

    def node(self, expr: ast.Expr, top: bool = False) -> Node:
        expr = strip_parens(expr)
        match expr:
            case ast.VarRef(name):
                stored = self.fields.get(name)
                if stored is not None and not _castable(stored, expr.type):
                    # 1.x reads a field cast to another kind (text as a number, a number as
                    # text) as a field it does not hold: nulls, like a missing field
                    return self.prim(Prim(f"{name}::{expr.type}", "field"))
                ref = self.prim(Prim(name, self.role(expr)))
                # `x::integer` on a float field truncates, `x::float` widens (as 1.x casts)
                if expr.type is ast.DataType.INTEGER and stored is FieldType.FLOAT:
                    return Math("__integer", (ref,))
                if expr.type is ast.DataType.FLOAT and stored is FieldType.INTEGER:
                    return Math("__float", (ref,))
                return ref
            case ast.Distinct(name):
                return self.call(ast.Call("distinct", (ast.VarRef(name),)))
            case ast.Call():
                return self.call(expr)
            case ast.BinaryExpr(op, lhs, rhs):
                outer, self.in_binary = self.in_binary, True
                try:
                    return Op(op, self.node(lhs), self.node(rhs))
                finally:
                    self.in_binary = outer
            case ast.NumberLiteral(v) | ast.IntegerLiteral(v) | ast.UnsignedLiteral(v):
                return Lit(v)
            case ast.StringLiteral(v) | ast.BooleanLiteral(v):
                return Lit(v)
            case ast.DurationLiteral(ns):
                return Lit(ns)
            case ast.RegexLiteral():
                return Lit(None)  # math of a regex is nil to 1.x (`nil_operand` refuses it)
            case ast.Wildcard():
                if self.in_binary:
                    raise QueryError("unable to use wildcard in a binary expression")
                # left unexpanded in math's later arguments (`pow(2, *)`): no field
                return self.prim(Prim(UNEXPANDED, "field"))
        raise QueryError(f"unsupported expression {type(expr).__name__}")

    def call(self, call: ast.Call) -> Node:
        name = call.name
        if self.in_binary and name not in MATH and name not in ("top", "bottom", "distinct"):
            _refuse_wild_operand(call)
        if name in KNOWN_CALLS:
            check_call(call, self.plan.interval, self.plan.limit)
        if name in AGGREGATES or name in SELECTORS:
            return self.aggregate(call)
        if name in MATH:
            return Math(name, tuple(self.node(a) for a in call.args))
        if name in TRANSFORMS or name in PREDICTORS:
            _validate_hooks(call, self.plan.interval)
            if not call.args:
                raise QueryError(f"invalid number of arguments for {name}, expected at least "
                                 f"1 but no arguments were given")
            outer = self.reads_back
            # 1.x moves the range of a looking-back one's argument a bucket back, and the
            # argument's own transformation moves it once more (`difference(moving_average(..))`)
            self.reads_back = outer + (name in LOOKS_BACK and self.plan.interval is not None)
            first = strip_parens(call.args[0])
            if (isinstance(first, ast.Call) and first.name in MATH
                    and self.unsupported_call is None):
                self.unsupported_call = first.name
            try:
                inner = self.node(call.args[0])
            finally:
                self.reads_back = outer
            params = tuple(_literal(a) for a in call.args[1:])
            if self.plan.interval is not None:
                self.mapped_buckets = max(self.mapped_buckets, mapped_buckets(name, params))
            return Transform(name, inner, params)
        raise QueryError(f"undefined function {name}()")

    def aggregate(self, call: ast.Call) -> Node:
        name = call.name
        args = call.args
        if not args:
            raise QueryError(f"invalid number of arguments for {name}, expected 1, got 0")
        target = strip_parens(args[0])
        distinct = False
        if name == "count" and isinstance(target, ast.Call) and target.name == "distinct":
            distinct = True
            target = strip_parens(target.args[0]) if target.args else target
        elif name == "count" and isinstance(target, ast.Distinct):
            distinct = True
            target = ast.VarRef(target.name)
        if isinstance(target, ast.Wildcard | ast.RegexLiteral):
            # 1.x expands a wildcard only through first arguments: `pow(2, count(*))`'s
            # call reads no field, like one the measurement lacks
            target = ast.VarRef(UNEXPANDED)
        if not isinstance(target, ast.VarRef):
            raise QueryError(f"expected field argument in {name}()")
        extra = tuple(_literal(a) for a in args[1:])
        read = target.name
        stored = self.fields.get(read)
        if stored is not None and not _castable(stored, target.type):
            read = f"{read}::{target.type}"  # a kind the field is not read as: no points
        role = self.role(target)
        if self.stored:
            # 1.x: a function reads fields only; over a stored tag it finds no points (a
            # subquery's tags are values of its rows, which functions do read)
            role = "field"
        ref = self.prim(Prim(read, role, name, extra, distinct, self.reads_back))
        untyped = target.type in (None, ast.DataType.FIELD) and target.name not in self.fields \
            and target.name not in self.tags
        if untyped and name not in FLOAT_CALLS | INTEGER_CALLS:
            # 1.x types such a call by its argument, a field no source knows: it has no type,
            # and no fill() reaches it (`max(nosuch)` stays null under fill(3))
            self.plan.untyped.add(self.plan.prims[ref.index])
        if name in ("top", "bottom"):
            # the tags top(x, tag..., N) picks one point per combination of: read beside it
            # even where it stands in math and answers no column of them
            for tag in map(strip_parens, args[1:-1]):  # 1.x's reduce drops parentheses
                if isinstance(tag, ast.VarRef):
                    self.prim(Prim(tag.name, "tag"))
        return ref


_NUMERIC_KINDS = (FieldType.FLOAT, FieldType.INTEGER, FieldType.UNSIGNED)


def _castable(stored: FieldType, cast: ast.DataType | None) -> bool:
    """Whether 1.x reads a field stored as `stored` through the cast `cast`."""
    if cast is None or cast in (ast.DataType.FIELD, ast.DataType.TAG):
        return True
    wanted = FieldType(cast.value)
    return wanted is stored or (wanted in _NUMERIC_KINDS and stored in _NUMERIC_KINDS)


def _literal(expr: ast.Expr) -> Any:
    expr = strip_parens(expr)
    match expr:
        case ast.NumberLiteral(v) | ast.IntegerLiteral(v) | ast.UnsignedLiteral(v):
            return v
        case ast.DurationLiteral(ns):
            return ns
        case ast.StringLiteral(v) | ast.BooleanLiteral(v):
            return v
        case ast.VarRef(name):
            return ast.VarRef(name)
    raise QueryError("expected literal argument")


def _refuse_wild_operand(call: ast.Call) -> None:
    """1.x's error for a call of a wildcard or regex inside math (`count(*) + 1`), which it
    does not expand; `count(distinct(*))` fails at distinct() first."""
    arg = strip_parens(call.args[0]) if call.args else None
    if isinstance(arg, ast.Wildcard):
        raise QueryError(f"unsupported expression with wildcard: {call.name}()")
    if isinstance(arg, ast.RegexLiteral):
        raise QueryError(f"unsupported expression with regex field: {call.name}()")


def _validate_hooks(call: ast.Call, interval: int | None) -> None:
    """Argument checks owned by the modules that compute these functions."""
    if call.name in indicators.NAMES:
        indicators.validate(call, interval)
    elif call.name in holtwinters.NAMES:
        holtwinters.validate(call, interval)
