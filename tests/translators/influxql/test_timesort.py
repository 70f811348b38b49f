"""Raw reads of one series: DuckDB reads them unsorted, Arrow sorts them (`timesort.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa
import pytest

from tests.translators.influxql.duckrun import runner
from translators.influxql import ast, engine, timesort
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

S0 = 1_704_067_200
NS = 1_000_000_000
NOW = (S0 + 3600) * NS
SCHEMA = StaticSchema({"db": {"cpu": MeasurementSchema(
    "cpu", ("host",), {"v": FieldType.FLOAT})}})
V, HOST = ast.VarRef("v"), ast.VarRef("host")


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """h1's points stored out of time order (late writes), h0's in order, interleaved."""
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, v DOUBLE)')
    stored = [(30, "h1"), (0, "h0"), (10, "h1"), (10, "h0"), (50, "h1"), (20, "h1"),
              (20, "h0"), (40, "h1"), (0, "h1")]
    for seconds, host in stored:
        con.execute(f"INSERT INTO db.cpu VALUES (make_timestamp_ns({(S0 + seconds) * NS}), "
                    f"'{host}', {seconds}.5)")
    yield con
    con.close()


def select(con: duckdb.DuckDBPyConnection, where: ast.Expr | None, sqls: list[str],
           **options: object) -> list[list[object]]:
    statement = ast.SelectStatement((ast.Field(V),), (ast.Measurement("cpu"),),
                                    condition=where, **options)
    series = engine.select(statement, "db", SCHEMA, runner(con, sqls), NOW)
    return [row for s in series for row in s.values]


def host_is(value: str) -> ast.Expr:
    return ast.BinaryExpr(ast.BinaryOp.EQ, HOST, ast.StringLiteral(value))


def t(seconds: int) -> int:
    return (S0 + seconds) * NS


@pytest.mark.parametrize(("where", "options", "expected"), [
    pytest.param(host_is("h1"), {}, [[t(s), s + 0.5] for s in (0, 10, 20, 30, 40, 50)],
                 id="ascending"),
    # the engine reverses the ascending read
    pytest.param(host_is("h1"), {"sort_fields": (ast.SortField("time", ascending=False),)},
                 [[t(s), s + 0.5] for s in (50, 40, 30, 20, 10, 0)], id="descending"),
])
def test_one_series_read_unsorted_and_sorted_in_arrow(
        con: duckdb.DuckDBPyConnection, where: ast.Expr | None, options: dict[str, object],
        expected: list[list[object]]) -> None:
    sqls: list[str] = []
    assert select(con, where, sqls, **options) == expected
    assert len(sqls) == 1 and "ORDER BY" not in sqls[0]


@pytest.mark.parametrize(("where", "options", "expected"), [
    pytest.param(None, {}, [[t(s), s + 0.5] for s in (0, 0, 10, 10, 20, 20, 30, 40, 50)],
                 id="two-series-tags-order-ties"),
    pytest.param(host_is("h1"), {"limit": 2}, [[t(0), 0.5], [t(10), 10.5]], id="limit"),
])
def test_reads_whose_rows_depend_on_the_order_keep_duckdb_sorting(
        con: duckdb.DuckDBPyConnection, where: ast.Expr | None, options: dict[str, object],
        expected: list[list[object]]) -> None:
    sqls: list[str] = []
    assert select(con, where, sqls, **options) == expected
    assert "ORDER BY" in sqls[0]


def test_in_time_order_is_stable_and_keeps_a_sorted_table() -> None:
    table = pa.table({"__t": [3, 1, 2, 1], "__p0": ["a", "b", "c", "d"]})
    assert timesort.in_time_order(table).to_pydict() == {
        "__t": [1, 1, 2, 3], "__p0": ["b", "d", "c", "a"]}
    ordered = pa.table({"__t": [1, 1, 2], "__p0": ["x", "y", "z"]})
    assert timesort.in_time_order(ordered) is ordered
