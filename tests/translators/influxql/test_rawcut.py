"""A LIMIT cut of a raw read in 1.x's heap order (`rawcut.py`): on random data, the rows it
answers are the unlimited read's rows from OFFSET on, and the unlimited read's rows are the
heap merge of the series (`readorder.merge_series`)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from translators.influxql import engine
from translators.influxql.errors import QueryError
from translators.influxql.parser import parse_query
from translators.influxql.readorder import SHARD_GROUP, SHARD_ORIGIN, merge_series
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

SCHEMA = StaticSchema({"db": {"m": MeasurementSchema(
    "m", ("a", "b"), {"u": FieldType.FLOAT, "s": FieldType.STRING})}})
NS = 1_000_000_000
BOUNDARY = SHARD_ORIGIN + 2818 * SHARD_GROUP  # a shard group starting in January 2024
NOW = BOUNDARY + 10 * SHARD_GROUP
TAGS = [("x", "1"), ("x", "2"), ("x y", "1"), ("x,z", None), ("y", "1"), ("y", None),
        ("y=1", "2"), ("z", "1"), (None, "1"), ("x", "10"), ("w", "3"), ("x!", "1")]


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."m" ("time" TIMESTAMP_NS, a VARCHAR, b VARCHAR, u DOUBLE, '
                "s VARCHAR)")
    yield con
    con.close()


def load(con: duckdb.DuckDBPyConnection, seed: int) -> tuple[int, int]:
    """Random series: each from a random step to a random later one, at every step of it or
    at most, every 10 s around a shard-group boundary; `s` takes few values so that it ties.
    The window read: some series start before it, some end inside it."""
    rng = random.Random(seed)
    series = rng.sample(TAGS, rng.randint(2, len(TAGS)))
    steps = rng.randint(3, 40)
    first = BOUNDARY - 10 * NS * rng.randint(0, steps)
    dense = rng.random() < 0.5
    rows = []
    for a, b in series:
        start = rng.randint(0, steps - 1) if rng.random() < 0.5 else 0
        end = rng.randint(start, steps - 1) if rng.random() < 0.5 else steps - 1
        for step in range(start, end + 1):
            if dense or rng.random() < 0.7:
                rows.append((first + 10 * NS * step, a, b, float(len(rows)),
                             rng.choice(["p", "q", None])))
    rng.shuffle(rows)
    con.executemany('INSERT INTO "db"."m" VALUES (make_timestamp_ns(?), ?, ?, ?, ?)', rows)
    lower = first + 10 * NS * rng.randint(0, steps // 3)
    upper = first + 10 * NS * rng.randint(steps // 2, steps + 1)
    return lower, upper


def select(con: duckdb.DuckDBPyConnection, text: str, indexed: bool) -> list[Any]:
    (statement,) = parse_query(text, None)

    def series_times(database: str, table: str) -> pa.Table:
        """The store's index of series: every series of the table, whatever the range."""
        return con.sql('SELECT DISTINCT a, b FROM "db"."m"').to_arrow_table()

    found = engine.select(statement, "db", SCHEMA,
                          lambda q: con.sql(q.sql("duckdb")).to_arrow_table(), NOW,
                          series_times=series_times if indexed else None)
    if "GROUP BY" not in text:
        assert len(found) <= 1
        return found[0].values if found else []
    return [(series.tags, series.values) for series in found]


def merged(con: duckdb.DuckDBPyConnection, lower: int, upper: int,
           descending: bool) -> list[float]:
    """`u` of every row of the window, merged by 1.x's heap with series in key order."""
    rows = con.sql(f'SELECT epoch_ns(time), a, b, u FROM "db"."m" WHERE time >= '
                   f"make_timestamp_ns({lower}) AND time < make_timestamp_ns({upper}) "
                   "ORDER BY time").fetchall()

    def key(a: str | None, b: str | None) -> bytes:
        def esc(text: str) -> str:
            return text.replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")
        return ",".join(f"{k}={esc(v)}" for k, v in (("a", a), ("b", b)) if v is not None
                        ).encode()

    keys = sorted({key(a, b) for _, a, b, _ in rows})
    runs = [[{"t": t, "v": u} for t, a, b, u in rows if key(a, b) == k] for k in keys]
    return [p["v"] for p in merge_series(runs, descending)]


@pytest.mark.parametrize("seed", range(40))
def test_cut_answers_the_unlimited_orders_rows_from_offset(
        con: duckdb.DuckDBPyConnection, seed: int) -> None:
    lower, upper = load(con, seed)
    rng = random.Random(seed)
    window = f"time >= {lower} AND time < {upper}"
    for descending in (False, True):
        order = " ORDER BY time DESC" if descending else ""
        every = select(con, f"SELECT u FROM m WHERE {window}{order}", indexed=False)
        assert [row[1] for row in every] == merged(con, lower, upper, descending)
        for fields, condition in [("u", ""), ("u, s", ""), ("s, a, u", ""),
                                  ("u", " AND b != '2'")]:
            text = f"SELECT {fields} FROM m WHERE {window}{condition}{order}"
            full = select(con, text, indexed=False)
            for _ in range(3):
                limit, offset = rng.randint(1, len(full) + 2), rng.randint(0, len(full) // 2)
                cut = f"{text} LIMIT {limit} OFFSET {offset}"
                for indexed in (False, True):
                    assert select(con, cut, indexed) == full[offset:offset + limit], (
                        cut, indexed)
        for fields in ["u", "u, s"]:  # each group cut apart
            text = f"SELECT {fields} FROM m WHERE {window} GROUP BY b{order}"
            groups = select(con, text, indexed=False)
            longest = max((len(values) for _, values in groups), default=0)
            for _ in range(6):
                limit, offset = rng.randint(1, longest + 2), rng.randint(0, longest // 2)
                cut = f"{text} LIMIT {limit} OFFSET {offset}"
                expected = [(tags, values[offset:offset + limit]) for tags, values in groups
                            if values[offset:offset + limit]]
                assert select(con, cut, indexed=True) == expected, cut


def test_a_limit_past_the_rows_cap_keeps_series_order(con: duckdb.DuckDBPyConnection) -> None:
    """Ordering the rows up to the cut would read more than query.max_rows: the first rows in
    time and series order instead, as without the heap; without LIMIT, the usual refusal."""
    rows = [(BOUNDARY + 10 * NS * step, host, None, float(step * 3 + k), None)
            for step in range(4) for k, host in enumerate(["h2", "h0", "h1"])]
    con.executemany('INSERT INTO "db"."m" VALUES (make_timestamp_ns(?), ?, ?, ?, ?)', rows)

    def answer(text: str) -> list[Any]:
        (statement,) = parse_query(text, None)
        found = engine.select(statement, "db", SCHEMA,
                              lambda q: con.sql(q.sql("duckdb")).to_arrow_table(), NOW,
                              engine.Limits(max_rows=5))
        return [row[1] for row in found[0].values]

    assert answer("SELECT u FROM m LIMIT 4") == [1.0, 2.0, 0.0, 4.0]  # h0, h1, h2, then h0
    with pytest.raises(QueryError, match="would exceed 5 rows"):
        answer("SELECT u FROM m")


def test_a_grouped_cut_over_a_range_without_rows(con: duckdb.DuckDBPyConnection) -> None:
    load(con, 1)
    assert select(con, f"SELECT u FROM m WHERE time >= {NOW} GROUP BY b LIMIT 2",
                  indexed=True) == []
