"""1.x's compile-time checks on a SELECT list, field after field, in its words: undefined
functions, argument counts and kinds, literals where a field belongs, and the list's own rules
(distinct() alone, top() and bottom() beside nothing else).

Pure functions over the syntax tree; `rewrite.py` runs `check_fields` before it expands
wildcards (1.x compiles the statement as written).
"""

from __future__ import annotations

import dataclasses

from . import ast, holtwinters, indicators
from .errors import QueryError
from .functions import AGGREGATES, MATH, PREDICTORS, SELECTORS, TRANSFORMS
from .select_list import strip_parens
from .validate import ARITY, arity_error, check_call


def _calls(expr: ast.Expr) -> list[str]:
    expr = strip_parens(expr)
    if isinstance(expr, ast.Call):
        if expr.name == "count" and len(expr.args) == 1 and _is_distinct(expr.args[0]):
            return ["count"]  # 1.x: count(distinct(x)) is one call, free to stand beside others
        return [expr.name, *(n for a in expr.args for n in _calls(a))]
    if isinstance(expr, ast.Distinct):
        return ["distinct"]
    if isinstance(expr, ast.BinaryExpr):
        return _calls(expr.lhs) + _calls(expr.rhs)
    return []


def written_calls(statement: ast.SelectStatement) -> int:
    """The function calls the SELECT list writes, math aside, each counted as often as it is
    written (1.x's compiler lists every one: `first(v) - first(v)` is two selectors)."""
    return sum(1 for f in statement.fields for name in _calls(f.expr) if name not in MATH)


def wild_calls(statement: ast.SelectStatement) -> bool:
    """Whether a call reads a wildcard or regex (`first(*)`), which 1.x's compiler takes for
    an aggregate even when the function is a selector."""
    return any(_wild_call(f.expr) for f in statement.fields)


def _wild_call(expr: ast.Expr) -> bool:
    expr = strip_parens(expr)
    if isinstance(expr, ast.Call):
        return any(isinstance(strip_parens(a), ast.Wildcard | ast.RegexLiteral)
                   or _wild_call(a) for a in expr.args)
    if isinstance(expr, ast.BinaryExpr):
        return _wild_call(expr.lhs) or _wild_call(expr.rhs)
    return False


def _is_distinct(expr: ast.Expr) -> bool:
    expr = strip_parens(expr)
    return isinstance(expr, ast.Distinct) or (isinstance(expr, ast.Call)
                                              and expr.name == "distinct")


def _variables(expr: ast.Expr) -> bool:
    expr = strip_parens(expr)
    if isinstance(expr, ast.VarRef | ast.Wildcard | ast.RegexLiteral | ast.Distinct):
        return True
    if isinstance(expr, ast.Call):
        # a call without arguments fails later on its argument count, as in 1.x
        return not expr.args or any(_variables(a) for a in expr.args)
    if isinstance(expr, ast.BinaryExpr):
        return _variables(expr.lhs) or _variables(expr.rhs)
    return False


_NUMBERS = (ast.NumberLiteral, ast.IntegerLiteral, ast.UnsignedLiteral, ast.DurationLiteral)
_OTHER_LITERALS = (ast.StringLiteral, ast.BooleanLiteral, ast.RegexLiteral, ast.NilLiteral,
                   ast.TimeLiteral)


def _reduced(expr: ast.Expr) -> str | None:
    """What 1.x's reduce, run on each field before it is compiled, makes of `expr`: a number
    (`"number"`), another literal (`"literal"`: math of a regex, text or a boolean is nil, so
    `abs(/u/)` has no variable left), or not a literal (None). Math with the wrong number of
    arguments is left for the compiler to refuse."""
    expr = strip_parens(expr)
    if isinstance(expr, _NUMBERS):
        return "number"
    if isinstance(expr, _OTHER_LITERALS):
        return "literal"
    if (isinstance(expr, ast.Call) and expr.name in MATH
            and arity_error(expr.name, len(expr.args)) is None):
        kinds = [_reduced(a) for a in expr.args]
        if all(kinds):
            return "number" if all(k == "number" for k in kinds) else "literal"
    if (isinstance(expr, ast.BinaryExpr)
            and _reduced(expr.lhs) == _reduced(expr.rhs) == "number"):
        return "number"
    return None


# Functions 1.x knows; any other name is `undefined function`. The plain ones read one field
# (its compileFunction and compileSymbol); the transformations with a fixed argument list also
# read a field, or under GROUP BY time a call.
_KNOWN = AGGREGATES | SELECTORS | TRANSFORMS | PREDICTORS | MATH
_PLAIN = frozenset({"count", "sum", "mean", "median", "mode", "stddev", "spread", "max", "min",
                    "first", "last", "percentile", "sample"})
_CHECKED_TRANSFORMS = TRANSFORMS & frozenset(ARITY)


@dataclasses.dataclass(slots=True)
class _Compiling:
    """What 1.x's compiler carries from field to field: whether the statement groups by a
    time interval, its LIMIT (top()'s may not exceed it), the top() or bottom() met so far."""

    interval: bool
    limit: int
    top_bottom: str = ""


def _compile_error(expr: ast.Expr, ctx: _Compiling, in_binary: bool = False) -> str | None:
    """The first of these errors 1.x's compiler meets walking a reduced field: two literals
    on a binary expression's sides (`abs(/u/) + 1`), an undefined function, argument counts
    and kinds (a literal where a field belongs, `mean(1)`, `cumulative_sum(abs(/u/))`: 1.x's
    reduce makes math of literals a literal), a distinct() of anything but a field
    (`distinct(*)`, `count(distinct(/u/))`: 1.x never expands its argument). 1.x compiles
    field after field, so the first field's error wins over a later one's (the
    technical-analysis functions and holt_winters() by their own modules' checks); top()
    and bottom() by `validate.check_call`, the first of them in the list refusing a second
    before its arguments. integral()'s arguments are checked as the rewrite builds them.
    `in_binary`: `expr` is inside math, where 1.x expands no wildcard (`count(*) + 1`)."""
    expr = strip_parens(expr)
    if isinstance(expr, ast.Wildcard) and in_binary:
        return "unable to use wildcard in a binary expression"
    if isinstance(expr, ast.BinaryExpr):
        lhs, rhs = _reduced(expr.lhs), _reduced(expr.rhs)
        if lhs and rhs:
            return None if lhs == rhs == "number" else (
                "cannot perform a binary expression on two literals")
        if lhs:
            return _compile_error(expr.rhs, ctx, True)
        if rhs:
            return _compile_error(expr.lhs, ctx, True)
        return (_compile_error(expr.lhs, ctx, True)
                or _compile_error(expr.rhs, ctx, True))
    if not isinstance(expr, ast.Call):
        return None
    if expr.name not in _KNOWN:
        return f"undefined function {expr.name}()"
    if expr.name in ("top", "bottom"):
        if ctx.top_bottom:  # 1.x's compileTopBottom refuses a second one first
            return f"selector function {ctx.top_bottom}() cannot be combined with other functions"
        try:
            check_call(expr, None, ctx.limit)
        except QueryError as exc:
            return str(exc)
        ctx.top_bottom = expr.name
        return None
    if expr.name == "distinct":
        if not expr.args:
            return "distinct function requires at least one argument"
        if len(expr.args) > 1:
            return "distinct function can only have one argument"
        if not isinstance(strip_parens(expr.args[0]), ast.VarRef):
            return "expected field argument in distinct()"
        return None
    if expr.name == "count" and expr.args and _is_distinct(expr.args[0]):
        wrong = arity_error(expr.name, len(expr.args))  # count's own count comes first
        return str(wrong) if wrong is not None else _compile_error(expr.args[0], ctx,
                                                                   in_binary)
    if expr.name in MATH:
        wrong = arity_error(expr.name, len(expr.args))
        if wrong is not None:
            return str(wrong)  # checked before the arguments (`sin(1.3, 2)`)
        for arg in expr.args:
            found = None if _reduced(arg) else _compile_error(arg, ctx, in_binary)
            if found:
                return found
        return None
    if expr.name in _PLAIN or expr.name in _CHECKED_TRANSFORMS:
        return _call_error(expr, ctx, in_binary)
    hooks = {**dict.fromkeys(indicators.NAMES, indicators.validate),
             **dict.fromkeys(holtwinters.NAMES, holtwinters.validate)}
    if expr.name in hooks:  # their own modules check their arguments in 1.x's order
        seen = _as_compiled(expr)
        try:
            hooks[expr.name](seen, 0 if ctx.interval else None)
        except QueryError as exc:
            return str(exc)
        first = seen.args[0] if seen.args else None
        return _compile_error(first, ctx, in_binary) if isinstance(first, ast.Call) \
            else None
    return None


def _as_compiled(call: ast.Call) -> ast.Call:
    """The call as 1.x's compiler sees it, its first argument as reduce leaves it:
    `abs(1)` and `abs(/u/)` are literals there (nil), a regex alone stays a field list."""
    first = strip_parens(call.args[0]) if call.args else None
    if first is None:
        return call
    if _reduced(first) and not isinstance(first, ast.RegexLiteral):
        first = ast.NilLiteral()
    return ast.Call(call.name, (first, *call.args[1:]))


def _call_error(call: ast.Call, ctx: _Compiling, in_binary: bool) -> str | None:
    """A plain function's or a transformation's own checks (`validate.check_call`), its
    first argument read as 1.x's reduce leaves it, then that argument: a field, wildcard or
    regex (a call too for a transformation, which is compiled in turn)."""
    seen = _as_compiled(call)
    first = seen.args[0] if seen.args else None
    try:
        check_call(seen, 0 if ctx.interval else None)
    except QueryError as exc:
        return str(exc)
    if in_binary and isinstance(first, ast.Wildcard):
        return f"unsupported expression with wildcard: {call.name}()"
    if in_binary and isinstance(first, ast.RegexLiteral):
        return f"unsupported expression with regex field: {call.name}()"
    if isinstance(first, ast.VarRef | ast.Wildcard | ast.RegexLiteral | ast.Distinct):
        return None
    if call.name in TRANSFORMS and isinstance(first, ast.Call):
        return _compile_error(first, ctx, in_binary)
    return f"expected field argument in {call.name}()"


def nil_operand(expr: ast.Expr) -> bool:
    """Whether math in the field (outside other calls' arguments) has an operand that 1.x's
    reduce turns into nil, math of a regex or text (`abs(/u/) + u`, `abs('a') * u`), beside
    one that is not a literal: 1.x's engine panics there (`unreachable`)."""
    expr = strip_parens(expr)
    if isinstance(expr, ast.BinaryExpr):
        sides = (strip_parens(expr.lhs), strip_parens(expr.rhs))
        kinds = [_reduced(side) for side in sides]
        if None in kinds and any(isinstance(side, ast.Call) and kind == "literal"
                                 for side, kind in zip(sides, kinds, strict=True)):
            return True
        return any(nil_operand(side) for side in sides)
    if isinstance(expr, ast.Call) and expr.name in MATH:
        return any(nil_operand(arg) for arg in expr.args)
    return False


def check_fields(statement: ast.SelectStatement) -> None:
    """1.x's statement-level checks on the SELECT list, in its words: each field's, in
    order, then the list's."""
    per_field = [_calls(f.expr) for f in statement.fields]
    # time(0s) is no interval to 1.x
    interval = any(isinstance(d.expr, ast.Call) and d.expr.name == "time" and d.expr.args
                   and isinstance(d.expr.args[0], ast.DurationLiteral)
                   and d.expr.args[0].nanoseconds > 0 for d in statement.dimensions)
    compiling = _Compiling(interval, statement.limit)
    for item in statement.fields:
        # a regex alone is a field list to 1.x's compiler, a constant only to math
        alone = isinstance(strip_parens(item.expr), ast.RegexLiteral)
        if _reduced(item.expr) and not alone:
            raise QueryError("field must contain at least one variable")
        error = _compile_error(item.expr, compiling)
        if error:
            raise QueryError(error)
        if not _variables(item.expr):
            raise QueryError("field must contain at least one variable")
    names = [n for calls in per_field for n in calls]
    # 1.x counts transformations as calls here, even one reading top() itself; top() and
    # bottom() beside other calls are refused before a distinct() beside anything
    calls = [n for n in names if n in AGGREGATES or n in SELECTORS or n in TRANSFORMS]
    for name in ("top", "bottom"):
        if name in names and len(calls) > 1:
            raise QueryError(f"selector function {name}() cannot be combined with other "
                             "functions")
    if "distinct" in names and not (len(statement.fields) == 1 and names[0] == "distinct"):
        raise QueryError("aggregate function distinct() cannot be combined with other "
                         "functions or fields")
