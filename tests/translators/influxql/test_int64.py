"""int64.py: integer sums wrapped as 1.x's int64 arithmetic wraps them."""

from __future__ import annotations

import duckdb
import pytest
from sqlglot import exp

from translators.influxql.durations import wrap_int64
from translators.influxql.int64 import risk, wrapped, wrapped_mean
from translators.influxql.readorder import SHARD_GROUP

BIG = (1 << 63) - 1
SMALL = -(1 << 63)


@pytest.mark.parametrize(("values", "expected"), [
    pytest.param([1, 2, 3], 6, id="small"),
    pytest.param([BIG, 1], SMALL, id="over-the-top"),
    pytest.param([SMALL, -1], BIG, id="under-the-bottom"),
    pytest.param([BIG, BIG, BIG, 5], SMALL + 2, id="several-turns"),
    pytest.param([BIG, -BIG], 0, id="back-in-range"),
])
def test_sql_and_python_wrap_alike(values: list[int], expected: int) -> None:
    total = sum(values)
    assert wrap_int64(total) == expected
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v BIGINT)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
    query = exp.select(wrapped(exp.Sum(this=exp.column("v"))).as_("s")).from_("t")
    assert con.execute(query.sql(dialect="duckdb")).fetchone() == (expected,)


@pytest.mark.parametrize(("values", "flagged"), [
    pytest.param([1, 2, 3], False, id="small"),
    pytest.param([BIG // 2, BIG // 2], False, id="fits-exactly"),
    pytest.param([BIG // 2 + 1, 1], True, id="count-times-largest-passes"),
    pytest.param([SMALL], True, id="the-smallest-alone"),
])
def test_risk_flags_groups_a_series_sum_might_wrap(values: list[int], flagged: bool) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v BIGINT)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
    query = exp.select(risk(exp.column("v")).as_("r")).from_("t")
    assert con.execute(query.sql(dialect="duckdb")).fetchone() == (flagged,)


def test_wrapped_mean_wraps_per_series_and_shard_group_then_adds_floats() -> None:
    t = 10 * SHARD_GROUP
    points = [
        {"t": t, "v": BIG, "s": ["a"]}, {"t": t + 1, "v": 3, "s": ["a"]},  # wraps: -2^63 + 2
        {"t": t, "v": BIG, "s": ["b"]},  # alone: no wrap
        {"t": t - SHARD_GROUP, "v": 5, "s": ["a"]},  # another shard group
    ]
    expected = (float(SMALL + 2) + float(BIG) + 5.0) / 4
    assert wrapped_mean(points) == expected
    assert wrapped_mean([]) is None
