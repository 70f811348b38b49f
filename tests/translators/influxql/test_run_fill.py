"""A subquery's fill runs filled a column at a time answer what the row-by-row fill answers."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from sqlglot import exp

from translators.influxql import ast, engine, rewrite, run_fill
from translators.influxql.fill import fill_rows
from translators.influxql.parser import parse_statement
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

S0 = 1_704_067_200  # 2024-01-01T00:00:00Z
NS = 1_000_000_000
NOW = (S0 + 3600) * NS
SCHEMA = StaticSchema({"db": {"cpu": MeasurementSchema(
    "cpu", ("host",), {"v": FieldType.FLOAT, "i": FieldType.INTEGER, "s": FieldType.STRING,
                       "b": FieldType.BOOLEAN})}})
RANGE = f"time >= {S0}s AND time < {S0 + 600}s"


def plan_of(text: str) -> rewrite.SelectPlan:
    statement = parse_statement(text)
    assert isinstance(statement, ast.SelectStatement)
    plan = rewrite.plan_select(statement, "db", SCHEMA, NOW)
    assert plan is not None
    return plan


def sparse_rows(rng: random.Random, plan: rewrite.SelectPlan, kinds: list[str | None]
                ) -> list[tuple[int, list[Any]]]:
    """A few buckets of the range with values (some null, counts of 0, a NaN)."""
    assert plan.interval is not None
    def value(kind: str | None) -> Any:
        if rng.random() < 0.2:
            return None
        return {"float": rng.choice([rng.uniform(-50, 50), float("nan"), 2.0]),
                "integer": rng.choice([rng.randint(-1000, 1000), 0, 1 << 62]),
                "string": rng.choice(["a", "", "b"]), "boolean": rng.random() < 0.5,
                None: rng.uniform(0, 1)}[kind]

    places = sorted(rng.sample(range(60), rng.randint(1, 8)))
    return [(S0 * NS + p * plan.interval, [value(k) for k in kinds]) for p in places]


FILLS = ["fill(7)", "fill(-1.5)", "fill(previous)", "fill(linear)"]
LISTS = ["mean(v), count(v)", "sum(i), max(i)", "first(s), last(b)", "count(i)"]


@pytest.mark.parametrize("fill", FILLS)
@pytest.mark.parametrize("fields", LISTS)
@pytest.mark.parametrize("order", ["", "ORDER BY time DESC"])
def test_filled_columns_are_fill_rows(fill: str, fields: str, order: str) -> None:
    plan = plan_of(f"SELECT {fields} FROM cpu WHERE {RANGE} GROUP BY time(10s) {fill} {order}")
    assert plan.interval is not None and run_fill.applies(plan, None)
    kinds = {"mean": "float", "count": "integer", "sum": "integer", "max": "integer",
             "first": "string", "last": "boolean"}
    types = [kinds[p.func or ""] for p in plan.prims]
    start, end = S0 * NS, (S0 + 590) * NS
    times = run_fill.buckets(start, end, plan.interval)
    rng = random.Random(f"{fill}{fields}{order}")
    answered = 0
    for _ in range(40):
        rows = sparse_rows(rng, plan, types)
        silent = frozenset(i for i in range(len(plan.prims)) if rng.random() < 0.15)
        columns = run_fill.filled_columns(plan, rows, times, silent, frozenset(), types)
        expected = fill_rows(plan, rows, start, end, silent, types)
        if columns is None:  # a column of mixed types is left to fill_rows
            continue
        answered += 1
        got = list(zip(*(c.to_pylist() for c in columns), strict=True))
        want = [(t, *(v[n.index] for n in plan.outputs)) for t, v in expected]  # type: ignore[union-attr]
        assert _same(got, want), (rows, silent)
    assert answered >= 30


def _same(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> bool:
    """Equal, NaN equal to NaN, each value of the same Python type."""
    def key(value: Any) -> Any:
        return ("nan",) if isinstance(value, float) and value != value else (type(value), value)

    return [tuple(map(key, row)) for row in got] == [tuple(map(key, row)) for row in want]


def test_a_mixed_column_is_left_to_fill_rows() -> None:
    # fill(7) of a call whose type is unknown stays the integer 7 beside float points
    plan = plan_of(f"SELECT max(v) FROM cpu WHERE {RANGE} GROUP BY time(10s) fill(7)")
    times = run_fill.buckets(S0 * NS, (S0 + 50) * NS, 10 * NS)
    rows = [(S0 * NS, [1.5])]
    assert run_fill.filled_columns(plan, rows, times, frozenset(), frozenset(), [None]) is None
    assert run_fill.filled_columns(plan, rows, times, frozenset(), frozenset(), ["float"])


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, v DOUBLE, '
                "i BIGINT, s VARCHAR, b BOOLEAN)")
    # 12 points, 47 s apart, hosts h0 h1 h2 in turn: a run per point
    con.execute(f"INSERT INTO db.cpu SELECT make_timestamp_ns(({S0} + 3 + x * 47) * {NS}), "
                "'h' || (x % 3), x * 1.5, x * 7 - 30, 'x' || x, x % 2 = 0 FROM range(12) t(x)")
    yield con
    con.close()


def answer(con: duckdb.DuckDBPyConnection, text: str) -> list[Any]:
    def run(query: exp.Expression, tables: Mapping[str, pa.Table] | None = None) -> pa.Table:
        for name, table in (tables or {}).items():
            con.register(name, table)
        try:
            return con.sql(query.sql("duckdb")).to_arrow_table()
        finally:
            for name in tables or {}:
                con.unregister(name)

    statement = parse_statement(text)
    assert isinstance(statement, ast.SelectStatement)
    series = engine.select(statement, "db", SCHEMA, run, NOW)
    return [(s.name, s.tags, s.columns, s.values) for s in series]


INNER = f"FROM cpu WHERE {RANGE} GROUP BY time(10s), host"


@pytest.mark.parametrize("text", [
    f"SELECT count(a), sum(a) FROM (SELECT mean(v) AS a {INNER} fill(0))",
    f"SELECT a FROM (SELECT mean(v) AS a {INNER} fill(previous))",
    f"SELECT a FROM (SELECT mean(v) AS a {INNER} fill(previous)) ORDER BY time DESC",
    f"SELECT a FROM (SELECT sum(i) AS a {INNER} fill(linear)) GROUP BY host",
    f"SELECT a FROM (SELECT sum(i) AS a {INNER} fill(linear) ORDER BY time DESC) "
    "ORDER BY time DESC",
    f"SELECT * FROM (SELECT last(s) AS a {INNER} fill(previous) LIMIT 5 OFFSET 2)",
    f"SELECT * FROM (SELECT max(v) AS a {INNER} fill(-1))",
    f"SELECT max(a), min(a) FROM (SELECT count(v) AS a {INNER} fill(3)) GROUP BY host",
    f"SELECT a FROM (SELECT a FROM (SELECT mean(v) AS a {INNER} fill(previous)))",
    f"SELECT mean(a) FROM (SELECT mean(v) AS a {INNER} fill(linear)) "
    f"WHERE time >= {S0 + 105}s",
    f"SELECT mean(a), count(a) FROM (SELECT mean(v) AS a {INNER} fill(3)) "
    f"WHERE time >= {S0 + 105}s GROUP BY host ORDER BY time DESC",
    f"SELECT max(a), min(b) FROM (SELECT mean(v) AS a, sum(i) AS b {INNER} fill(previous)) "
    f"WHERE time >= {S0 + 100}s AND host != 'h1'",
    f"SELECT count(a) FROM (SELECT first(b) AS a {INNER} fill(previous)), "
    f"(SELECT mean(v) AS a {INNER} fill(9))",
])
def test_subquery_runs_answer_as_row_by_row(con: duckdb.DuckDBPyConnection, text: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    fast = answer(con, text)
    monkeypatch.setattr(run_fill, "applies", lambda plan, keep: False)
    assert fast == answer(con, text)
    assert fast
