"""A parent's GROUP BY time over a subquery's sample() rows, run by run: fill()'s cap."""

from __future__ import annotations

import duckdb

from tests.translators.influxql.test_run_join import NS, S0, answer

RANGE = f"time >= {S0 * NS} AND time < {(S0 + 600) * NS}"


def _points() -> duckdb.DuckDBPyConnection:
    """Two hosts, a point every 30 s over 10 minutes."""
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, dc VARCHAR, '
                "v DOUBLE, i BIGINT, s VARCHAR)")
    con.execute(f"INSERT INTO db.cpu SELECT make_timestamp_ns(({S0} + x * 30) * {NS}), "
                "'h' || (x % 2), 'x', x * 1.5, x, 'a' FROM range(20) t(x)")
    return con


def test_the_fill_of_runs_keeps_to_the_bucket_cap() -> None:
    # the range open to now (an hour on) fills 60 one-minute buckets after the rows' runs
    con = _points()
    inner = f"SELECT sample(v, 9) AS a FROM cpu WHERE {RANGE} GROUP BY time(5m), host"
    text = f"SELECT sum(a) FROM ({inner}) WHERE time >= {S0 * NS} GROUP BY time(1m)"
    found = answer(con, text, max_buckets=61)
    assert isinstance(found, list) and found[0][2] == ["time", "sum"]
    # runs of h0 then h1 per 5-minute bucket: 20 rows going back and forth, then the fill
    # from the expected bucket (20 minutes in) up to now's
    assert len(found[0][3]) == 20 + 41
    assert answer(con, text, max_buckets=60) == (
        "the query would return more than 60 buckets per series; narrow its time range or "
        "widen the GROUP BY time interval")
