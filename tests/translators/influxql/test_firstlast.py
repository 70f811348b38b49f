"""first()/last() between series tied on time, picked as 1.6.7 picks them (`firstlast.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

from translators.influxql import engine, parser
from translators.influxql.readorder import heap_merge
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

S0 = 1_704_067_200  # 2024-01-01T00:00:00Z, a Monday: a shard group starts here
NS = 1_000_000_000
M = MeasurementSchema("m", ("host", "rack"), {"v": FieldType.FLOAT, "ok": FieldType.BOOLEAN})
SCHEMA = StaticSchema({"db": {"m": M}, "db2": {"m": M}})
# (host, rack, seconds after S0, v, ok); hosts a, b, c tie at 0 s and at 60 s.
ROWS = [
    ("a", "r1", 0, 1.0, True), ("b", None, 0, 3.0, False), ("c", "r2", 0, 2.0, True),
    ("a", "r1", 60, 5.0, False), ("b", None, 60, 4.0, True), ("c", "r2", 60, 6.0, False),
]
# The same measurement in a second database: a at 0 s and b at 60 s, tied with the first's.
ROWS2 = [("a", "r1", 0, 2.5, False), ("b", None, 60, 6.5, True)]
BOTH = '"db".."m", "db2".."m"'
BOTH_REVERSED = '"db2".."m", "db".."m"'


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    for database, rows in (("db", ROWS), ("db2", ROWS2)):
        con.execute(f'CREATE SCHEMA "{database}"')
        con.execute(f'CREATE TABLE "{database}"."m" ("time" TIMESTAMP_NS, host VARCHAR, '
                    'rack VARCHAR, v DOUBLE, ok BOOLEAN)')
        for host, rack, seconds, v, ok in rows:
            con.execute(f'INSERT INTO "{database}"."m" VALUES (make_timestamp_ns(?), ?, ?, ?, ?)',
                        [(S0 + seconds) * NS, host, rack, v, ok])
    yield con
    con.close()


def answer(con: duckdb.DuckDBPyConnection, text: str) -> list[Any]:
    series = engine.select(parser.parse_statement(text), "db", SCHEMA,
                           lambda q: con.sql(q.sql("duckdb")).to_arrow_table(), (S0 + 3600) * NS)
    return [row[1:] for s in series for row in s.values]


# Each expected answer is InfluxDB 1.6.7's for the same points.
@pytest.mark.parametrize(("text", "expected"), [
    # No companions: Go's heap over [a, b, c] pops a, then leaves c on top; the reducer sees
    # 1 and 2 and keeps the larger. Neither the first series (1) nor the largest value (3).
    pytest.param("SELECT first(v) FROM m", [[2.0]], id="first-not-series-nor-max"),
    # A companion orders the heap: by host, a then b reach the reducer
    pytest.param("SELECT first(v), host FROM m", [[3.0, "b"]], id="first-ordered-by-companion"),
    # b has no rack, so it compares equal to every series and the heap leaves a and c
    pytest.param("SELECT first(v), rack FROM m", [[2.0, "r2"]], id="first-companion-missing"),
    # last: series in reverse order [c, b, a], newest first
    pytest.param("SELECT last(v), host FROM m", [[6.0, "c"]], id="last-reversed-order"),
    # booleans: first keeps false and last keeps true, of the two the heap lets through
    pytest.param("SELECT first(ok) FROM m", [[True]], id="first-bool-two-through"),
    pytest.param("SELECT last(ok) FROM m", [[False]], id="last-bool-two-through"),
    # one series alone at the selected time: no tie to break
    pytest.param("SELECT first(v) FROM m WHERE host = 'b'", [[3.0]], id="one-series"),
])
def test_tie_between_series(con: duckdb.DuckDBPyConnection, text: str,
                            expected: list[Any]) -> None:
    assert answer(con, text) == expected


# Two databases: each one's point as above, then the earlier (later) of the two and, at equal
# times, the larger value, in either FROM order (the rule the oracle's `pair` cases pin).
@pytest.mark.parametrize(("text", "expected"), [
    # db's pick is 2 (above), db2's 2.5: neither db's pick nor the largest value (3)
    pytest.param(f"SELECT first(v) FROM {BOTH}", [[2.5]], id="first"),
    pytest.param(f"SELECT first(v) FROM {BOTH_REVERSED}", [[2.5]], id="first-reversed"),
    # db's pick is c's 6 with its companion, db2's b's 6.5
    pytest.param(f"SELECT last(v), host FROM {BOTH_REVERSED}", [[6.5, "b"]],
                 id="last-with-companion"),
    pytest.param(f"SELECT first(ok), last(ok) FROM {BOTH}", [[False, True]], id="booleans"),
    # per group: a's first is db2's, its last db's; b's first is db's alone
    pytest.param(f"SELECT first(v), last(v) FROM {BOTH} GROUP BY host",
                 [[2.5, 5.0], [3.0, 6.5], [2.0, 6.0]], id="by-host"),
])
def test_tie_between_databases(con: duckdb.DuckDBPyConnection, text: str,
                               expected: list[Any]) -> None:
    assert answer(con, text) == expected


@pytest.mark.parametrize("size", range(2, 12))
def test_equal_items_leave_the_heap_first_and_last_first(size: int) -> None:
    """The shortcut resolve takes when every series ties on time and no companion orders
    them rests on this: Go's heap moves no equal item, so the first two out are the first and
    the last."""
    items = [[index] for index in range(size)]
    assert heap_merge(items, lambda a, b: False, limit=2) == [0, size - 1]
