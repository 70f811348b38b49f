"""SLIMIT/SOFFSET on the native store count the tag sets of the index, not the answered ones."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from translators.influxql import ast, engine
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

S0 = 1_704_067_200  # 2024-01-01T00:00:00Z, a Monday: a shard group starts there
NS = 1_000_000_000
DAY = 86_400
SCHEMA = StaticSchema({"db": {"cpu": MeasurementSchema(
    "cpu", ("host", "dc"), {"v": FieldType.FLOAT})}})


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, dc VARCHAR, '
                "v DOUBLE)")
    rows = [(0, "h0", "x", 1.0), (60, "h0", "x", 2.0),  # h0 in range
            (6 * DAY, "h1", "x", 3.0),  # h1: same shard group, outside the range
            (8 * DAY, "h2", "x", 4.0),  # h2: the next shard group
            (60, "h3", None, 5.0)]  # h3 without dc: its key sorts last under GROUP BY *
    for seconds, host, dc, value in rows:
        con.execute("INSERT INTO db.cpu VALUES (make_timestamp_ns(?), ?, ?, ?)",
                    [(S0 + seconds) * NS, host, dc, value])
    yield con
    con.close()


def hosts(con: duckdb.DuckDBPyConnection, slimit: int, soffset: int = 0,
          star: bool = False) -> list[str]:
    dimension = ast.Wildcard() if star else ast.VarRef("host")
    within = ast.BinaryExpr(ast.BinaryOp.LT, ast.VarRef("time"),
                            ast.IntegerLiteral((S0 + DAY) * NS))
    statement = ast.SelectStatement(
        (ast.Field(ast.VarRef("v")),), (ast.Measurement("cpu"),), condition=within,
        dimensions=(ast.Dimension(dimension),), slimit=slimit, soffset=soffset)
    series = engine.select(statement, "db", SCHEMA,
                           lambda q: con.sql(q.sql("duckdb")).to_arrow_table(), S0 * NS)
    return [s.tags["host"] for s in series if s.tags]


def test_a_series_without_points_in_the_range_keeps_its_place(
        con: duckdb.DuckDBPyConnection) -> None:
    assert hosts(con, 1) == ["h0"]
    assert hosts(con, 1, 1) == []  # h1: in the shard group, no point in the range
    assert hosts(con, 1, 2) == ["h3"]  # h2's shard group is not reached


def test_tag_set_keys_order_the_page(con: duckdb.DuckDBPyConnection) -> None:
    # 'dc|host|x|h0' < 'dc|host|x|h1' < 'host|h3': h3, answered first, is counted last
    assert hosts(con, 3, star=True) == ["h3", "h0"]
    assert hosts(con, 2, star=True) == ["h0"]
