"""SELECT made concrete against the schema: sources resolved, wildcards expanded, tags told from
fields, and every output column reduced to a small evaluation tree over stored values.

The result, a SelectPlan, says what the storage query must compute per row (`prims`: raw
columns, or aggregates per bucket) and how each output column is derived from them (`outputs`).
Errors are 1.x's, in its words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from translators.lineprotocol import FieldType

from . import ast
from .errors import QueryError
from .functions import (
    AGGREGATES,
    LOOKS_BACK,
    MATH,
    MULTI_ROW,
    PREDICTORS,
    SELECTORS,
    TRANSFORMS,
)
from .schema import MeasurementSchema, SchemaProvider
from .timerange import TimeRange, split_condition, utc_offset_ns
from .validate import ARITY, check_call

# -- evaluation trees --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prim:
    """A value the storage query yields per row: a raw column, or an aggregate of one.

    func None: the stored field or tag itself. Otherwise an aggregate or selector name, with
    `args` its literal arguments (percentile's rank, top's count and tag names...).
    """

    name: str
    role: str  # "field" | "tag"
    func: str | None = None
    args: tuple[Any, ...] = ()
    distinct: bool = False


@dataclass(frozen=True, slots=True)
class PrimRef:
    index: int


@dataclass(frozen=True, slots=True)
class Lit:
    value: Any


@dataclass(frozen=True, slots=True)
class Op:
    op: ast.BinaryOp
    lhs: Node
    rhs: Node


@dataclass(frozen=True, slots=True)
class Math:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Transform:
    """A function over a series' rows in time order (derivative, moving_average...)."""

    name: str
    arg: Node
    params: tuple[Any, ...] = ()


Node = PrimRef | Lit | Op | Math | Transform


@dataclass(slots=True)
class Source:
    database: str
    schema: MeasurementSchema
    copies: int = 1  # `FROM cpu, cpu`: 1.x reads the measurement once per mention
    # `FROM "db1".."m", "db2".."m"`: 1.x reads one measurement `m` holding both databases'
    # series; the other databases, once per mention (schema: the union of theirs)
    extra: list[str] = field(default_factory=list)
    own: dict[str, MeasurementSchema] = field(default_factory=dict)  # each database's schema


@dataclass(slots=True)
class SelectPlan:
    sources: list[Source]
    columns: list[str]
    outputs: list[Node]
    prims: list[Prim]
    condition: ast.Expr | None
    time_range: TimeRange
    # GROUP BY tags as written: names, or a wildcard/regex resolved per measurement.
    dimension_names: list[str] = field(default_factory=list)
    dimension_all: bool = False
    dimension_regexes: list[str] = field(default_factory=list)
    interval: int | None = None
    interval_offset: int = 0
    aggregate: bool = False
    # One selector alone: other columns may ride along, read from the selected point.
    selector: bool = False
    # The answered time is the selected point's rather than the bucket's.
    selector_time: bool = False
    # A transformation over GROUP BY time needs the bucket before the range (storage.read_bounds)
    extra_bucket: bool = False
    fill: ast.FillOption = ast.FillOption.NULL
    fill_value: float | int | None = None
    limit: int = 0
    offset: int = 0
    slimit: int = 0
    soffset: int = 0
    descending: bool = False
    timezone: str | None = None
    # SLIMIT/SOFFSET: per measurement, the tag-set keys the index leaves (`paging.py`)
    paged: dict[str, set[bytes]] | None = None

    @property
    def rows_end(self) -> int | None:
        """Where a series' answered rows stop (None: no cut). 1.x quirk: OFFSET without LIMIT
        answers the one row at the offset."""
        if not (self.limit or self.offset):
            return None
        return self.offset + (self.limit or 1)

    def dimensions(self, schema: MeasurementSchema) -> list[str]:
        """The tag keys the series are grouped by, sorted as 1.x sorts them. `*` and regexes
        range over every source's tags (a measurement without one answers it as "")."""
        tags = sorted({t for s in self.sources for t in s.schema.tags})
        if self.dimension_all:
            return tags
        names = set(self.dimension_names)
        for pattern in self.dimension_regexes:
            names.update(t for t in tags if re.search(pattern, t))
        return sorted(names)


# -- the rewrite --------------------------------------------------------------------------------


def plan_select(statement: ast.SelectStatement, database: str | None, schema: SchemaProvider,
                now: int) -> SelectPlan | None:
    sources = _resolve_sources(statement.sources, database, schema)
    condition, time_range = split_condition(statement.condition, now, statement.timezone)
    if not sources:
        return None  # 1.x answers an empty result when no measurement matches
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
    _check_fields(statement)
    fields = _expand_fields(statement, sources)
    plan.aggregate = any(_has_aggregate(f.expr) for f in fields)
    builder = _Builder(plan, sources)
    names: list[tuple[str | None, str]] = []
    for item in fields:
        expr = _strip_parens(item.expr)
        if isinstance(expr, ast.VarRef) and expr.name.lower() == "time":
            continue  # time is always the first column
        plan.outputs.append(builder.node(expr, top=True))
        names.append((item.alias, field_name(expr)))
    if plan.interval is not None and not plan.aggregate:
        raise QueryError("GROUP BY requires at least one aggregate function")
    if not plan.outputs:
        if len(fields) < len(statement.fields) or any(
                isinstance(_strip_parens(f.expr), ast.Wildcard | ast.RegexLiteral)
                for f in statement.fields):
            return None  # a wildcard or regex that matched nothing: an empty answer
        raise QueryError("at least 1 non-time field must be queried")
    plan.columns = column_names(names)
    calls = [p for p in plan.prims if p.func]
    plan.selector = plan.aggregate and len(calls) == 1 and calls[0].func in SELECTORS
    # 1.x: a lone selector answers its point's time, except under GROUP BY time, where only
    # the functions answering several points per bucket (top, bottom, sample) keep theirs.
    plan.selector_time = plan.selector and (plan.interval is None
                                            or calls[0].func in MULTI_ROW)
    plan.extra_bucket = any(isinstance(n, Transform) and n.name in LOOKS_BACK
                            for n in plan.outputs)
    if plan.aggregate:
        for prim in plan.prims:
            if prim.func is None and not plan.selector:
                if all(c.func in SELECTORS for c in calls):  # 1.x's wording for this case
                    raise QueryError("mixing multiple selector functions with tags or fields "
                                     "is not supported")
                raise QueryError("mixing aggregate and non-aggregate queries is not supported")
    else:
        if any(isinstance(n, Transform) for n in plan.outputs) and any(
                not isinstance(n, Transform) for n in plan.outputs):
            raise QueryError("mixing aggregate and non-aggregate queries is not supported")
        if statement.fill is not ast.FillOption.NULL:
            raise QueryError(f"fill({_fill_text(statement)}) must be used with a function")
        if not any(p.role == "field" for p in plan.prims):
            return None  # only tags selected: 1.x answers nothing
    return plan


def _fill_text(statement: ast.SelectStatement) -> str:
    if statement.fill is ast.FillOption.NUMBER:
        return repr(statement.fill_value)
    return statement.fill.value


def _calls(expr: ast.Expr) -> list[str]:
    expr = _strip_parens(expr)
    if isinstance(expr, ast.Call):
        return [expr.name, *(n for a in expr.args for n in _calls(a))]
    if isinstance(expr, ast.Distinct):
        return ["distinct"]
    if isinstance(expr, ast.BinaryExpr):
        return _calls(expr.lhs) + _calls(expr.rhs)
    return []


def _variables(expr: ast.Expr) -> bool:
    expr = _strip_parens(expr)
    if isinstance(expr, ast.VarRef | ast.Wildcard | ast.RegexLiteral | ast.Distinct):
        return True
    if isinstance(expr, ast.Call):
        # a call without arguments fails later on its argument count, as in 1.x
        return not expr.args or any(_variables(a) for a in expr.args)
    if isinstance(expr, ast.BinaryExpr):
        return _variables(expr.lhs) or _variables(expr.rhs)
    return False


def _check_fields(statement: ast.SelectStatement) -> None:
    """1.x's statement-level checks on the SELECT list, in its words."""
    per_field = [_calls(f.expr) for f in statement.fields]
    for item in statement.fields:
        if not _variables(item.expr):
            raise QueryError("field must contain at least one variable")
    names = [n for calls in per_field for n in calls]
    if "distinct" in names and not (len(statement.fields) == 1 and names[0] in (
            "distinct", "count")):
        raise QueryError("aggregate function distinct() cannot be combined with other "
                         "functions or fields")
    for name in ("top", "bottom"):
        if name in names and len([n for n in names if n in AGGREGATES or n in SELECTORS]) > 1:
            raise QueryError(f"selector function {name}() cannot be combined with other "
                             "functions")


def _resolve_sources(sources: tuple[ast.Source, ...], database: str | None,
                     schema: SchemaProvider) -> list[Source]:
    resolved: dict[str, Source] = {}
    for source in sources:
        if isinstance(source, ast.SubQuery):
            raise QueryError("subqueries are not supported yet by influx-gateway")
        db = source.database or database
        if not db:
            raise QueryError("database name required")
        if source.regex is not None:
            names = [m for m in schema.measurements(db) if re.search(source.regex.pattern, m)]
        else:
            names = [source.name or ""]
        for name in names:
            found = schema.measurement(db, name)
            if found is None:
                continue
            known = resolved.get(name)
            if known is None:
                resolved[name] = Source(db, found, own={db: found})
            elif known.database == db:
                known.copies += 1
            else:
                known.extra.append(db)
                known.own[db] = found
                known.schema = _both(known.schema, found)
    return [resolved[name] for name in sorted(resolved)]


def _both(first: MeasurementSchema, other: MeasurementSchema) -> MeasurementSchema:
    """One measurement's schema over two databases: their tags and fields (the first
    database's type where both have a field)."""
    tags = first.tags + tuple(t for t in other.tags if t not in first.tags)
    return MeasurementSchema(first.name, tags, {**other.fields, **first.fields},
                             {**other.tag_columns, **first.tag_columns})


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


def _strip_parens(expr: ast.Expr) -> ast.Expr:
    while isinstance(expr, ast.ParenExpr):
        expr = expr.expr
    return expr


def _has_aggregate(expr: ast.Expr) -> bool:
    match expr:
        case ast.Call(name, args):
            if name in AGGREGATES or name in SELECTORS:
                return True
            return any(_has_aggregate(a) for a in args)
        case ast.Distinct():
            return True
        case ast.BinaryExpr(_, lhs, rhs):
            return _has_aggregate(lhs) or _has_aggregate(rhs)
        case ast.ParenExpr(inner):
            return _has_aggregate(inner)
    return False


# -- wildcards ----------------------------------------------------------------------------------


def _union(sources: list[Source]) -> tuple[dict[str, FieldType], set[str]]:
    fields: dict[str, FieldType] = {}
    tags: set[str] = set()
    for source in sources:
        for name, ftype in source.schema.fields.items():
            fields.setdefault(name, ftype)
        tags.update(source.schema.tags)
    return fields, tags


def _expand_fields(statement: ast.SelectStatement, sources: list[Source]) -> list[ast.Field]:
    fields, tags = _union(sources)
    grouped = {d.expr.name for d in statement.dimensions if isinstance(d.expr, ast.VarRef)}
    group_all = any(isinstance(d.expr, ast.Wildcard) for d in statement.dimensions)
    visible_tags = set() if group_all else tags - grouped
    # 1.x lists a subquery's tag beside a field of its name (host, host_1); a stored
    # measurement's wildcard lists the name once, as the field.
    shadowed = {t for s in sources for t in s.schema.tag_columns}
    out: list[ast.Field] = []
    for item in statement.fields:
        expr = _strip_parens(item.expr)
        if isinstance(expr, ast.Wildcard):
            out.extend(ast.Field(ref) for ref in _wildcard_refs(expr.type, fields, visible_tags,
                                                                shadowed))
        elif isinstance(expr, ast.RegexLiteral):
            pattern = re.compile(expr.pattern)
            refs = _wildcard_refs(None, fields, visible_tags, shadowed)
            out.extend(ast.Field(r) for r in refs if pattern.search(r.name))
        elif isinstance(expr, ast.Call) and any(
                isinstance(a, ast.Wildcard | ast.RegexLiteral) for a in expr.args[:1]):
            out.extend(_expand_call(expr, fields, item.alias))
        else:
            out.append(item)
            if isinstance(expr, ast.Call) and expr.name in ("top", "bottom"):
                # top(x, tag..., N) answers the tags as columns after its own
                out.extend(ast.Field(ast.VarRef(a.name, ast.DataType.TAG))
                           for a in expr.args[1:-1] if isinstance(a, ast.VarRef))
    return out


def _wildcard_refs(kind: ast.DataType | None, fields: dict[str, FieldType],
                   tags: set[str], shadowed: set[str]) -> list[ast.VarRef]:
    refs: list[ast.VarRef] = []
    if kind in (None, ast.DataType.FIELD):
        refs.extend(ast.VarRef(n, ast.DataType(fields[n].value)) for n in fields)
    if kind in (None, ast.DataType.TAG):
        refs.extend(ast.VarRef(n, ast.DataType.TAG) for n in tags
                    if n not in fields or n in shadowed)
    return sorted(refs, key=lambda r: r.name)


# elapsed() only reads times, so elapsed(*) covers string and boolean fields too
_NUMERIC_ONLY = (frozenset({
    "mean", "median", "spread", "stddev", "sum", "integral", "percentile", "top", "bottom",
}) | TRANSFORMS | MATH) - {"elapsed"}


def _expand_call(call: ast.Call, fields: dict[str, FieldType],
                 alias: str | None) -> list[ast.Field]:
    selector = call.args[0]
    names = sorted(fields)
    if isinstance(selector, ast.RegexLiteral):
        pattern = re.compile(selector.pattern)
        names = [n for n in names if pattern.search(n)]
    out = []
    for name in names:
        ftype = fields[name]
        if call.name in _NUMERIC_ONLY and ftype not in (FieldType.FLOAT, FieldType.INTEGER,
                                                        FieldType.UNSIGNED):
            continue
        args = (ast.VarRef(name, ast.DataType(ftype.value)),) + call.args[1:]
        prefix = alias or call.name
        out.append(ast.Field(ast.Call(call.name, args), f"{prefix}_{name}"))
    return out


# -- naming -------------------------------------------------------------------------------------


def field_name(expr: ast.Expr) -> str:
    """1.x's column name for an unaliased field: the call or variable, binary parts joined."""
    expr = _strip_parens(expr)
    if isinstance(expr, ast.Call):
        return expr.name
    if isinstance(expr, ast.Distinct):
        return "distinct"
    if isinstance(expr, ast.VarRef):
        return expr.name
    if isinstance(expr, ast.BinaryExpr):
        parts = _binary_names(expr)
        return "_".join(parts)
    return ""


def _binary_names(expr: ast.Expr) -> list[str]:
    expr = _strip_parens(expr)
    if isinstance(expr, ast.BinaryExpr):
        return _binary_names(expr.lhs) + _binary_names(expr.rhs)
    if isinstance(expr, ast.Call):
        return [expr.name]
    if isinstance(expr, ast.VarRef):
        return [expr.name]
    return []


def column_names(fields: Sequence[tuple[str | None, str]]) -> list[str]:
    """1.x's column names from (alias, generated name) pairs: aliases are placed first, then
    each generated name already taken gets the first free `_1`, `_2`... suffix."""
    names = [alias or "" for alias, _ in fields]
    taken = {name: 1 for name in names if name}
    for index, (alias, generated) in enumerate(fields):
        if alias:
            continue
        name = generated
        count = taken.get(name)
        if count is not None:
            while f"{name}_{count}" in taken:
                count += 1
            taken[name] = count + 1
            name = f"{name}_{count}"
        taken[name] = taken.get(name, 0) + 1
        names[index] = name
    return names


# -- building evaluation trees ------------------------------------------------------------------


KNOWN_CALLS = frozenset(ARITY) | {"top", "bottom"}


class _Builder:
    def __init__(self, plan: SelectPlan, sources: list[Source]) -> None:
        self.plan = plan
        self.fields, self.tags = _union(sources)

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
        expr = _strip_parens(expr)
        match expr:
            case ast.VarRef(name):
                ref = self.prim(Prim(name, self.role(expr)))
                stored = self.fields.get(name)
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
                return Op(op, self.node(lhs), self.node(rhs))
            case ast.NumberLiteral(v) | ast.IntegerLiteral(v) | ast.UnsignedLiteral(v):
                return Lit(v)
            case ast.StringLiteral(v) | ast.BooleanLiteral(v):
                return Lit(v)
            case ast.DurationLiteral(ns):
                return Lit(ns)
            case ast.Wildcard():
                raise QueryError("unsupported use of a wildcard in an expression")
        raise QueryError(f"unsupported expression {type(expr).__name__}")

    def call(self, call: ast.Call) -> Node:
        name = call.name
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
            inner = self.node(call.args[0])
            params = tuple(_literal(a) for a in call.args[1:])
            return Transform(name, inner, params)
        raise QueryError(f"undefined function {name}()")

    def aggregate(self, call: ast.Call) -> Node:
        name = call.name
        args = call.args
        if not args:
            raise QueryError(f"invalid number of arguments for {name}, expected 1, got 0")
        target = _strip_parens(args[0])
        distinct = False
        if name == "count" and isinstance(target, ast.Call) and target.name == "distinct":
            distinct = True
            target = _strip_parens(target.args[0]) if target.args else target
        elif name == "count" and isinstance(target, ast.Distinct):
            distinct = True
            target = ast.VarRef(target.name)
        if not isinstance(target, ast.VarRef):
            raise QueryError(f"expected field argument in {name}()")
        extra = tuple(_literal(a) for a in args[1:])
        prim = Prim(target.name, self.role(target), name, extra, distinct)
        return self.prim(prim)


def _literal(expr: ast.Expr) -> Any:
    expr = _strip_parens(expr)
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


def _validate_hooks(call: ast.Call, interval: int | None) -> None:
    """Argument checks owned by the modules that compute these functions."""
    from . import holtwinters, indicators  # they import this module's QueryError

    if call.name in indicators.NAMES:
        indicators.validate(call, interval)
    elif call.name in holtwinters.NAMES:
        holtwinters.validate(call, interval)
