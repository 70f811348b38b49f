"""Intervals on /api/v3/query_sql as DataFusion reads them: nanoseconds, microseconds and mixed
units in date_bin, date_bin_gapfill and time arithmetic, answered to the nanosecond."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql, write_lp

# times a few nanoseconds apart, as high-rate sensors write them
DATA = b"""m,s=a v=1 1700000000000000001
m,s=a v=2 1700000000000000002
m,s=a v=3 1700000000000000005
m,s=a v=4 1700000000000003000
m,s=a v=5 1700000000000003999
"""
RANGE = ("time >= '2023-11-14T22:13:20Z' AND time < '2023-11-14T22:13:20.000006Z'")


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", DATA)


async def answer(client: TestClient, query: str) -> tuple[int, object]:
    response = await client.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    return response.status, await response.json()


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT date_bin(INTERVAL '2 nanoseconds', time) AS t, sum(v) AS n FROM m "
                 "GROUP BY 1 ORDER BY 1",
                 [("2023-11-14T22:13:20", 1.0), ("2023-11-14T22:13:20.000000002", 2.0),
                  ("2023-11-14T22:13:20.000000004", 3.0),
                  ("2023-11-14T22:13:20.000003", 4.0), ("2023-11-14T22:13:20.000003998", 5.0)],
                 id="nanosecond-stride"),
    pytest.param("SELECT date_bin(INTERVAL '3 microseconds', time) AS t, sum(v) AS n FROM m "
                 "GROUP BY 1 ORDER BY 1",
                 [("2023-11-14T22:13:19.999998", 6.0), ("2023-11-14T22:13:20.000001", 9.0)],
                 id="microsecond-stride-from-the-epoch"),
    pytest.param("SELECT date_bin('1 us 500 nanoseconds', time, '2023-11-14T22:13:20Z') AS t,"
                 " sum(v) AS n FROM m GROUP BY 1 ORDER BY 1",
                 [("2023-11-14T22:13:20", 6.0), ("2023-11-14T22:13:20.000003", 9.0)],
                 id="mixed-text-stride-with-origin"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute 30 seconds', time) AS t, count(*) AS n "
                 "FROM m GROUP BY 1", [("2023-11-14T22:12:00", 5)], id="minute-and-seconds"),
    pytest.param("SELECT time - INTERVAL '500 nanoseconds' AS t, v FROM m WHERE v = 1",
                 [("2023-11-14T22:13:19.999999501", 1.0)], id="time-minus-nanoseconds"),
    pytest.param("SELECT INTERVAL '1 us 1 nanosecond' + time AS t, v FROM m WHERE v = 5",
                 [("2023-11-14T22:13:20.000005", 5.0)], id="interval-plus-time"),
    pytest.param("SELECT v FROM m WHERE time > to_timestamp_nanos(1700000000000003999) "
                 "- INTERVAL '999 nanoseconds' ORDER BY v", [(5.0,)], id="bound-in-nanoseconds"),
    # DataFusion's formula: a stride longer than the time since the origin bins to the origin
    # (DuckDB alone said "Overflow in addition of INT64")
    pytest.param("SELECT date_bin(INTERVAL '100000 days', time) AS t, count(*) AS n FROM m "
                 "GROUP BY 1", [("1970-01-01T00:00:00", 5)], id="stride-past-the-data"),
    # a negative stride is no error in DataFusion: after the origin it bins as its size does,
    # before the origin it rounds toward the origin (a positive stride rounds down)
    pytest.param("SELECT date_bin(INTERVAL '-3 microseconds', time) AS t, sum(v) AS n FROM m "
                 "GROUP BY 1 ORDER BY 1",
                 [("2023-11-14T22:13:19.999998", 6.0), ("2023-11-14T22:13:20.000001", 9.0)],
                 id="negative-stride-after-the-origin"),
    pytest.param("SELECT date_bin(INTERVAL '-3 microseconds', time, "
                 "'2023-11-14T22:13:20.000006Z') AS t, sum(v) AS n FROM m GROUP BY 1 ORDER BY 1",
                 [("2023-11-14T22:13:20.000003", 10.0), ("2023-11-14T22:13:20.000006", 5.0)],
                 id="negative-stride-before-the-origin"),
    pytest.param("SELECT date_bin(INTERVAL '3 microseconds', time, "
                 "'2023-11-14T22:13:20.000006Z') AS t, sum(v) AS n FROM m GROUP BY 1 ORDER BY 1",
                 [("2023-11-14T22:13:20", 6.0), ("2023-11-14T22:13:20.000003", 9.0)],
                 id="positive-stride-before-the-origin"),
])
async def test_intervals_to_the_nanosecond(loaded: TestClient, query: str,
                                           expected: list[tuple[object, ...]]) -> None:
    assert [tuple(r.values()) for r in await sql(loaded, "db1", query)] == expected


async def test_gapfill_with_a_microsecond_stride(loaded: TestClient) -> None:
    result = await sql(loaded, "db1",
                       "SELECT date_bin_gapfill(INTERVAL '2 microseconds', time) AS t,"
                       f" sum(v) AS n FROM m WHERE {RANGE} GROUP BY 1 ORDER BY 1")
    # an excluded upper bound ends the last bucket one nanosecond before it (3-ns bins
    # from the epoch start at ...001 and ...004 here)
    assert [r["t"] for r in await sql(loaded, "db1", "SELECT date_bin_gapfill(INTERVAL '3 "
                                       "nanoseconds', time) AS t, sum(v) AS n FROM m WHERE "
                                       "time >= to_timestamp_nanos(1700000000000000000) AND "
                                       "time < to_timestamp_nanos(1700000000000000004) GROUP BY "
                                       "1 ORDER BY 1")][-1] == "2023-11-14T22:13:20.000000001"
    assert [(r["t"], r.get("n")) for r in result] == [  # a null is left out of a JSON row
        ("2023-11-14T22:13:20", 6.0), ("2023-11-14T22:13:20.000002", 9.0),
        ("2023-11-14T22:13:20.000004", None)]


@pytest.mark.parametrize(("query", "message"), [
    pytest.param("SELECT date_bin(INTERVAL '0 seconds', time) FROM m",
                 "DATE_BIN stride must be non-zero", id="zero-stride"),
    pytest.param("SELECT date_bin(INTERVAL '1 month 1 day', time) FROM m",
                 "DATE_BIN stride does not support combination of month, day and nanosecond "
                 "intervals", id="months-and-days"),
    pytest.param("SELECT date_bin(INTERVAL '200000 days', time) FROM m",
                 "DATE_BIN stride argument is too large", id="stride-past-int64"),
    # DuckDB alone: a binder error about make_timestamp_ns(DOUBLE)
    pytest.param("SELECT v FROM m WHERE time < now() + INTERVAL '1000000 days'",
                 "the interval '1000000 days' is out of range", id="shift-past-int64"),
    pytest.param("SELECT time - '-300000 days'::interval AS t FROM m",
                 "the interval '-300000 days' is out of range", id="cast-shift-past-int64"),
    pytest.param("SELECT INTERVAL '2 nanoseconds' AS i FROM m",
                 "the interval '2 nanoseconds' is finer than a microsecond", id="bare-value"),
])
async def test_intervals_duckdb_cannot_hold_are_a_400(loaded: TestClient, query: str,
                                                     message: str) -> None:
    status, body = await answer(loaded, query)
    assert status == 400
    assert isinstance(body, dict) and message in body["error"]


@pytest.mark.parametrize("query", [
    pytest.param("SELECT v FROM m WHERE time < now() + INTERVAL '100000 days'",
                 id="time-moved-past-2262"),
    pytest.param("SELECT to_timestamp_nanos(-9000000000000000000) - INTERVAL '10000 days' AS t",
                 id="time-moved-before-1677"),
])
async def test_a_time_moved_out_of_range_is_a_clear_400(loaded: TestClient, query: str) -> None:
    # the interval fits in Int64 nanoseconds, the moved time does not: DuckDB's words were
    # "Out of Range Error: Overflow in addition of INT64 (...)"
    status, body = await answer(loaded, query)
    assert status == 400
    assert body == {"error": "arithmetic overflow: a result is past what an Int64 holds (for a "
                             "time in nanoseconds, 1677-09-21 to 2262-04-11)", "data": None}
