"""1.x's checks on function calls, with its error texts: argument counts and kinds.

Runs on each call as the planner meets it, before anything touches storage.
"""

from __future__ import annotations

from . import ast
from .errors import QueryError
from .functions import MATH, TRANSFORMS, binary, math_function
from .render import render

# name: (fewest, most) arguments
ARITY: dict[str, tuple[int, int]] = {
    "count": (1, 1), "distinct": (1, 1), "mean": (1, 1), "median": (1, 1), "mode": (1, 1),
    "spread": (1, 1), "stddev": (1, 1), "sum": (1, 1), "first": (1, 1), "last": (1, 1),
    "max": (1, 1), "min": (1, 1), "percentile": (2, 2), "sample": (2, 2), "integral": (1, 2),
    "derivative": (1, 2), "non_negative_derivative": (1, 2), "difference": (1, 1),
    "non_negative_difference": (1, 1), "cumulative_sum": (1, 1), "moving_average": (2, 2),
    "elapsed": (1, 2), "atan2": (2, 2), "pow": (2, 2), "log": (2, 2),
}
for _name in MATH - {"atan2", "pow", "log"}:
    ARITY[_name] = (1, 1)

_UNIT_ARGUMENT = frozenset({"derivative", "non_negative_derivative", "elapsed", "integral"})


def arity_error(name: str, given: int) -> QueryError | None:
    bounds = ARITY.get(name)
    if bounds is None:
        return None
    fewest, most = bounds
    if fewest <= given <= most:
        return None
    if fewest == most:
        return QueryError(f"invalid number of arguments for {name}, expected {fewest}, "
                          f"got {given}")
    if given < fewest:
        return QueryError(f"invalid number of arguments for {name}, expected at least "
                          f"{fewest} but no more than {most}, got {given}")
    return QueryError(f"invalid number of arguments for {name}, expected at least {fewest} "
                      f"but no more than {most}, got {given}")


def check_call(call: ast.Call, interval: int | None, limit: int = 0) -> None:
    """Raise 1.x's error for a call with the wrong arguments (`limit`: the statement's
    LIMIT, which top() and bottom() may not exceed)."""
    name, args = call.name, call.args
    if name in ("top", "bottom"):
        _check_top(call, limit)
        return
    error = arity_error(name, len(args))
    if error is not None:
        raise error
    if name in _UNIT_ARGUMENT and len(args) == 2:
        unit = args[1]
        if not isinstance(unit, ast.DurationLiteral):
            if name == "integral":
                raise QueryError("second argument must be a duration")
            raise QueryError(f"second argument to {name} must be a duration, got "
                             f"*influxql.{type(unit).__name__}")
        if unit.nanoseconds <= 0:
            if name == "elapsed":
                raise QueryError(f"duration argument must be positive, got "
                                 f"{_duration(unit.nanoseconds)}")
            raise QueryError(f"duration argument must be positive, got "
                             f"{_duration(unit.nanoseconds)}")
    if name == "percentile" and not isinstance(
            args[1], ast.IntegerLiteral | ast.NumberLiteral):
        raise QueryError("expected float argument in percentile()")
    if name in ("sample", "moving_average"):
        size = args[1]
        if not isinstance(size, ast.IntegerLiteral):
            raise QueryError(f"second argument to {name} must be an integer, got "
                             f"*influxql.{type(size).__name__}")
        if size.value <= 1 if name == "moving_average" else size.value < 1:
            raise QueryError(f"{name} window must be greater than 1, got {size.value}")
    if name in TRANSFORMS:
        inner = args[0]
        if interval is not None and not isinstance(inner, ast.Call | ast.Distinct):
            raise QueryError(f"aggregate function required inside the call to {name}")
        # any call, math too (`cumulative_sum(abs(x))`, `elapsed(floor(x))`), as 1.x words it
        if interval is None and isinstance(inner, ast.Call):
            raise QueryError(f"{name} aggregate requires a GROUP BY interval")


def _check_top(call: ast.Call, statement_limit: int) -> None:
    name, args = call.name, call.args
    if len(args) < 2:
        raise QueryError(f"invalid number of arguments for {name}, expected at least 2, "
                         f"got {len(args)}")
    limit = args[-1]
    if not isinstance(limit, ast.IntegerLiteral):
        raise QueryError(f"expected integer as last argument in {name}(), found "
                         f"{render(limit)}")
    if limit.value <= 0:
        raise QueryError(f"limit ({limit.value}) in {name} function must be at least 1")
    if statement_limit and limit.value > statement_limit:
        raise QueryError(f"limit ({limit.value}) in {name} function can not be larger than "
                         f"the LIMIT ({statement_limit}) in the select statement")
    # 1.x reduces each argument first: parentheses go, math of numbers is folded
    first = reduced_literal(args[0])
    if not isinstance(first, ast.VarRef):
        raise QueryError(f"expected first argument to be a field in {name}(), found "
                         f"{render(first)}")
    for tag in map(reduced_literal, args[1:-1]):
        if not isinstance(tag, ast.VarRef):
            raise QueryError(f"only fields or tags are allowed in {name}(), found "
                             f"{render(tag)}")


def reduced_literal(expr: ast.Expr) -> ast.Expr:
    """`expr` as 1.x's reduce leaves it, as far as its error texts show: parentheses
    dropped (kept around math of variables), numbers folded (`1 + 1` is 2, `abs(1)` 1)."""
    if isinstance(expr, ast.ParenExpr):
        inner = reduced_literal(expr.expr)
        return ast.ParenExpr(inner) if isinstance(inner, ast.BinaryExpr) else inner
    if isinstance(expr, ast.BinaryExpr):
        lhs, rhs = reduced_literal(expr.lhs), reduced_literal(expr.rhs)
        if isinstance(lhs, _NUMBER) and isinstance(rhs, _NUMBER):
            return _literal(binary(expr.op, lhs.value, rhs.value), expr)
        return expr
    if isinstance(expr, ast.Call) and expr.name in MATH and arity_error(
            expr.name, len(expr.args)) is None:
        args = [reduced_literal(a) for a in expr.args]
        if all(isinstance(a, _NUMBER) for a in args):
            return _literal(math_function(expr.name, [a.value for a in args]), expr)
    return expr


_NUMBER = (ast.IntegerLiteral, ast.NumberLiteral)


def _literal(value: object, written: ast.Expr) -> ast.Expr:
    if isinstance(value, bool) or value is None:
        return written
    if isinstance(value, int):
        return ast.IntegerLiteral(value)
    return ast.NumberLiteral(value) if isinstance(value, float) else written


def _duration(ns: int) -> str:
    from .durations import format_duration

    return format_duration(ns)
