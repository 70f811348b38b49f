"""Casts and division on /api/v3/query_sql as DataFusion types them: a time cast to an integer
is its count of nanoseconds, a float cast to an integer is truncated, `arrow_cast` names an
Arrow type, and an integer divided by an integer is an integer (by zero, an error)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql_tuples, write_lp

# 2024-01-01T00:00:01.123456789Z and a point before the epoch
DATA = b"""m,s=a v=2.7,n=90i,t="12",b=true 1704067201123456789
m,s=b v=-2.7,n=-7i,t="x",b=false -1500000001
"""


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", DATA, "nanosecond")


async def refusal(client: TestClient, query: str) -> str:
    response = await client.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    body = await response.json()
    assert response.status == 400, body
    assert response.headers["Content-Type"].startswith("application/json")
    return body["error"]


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT CAST(time AS BIGINT) AS a, time::bigint AS b, "
                 "arrow_cast(time, 'Int64') AS c FROM m ORDER BY time",
                 [(-1500000001, -1500000001, -1500000001),
                  (1704067201123456789, 1704067201123456789, 1704067201123456789)],
                 id="time-as-nanoseconds"),
    pytest.param("SELECT CAST(date_bin(INTERVAL '1 second', time) AS BIGINT) AS t FROM m "
                 "WHERE s = 'a'", [(1704067201000000000,)], id="date-bin-as-nanoseconds"),
    pytest.param("SELECT CAST(v AS BIGINT) AS a, arrow_cast(v, 'Int32') AS b FROM m "
                 "ORDER BY time", [(-2, -2), (2, 2)], id="float-truncated"),
    pytest.param("SELECT arrow_cast(n, 'Float64') AS f, arrow_cast(n, 'Utf8') AS u, "
                 "arrow_cast(t, 'Int64') AS i, arrow_cast(s, 'Dictionary(Int32, Utf8)') AS d, "
                 "arrow_cast('true', 'Boolean') AS b FROM m WHERE s = 'a'",
                 [(90.0, "90", 12, "a", True)], id="simple-types"),
    pytest.param("SELECT arrow_cast(time, 'Timestamp(Second, None)') AS s, "
                 "arrow_cast(time, 'Timestamp(Millisecond, None)') AS ms, "
                 "arrow_cast(time, 'Timestamp( Microsecond , None )') AS us, "
                 "arrow_cast(time, 'Timestamp(Nanosecond, None)') AS ns FROM m WHERE s = 'a'",
                 [("2024-01-01T00:00:01", "2024-01-01T00:00:01.123", "2024-01-01T00:00:01.123456",
                   "2024-01-01T00:00:01.123456789")], id="timestamp-units-truncate"),
    pytest.param("SELECT arrow_typeof(arrow_cast(time, 'Timestamp(Second, None)')) AS s, "
                 "arrow_typeof(arrow_cast(time, 'Timestamp(Millisecond, None)')) AS ms, "
                 "arrow_typeof(arrow_cast(n, 'Int32')) AS i FROM m WHERE s = 'a'",
                 [("Timestamp(Second, None)", "Timestamp(Millisecond, None)", "Int32")],
                 id="arrow-typeof-of-casts"),
    pytest.param("SELECT arrow_cast(arrow_cast(time, 'Timestamp(Millisecond, None)'), 'Int64') "
                 "AS ms, CAST(arrow_cast(time, 'Timestamp(Second, None)') AS BIGINT) AS s "
                 "FROM m WHERE s = 'a'", [(1704067201123, 1704067201)],
                 id="timestamp-unit-counts"),
    pytest.param("SELECT arrow_cast(1704067201, 'Timestamp(Second, None)') AS s, "
                 "arrow_cast(1704067201123, 'Timestamp(Millisecond, None)') AS ms, "
                 "arrow_cast(1704067201123456789, 'Timestamp(Nanosecond, None)') AS ns",
                 [("2024-01-01T00:00:01", "2024-01-01T00:00:01.123",
                   "2024-01-01T00:00:01.123456789")], id="integers-as-counts-of-the-unit"),
    pytest.param("SELECT arrow_cast('2024-01-01T01:00:01.123456789+01:00', "
                 "'Timestamp(Millisecond, None)') AS ms",
                 [("2024-01-01T00:00:01.123",)], id="text-read-as-arrow-reads-it"),
])
async def test_casts_as_datafusion_casts(loaded: TestClient, query: str,
                                         expected: list[tuple[object, ...]]) -> None:
    assert await sql_tuples(loaded, "db1", query) == expected


@pytest.mark.parametrize(("query", "error"), [
    pytest.param("SELECT arrow_cast(v, 'Float65') AS x FROM m",
                 "Execution error: Unsupported type 'Float65'. Must be a supported arrow type "
                 "name such as 'Int32' or 'Timestamp(Nanosecond, None)'. Error unrecognized "
                 "word: Float65", id="unknown-type"),
    pytest.param("SELECT arrow_cast(v, s) AS x FROM m", "Execution error: arrow_cast requires "
                 "its second argument to be a non-empty constant string", id="type-not-constant"),
    pytest.param("SELECT arrow_cast(v) AS x FROM m",
                 "Execution error: arrow_cast function requires 2 arguments, got 1",
                 id="one-argument"),
    pytest.param("SELECT arrow_cast('garbage', 'Timestamp(Second, None)') AS x",
                 "Arrow error: Parser error: Error parsing timestamp from 'garbage': timestamp "
                 "must contain at least 10 characters", id="text-that-is-no-time"),
])
async def test_arrow_cast_refused_in_datafusions_words(loaded: TestClient, query: str,
                                                       error: str) -> None:
    assert await refusal(loaded, query) == error


async def test_arrow_cast_to_a_type_the_store_lacks_names_it(loaded: TestClient) -> None:
    error = await refusal(loaded, "SELECT arrow_cast(n, 'Duration(Second)') AS x FROM m")
    assert error.startswith("arrow_cast to 'Duration(Second)' is not supported"), error


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT n / 4 AS q, n % 4 AS r, arrow_typeof(n / 4) AS k FROM m ORDER BY time",
                 [(-1, -3, "Int64"), (22, 2, "Int64")], id="integers-truncate"),
    pytest.param("SELECT 7 / 2 AS a, (n + 1) / 2 AS b, -7 / 2 AS c FROM m WHERE s = 'a'",
                 [(3, 45, -3)], id="integer-expressions"),
    pytest.param("SELECT count(*) / 4 AS a, sum(n) / 4 AS b, max(n) / 4 AS c FROM m",
                 [(0, 20, 22)], id="integer-aggregates"),
    pytest.param("SELECT n / 4.0 AS a, v / 2 AS b, n / v AS c FROM m WHERE s = 'a'",
                 [(22.5, 1.35, 90 / 2.7)], id="a-float-divides-as-floats"),
    pytest.param("SELECT v / 0 > 1e300 AS a, -v / 0 < -1e300 AS b, isnan((v - v) / 0) AS c, "
                 "isnan(v % 0) AS d FROM m WHERE s = 'a'", [(True, True, True, True)],
                 id="a-float-by-zero-is-infinite-or-nan"),
])
async def test_division_as_datafusion_divides(loaded: TestClient, query: str,
                                              expected: list[tuple[object, ...]]) -> None:
    assert await sql_tuples(loaded, "db1", query) == expected


@pytest.mark.parametrize("query", [
    pytest.param("SELECT n / 0 AS x FROM m", id="column-by-zero"),
    pytest.param("SELECT n / (n - n) AS x FROM m", id="column-by-computed-zero"),
    pytest.param("SELECT n % 0 AS x FROM m", id="modulo-by-zero"),
    pytest.param("SELECT 1 / 0 AS x", id="literal-by-zero"),
])
async def test_integer_division_by_zero_fails(loaded: TestClient, query: str) -> None:
    assert await refusal(loaded, query) == "Arrow error: Divide by zero error"
