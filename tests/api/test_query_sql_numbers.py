"""/api/v3/query_sql: integer literals past Int64, typed and named as DataFusion does."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql, write_lp


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", b"cpu v=1 1700000000\n", "s")


@pytest.mark.parametrize(("literal", "row"), [
    pytest.param("9223372036854775807", {"Int64(9223372036854775807)": 9223372036854775807},
                 id="int64-max"),
    pytest.param("-9223372036854775808",
                 {"Int64(-9223372036854775808)": -9223372036854775808}, id="int64-min"),
    pytest.param("18446744073709551615",
                 {"UInt64(18446744073709551615)": 18446744073709551615}, id="uint64-max"),
    pytest.param("-9223372036854775809",
                 {"Float64(-9.223372036854776e+18)": -9.223372036854776e18}, id="below-int64"),
    pytest.param("170141183460469231731687303715884105728",
                 {"Float64(1.7014118346046923e+38)": 1.7014118346046923e38},
                 id="past-int128"),  # DuckDB alone answers a wrapped-around negative decimal
    pytest.param("9" * 53, {"Float64(1e+53)": 1e53}, id="bignum"),  # DuckDB: opaque bytes
])
async def test_big_integer_literals(loaded: TestClient, literal: str, row: dict) -> None:
    assert await sql(loaded, "db1", f"SELECT {literal}") == [row]


async def test_thousands_of_digits(loaded: TestClient) -> None:
    # past Python's int() digit limit: the name was a 500
    response = await loaded.get("/api/v3/query_sql",
                                params={"db": "db1", "q": "SELECT 1" + "0" * 5000,
                                        "format": "csv"})
    assert response.status == 200, await response.text()
    assert (await response.text()).splitlines() == ["Float64(inf)", "inf"]


async def test_big_integer_in_a_filter(loaded: TestClient) -> None:
    rows = await sql(loaded, "db1", "SELECT v FROM cpu WHERE v < 99999999999999999999999999")
    assert rows == [{"v": 1.0}]


async def test_big_integer_parameters(loaded: TestClient) -> None:
    body = '{"db": "db1", "q": "SELECT $n AS n", "params": {"n": 18446744073709551616}}'
    response = await loaded.post("/api/v3/query_sql", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 200, await response.text()
    assert await response.json() == [{"n": 1.8446744073709552e19}]
    digits = "1" + "0" * 5000  # past the digit limit of Python's int(): a 400, not a 500
    body = '{"db": "db1", "q": "SELECT $n AS n", "params": {"n": ' + digits + "}}"
    response = await loaded.post("/api/v3/query_sql", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400, await response.text()
    assert "error" in await response.json()


@pytest.fixture
async def extremes(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", b"m,t=a i=9223372036854775807i,u=18446744073709551615u "
                          b"1700000000\nm,t=b i=9223372036854775806i,u=18446744073709551614u "
                          b"1700000010\n", "s")


@pytest.mark.parametrize(("query", "rows"), [
    # DataFusion 50 adds, subtracts and multiplies 64-bit integers wrapping around, and sums
    # them so: DuckDB answered an overflow error, or a sum past Int64 as a 128-bit integer
    pytest.param("SELECT 9223372036854775807 + 1",
                 [{"Int64(9223372036854775807) + Int64(1)": -9223372036854775808}],
                 id="literals-added"),
    pytest.param("SELECT i + 1 AS x FROM m ORDER BY time",
                 [{"x": -9223372036854775808}, {"x": 9223372036854775807}], id="column-added"),
    pytest.param("SELECT i * 2 AS x FROM m ORDER BY time", [{"x": -2}, {"x": -4}],
                 id="column-multiplied"),
    pytest.param("SELECT -i - 2 FROM m ORDER BY time",  # named as written
                 [{"-i - 2": 9223372036854775807}, {"-i - 2": -9223372036854775808}],
                 id="negated-and-subtracted"),
    pytest.param("SELECT sum(i) FROM m", [{"sum(m.i)": -3}], id="sum-of-int64"),
    pytest.param("SELECT sum(u) AS s FROM m", [{"s": 18446744073709551613}], id="sum-of-uint64"),
    pytest.param("SELECT sum(i) OVER (ORDER BY time) AS s FROM m ORDER BY time",
                 [{"s": 9223372036854775807}, {"s": -3}], id="running-sum"),
    pytest.param("SELECT sum(i) FILTER (WHERE i > 0) + 0 AS s FROM m", [{"s": -3}],
                 id="filtered-sum"),
    pytest.param("SELECT x FROM (SELECT i + 1 AS x FROM m) AS s WHERE x < 0",
                 [{"x": -9223372036854775808}], id="in-a-subquery"),
    pytest.param("SELECT date_bin(INTERVAL '1 hour', time) AS b, sum(i) AS s FROM m GROUP BY 1",
                 [{"b": "2023-11-14T22:00:00", "s": -3}], id="grouped-by-time"),
    pytest.param("SELECT i + 1 - 1 AS x FROM m ORDER BY time",  # no overflow, no change
                 [{"x": 9223372036854775807}, {"x": 9223372036854775806}], id="round-trip"),
    # (2^64 - 1)^2 is past a signed 128-bit integer: unsigned products are taken in 128
    # unsigned bits (DuckDB answered 'Overflow in multiplication of INT128')
    pytest.param("SELECT u * u AS x FROM m ORDER BY time", [{"x": 1}, {"x": 4}],
                 id="uint64-multiplied"),
    pytest.param("SELECT u * u * u AS x FROM m ORDER BY time",
                 [{"x": 18446744073709551615}, {"x": 18446744073709551608}],
                 id="uint64-multiplied-twice"),
])
async def test_integer_arithmetic_wraps_around(extremes: TestClient, query: str,
                                               rows: list[dict[str, object]]) -> None:
    assert await sql(extremes, "db1", query) == rows


@pytest.mark.parametrize(("item", "values"), [
    pytest.param("i + 1 IN (1, 2)", [False, False], id="in-a-predicate"),
    pytest.param("SUM(i) OVER ()", [-3, -3], id="windowed-sum"),
    pytest.param("FIRST_VALUE(i + 1) OVER (ORDER BY time)",
                 [-9223372036854775808] * 2, id="in-a-window-call"),
    pytest.param("COALESCE(i * 2, 0)", [-2, -4], id="in-a-call"),
])
async def test_an_item_holding_wrapped_arithmetic_is_named_as_written(
        extremes: TestClient, item: str, values: list[object]) -> None:
    """An unaliased item that holds a wrapped +, -, * or sum keeps its name as written; it
    was named by DuckDB after the 128-bit rewrite (CAST(((((CAST(i AS INT128) + ...)."""
    rows = await sql(extremes, "db1", f"SELECT {item} FROM m ORDER BY time")
    assert rows == [{item: value} for value in values]


def _wrapped(value: int) -> int:
    return (value + 2**63) % 2**64 - 2**63


async def test_a_long_sum_wraps_once(extremes: TestClient) -> None:
    # a sum inside a sum is wrapped at the outermost only: wrapping each of 300 terms nested
    # the SQL past what sqlglot can print ("the query nests too deeply")
    query = "SELECT " + " + ".join(["i"] * 300) + " AS x FROM m ORDER BY time"
    assert await sql(extremes, "db1", query) == [
        {"x": _wrapped(300 * 9223372036854775807)}, {"x": _wrapped(300 * 9223372036854775806)}]
