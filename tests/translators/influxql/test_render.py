"""render() writes 1.x's text, and every parser test case reads back as the same tree."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.ast import BinaryOp as Op
from translators.influxql.parser import parse_expr, parse_query, parse_statement
from translators.influxql.render import render

from .test_admin import ADMIN, OTHERS
from .test_select import SELECTS
from .test_show import SHOWS

TEXTS = [
    pytest.param("SELECT a FROM m WHERE time > now() - 1h30m",
                 "SELECT a FROM m WHERE time > now() - 90m", id="duration-units"),
    pytest.param("SELECT -a * 2, 2 * -a, a + -b FROM m",
                 "SELECT -1 * a * 2, 2 * -a, a + -1 * b FROM m", id="unary-minus"),
    pytest.param("SELECT 1.5, 1.23456, -0.1 FROM m", "SELECT 1.500, 1.23456, -0.100 FROM m",
                 id="floats-3-decimals-unless-lossy"),
    pytest.param('SELECT "a b", "select", "x\\"y", "a"::tag FROM "db"."rp"."m m"',
                 'SELECT "a b", "select", "x\\"y", a::tag FROM db.rp."m m"', id="quoting"),
    pytest.param("SELECT a FROM m WHERE s = 'it\\'s\\n\\\\'",
                 "SELECT a FROM m WHERE s = 'it\\'s\\n\\\\'", id="string-escapes"),
    pytest.param("SELECT a FROM m WHERE h =~ /a\\/b/", "SELECT a FROM m WHERE h =~ /a\\/b/",
                 id="regex"),
    pytest.param("select distinct(a), DISTINCT b, COUNT(*) from m",
                 "SELECT distinct(a), DISTINCT b, count(*) FROM m", id="calls"),
    pytest.param("SELECT a INTO db.rp.:measurement FROM db..m, rp./x/",
                 "SELECT a INTO db.rp.:MEASUREMENT FROM db..m, rp./x/", id="into-and-sources"),
    pytest.param("SELECT mean(a) FROM m GROUP BY time(1m) fill(2.0) ORDER BY DESC LIMIT 1 "
                 "tz('UTC')",
                 "SELECT mean(a) FROM m GROUP BY time(1m) fill(2) ORDER BY time DESC LIMIT 1 "
                 "TZ('UTC')", id="select-tail"),
    pytest.param("SHOW TAG VALUES WITH KEY IN (a, \"b c\") LIMIT 1",
                 'SHOW TAG VALUES WITH KEY IN (a, "b c") LIMIT 1', id="tag-values-in"),
    pytest.param("SHOW TAG VALUES EXACT CARDINALITY WITH KEY = a",
                 "SHOW TAG VALUES EXACT CARDINALITY WITH KEY = a", id="cardinality"),
    pytest.param("CREATE DATABASE d WITH DURATION INF SHARD DURATION 60m NAME r",
                 "CREATE DATABASE d WITH DURATION 0s SHARD DURATION 1h NAME r", id="create-db"),
    pytest.param("ALTER RETENTION POLICY default ON d DEFAULT",
                 'ALTER RETENTION POLICY "default" ON d DEFAULT', id="alter-rp"),
    pytest.param("kill query 1", "kill query 1", id="other-keeps-text"),
]


@pytest.mark.parametrize(("text", "expected"), TEXTS)
def test_render_text(text: str, expected: str) -> None:
    assert render(parse_statement(text)) == expected


@pytest.mark.parametrize(("tree", "expected"), [
    pytest.param(ast.BinaryExpr(Op.MUL, ast.BinaryExpr(Op.ADD, ast.VarRef("a"), ast.VarRef("b")),
                                ast.VarRef("c")), "(a + b) * c", id="lhs-needs-parens"),
    pytest.param(ast.BinaryExpr(Op.SUB, ast.VarRef("a"),
                                ast.BinaryExpr(Op.SUB, ast.VarRef("b"), ast.VarRef("c"))),
                 "a - (b - c)", id="rhs-needs-parens"),
    pytest.param(ast.TimeLiteral(1_500_000_000_123_000_000), "'2017-07-14T02:40:00.123Z'",
                 id="time-literal"),
    pytest.param(ast.Call("my fn", (ast.IntegerLiteral(1),)), '"my fn"(1)', id="odd-call-name"),
    pytest.param(ast.BoundParameter("x y"), '$"x y"', id="bound-parameter"),
])
def test_render_built_trees(tree: ast.Expr, expected: str) -> None:
    assert render(tree) == expected
    if not isinstance(tree, ast.TimeLiteral | ast.BoundParameter):
        assert render(parse_expr(render(tree))) == expected


def test_long_chain_renders_without_recursion() -> None:
    text = "SELECT a FROM m WHERE " + " OR ".join(["a = 1"] * 5000)
    assert render(parse_statement(text)) == text


ROUND_TRIPS = [pytest.param(p.values[0], id=p.id) for p in SELECTS + SHOWS + ADMIN] + [
    pytest.param(text, id=text) for text, _ in OTHERS]


@pytest.mark.parametrize("text", ROUND_TRIPS)
def test_round_trip(text: str) -> None:
    statements = parse_query(text)
    assert parse_query("; ".join(render(s) for s in statements)) == statements
