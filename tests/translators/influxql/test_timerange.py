"""Time literals and the split of WHERE into a time range and the rest, as 1.x reads them."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.timerange import (
    TimeConditionError,
    TimeRange,
    parse_time_string,
    split_condition,
)

NOW = 1_700_000_000_000_000_000
T = ast.VarRef("time")
HOST = ast.BinaryExpr(ast.BinaryOp.EQ, ast.VarRef("host"), ast.StringLiteral("a"))


def cmp(op: str, lhs: ast.Expr, rhs: ast.Expr) -> ast.BinaryExpr:
    return ast.BinaryExpr(ast.BinaryOp(op), lhs, rhs)


def both(lhs: ast.Expr, rhs: ast.Expr) -> ast.BinaryExpr:
    return ast.BinaryExpr(ast.BinaryOp.AND, lhs, rhs)


@pytest.mark.parametrize("text, expected", [
    pytest.param("2024-01-01T00:00:00Z", 1_704_067_200_000_000_000, id="rfc3339"),
    pytest.param("2024-01-01T00:00:00.5Z", 1_704_067_200_500_000_000, id="fraction"),
    pytest.param("2024-01-01T00:00:00.000000001Z", 1_704_067_200_000_000_001, id="nanosecond"),
    pytest.param("2024-01-01T01:00:00+01:00", 1_704_067_200_000_000_000, id="offset"),
    pytest.param("2024-01-01 00:00:00", 1_704_067_200_000_000_000, id="space-layout"),
    pytest.param("2024-01-01", 1_704_067_200_000_000_000, id="date"),
    pytest.param("1969-12-31T23:59:59Z", -1_000_000_000, id="before-epoch"),
    pytest.param("2024-01-01T00:00:00", None, id="T-without-zone"),
    pytest.param("yesterday", None, id="words"),
    pytest.param("2024-13-01", None, id="bad-month"),
])
def test_parse_time_string(text: str, expected: int | None) -> None:
    assert parse_time_string(text) == expected


def test_zone_applies_to_times_without_one() -> None:
    assert parse_time_string("2024-01-01 01:00:00", "Europe/Paris") == 1_704_067_200_000_000_000


@pytest.mark.parametrize("condition, rest, span", [
    pytest.param(cmp(">", T, ast.IntegerLiteral(10)), None, TimeRange(11, None), id="gt"),
    pytest.param(cmp(">=", T, ast.DurationLiteral(10)), None, TimeRange(10, None), id="gte-dur"),
    pytest.param(cmp("<", T, ast.IntegerLiteral(10)), None, TimeRange(None, 9), id="lt"),
    pytest.param(cmp("<=", ast.IntegerLiteral(10), T), None, TimeRange(10, None),
                 id="flipped"),
    pytest.param(cmp("=", T, ast.StringLiteral("1970-01-01T00:00:00Z")), None, TimeRange(0, 0),
                 id="eq-string"),
    pytest.param(cmp(">", T, ast.BinaryExpr(ast.BinaryOp.SUB, ast.Call("now"),
                                            ast.DurationLiteral(5))),
                 None, TimeRange(NOW - 4, None), id="now-arith"),
    pytest.param(both(HOST, both(cmp(">", T, ast.IntegerLiteral(1)),
                                 cmp("<", T, ast.IntegerLiteral(9)))),
                 HOST, TimeRange(2, 8), id="and-tree"),
    pytest.param(both(cmp(">", T, ast.IntegerLiteral(1)), cmp(">", T, ast.IntegerLiteral(5))),
                 None, TimeRange(6, None), id="intersect"),
    pytest.param(ast.BinaryExpr(ast.BinaryOp.OR, HOST, HOST),
                 ast.BinaryExpr(ast.BinaryOp.OR, HOST, HOST), TimeRange(), id="or-no-time"),
    pytest.param(ast.BinaryExpr(ast.BinaryOp.OR, HOST, both(HOST, cmp(">", T,
                                                                    ast.IntegerLiteral(1)))),
                 ast.BinaryExpr(ast.BinaryOp.OR, HOST, HOST), TimeRange(2, None),
                 id="or-takes-time-out"),
    # the side left with only time drops out of the OR; the other side still filters
    pytest.param(ast.BinaryExpr(ast.BinaryOp.OR, cmp(">", T, ast.IntegerLiteral(1)), HOST),
                 HOST, TimeRange(2, None), id="or-with-bare-time"),
])
def test_split_condition(condition: ast.Expr, rest: ast.Expr | None, span: TimeRange) -> None:
    assert split_condition(condition, NOW) == (rest, span)


@pytest.mark.parametrize("condition, message", [
    pytest.param(cmp("!=", T, ast.IntegerLiteral(1)), "invalid time comparison operator: !=",
                 id="neq"),
    pytest.param(cmp(">", T, ast.StringLiteral("today")),
                 "invalid operation: time and *influxql.StringLiteral are not compatible",
                 id="not-a-time"),
    pytest.param(cmp(">", T, ast.BooleanLiteral(True)),
                 "invalid operation: time and *influxql.BooleanLiteral are not compatible",
                 id="boolean"),
])
def test_split_condition_errors(condition: ast.Expr, message: str) -> None:
    with pytest.raises(TimeConditionError, match=message.replace("*", r"\*")):
        split_condition(condition, NOW)
