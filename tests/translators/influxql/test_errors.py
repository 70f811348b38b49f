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


def test_long_or_chain_parses_balanced() -> None:
    """1.x accepts any number of ORs (a dashboard variable with many values writes them) and
    folds them to the left; here a long run is regrouped as a balanced tree, with its operands
    in order, so later passes need not recurse once per operator."""
    terms = [f"a = {i}" for i in range(5000)]
    statement = parse_statement("SELECT a FROM m WHERE " + " OR ".join(terms))
    assert isinstance(statement, ast.SelectStatement)
    operands, depth, stack = [], 0, [(statement.condition, 1)]
    while stack:
        node, level = stack.pop()
        depth = max(depth, level)
        if isinstance(node, ast.BinaryExpr) and node.op is ast.BinaryOp.OR:
            stack += [(node.rhs, level + 1), (node.lhs, level + 1)]
        else:
            operands.append(node)
    assert operands == [ast.BinaryExpr(ast.BinaryOp.EQ, ast.VarRef("a"), ast.IntegerLiteral(i))
                        for i in range(5000)]
    assert depth == 14  # 2^13 > 5000 operands, plus the comparisons
    # a short chain keeps 1.x's grouping exactly
    short = parse_statement("SELECT a FROM m WHERE a = 1 OR a = 2 OR a = 3").condition
    assert isinstance(short, ast.BinaryExpr) and isinstance(short.lhs, ast.BinaryExpr)
    assert short.lhs.op is ast.BinaryOp.OR and short.rhs == ast.BinaryExpr(
        ast.BinaryOp.EQ, ast.VarRef("a"), ast.IntegerLiteral(3))


def test_long_arithmetic_chain_is_too_deep() -> None:
    """Other operators keep 1.x's left grouping (a float sum rounds by it), so a chain deeper
    than the passes can walk is refused, not a RecursionError (was a 500)."""
    parse_statement("SELECT " + " + ".join(["a"] * 100) + " FROM m")
    with pytest.raises(InfluxQLParseError) as caught:
        parse_query("SELECT " + " + ".join(["a"] * 300) + " FROM m")
    assert str(caught.value) == TOO_DEEP
