"""Zoned values through aggregates and conditionals on /api/v3/query_sql: min, max, CASE,
COALESCE, first_value and last_value of a zoned value keep its zone, as in DataFusion."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql, write_lp

# 2024-01-01T00:00:00Z, then 90 minutes and 3 nanoseconds later
DATA = b"""m,s=a v=1 1704067200000000000
m,s=a v=2 1704072600000000003
"""


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", DATA)


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT min(tz(time, 'Europe/Paris')) AS a, max(tz(time, 'Asia/Tokyo')) AS b "
                 "FROM m", [{"a": "2024-01-01T01:00:00+01:00",
                             "b": "2024-01-01T10:30:00.000000003+09:00"}], id="min-max"),
    pytest.param("SELECT max(time AT TIME ZONE '+05:30') AS a FROM m",
                 [{"a": "2024-01-01T01:30:00.000000003+05:30"}], id="max-of-at-time-zone"),
    pytest.param("SELECT first_value(tz(time, 'America/New_York') ORDER BY time DESC) AS a, "
                 "last_value(tz(time, 'America/New_York') ORDER BY time DESC) AS b FROM m",
                 [{"a": "2023-12-31T20:30:00.000000003-05:00",
                   "b": "2023-12-31T19:00:00-05:00"}], id="first-and-last-value"),
    pytest.param("SELECT CASE WHEN v > 1 THEN tz(time, 'Europe/Paris') END AS a FROM m "
                 "ORDER BY time", [{}, {"a": "2024-01-01T02:30:00.000000003+01:00"}],
                 id="case"),
    pytest.param("SELECT COALESCE(NULL, tz(time, 'Europe/Paris')) AS a FROM m WHERE v = 1",
                 [{"a": "2024-01-01T01:00:00+01:00"}], id="coalesce"),
    pytest.param("SELECT date_part('hour', max(tz(time, 'Asia/Tokyo'))) AS h FROM m",
                 [{"h": 10}], id="local-hour-of-max"),
    pytest.param("SELECT m2.t FROM (SELECT min(tz(time, 'Asia/Kolkata')) AS t FROM m) AS m2",
                 [{"t": "2024-01-01T05:30:00+05:30"}], id="through-a-subquery"),
])
async def test_aggregates_and_conditionals_keep_the_zone(
        loaded: TestClient, query: str, expected: list[dict[str, object]]) -> None:
    assert await sql(loaded, "db1", query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    # Arrow casts a time without a zone to the zoned type as that zone's wall clock
    pytest.param("SELECT CASE WHEN v > 1 THEN tz(time, 'Europe/Paris') ELSE time END AS a "
                 "FROM m ORDER BY time", [{"a": "2024-01-01T00:00:00+01:00"},
                                          {"a": "2024-01-01T02:30:00.000000003+01:00"}],
                 id="case-with-a-naive-branch"),
    pytest.param("SELECT COALESCE(CASE WHEN v > 1 THEN tz(time, '+02:00') END, "
                 "'2024-06-01T12:00:00', '2024-06-01T12:00:00Z') AS a FROM m ORDER BY time",
                 [{"a": "2024-06-01T12:00:00+02:00"},
                  {"a": "2024-01-01T03:30:00.000000003+02:00"}],
                 id="coalesce-with-text"),
])
async def test_naive_branches_read_as_the_zones_wall_clock(
        loaded: TestClient, query: str, expected: list[dict[str, object]]) -> None:
    assert await sql(loaded, "db1", query) == expected


async def test_datepart_and_datetrunc_are_date_part_and_date_trunc(loaded: TestClient) -> None:
    # DataFusion's aliases: local fields of a zoned value, and date_trunc keeps the zone
    query = ("SELECT datepart('hour', tz(time, 'Asia/Kolkata')) AS h, "
             "datetrunc('day', tz(time, 'America/New_York')) AS d, "
             "datetrunc('hour', time) AS n FROM m ORDER BY time")
    assert await sql(loaded, "db1", query) == [
        {"h": 5, "d": "2023-12-31T00:00:00-05:00", "n": "2024-01-01T00:00:00"},
        {"h": 7, "d": "2023-12-31T00:00:00-05:00", "n": "2024-01-01T01:00:00"}]


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT tz(time, 'Europe/Paris') + INTERVAL '1 hour' AS t, "
                 "date_part('hour', tz(time, 'Europe/Paris') + INTERVAL '1 hour') AS h "
                 "FROM m WHERE v = 2", [{"t": "2024-01-01T03:30:00.000000003+01:00", "h": 3}],
                 id="keeps-the-zone-and-the-nanoseconds"),
    # Arrow adds days and months on the zone's wall clock, the rest to the instant: Paris
    # moves to summer time on 2024-03-31, so a day after 13:00 is 13:00 again, 23 hours on
    pytest.param("SELECT tz('2024-03-30T12:00:00Z', 'Europe/Paris') + INTERVAL '1 day' AS d, "
                 "tz('2024-03-30T12:00:00Z', 'Europe/Paris') + INTERVAL '24 hours' AS h, "
                 "INTERVAL '1 month 1 hour' + tz('2024-03-30T12:00:00Z', 'Europe/Paris') AS m, "
                 "tz('2024-03-31T12:00:00Z', 'Europe/Paris') - INTERVAL '1 day' AS b",
                 [{"d": "2024-03-31T13:00:00+02:00", "h": "2024-03-31T14:00:00+02:00",
                   "m": "2024-04-30T14:00:00+02:00", "b": "2024-03-30T14:00:00+01:00"}],
                 id="days-on-the-wall-clock"),
    pytest.param("SELECT tz(time, '-03:00') - INTERVAL '2 days' AS t FROM m WHERE v = 1",
                 [{"t": "2023-12-29T21:00:00-03:00"}], id="fixed-offset"),
])
async def test_a_zoned_time_plus_an_interval_stays_in_its_zone(
        loaded: TestClient, query: str, expected: list[dict[str, object]]) -> None:
    assert await sql(loaded, "db1", query) == expected
