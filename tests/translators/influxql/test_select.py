"""SELECT statements and expressions parse to the expected trees (1.6.7's grammar)."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.ast import BinaryOp as Op
from translators.influxql.parser import parse_expr, parse_query, parse_statement

V, I, N, S = ast.VarRef, ast.IntegerLiteral, ast.NumberLiteral, ast.StringLiteral  # noqa: E741
M, F, D = ast.Measurement, ast.Field, ast.Dimension
HOUR = 3_600_000_000_000
MINUTE = 60_000_000_000


def B(op: Op, lhs: ast.Expr, rhs: ast.Expr) -> ast.BinaryExpr:  # noqa: N802
    return ast.BinaryExpr(op, lhs, rhs)


def sel(*fields: ast.Expr | ast.Field, sources: tuple = (M("m"),), **kw: object) \
        -> ast.SelectStatement:
    fs = tuple(f if isinstance(f, ast.Field) else F(f) for f in fields)
    return ast.SelectStatement(fields=fs, sources=sources, **kw)  # type: ignore[arg-type]


SELECTS = [
    pytest.param("SELECT a FROM m", sel(V("a")), id="simple"),
    pytest.param("select A from M", sel(V("A"), sources=(M("M"),)), id="keywords-any-case"),
    pytest.param('SELECT "a b", "x\\"y" FROM "m.n"', sel(V("a b"), V('x"y'), sources=(M("m.n"),)),
                 id="quoted-idents"),
    pytest.param('SELECT abc"def" FROM m', sel(V("def")), id="bare-then-quoted-keeps-quoted"),
    pytest.param("SELECT a.b.c FROM m", sel(V("a.b.c")), id="segmented-varref"),
    pytest.param("SELECT *, *::field, *::tag FROM m",
                 sel(ast.Wildcard(), ast.Wildcard(ast.DataType.FIELD),
                     ast.Wildcard(ast.DataType.TAG)), id="wildcards"),
    pytest.param("SELECT a::float, b::integer, c::unsigned, d::string, e::boolean, f::field, "
                 "g::tag, h::FLOAT FROM m",
                 sel(V("a", ast.DataType.FLOAT), V("b", ast.DataType.INTEGER),
                     V("c", ast.DataType.UNSIGNED), V("d", ast.DataType.STRING),
                     V("e", ast.DataType.BOOLEAN), V("f", ast.DataType.FIELD),
                     V("g", ast.DataType.TAG), V("h", ast.DataType.FLOAT)), id="casts"),
    pytest.param("SELECT /cpu.*/ FROM m", sel(ast.RegexLiteral("cpu.*")), id="regex-field"),
    pytest.param("SELECT mean(a) AS avg, COUNT(b) AS \"n x\" FROM m",
                 sel(F(ast.Call("mean", (V("a"),)), "avg"), F(ast.Call("count", (V("b"),)), "n x")),
                 id="calls-and-aliases"),
    pytest.param("SELECT top(a, host, 3), count(*), now() FROM m",
                 sel(ast.Call("top", (V("a"), V("host"), I(3))),
                     ast.Call("count", (ast.Wildcard(),)), ast.Call("now")), id="call-args"),
    pytest.param("SELECT count(/a/, /b/) FROM m",
                 sel(ast.Call("count", (ast.RegexLiteral("a"), ast.RegexLiteral("b")))),
                 id="regex-args"),
    pytest.param("SELECT DISTINCT host, distinct(b), count(distinct c) FROM m",
                 sel(ast.Distinct("host"), ast.Call("distinct", (V("b"),)),
                     ast.Call("count", (ast.Distinct("c"),))), id="distinct"),
    pytest.param("SELECT a + b * c FROM m", sel(B(Op.ADD, V("a"), B(Op.MUL, V("b"), V("c")))),
                 id="mul-binds-tighter"),
    pytest.param("SELECT a - b - c FROM m", sel(B(Op.SUB, B(Op.SUB, V("a"), V("b")), V("c"))),
                 id="left-assoc"),
    pytest.param("SELECT a | b & c ^ d % e FROM m",
                 sel(B(Op.BITWISE_XOR, B(Op.BITWISE_OR, V("a"), B(Op.BITWISE_AND, V("b"), V("c"))),
                       B(Op.MOD, V("d"), V("e")))), id="bitwise-precedence"),
    pytest.param("SELECT (a + b) * c FROM m",
                 sel(B(Op.MUL, ast.ParenExpr(B(Op.ADD, V("a"), V("b"))), V("c"))), id="parens"),
    pytest.param("SELECT -a, +a, -mean(a), -(a), 2 * -a FROM m",
                 sel(B(Op.MUL, I(-1), V("a")), B(Op.MUL, I(1), V("a")),
                     B(Op.MUL, I(-1), ast.Call("mean", (V("a"),))),
                     B(Op.MUL, I(-1), ast.ParenExpr(V("a"))),
                     B(Op.MUL, I(2), B(Op.MUL, I(-1), V("a")))), id="unary-sign-on-exprs"),
    pytest.param("SELECT -1, - 1.5, -10s, 1., .5, +3 FROM m",
                 sel(I(-1), N(-1.5), ast.DurationLiteral(-10_000_000_000), N(1.0), N(0.5), I(3)),
                 id="signed-literals"),
    pytest.param("SELECT a FROM m WHERE a = 18446744073709551615 OR a = -9223372036854775808",
                 sel(V("a"), condition=B(Op.OR, B(Op.EQ, V("a"), ast.UnsignedLiteral(2**64 - 1)),
                                         B(Op.EQ, V("a"), I(-(2**63))))), id="int-limits"),
    pytest.param("SELECT a FROM m WHERE a = 1 OR b = 2 AND c = 3",
                 sel(V("a"), condition=B(Op.OR, B(Op.EQ, V("a"), I(1)),
                                         B(Op.AND, B(Op.EQ, V("b"), I(2)),
                                           B(Op.EQ, V("c"), I(3))))),
                 id="and-binds-tighter-than-or"),
    pytest.param("SELECT a FROM m WHERE a + 1 > b * 2",
                 sel(V("a"), condition=B(Op.GT, B(Op.ADD, V("a"), I(1)), B(Op.MUL, V("b"), I(2)))),
                 id="arith-binds-tighter-than-compare"),
    pytest.param("SELECT a FROM m WHERE a <> 1 AND b != 2 AND c <= 3 AND d >= 4 AND e < 5",
                 sel(V("a"), condition=B(Op.AND, B(Op.AND, B(Op.AND, B(Op.AND,
                     B(Op.NEQ, V("a"), I(1)), B(Op.NEQ, V("b"), I(2))), B(Op.LTE, V("c"), I(3))),
                     B(Op.GTE, V("d"), I(4))), B(Op.LT, V("e"), I(5)))), id="comparisons"),
    pytest.param("SELECT a FROM m WHERE host =~ /^a\\/b$/ AND host !~ /x/",
                 sel(V("a"), condition=B(Op.AND,
                                         B(Op.EQREGEX, V("host"), ast.RegexLiteral("^a/b$")),
                                         B(Op.NEQREGEX, V("host"), ast.RegexLiteral("x")))),
                 id="regex-match"),
    pytest.param("SELECT a FROM m WHERE a =~ /a\\\\/b/",
                 sel(V("a"), condition=B(Op.EQREGEX, V("a"), ast.RegexLiteral("a\\/b"))),
                 id="regex-backslash-quirk"),
    pytest.param("SELECT a FROM m WHERE b = true AND c = FALSE AND d = 'it\\'s\\n'",
                 sel(V("a"), condition=B(Op.AND, B(Op.AND,
                     B(Op.EQ, V("b"), ast.BooleanLiteral(True)),
                     B(Op.EQ, V("c"), ast.BooleanLiteral(False))),
                     B(Op.EQ, V("d"), S("it's\n")))), id="bools-strings"),
    pytest.param("SELECT a FROM m WHERE time > now() - 1h30m",
                 sel(V("a"), condition=B(Op.GT, V("time"), B(Op.SUB, ast.Call("now"),
                     ast.DurationLiteral(HOUR + 30 * MINUTE)))), id="durations"),
    pytest.param("SELECT a FROM m WHERE time > now() - 10µ AND time < now() + 5ns",
                 sel(V("a"), condition=B(Op.AND,
                     B(Op.GT, V("time"), B(Op.SUB, ast.Call("now"), ast.DurationLiteral(10_000))),
                     B(Op.LT, V("time"), B(Op.ADD, ast.Call("now"), ast.DurationLiteral(5))))),
                 id="small-durations"),
    pytest.param("SELECT a FROM db.rp.m, db..m, rp.m, /re/, rp./re/, db.rp./re/, db../re/",
                 sel(V("a"), sources=(
                     M("m", database="db", retention_policy="rp"), M("m", database="db"),
                     M("m", retention_policy="rp"), M(regex=ast.RegexLiteral("re")),
                     M(regex=ast.RegexLiteral("re"), retention_policy="rp"),
                     M(regex=ast.RegexLiteral("re"), database="db", retention_policy="rp"),
                     M(regex=ast.RegexLiteral("re"), database="db"))), id="sources"),
    pytest.param("SELECT x FROM (SELECT mean(a) AS x FROM m GROUP BY time(1m)), m2",
                 sel(V("x"), sources=(ast.SubQuery(sel(
                     F(ast.Call("mean", (V("a"),)), "x"),
                     dimensions=(D(ast.Call("time", (ast.DurationLiteral(MINUTE),))),))),
                     M("m2"))), id="subquery"),
    pytest.param("SELECT a INTO b FROM m", sel(V("a"), target=M("b")), id="into"),
    pytest.param("SELECT a INTO rp.b FROM m", sel(V("a"), target=M("b", retention_policy="rp")),
                 id="into-rp"),
    pytest.param("SELECT a INTO db.rp.:MEASUREMENT FROM m",
                 sel(V("a"), target=M("", database="db", retention_policy="rp")),
                 id="into-measurement-backref"),
    pytest.param("SELECT mean(a) FROM m GROUP BY time(10m, -5m), host, \"a b\", *, /re/",
                 sel(ast.Call("mean", (V("a"),)), dimensions=(
                     D(ast.Call("time", (ast.DurationLiteral(10 * MINUTE),
                                         ast.DurationLiteral(-5 * MINUTE)))),
                     D(V("host")), D(V("a b")), D(ast.Wildcard()), D(ast.RegexLiteral("re")))),
                 id="group-by"),
    pytest.param("SELECT mean(a) FROM m GROUP BY time(1h, now())",
                 sel(ast.Call("mean", (V("a"),)), dimensions=(
                     D(ast.Call("time", (ast.DurationLiteral(HOUR), ast.Call("now")))),)),
                 id="group-by-time-offset-now"),
    pytest.param("SELECT a FROM m fill(none)", sel(V("a"), fill=ast.FillOption.NONE),
                 id="fill-none"),
    pytest.param("SELECT a FROM m fill(null)", sel(V("a")), id="fill-null"),
    pytest.param("SELECT a FROM m fill(previous)", sel(V("a"), fill=ast.FillOption.PREVIOUS),
                 id="fill-previous"),
    pytest.param('SELECT a FROM m fill("linear")', sel(V("a"), fill=ast.FillOption.LINEAR),
                 id="fill-linear-quoted"),
    pytest.param("SELECT a FROM m fill(-1)", sel(V("a"), fill=ast.FillOption.NUMBER, fill_value=-1),
                 id="fill-int"),
    pytest.param("SELECT a FROM m fill(2.5)",
                 sel(V("a"), fill=ast.FillOption.NUMBER, fill_value=2.5), id="fill-float"),
    pytest.param("SELECT a FROM m ORDER BY time DESC", sel(V("a"), sort_fields=(
        ast.SortField("time", False),)), id="order-by-time-desc"),
    pytest.param("SELECT a FROM m ORDER BY DESC", sel(V("a"), sort_fields=(
        ast.SortField("time", False),)), id="order-by-desc"),
    pytest.param("SELECT a FROM m ORDER BY time", sel(V("a"), sort_fields=(
        ast.SortField("time", True),)), id="order-by-time"),
    pytest.param("SELECT a FROM m LIMIT 1 OFFSET 2 SLIMIT 3 SOFFSET 4 tz('Europe/Paris')",
                 sel(V("a"), limit=1, offset=2, slimit=3, soffset=4, timezone="Europe/Paris"),
                 id="limits-tz"),
    pytest.param("SELECT a -- comment\nFROM m WHERE /* c */ a = 1 -- end",
                 sel(V("a"), condition=B(Op.EQ, V("a"), I(1))), id="comments"),
]


@pytest.mark.parametrize(("text", "expected"), SELECTS)
def test_select(text: str, expected: ast.SelectStatement) -> None:
    assert parse_statement(text) == expected
    assert parse_query(text) == [expected]


def test_several_statements_and_empty_ones() -> None:
    assert parse_query(";SELECT a FROM m;; SELECT b FROM m;") == [sel(V("a")), sel(V("b"))]
    assert parse_query("") == []
    assert parse_query("  -- nothing\n ") == []


@pytest.mark.parametrize(("params", "expected"), [
    pytest.param({"h": "x"}, S("x"), id="string"),
    pytest.param({"h": 5}, I(5), id="int"),
    pytest.param({"h": 1.5}, N(1.5), id="float"),
    pytest.param({"h": True}, ast.BooleanLiteral(True), id="bool"),
    pytest.param({"h": {"integer": 7}}, I(7), id="object-integer"),
    pytest.param({"h": {"float": 7}}, N(7.0), id="object-float"),
    pytest.param({"h": {"string": "s"}}, S("s"), id="object-string"),
    pytest.param({"h": {"duration": "1h"}}, ast.DurationLiteral(HOUR), id="object-duration"),
    pytest.param({"h": {"duration": 60_000_000_000}}, ast.DurationLiteral(MINUTE),
                 id="object-duration-int"),
    pytest.param({"h": {"identifier": "other"}}, V("other"), id="object-identifier"),
    pytest.param({"h": {"regex": "a.*"}}, ast.RegexLiteral("a.*"), id="object-regex"),
])
def test_bound_parameters(params: dict, expected: ast.Expr) -> None:
    statement = parse_statement("SELECT a FROM m WHERE host = $h", params)
    assert statement == sel(V("a"), condition=B(Op.EQ, V("host"), expected))


def test_bound_parameters_stand_for_tokens_anywhere() -> None:
    # 1.6.7 swaps tokens at scan time: an identifier parameter can be a measurement.
    params = {"m": {"identifier": "cpu"}, "n": 3, "q x": "v"}
    assert parse_statement('SELECT a FROM $m WHERE b = $"q x" LIMIT $n', params) == sel(
        V("a"), sources=(M("cpu"),), condition=B(Op.EQ, V("b"), S("v")), limit=3)


def test_parse_expr() -> None:
    assert parse_expr("a + 1 ignored") == B(Op.ADD, V("a"), I(1))
