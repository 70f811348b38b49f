"""A lone last()'s expected groups: counted in Arrow for statements without conditions, the
same as the DuckDB query that statements with conditions use."""

from __future__ import annotations

import random
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from sqlglot import exp

from translators.influxql import recent
from translators.influxql.schema import MeasurementSchema
from translators.lineprotocol import FieldType

SCHEMA = MeasurementSchema("cpu", ("cpu", "host", "region"), {"v": FieldType.FLOAT})
NO_CONDITION: Any = SimpleNamespace(condition=None)


def _series(count: int, seed: int) -> pa.Table:
    """A series table as the writer's index gives it: tags (null where a series lacks one)
    and each series' latest time."""
    rng = random.Random(seed)
    hosts = [rng.choice(["a", "b", "c", None]) for _ in range(count)]
    cpus = [rng.choice(["cpu0", "cpu1", None]) for _ in range(count)]
    regions = [rng.choice(["eu", "us"]) for _ in range(count)]
    times = [rng.randrange(0, 1_000) for _ in range(count)]
    return pa.table({"cpu": pa.array(cpus, pa.string()), "host": pa.array(hosts, pa.string()),
                     "region": pa.array(regions, pa.string()),
                     "time": pa.array(times, pa.int64())})


def _run(query: exp.Expression, tables: Mapping[str, pa.Table]) -> pa.Table:
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    return con.execute(query.sql(dialect="duckdb")).to_arrow_table()


@pytest.mark.parametrize("dimensions", [[], ["host"], ["host", "cpu"], ["zone"],
                                        ["region", "zone", "host"]])
@pytest.mark.parametrize(("lower", "upper"), [(0, 2_000), (400, 2_000), (400, 450),
                                              (999, 2_000), (1_000, 2_000)])
def test_arrow_counts_the_groups_as_the_query_does(dimensions: list[str], lower: int,
                                                   upper: int) -> None:
    times = _series(300, seed=len(dimensions) * 7 + lower)
    by_arrow = recent._expected_groups(NO_CONDITION, SCHEMA, dimensions, times, lower, upper,
                                       _run)
    by_sql = recent._expected_by_sql(NO_CONDITION, SCHEMA, dimensions, times, lower, upper,
                                     _run)
    assert by_arrow == by_sql
    if lower <= 400:  # some of the 300 series reach past it
        assert by_arrow[0] and by_arrow[1] is not None
