"""A subquery's calls' fill runs joined a stretch at a time answer what the row-by-row join
answers, on random sparse data."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

from tests.translators.influxql.duckrun import runner
from translators.influxql import ast, engine, run_join
from translators.influxql.engine import Limits
from translators.influxql.errors import QueryError
from translators.influxql.parser import parse_statement
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

S0 = 1_704_067_200  # 2024-01-01T00:00:00Z
NS = 1_000_000_000
NOW = (S0 + 3600) * NS
SCHEMA = StaticSchema({"db": {"cpu": MeasurementSchema(
    "cpu", ("host", "dc"), {"v": FieldType.FLOAT, "i": FieldType.INTEGER,
                            "s": FieldType.STRING})}})


def loaded(seed: int) -> duckdb.DuckDBPyConnection:
    """A few points over 10 minutes, hosts and fields at random (some left out)."""
    rng = random.Random(seed)
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, dc VARCHAR, '
                "v DOUBLE, i BIGINT, s VARCHAR)")
    rows = []
    for second in sorted(rng.sample(range(600), rng.randint(4, 14))):
        rows.append(((S0 + second) * NS, f"h{rng.randrange(3)}", rng.choice(["x", "y"]),
                     rng.choice([None, rng.uniform(-9, 9), 2.5]),
                     rng.choice([None, rng.randint(-50, 50), 0]),
                     rng.choice([None, "a", "b"])))
    con.executemany('INSERT INTO db.cpu VALUES (make_timestamp_ns(?), ?, ?, ?, ?, ?)', rows)
    return con


def answer(con: duckdb.DuckDBPyConnection, text: str, max_buckets: int = 100_000) -> Any:
    run = runner(con)
    statement = parse_statement(text)
    assert isinstance(statement, ast.SelectStatement)
    try:
        series = engine.select(statement, "db", SCHEMA, run, NOW,
                               Limits(max_buckets=max_buckets, max_rows=10_000_000))
    except QueryError as exc:
        return str(exc)
    return [(s.name, s.tags, s.columns, [_typed(r) for r in s.values]) for s in series]


def _typed(row: list[Any]) -> list[Any]:
    """A row's values with their Python types, NaN equal to NaN."""
    return [("nan",) if isinstance(v, float) and v != v else (type(v).__name__, v) for v in row]


RANGE = f"time >= {S0}s AND time < {S0 + 600}s"
LISTS = ["mean(v) AS a, count(i) AS b", "max(i) AS a, min(i) AS b, sum(v) AS c",
         "last(s) AS a, first(v) AS b", "count(v) AS a, count(i) AS b"]
FILLS = ["fill(0)", "fill(-1.5)", "fill(previous)", "fill(linear)"]
PARENTS = ["SELECT * FROM ({})", "SELECT * FROM ({}) GROUP BY host",
           "SELECT * FROM ({}) ORDER BY time DESC", "SELECT a, b FROM ({}) GROUP BY dc",
           "SELECT count(a), count(b) FROM ({}) GROUP BY host ORDER BY time DESC"]


@pytest.fixture(scope="module", params=range(6))
def con(request: pytest.FixtureRequest) -> Iterator[duckdb.DuckDBPyConnection]:
    con = loaded(request.param)
    yield con
    con.close()


@pytest.mark.parametrize("fields", LISTS)
@pytest.mark.parametrize("fill", FILLS)
@pytest.mark.parametrize("parent", PARENTS)
def test_joined_columns_answer_as_row_by_row(con: duckdb.DuckDBPyConnection, fields: str,
                                             fill: str, parent: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # with a lower bound every run starts at the range's; without, at its own first point
    for where in (RANGE, f"time < {S0 + 600}s"):
        inner = f"SELECT {fields} FROM cpu WHERE {where} GROUP BY time(30s), host, dc {fill}"
        text = parent.format(inner) + (" LIMIT 7 OFFSET 2" if "count(" not in parent else "")
        used: list[bool] = []
        monkeypatch.setattr(run_join, "joined_columns", _spy(run_join.joined_columns, used))
        fast = answer(con, text)
        monkeypatch.setattr(run_join, "applies", lambda plan, keep: False)
        slow = answer(con, text)
        monkeypatch.undo()
        assert fast == slow, text
        # (text beside fill's number mixes types in a column: joined row by row)
        mixed = "last(s)" in fields and fill in ("fill(0)", "fill(-1.5)")
        assert isinstance(fast, list) and used and (all(used) or mixed), text


def _spy(joined: Any, used: list[bool]) -> Any:
    """`joined_columns`, noting in `used` whether it answered (not left to the rows)."""
    def spy(*args: Any, **kwargs: Any) -> Any:
        found = joined(*args, **kwargs)
        used.append(found is not None)
        return found

    return spy


def test_stretches_walk_the_join() -> None:
    # call 0: runs of series 0, 1, 0 from bucket 0; call 1: series 1 from bucket 1 (of 0..2)
    found = run_join.stretches({0: [(0, 0), (1, 0), (0, 0)], 1: [(1, 1)]}, 2, False)
    assert [(s.rank, s.first, s.count, s.parts) for s in found] == [
        (0, 0, 3, ((0, 0, 0),)), (1, 0, 1, ((0, 1, 0),)),
        (1, 1, 2, ((0, 1, 1), (1, 0, 0))), (0, 0, 3, ((0, 2, 0),))]
    # under DESC from the last bucket down, the greatest series first
    found = run_join.stretches({0: [(0, 0), (1, 0)], 1: [(1, 1)]}, 2, True)
    # (each call's stream in its own order: call 0's series 0 run comes before its series 1)
    assert [(s.rank, s.first, s.count, s.parts) for s in found] == [
        (1, 2, 2, ((1, 0, 0),)), (0, 2, 3, ((0, 0, 0),)), (1, 2, 3, ((0, 1, 0),))]
    assert run_join.row_count(found) == 8


def _forty_points() -> duckdb.DuckDBPyConnection:
    """40 points 14 s apart from 5 s after S0, hosts h0 and h1 in turn."""
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, dc VARCHAR, '
                "v DOUBLE, i BIGINT, s VARCHAR)")
    con.execute(f"INSERT INTO db.cpu SELECT make_timestamp_ns(({S0} + 5 + x * 14) * {NS}), "
                "'h' || (x % 2), 'x', x * 1.5, x, 'a' FROM range(40) t(x)")
    return con


def test_the_cap_counts_joined_rows() -> None:
    # 40 points, hosts in turn: 40 runs of 600 buckets, both calls' points in the same ones
    con = _forty_points()
    inner = f"SELECT mean(v) AS a, max(v) AS b FROM cpu WHERE {RANGE} GROUP BY time(1s), host"
    text = f"SELECT count(a), sum(b) FROM ({inner} fill(0))"
    expected = [("cpu", None, ["time", "count", "sum"], [_typed([0, 24_000, 1170.0])])]
    assert answer(con, text, max_buckets=2400) == expected
    assert answer(con, text, max_buckets=2399) == (
        "the subquery's fill() would answer more than 23990 rows (a run per change of "
        "series); narrow its time range or widen its GROUP BY time")


def test_one_call_and_two_calls_share_the_cap() -> None:
    # 40 points, hosts in turn, no lower bound: 40 runs, run x filling from its own first
    # bucket (5 + 14x seconds after the first point's) to the 599th, 12,880 rows in all
    con = _forty_points()
    where = f"time < {S0 + 600}s GROUP BY time(1s), host fill(0)"
    one = f"SELECT count(a) FROM (SELECT mean(v) AS a FROM cpu WHERE {where})"
    two = (f"SELECT count(a), count(b) FROM (SELECT mean(v) AS a, max(v) AS b FROM cpu "
           f"WHERE {where})")
    assert answer(con, one, max_buckets=1288) == [
        ("cpu", None, ["time", "count"], [_typed([0, 12_880])])]
    assert answer(con, two, max_buckets=1288) == [
        ("cpu", None, ["time", "count", "count_1"], [_typed([0, 12_880, 12_880])])]
    refused = ("the subquery's fill() would answer more than 12870 rows (a run per change of "
               "series); narrow its time range or widen its GROUP BY time")
    assert answer(con, one, max_buckets=1287) == refused
    assert answer(con, two, max_buckets=1287) == refused
    # under ORDER BY time DESC too
    for text in (one, two):
        desc = f"{text[:-1]} ORDER BY time DESC) ORDER BY time DESC"
        assert answer(con, desc, max_buckets=1287) == refused
        assert answer(con, desc, max_buckets=1288) == answer(con, text, max_buckets=1288)
