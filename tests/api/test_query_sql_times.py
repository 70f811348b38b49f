"""Times on /api/v3/query_sql as DataFusion types them: casts to TIMESTAMP and times written as
text keep their nanoseconds, and text with an offset or zone is read as that instant."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql_tuples, write_lp

# points one nanosecond apart around the start of 2024 (1704067200 s)
DATA = b"""m,s=a v=1 1704067199999999999
m,s=a v=2 1704067200000000000
m,s=a v=3 1704067200000000001
m,s=a v=4 1704067200000000002
"""


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", DATA)


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT CAST(time AS TIMESTAMP) AS t FROM m WHERE v = 3",
                 [("2024-01-01T00:00:00.000000001",)], id="cast-keeps-nanoseconds"),
    pytest.param("SELECT time::timestamp AS t FROM m WHERE v = 4",
                 [("2024-01-01T00:00:00.000000002",)], id="double-colon-cast"),
    pytest.param("SELECT arrow_typeof(CAST(time AS TIMESTAMP)) AS k FROM m WHERE v = 1",
                 [("Timestamp(Nanosecond, None)",)], id="cast-type-is-nanoseconds"),
    pytest.param("SELECT v FROM m WHERE time = '2024-01-01T00:00:00.000000001Z'", [(3.0,)],
                 id="where-text-with-nanoseconds"),
    pytest.param("SELECT arrow_typeof(to_timestamp(v)) AS k, to_timestamp(1704067200.5) AS t "
                 "FROM m WHERE v = 1", [("Timestamp(Nanosecond, None)", "2024-01-01T00:00:00.5")],
                 id="to-timestamp-of-seconds-is-nanoseconds"),
])
async def test_casts_keep_nanoseconds(loaded: TestClient, query: str,
                                      expected: list[tuple[object, ...]]) -> None:
    assert await sql_tuples(loaded, "db1", query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT v FROM m WHERE CAST(time AS TIMESTAMP) = "
                 "CAST('2024-01-01T00:00:00.000000001' AS TIMESTAMP)", [(3.0,)],
                 id="cast-compared-with-cast-text"),
    pytest.param("SELECT v FROM m WHERE time = TIMESTAMP '2024-01-01 00:00:00.000000002'",
                 [(4.0,)], id="timestamp-literal"),
    pytest.param("SELECT v FROM m WHERE time = to_timestamp('2024-01-01T00:00:00.000000001Z')",
                 [(3.0,)], id="to-timestamp-of-text"),
    pytest.param("SELECT v FROM m WHERE time = to_timestamp('2024-01-01T01:00:00.000000002"
                 "+01:00')", [(4.0,)], id="to-timestamp-of-text-with-offset"),
    pytest.param("SELECT v FROM m WHERE time >= '2024-01-01T01:00:00.000000001+01:00' "
                 "ORDER BY v", [(3.0,), (4.0,)], id="where-bound-with-offset"),
    pytest.param("SELECT v FROM m WHERE time < '2023-12-31T19:00:00.000000001-05:00' "
                 "ORDER BY v", [(1.0,), (2.0,)], id="where-bound-with-negative-offset"),
    pytest.param("SELECT v FROM m WHERE time >= '2024-01-01T01:00:00.000000001+01:00'"
                 "::timestamptz ORDER BY v", [(3.0,), (4.0,)], id="where-bound-timestamptz"),
    pytest.param("SELECT v FROM m WHERE time < CAST('2024-01-01T00:00:00Z' AS TIMESTAMP WITH "
                 "TIME ZONE) ORDER BY v", [(1.0,)], id="where-bound-cast-timestamptz"),
    pytest.param("SELECT v FROM m WHERE time BETWEEN '2024-01-01T00:00:00.000000001Z'::"
                 "timestamptz AND '2024-01-01T00:00:00.000000002Z' ORDER BY v",
                 [(3.0,), (4.0,)], id="between-timestamptz"),
    pytest.param("SELECT v FROM m WHERE '2024-01-01T00:00:00.000000001Z' < m.time",
                 [(4.0,)], id="where-bound-on-the-left"),
    pytest.param("SELECT v FROM m WHERE time BETWEEN '2024-01-01T09:00:00.000000000 "
                 "Asia/Tokyo' AND '2024-01-01T09:00:00.000000001+09:00' ORDER BY v",
                 [(2.0,), (3.0,)], id="between-zone-name-and-offset"),
    pytest.param("SELECT date_bin(INTERVAL '1 hour', time, '2024-01-01T00:00:00.000000001Z') "
                 "AS t, count(*) AS n FROM m GROUP BY 1 ORDER BY 1",
                 [("2023-12-31T23:00:00.000000001", 2), ("2024-01-01T00:00:00.000000001", 2)],
                 id="date-bin-origin-with-nanoseconds"),
    pytest.param("SELECT date_bin(INTERVAL '2 nanoseconds', time, "
                 "TIMESTAMP '2024-01-01T01:00:00.000000001+01:00') AS t, count(*) AS n "
                 "FROM m GROUP BY 1 ORDER BY 1",
                 [("2023-12-31T23:59:59.999999999", 2), ("2024-01-01T00:00:00.000000001", 2)],
                 id="date-bin-origin-timestamp-literal-with-offset"),
])
async def test_text_keeps_nanoseconds(loaded: TestClient, query: str,
                                      expected: list[tuple[object, ...]]) -> None:
    assert await sql_tuples(loaded, "db1", query) == expected


MONTHS = b"""n,s=a v=1 1704067200000000000
n,s=a v=2 1704067200000000001
n,s=a v=3 1706745600000000000
n,s=a v=4 1706745600000000002
n,s=a v=5 -1
"""


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT date_bin(INTERVAL '1 month', time, '2024-01-01T00:00:00.000000001Z') "
                 "AS t, count(*) AS k FROM n WHERE v > 1 OR v = 1 GROUP BY 1 ORDER BY 1",
                 [("1969-12-01T00:00:00.000000001", 1), ("2023-12-01T00:00:00.000000001", 1),
                  ("2024-01-01T00:00:00.000000001", 2), ("2024-02-01T00:00:00.000000001", 1)],
                 id="origin-with-nanoseconds"),
    pytest.param("SELECT date_bin('2 months', time, TIMESTAMP '1969-12-31T23:59:59.999999999') "
                 "AS t, count(*) AS k FROM n GROUP BY 1 ORDER BY 1",
                 [("1969-12-31T23:59:59.999999999", 1), ("2023-12-31T23:59:59.999999999", 4)],
                 id="origin-before-the-epoch"),
    pytest.param("SELECT date_bin('1 month', time, '2023-12-15T12:00:00.000000003Z') AS t, "
                 "count(*) AS k FROM n WHERE v > 0 GROUP BY 1 ORDER BY 1",
                 [("1969-12-15T12:00:00.000000003", 1), ("2023-12-15T12:00:00.000000003", 2),
                  ("2024-01-15T12:00:00.000000003", 2)], id="origin-mid-month"),
    pytest.param("SELECT date_bin(INTERVAL '1 month', time) AS t, "
                 "arrow_typeof(date_bin(INTERVAL '1 month', time)) AS k FROM n WHERE v = 4",
                 [("2024-02-01T00:00:00", "Timestamp(Nanosecond, None)")], id="from-the-epoch"),
])
async def test_month_bins_keep_nanoseconds(client: TestClient, query: str,
                                           expected: list[tuple[object, ...]]) -> None:
    response = await client.post("/api/v3/write_lp", data=MONTHS,
                                 params={"db": "db1", "precision": "nanosecond"})
    assert response.status == 204, await response.text()
    assert await sql_tuples(client, "db1", query) == expected


@pytest.mark.parametrize(("where", "reason"), [
    pytest.param("time > 'garbage'", "Error parsing timestamp from 'garbage': timestamp must "
                 "contain at least 10 characters", id="not-a-time"),
    pytest.param("time = '2024-13-01T00:00:00Z'", "Error parsing timestamp from "
                 "'2024-13-01T00:00:00Z': error parsing date", id="no-such-month"),
    pytest.param("time BETWEEN '2024-01-01T00:00:00Z' AND '2024-01-01 25:00:00'",
                 "Error parsing timestamp from '2024-01-01 25:00:00': error parsing time",
                 id="between-bad-hour"),
    pytest.param("time < '2024-01-01T00:00:00 Mars/Olympus'::timestamptz",
                 'Invalid timezone "Mars/Olympus"', id="timestamptz-unknown-zone"),
])
async def test_text_that_is_no_time_is_refused_in_arrows_words(
        loaded: TestClient, where: str, reason: str) -> None:
    response = await loaded.get("/api/v3/query_sql",
                                params={"db": "db1", "q": f"SELECT v FROM m WHERE {where}"})
    body = await response.json()
    assert response.status == 400, body
    assert body["error"].startswith("Arrow error: Parser error: "), body
    assert reason in body["error"], body


@pytest.mark.parametrize(("query", "reason"), [
    pytest.param("SELECT to_timestamp('garbage') AS t", "Error parsing timestamp from "
                 "'garbage': timestamp must contain at least 10 characters",
                 id="to-timestamp-of-garbage"),
    pytest.param("SELECT CAST('garbage' AS TIMESTAMP) AS t FROM m", "Error parsing timestamp "
                 "from 'garbage': timestamp must contain at least 10 characters",
                 id="cast-garbage-to-timestamp"),
    pytest.param("SELECT v FROM m WHERE time > 'tomorrow'::timestamp", "Error parsing "
                 "timestamp from 'tomorrow': timestamp must contain at least 10 characters",
                 id="double-colon-cast-in-where"),
    pytest.param("SELECT to_timestamp_millis('2024-02-30T00:00:00Z') AS t",
                 "Error parsing timestamp from '2024-02-30T00:00:00Z': error parsing date",
                 id="to-timestamp-millis-no-such-day"),
    pytest.param("SELECT TIMESTAMP '2024-01-01T00:00:00 Mars/Olympus' AS t",
                 'Invalid timezone "Mars/Olympus"', id="timestamp-literal-unknown-zone"),
])
async def test_text_cast_to_a_time_is_refused_in_arrows_words(
        loaded: TestClient, query: str, reason: str) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    body = await response.json()
    assert response.status == 400, body
    assert body["error"].startswith("Arrow error: Parser error: "), body
    assert reason in body["error"], body
