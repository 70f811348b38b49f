"""/api/v3/query_sql on the native store: gap filling and time zones as InfluxDB 3 answers.

date_bin_gapfill adds a row for every bucket between the WHERE clause's time bounds in every
group; locf and interpolate fill them; tz() and AT TIME ZONE answer times with their zone's
offset in JSON, JSON Lines and CSV. Expected values follow InfluxDB 3's documentation and IOx's
gap-filling rules (locf never fills backwards, interpolate truncates integers toward zero).
"""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql, write_lp

# host a: values at 22:13 and 22:16 (nothing at 22:14, 22:15); host b: 22:13 and 22:14 only
DATA = b"""cpu,host=a usage=1,idle=90i 1700000000
cpu,host=a usage=3,idle=80i 1700000030
cpu,host=a usage=8,idle=70i 1700000200
cpu,host=b usage=2,idle=60i 1700000001
cpu,host=b usage=4,idle=50i 1700000061
"""
RANGE = "time >= '2023-11-14T22:12:00Z' AND time <= '2023-11-14T22:17:00Z'"
MINUTES = [f"2023-11-14T22:1{m}:00" for m in range(2, 8)]


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", DATA, "s")


async def answer(client: TestClient, query: str, fmt: str = "json") -> tuple[int, str]:
    response = await client.get("/api/v3/query_sql",
                                params={"db": "db1", "q": query, "format": fmt})
    return response.status, await response.text()


def column(result: list[dict[str, object]], name: str, host: str) -> list[object]:
    return [r.get(name) for r in result if r["host"] == host]


async def test_every_bucket_of_every_group_appears(loaded: TestClient) -> None:
    result = await sql(loaded, "db1", "SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, "
                                f"host, avg(usage) AS u, count(*) AS n FROM cpu WHERE {RANGE} "
                                "GROUP BY 1, host")
    # each group's buckets in time order, groups in order, as IOx's GapFill emits them
    assert [(r["host"], r["t"]) for r in result] == \
        [("a", m) for m in MINUTES] + [("b", m) for m in MINUTES]
    assert column(result, "u", "a") == [None, 2.0, None, None, 8.0, None]
    assert column(result, "u", "b") == [None, 2.0, 4.0, None, None, None]
    # a count has a value in every bucket: IOx fills it with 0
    assert column(result, "n", "a") == [0, 2, 0, 0, 1, 0]


async def test_locf_carries_forward_never_backwards(loaded: TestClient) -> None:
    result = await sql(loaded, "db1", "SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, "
                                f"host, locf(avg(usage)) FROM cpu WHERE {RANGE} "
                                "GROUP BY t, host ORDER BY host, t")
    name = "locf(avg(cpu.usage))"  # as InfluxDB 3 names it
    assert column(result, name, "a") == [None, 2.0, 2.0, 2.0, 8.0, 8.0]
    assert column(result, name, "b") == [None, 2.0, 4.0, 4.0, 4.0, 4.0]


async def test_interpolate_between_neighbours_only(loaded: TestClient) -> None:
    result = await sql(loaded, "db1", "SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, "
                                "host, interpolate(avg(usage)) AS u, interpolate(min(idle)) AS i "
                                f"FROM cpu WHERE {RANGE} GROUP BY 1, 2")
    assert column(result, "u", "a") == [None, 2.0, 4.0, 6.0, 8.0, None]
    assert column(result, "u", "b") == [None, 2.0, 4.0, None, None, None]
    # integers: 80 → 70 over three buckets gives 76.67 and 73.33, truncated
    assert column(result, "i", "a") == [None, 80, 76, 73, 70, None]


async def test_exclusive_bounds_and_origin(loaded: TestClient) -> None:
    result = await sql(loaded, "db1", "SELECT date_bin_gapfill(INTERVAL '2 minutes', time, "
                                "'1970-01-01T00:01:00Z') AS t, max(usage) AS m FROM cpu "
                                "WHERE time > '2023-11-14T22:11:00Z' "
                                "AND time < '2023-11-14T22:17:00Z' GROUP BY 1")
    assert result == [{"t": "2023-11-14T22:11:00"}, {"t": "2023-11-14T22:13:00", "m": 4.0},
                      {"t": "2023-11-14T22:15:00", "m": 8.0}]


async def test_gapfill_with_having_limit_and_zone(loaded: TestClient) -> None:
    # HAVING filters the filled rows (IOx plans it above the GapFill node)
    result = await sql(loaded, "db1", "SELECT date_bin_gapfill(INTERVAL '1 minute', "
                                "tz(time, 'Europe/Paris')) AS t, sum(idle) AS s FROM cpu "
                                f"WHERE {RANGE} GROUP BY 1 HAVING sum(idle) < 100 "
                                "ORDER BY t DESC LIMIT 2")
    assert result == [{"t": "2023-11-14T23:16:00+01:00", "s": 70},
                      {"t": "2023-11-14T23:14:00+01:00", "s": 50}]


async def test_wallclock_gapfill_bins_local_days(loaded: TestClient) -> None:
    result = await sql(loaded, "db1", "SELECT date_bin_wallclock_gapfill(INTERVAL '12 hours', "
                                "tz(time, 'Asia/Kolkata')) AS d, count(*) AS n FROM cpu "
                                "WHERE time >= '2023-11-14T00:00:00Z' "
                                "AND time < '2023-11-15T12:00:00Z' GROUP BY 1")
    # 22:13Z is 03:43 the next morning in Kolkata (+05:30)
    assert result == [{"d": "2023-11-14T00:00:00+05:30", "n": 0},
                      {"d": "2023-11-14T12:00:00+05:30", "n": 0},
                      {"d": "2023-11-15T00:00:00+05:30", "n": 5},
                      {"d": "2023-11-15T12:00:00+05:30", "n": 0}]


@pytest.mark.parametrize(("where", "message"), [
    pytest.param("", "gap-filling query is missing both upper and lower time bounds",
                 id="no-bounds"),
    pytest.param("WHERE time >= '2023-11-14T22:12:00Z'",
                 "gap-filling query is missing upper time bound", id="no-upper"),
    pytest.param("WHERE time <= '2023-11-14T22:12:00Z' AND host = 'a'",
                 "gap-filling query is missing lower time bound", id="no-lower"),
    pytest.param("WHERE time >= '2023-11-14T22:12:00Z' AND time <= idle",
                 "upper time bound for gap fill query must evaluate to a scalar",
                 id="column-bound"),
])
async def test_gapfill_needs_time_bounds(loaded: TestClient, where: str, message: str) -> None:
    status, text = await answer(loaded, "SELECT date_bin_gapfill(INTERVAL '1 minute', time) "
                                        f"AS t, avg(usage) FROM cpu {where} GROUP BY 1")
    assert status == 400
    assert json.loads(text) == {"error": "Error during planning: " + message, "data": None}


@pytest.mark.parametrize(("query", "message"), [
    pytest.param(f"SELECT locf(avg(usage)) FROM cpu WHERE {RANGE}",
                 "locf may only be used in the SELECT list of a gap-filling query",
                 id="locf-without-gapfill"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) FROM cpu WHERE {RANGE}",
                 "date_bin_gapfill may only be used as a GROUP BY expression",
                 id="gapfill-not-grouped"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, host, "
                 f"interpolate(host) FROM cpu WHERE {RANGE} GROUP BY 1, 2",
                 "interpolate must be called on an aggregate column", id="fill-non-aggregate"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 month', time) AS t, count(*) FROM cpu "
                 f"WHERE {RANGE} GROUP BY 1", "gap filling does not support month intervals",
                 id="month-stride"),
])
async def test_misused_gapfill_is_a_400(loaded: TestClient, query: str, message: str) -> None:
    status, text = await answer(loaded, query)
    assert status == 400
    assert message in text, text


async def test_zoned_times_in_json_jsonl_and_csv(loaded: TestClient) -> None:
    query = ("SELECT tz(time, 'Europe/Paris') AS p, time AT TIME ZONE 'America/New_York' AS n, "
             "tz(time) AS u, tz(time, '+05:30') AS o, time FROM cpu WHERE host = 'b' "
             "ORDER BY time LIMIT 1")
    # tz() keeps the instant; AT TIME ZONE reads a naive time as that zone's wall clock
    expected = {"p": "2023-11-14T23:13:21+01:00", "n": "2023-11-14T22:13:21-05:00",
                "u": "2023-11-14T22:13:21Z", "o": "2023-11-15T03:43:21+05:30",
                "time": "2023-11-14T22:13:21"}
    assert await sql(loaded, "db1", query) == [expected]
    status, text = await answer(loaded, query, "csv")
    assert (status, text) == (200, "p,n,u,o,time\n" + ",".join(expected.values()) + "\n")
    status, text = await answer(loaded, query, "jsonl")
    assert status == 200
    assert text.startswith('{"p":"2023-11-14T23:13:21+01:00","n":"2023-11-14T22:13:21-05:00"')


async def test_time_zone_functions_from_the_reference(loaded: TestClient) -> None:
    result = await sql(loaded, "db1", "SELECT tz('2024-04-01T00:00:20', 'Europe/Brussels') AS b, "
                                "'2024-01-01T00:00:00-00:00' AT TIME ZONE 'America/Los_Angeles' "
                                "AS l, to_local_time(tz(time, 'America/New_York')) AS w, "
                                "tz(time, 'Australia/Sydney') FROM cpu WHERE host = 'a' "
                                "ORDER BY time LIMIT 1")
    assert result == [{"b": "2024-04-01T02:00:20+02:00", "l": "2023-12-31T16:00:00-08:00",
                       "w": "2023-11-14T17:13:20",
                       'tz(cpu.time,Utf8("Australia/Sydney"))': "2023-11-15T09:13:20+11:00"}]


async def test_date_bin_wallclock(loaded: TestClient) -> None:
    result = await sql(loaded, "db1", "SELECT date_bin_wallclock(INTERVAL '1 day', "
                                "tz(time, 'America/Los_Angeles')) AS d, count(*) AS n "
                                "FROM cpu GROUP BY 1")
    assert result == [{"d": "2023-11-14T00:00:00-08:00", "n": 5}]


async def test_wall_clock_fields_of_zoned_values_are_local(loaded: TestClient) -> None:
    # host b's first point is 2023-11-14T22:13:21Z: 23:13 in Paris, 07:13 on the 15th in Tokyo
    result = await sql(loaded, "db1", "SELECT date_part('hour', tz(time, 'Europe/Paris')) AS h, "
                                "extract(day FROM tz(time, 'Asia/Tokyo')) AS d, "
                                "date_part('epoch', tz(time, 'Asia/Tokyo')) AS e, "
                                "date_trunc('day', tz(time, 'Asia/Tokyo')) AS t, "
                                "date_trunc('hour', tz(time, '+05:30')) AS o, "
                                "to_char(tz(time, 'America/New_York'), '%H:%M') AS s "
                                "FROM cpu WHERE host = 'b' ORDER BY time LIMIT 1")
    # the epoch is the instant's; date_trunc keeps the zone, as DataFusion's does
    assert result == [{"h": 23, "d": 15, "e": 1700000001, "t": "2023-11-15T00:00:00+09:00",
                       "o": "2023-11-15T03:00:00+05:30", "s": "17:13"}]


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT * FROM (SELECT tz(time, 'Europe/Paris') AS t, usage FROM cpu "
                 "WHERE host = 'b') ORDER BY t LIMIT 1",
                 {"t": "2023-11-14T23:13:21+01:00", "usage": 2.0}, id="star"),
    pytest.param("WITH z AS (SELECT tz(time, 'Asia/Tokyo') AS t FROM cpu WHERE host = 'b') "
                 "SELECT s.t AS k, date_part('hour', T) AS h FROM (SELECT z.* FROM z) AS s "
                 "ORDER BY k LIMIT 1", {"k": "2023-11-15T07:13:21+09:00", "h": 7},
                 id="cte-through-a-subquery"),
    pytest.param("SELECT t FROM (SELECT tz(time, '-03:00') AS t FROM cpu WHERE host = 'b' "
                 "UNION ALL SELECT tz(time, 'UTC') FROM cpu WHERE host = 'a') ORDER BY t "
                 "LIMIT 1", {"t": "2023-11-14T19:13:20-03:00"}, id="union-first-query-zone"),
])
async def test_zones_survive_subqueries(loaded: TestClient, query: str,
                                        expected: dict[str, object]) -> None:
    assert await sql(loaded, "db1", query) == [expected]


@pytest.mark.parametrize("query", [
    "SELECT tz(time, 'Mars/Olympus') FROM cpu",
    "SELECT time AT TIME ZONE 'europe/paris' FROM cpu",
    "SELECT tz(time, host) FROM cpu",
])
async def test_unknown_zone_is_a_400(loaded: TestClient, query: str) -> None:
    status, text = await answer(loaded, query)
    assert status == 400
    assert "time zone" in text, text


async def test_gap_filling_over_a_huge_range_is_refused_up_front(loaded: TestClient) -> None:
    """Thirty years by the millisecond in two groups would run until the query timeout: the
    bucket count, from the WHERE bounds and the stride, times the groups is checked first."""
    status, text = await answer(
        loaded, "SELECT date_bin_gapfill(INTERVAL '1 millisecond', time) AS t, host, "
                "avg(usage) FROM cpu WHERE time >= '2000-01-01T00:00:00Z' "
                "AND time < '2030-01-01T00:00:00Z' GROUP BY 1, host")
    assert status == 400
    buckets = (30 * 365 + 8) * 86_400_000  # 8 leap days
    assert json.loads(text)["error"] == (
        f"gap filling would produce {2 * buckets} rows (buckets times groups), more than "
        "query.max_rows (1000000); narrow the time range or widen the stride")


@pytest.mark.parametrize(("where", "rows_made"), [
    pytest.param(RANGE, None, id="six-buckets-times-two-groups"),
    pytest.param(f"{RANGE} AND host = 'a'", 6, id="six-buckets-in-one-group"),
    pytest.param("time >= '2023-11-14T22:12:00Z' AND time < '2023-11-14T22:17:00Z'", 10,
                 id="five-buckets-times-two-groups"),
])
async def test_gap_filling_limit_counts_buckets_times_groups(make_client, where: str,
                                                             rows_made: int | None) -> None:
    client = await make_client(query={"max_rows": 10})
    response = await client.post("/api/v3/write_lp", params={"db": "db1", "precision": "s"},
                                 data=DATA)
    assert response.status == 204
    status, text = await answer(client, "SELECT date_bin_gapfill(INTERVAL '1 minute', time) "
                                        f"AS t, host, count(*) AS n FROM cpu WHERE {where} "
                                        "GROUP BY 1, host")
    if rows_made is None:
        assert status == 400
        assert json.loads(text)["error"] == (
            "gap filling would produce 12 rows (buckets times groups), more than "
            "query.max_rows (10); narrow the time range or widen the stride")
    else:
        assert status == 200, text
        assert len(json.loads(text)) == rows_made
