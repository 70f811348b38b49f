"""Building a `SelectPlan`'s evaluation trees: each SELECT-list expression reduced to a small
tree (`Prim` reads, `Math`, `Op`, `Transform`) over the stored values, with 1.x's checks on the
calls as it meets them.

It stands apart from `rewrite.py`, which reads the statement as a whole (sources, GROUP BY, the
mixing rules) and hands each expression here one at a time.
"""

from __future__ import annotations

from typing import Any

from translators.lineprotocol import FieldType

from . import ast, holtwinters, indicators
from .errors import QueryError
from .functions import (
    AGGREGATES,
    FLOAT_CALLS,
    INTEGER_CALLS,
    LOOKS_BACK,
    MATH,
    PREDICTORS,
    SELECTORS,
    TRANSFORMS,
    mapped_buckets,
)
from .select_list import schema_union, strip_parens
from .select_plan import (
    CASTS,
    Lit,
    Math,
    Node,
    Op,
    Prim,
    PrimRef,
    SelectPlan,
    Source,
    Transform,
)
from .sqlnames import VIRTUAL_DB
from .validate import ARITY, check_call

KNOWN_CALLS = frozenset(ARITY) | {"top", "bottom"}
#: What a wildcard or regex 1.x leaves unexpanded reads: a name no measurement holds (a field
#: key cannot be empty).
UNEXPANDED = ""


class Builder:
    def __init__(self, plan: SelectPlan, sources: list[Source]) -> None:
        self.plan = plan
        self.fields, self.tags = schema_union(sources)
        # a subquery's columns its statement leaves untyped: read, but typed like no field
        self.untyped = {n for s in sources for n in s.schema.untyped}
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
        # 1.x reads a float cast to integer truncated, an integer cast to float as one
        converts = next((c for c, (kind, _) in CASTS.items()
                         if stored is kind and target.type is ast.DataType(c)), None)
        ref = self.prim(Prim(read, role, name, extra, distinct, self.reads_back, converts))
        untyped = target.type in (None, ast.DataType.FIELD) and (
            target.name not in self.fields or target.name in self.untyped) \
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
