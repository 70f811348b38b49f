"""Bad statements and the exact error text InfluxDB 1.6.7 answered for each.

`bad_statements.json` was collected by sending every query to a real influxd 1.6.7 and keeping
its answer after the `error parsing query: ` prefix; no entry is guessed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from translators.influxql import ast
from translators.influxql.errors import InfluxQLParseError
from translators.influxql.parser import TOO_DEEP, parse_expr, parse_query, parse_statement

CASES = json.loads((Path(__file__).parent / "bad_statements.json").read_text())


@pytest.mark.parametrize(
    ("query", "params", "error"),
    [pytest.param(c["query"], c["params"], c["error"], id=c["query"][:60]) for c in CASES],
)
def test_bad_statement_has_1x_error_text(query: str, params: dict | None, error: str) -> None:
    with pytest.raises(InfluxQLParseError) as caught:
        parse_query(query, params)
    assert str(caught.value) == error
    assert caught.value.full == "error parsing query: " + error


def test_error_fields_for_found_expected() -> None:
    with pytest.raises(InfluxQLParseError) as caught:
        parse_query("SELECT a FROM")
    err = caught.value
    assert (err.found, err.expected, err.line, err.char) == (
        "EOF", ("identifier",), 1, 15)


def test_error_without_position() -> None:
    with pytest.raises(InfluxQLParseError) as caught:
        parse_query("SELECT a FROM m WHERE a = $x", {})
    assert (str(caught.value), caught.value.line, caught.value.char) == (
        "missing parameter: x", None, None)


@pytest.mark.parametrize("text", [
    pytest.param("SELECT a FROM m WHERE " + "(" * 100_000 + "a" + ")" * 100_000, id="parens"),
    pytest.param("SELECT " + "f(" * 50_000 + "a" + ")" * 50_000 + " FROM m", id="calls"),
    pytest.param("SELECT a FROM " + "(SELECT a FROM " * 20_000 + "m" + ")" * 20_000,
                 id="subqueries"),
])
def test_deep_nesting_is_a_parse_error(text: str) -> None:
    # 1.x has no depth limit; Python's stack does, so such a query is refused, not crashed on.
    with pytest.raises(InfluxQLParseError) as caught:
        parse_query(text)
    assert str(caught.value) == TOO_DEEP


def test_deep_nesting_in_single_statement_and_expression() -> None:
    with pytest.raises(InfluxQLParseError):
        parse_statement("SELECT " + "(" * 100_000 + "a" + ")" * 100_000 + " FROM m")
    with pytest.raises(InfluxQLParseError):
        parse_expr("-" * 1 + "(" * 100_000 + "a" + ")" * 100_000)


def test_long_flat_chain_parses() -> None:
    # Long operator chains are folded without recursion, as 1.x accepts them.
    statement = parse_statement("SELECT a FROM m WHERE " + " OR ".join(["a = 1"] * 5000))
    assert isinstance(statement, ast.SelectStatement)
    node = statement.condition
    depth = 0
    while isinstance(node, ast.BinaryExpr) and node.op is ast.BinaryOp.OR:
        assert node.rhs == ast.BinaryExpr(ast.BinaryOp.EQ, ast.VarRef("a"), ast.IntegerLiteral(1))
        node = node.lhs
        depth += 1
    assert depth == 4999
    assert node == ast.BinaryExpr(ast.BinaryOp.EQ, ast.VarRef("a"), ast.IntegerLiteral(1))
