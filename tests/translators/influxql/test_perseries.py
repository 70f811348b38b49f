"""mean() over several series as 1.x computes it: each series' mean, then merged by count."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from translators.influxql import ast, engine
from translators.influxql.rewrite import plan_select
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.influxql.storage import build_query
from translators.lineprotocol import FieldType

S0 = 1_704_067_200
NS = 1_000_000_000
NOW = (S0 + 3600) * NS
SCHEMA = StaticSchema({"db": {"cpu": MeasurementSchema(
    "cpu", ("cpu", "host"), {"v": FieldType.FLOAT})}})
# two series of one host, interleaved in time; their merged mean differs from the flat one
CPU0 = [83.65, 47.64, 63.91]
CPU1 = [15.06, 63.49, 86.8]


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, cpu VARCHAR, host VARCHAR, '
                "v DOUBLE)")
    for i, (a, b) in enumerate(zip(CPU0, CPU1, strict=True)):
        con.execute("INSERT INTO db.cpu VALUES (make_timestamp_ns(?), 'cpu0', 'h', ?), "
                    "(make_timestamp_ns(?), 'cpu1', 'h', ?)",
                    [(S0 + 2 * i) * NS, a, (S0 + 2 * i + 1) * NS, b])
    yield con
    con.close()


def statement(*fields: ast.Expr, by: tuple[str, ...] = ()) -> ast.SelectStatement:
    return ast.SelectStatement(tuple(ast.Field(f) for f in fields), (ast.Measurement("cpu"),),
                               dimensions=tuple(ast.Dimension(ast.VarRef(t)) for t in by))


def mean(values: list[float]) -> float:
    total = 0.0
    for value in values:
        total += value
    return total / len(values)


def test_mean_merges_each_series_mean_by_count(con: duckdb.DuckDBPyConnection) -> None:
    merged = (mean(CPU0) * 3 + mean(CPU1) * 3) / 6
    flat = mean([v for pair in zip(CPU0, CPU1, strict=True) for v in pair])
    assert merged != flat  # the data tells the two ways apart
    series = engine.select(statement(ast.Call("mean", (ast.VarRef("v"),)),
                                     ast.Call("count", (ast.VarRef("v"),))),
                           "db", SCHEMA, lambda q: con.sql(q.sql("duckdb")).to_arrow_table(),
                           NOW)
    assert [s.values for s in series] == [[[0, merged, 6]]]


@pytest.mark.parametrize(("fields", "by", "levels"), [
    pytest.param(("mean",), ("host",), 2, id="mean-over-series"),
    pytest.param(("mean",), ("cpu", "host"), 1, id="mean-per-series"),
    pytest.param(("count", "max"), ("host",), 1, id="no-mean"),
    pytest.param(("mean", "median"), ("host",), 1, id="mean-beside-median"),
])
def test_only_a_mean_over_several_series_pays_for_the_series_level(
        fields: tuple[str, ...], by: tuple[str, ...], levels: int) -> None:
    plan = plan_select(statement(*(ast.Call(f, (ast.VarRef("v"),)) for f in fields), by=by),
                       "db", SCHEMA, NOW)
    assert plan is not None
    source = plan.sources[0]
    sql = build_query(plan, "db", source.schema, plan.dimensions(source.schema), NOW)
    assert sql.sql("duckdb").count("GROUP BY") == levels
