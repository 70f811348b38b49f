"""The DuckDB query behind a measurement (`storage.py`): a GROUP BY tag the measurement lacks
is a constant NULL column, answered but never grouped, ordered or partitioned by."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from tests.translators.influxql.duckrun import runner
from translators.influxql import engine
from translators.influxql.parser import parse_query
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

SCHEMA = StaticSchema({"db": {"cpu": MeasurementSchema(
    "cpu", ("host",), {"v": FieldType.FLOAT})}})
NS = 1_000_000_000
NOW = 3600 * NS


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, v DOUBLE)')
    con.execute("INSERT INTO db.cpu VALUES (make_timestamp_ns(10000000000::BIGINT), 'h1', 1), "
                "(make_timestamp_ns(20000000000::BIGINT), 'h2', 3), "
                "(make_timestamp_ns(70000000000::BIGINT), 'h1', 5)")
    yield con
    con.close()


def constant_dims(query: exp.Expression) -> set[str]:
    """The `__dN` columns the query selects as a constant NULL."""
    return {alias.alias for alias in query.find_all(exp.Alias)
            if alias.alias.startswith("__d") and isinstance(alias.this, exp.Cast)
            and isinstance(alias.this.this, exp.Null)}


@pytest.mark.parametrize(("text", "answer"), [
    pytest.param("SELECT mean(v) FROM cpu GROUP BY host, nope", [
        ({"host": "h1", "nope": ""}, [[0, 3.0]]), ({"host": "h2", "nope": ""}, [[0, 3.0]])],
        id="aggregate"),
    pytest.param("SELECT mean(v) FROM cpu WHERE time < 2m GROUP BY time(1m), nope, host", [
        ({"host": "h1", "nope": ""}, [[0, 1.0], [60 * NS, 5.0]]),
        ({"host": "h2", "nope": ""}, [[0, 3.0], [60 * NS, None]])], id="by-time"),
    pytest.param("SELECT last(v) FROM cpu GROUP BY nope, host", [
        ({"host": "h1", "nope": ""}, [[70 * NS, 5.0]]),
        ({"host": "h2", "nope": ""}, [[20 * NS, 3.0]])], id="last-per-series"),
    pytest.param("SELECT v FROM cpu GROUP BY host, nope", [
        ({"host": "h1", "nope": ""}, [[10 * NS, 1.0], [70 * NS, 5.0]]),
        ({"host": "h2", "nope": ""}, [[20 * NS, 3.0]])], id="raw"),
    pytest.param("SELECT v FROM cpu GROUP BY host, nope LIMIT 1", [
        ({"host": "h1", "nope": ""}, [[10 * NS, 1.0]]),
        ({"host": "h2", "nope": ""}, [[20 * NS, 3.0]])], id="raw-limit"),
    pytest.param("SELECT v FROM cpu GROUP BY nope", [
        ({"nope": ""}, [[10 * NS, 1.0], [20 * NS, 3.0], [70 * NS, 5.0]])], id="only-absent"),
])
def test_a_tag_the_measurement_lacks_is_answered_empty_and_not_grouped_by(
        con: duckdb.DuckDBPyConnection, text: str, answer: list[Any]) -> None:
    (statement,) = parse_query(text, None)
    sqls: list[str] = []
    found = engine.select(statement, "db", SCHEMA, runner(con, sqls), NOW)
    assert [(s.tags, s.values) for s in found] == answer
    queries = [sqlglot.parse_one(sql, dialect="duckdb") for sql in sqls]
    # the reads select only the tags the measurement has: the others are added in Arrow
    # (`storage.with_absent_dims`), so DuckDB neither keys on nor carries them
    for query in queries:
        assert not constant_dims(query), query.sql("duckdb")
