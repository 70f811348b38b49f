"""Subqueries run by the engine over a real DuckDB: inner answers become the outer's rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

from tests.translators.influxql.duckrun import runner
from translators.influxql import ast, engine
from translators.influxql.errors import QueryError
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

S0 = 1_704_067_200  # 2024-01-01T00:00:00Z
NS = 1_000_000_000
NOW = (S0 + 3600) * NS
SCHEMA = StaticSchema({"db": {
    "cpu": MeasurementSchema("cpu", ("host",), {"v": FieldType.FLOAT, "i": FieldType.INTEGER}),
    "mem": MeasurementSchema("mem", ("host",), {"used": FieldType.INTEGER}),
}})
V, INT, HOST = ast.VarRef("v"), ast.VarRef("i"), ast.VarRef("host")
BY_HOST = ast.Dimension(HOST)


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, v DOUBLE, i BIGINT)')
    # 20 points 10 s apart, alternating hosts h0/h1; v = 1.5 x, i = x.
    con.execute(f"INSERT INTO db.cpu SELECT make_timestamp_ns(({S0} + x * 10) * {NS}), "
                "'h' || (x % 2), x * 1.5, x FROM range(20) t(x)")
    con.execute('CREATE TABLE "db"."mem" ("time" TIMESTAMP_NS, host VARCHAR, used BIGINT)')
    con.execute(f"INSERT INTO db.mem VALUES (make_timestamp_ns({S0 * NS}), 'h0', 7)")
    yield con
    con.close()


def t(seconds: int) -> int:
    return (S0 + seconds) * NS


def call(name: str, *args: ast.Expr) -> ast.Call:
    return ast.Call(name, args)


def by_time(seconds: int) -> ast.Dimension:
    return ast.Dimension(call("time", ast.DurationLiteral(seconds * NS)))


def between(start: int, end: int) -> ast.Expr:
    """time >= S0 + start s AND time < S0 + end s."""
    time = ast.VarRef("time")
    return ast.BinaryExpr(ast.BinaryOp.AND,
                          ast.BinaryExpr(ast.BinaryOp.GTE, time, ast.IntegerLiteral(t(start))),
                          ast.BinaryExpr(ast.BinaryOp.LT, time, ast.IntegerLiteral(t(end))))


def select(fields: list[ast.Expr | ast.Field], sources: tuple[ast.Source, ...] | ast.Source,
           **options: Any) -> ast.SelectStatement:
    items = tuple(f if isinstance(f, ast.Field) else ast.Field(f) for f in fields)
    if not isinstance(sources, tuple):
        sources = (sources,)
    return ast.SelectStatement(items, sources, **options)


CPU = ast.Measurement("cpu")


def sub(statement: ast.SelectStatement) -> ast.SubQuery:
    return ast.SubQuery(statement)


def answer(con: duckdb.DuckDBPyConnection, statement: ast.SelectStatement) -> list[Any]:
    run = runner(con)
    series = engine.select(statement, "db", SCHEMA, run, NOW)
    return [(s.name, s.tags, s.columns, s.values) for s in series]


def test_aggregate_of_aggregates_per_inner_group(con: duckdb.DuckDBPyConnection) -> None:
    inner = select([ast.Field(call("max", V), "m")], CPU, dimensions=(BY_HOST,))
    # max per host is 27 (h0) and 28.5 (h1); the outer mean has no time range: the epoch
    assert answer(con, select([call("mean", ast.VarRef("m"))], sub(inner))) == [
        ("cpu", None, ["time", "mean"], [[0, 27.75]])]


def test_outer_group_by_tag_reaches_the_inner_query(con: duckdb.DuckDBPyConnection) -> None:
    inner = select([ast.Field(call("difference", INT), "d")], CPU)
    outer = select([call("sum", ast.VarRef("d"))], sub(inner), dimensions=(BY_HOST,))
    # 1.x groups the subquery by host too: nine differences of 2 per host, not 19 of 1
    assert answer(con, outer) == [
        ("cpu", {"host": "h0"}, ["time", "sum"], [[0, 18]]),
        ("cpu", {"host": "h1"}, ["time", "sum"], [[0, 18]])]


def test_outer_time_range_and_interval_reach_the_inner_query(
        con: duckdb.DuckDBPyConnection) -> None:
    inner = select([ast.Field(call("count", INT), "n")], CPU)
    outer = select([call("max", ast.VarRef("n"))], sub(inner), condition=between(0, 120),
                   dimensions=(by_time(60),))
    # the inner count inherits GROUP BY time(1m) and the outer range: 6 points a minute
    assert answer(con, outer) == [("cpu", None, ["time", "max"], [[t(0), 6], [t(60), 6]])]


def test_inner_fill_null_drops_empty_buckets(con: duckdb.DuckDBPyConnection) -> None:
    inner = select([ast.Field(call("count", INT), "n")], CPU, condition=between(0, 300),
                   dimensions=(by_time(60),))
    # count's zero for the empty bucket at 240 s never reaches the outer
    assert answer(con, select([ast.VarRef("n")], sub(inner))) == [
        ("cpu", None, ["time", "n"], [[t(0), 6], [t(60), 6], [t(120), 6], [t(180), 2]])]
    filled = select([ast.Field(call("count", INT), "n")], CPU, condition=between(120, 300),
                    dimensions=(by_time(60),), fill=ast.FillOption.NUMBER, fill_value=-1)
    assert answer(con, select([ast.VarRef("n")], sub(filled))) == [
        ("cpu", None, ["time", "n"], [[t(120), 6], [t(180), 2], [t(240), -1]])]


def test_raw_rows_of_an_aggregate_without_interval_come_series_by_series(
        con: duckdb.DuckDBPyConnection) -> None:
    inner = select([ast.Field(call("max", V), "m")], CPU, dimensions=(BY_HOST,))
    # max(h0) is at 180 s, max(h1) at 190 s; descending keeps the series order too
    rows = [[t(180), 27.0], [t(190), 28.5]]
    assert answer(con, select([ast.VarRef("m")], sub(inner))) == [
        ("cpu", None, ["time", "m"], rows)]
    descending = (ast.SortField("time", False),)
    assert answer(con, select([ast.VarRef("m")], sub(inner), sort_fields=descending)) == [
        ("cpu", None, ["time", "m"], rows)]


def test_inner_tags_are_outer_tags_and_selected_tags_fields(
        con: duckdb.DuckDBPyConnection) -> None:
    inner = select([ast.Field(call("last", INT), "l")], CPU, dimensions=(BY_HOST,))
    assert answer(con, select([ast.Wildcard()], sub(inner))) == [
        ("cpu", None, ["time", "host", "l"], [[t(180), "h0", 18], [t(190), "h1", 19]])]
    raw = select([INT, HOST], CPU, condition=between(0, 20))
    outer = select([ast.Wildcard()], sub(raw), dimensions=(BY_HOST,))
    assert answer(con, outer) == [
        ("cpu", {"host": "h0"}, ["time", "host", "i"], [[t(0), "h0", 0]]),
        ("cpu", {"host": "h1"}, ["time", "host", "i"], [[t(10), "h1", 1]])]


def test_field_aliased_like_a_grouped_tag_keeps_both(con: duckdb.DuckDBPyConnection) -> None:
    inner = select([ast.Field(INT, "host")], CPU, condition=between(0, 30),
                   dimensions=(BY_HOST,))
    # 1.x lists the tag beside the field (both read the field) and groups by the tag itself
    assert answer(con, select([ast.Wildcard()], sub(inner))) == [
        ("cpu", None, ["time", "host", "host_1"], [[t(0), 0, 0], [t(10), 1, 1], [t(20), 2, 2]])]
    assert answer(con, select([ast.Wildcard()], sub(inner), dimensions=(BY_HOST,))) == [
        ("cpu", {"host": "h0"}, ["time", "host"], [[t(0), 0], [t(20), 2]]),
        ("cpu", {"host": "h1"}, ["time", "host"], [[t(10), 1]])]


def test_outer_where_filters_inner_answers(con: duckdb.DuckDBPyConnection) -> None:
    inner = select([ast.Field(call("max", V), "m")], CPU, dimensions=(BY_HOST,))
    above = ast.BinaryExpr(ast.BinaryOp.GT, ast.VarRef("m"), ast.NumberLiteral(27.5))
    assert answer(con, select([ast.VarRef("m")], sub(inner), condition=above)) == [
        ("cpu", None, ["time", "m"], [[t(190), 28.5]])]


def test_nested_subqueries(con: duckdb.DuckDBPyConnection) -> None:
    raw = select([ast.Field(V, "x")], CPU)
    middle = select([ast.Field(call("max", ast.VarRef("x")), "m")], sub(raw),
                    dimensions=(BY_HOST,))
    outer = select([call("sum", ast.VarRef("m"))], sub(middle))
    assert answer(con, outer) == [("cpu", None, ["time", "sum"], [[0, 55.5]])]


def test_each_source_keeps_its_name(con: duckdb.DuckDBPyConnection) -> None:
    sources = (sub(select([INT], CPU, condition=between(0, 10))),
               ast.Measurement("mem"))
    assert answer(con, select([ast.Wildcard()], sources)) == [
        ("cpu", None, ["time", "host", "i", "used"], [[t(0), None, 0, None]]),
        ("mem", None, ["time", "host", "i", "used"], [[t(0), "h0", None, 7]])]


def test_outer_group_by_time_needs_an_aggregate(con: duckdb.DuckDBPyConnection) -> None:
    outer = select([ast.Wildcard()], sub(select([V], CPU)), dimensions=(by_time(60),))
    with pytest.raises(QueryError, match="GROUP BY requires at least one aggregate function"):
        answer(con, outer)
