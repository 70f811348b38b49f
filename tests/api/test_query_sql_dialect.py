"""/api/v3/query_sql on the native store speaks InfluxDB 3's dialect as users write it.

A table of queries from InfluxDB 3's SQL reference, each answered over real HTTP with the
values and column names InfluxDB 3 gives; what the native store cannot answer is a 400 that
names the construct and shows none of the translated SQL.
"""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql, write_lp

# host c: a row without usage (selectors skip it) and a tie on the largest usage
DATA = b"""cpu,host=a usage=1.5,idle=90i 1700000000
cpu,host=a usage=2.5,idle=80i 1700000030
cpu,host=a usage=3.5,idle=70i 1700000200
cpu,host=b usage=2,idle=60i 1700000001
cpu,host=b usage=4,idle=50i 1700000061
cpu,host=c idle=1i 1700000000
cpu,host=c usage=5 1700000100
cpu,host=c usage=5 1700000005
"""


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", DATA, "s")


SUPPORTED = [
    pytest.param(
        "SELECT date_bin(INTERVAL '1 minute', time, '1970-01-01T00:00:00Z') AS t, "
        "avg(usage) AS u FROM cpu WHERE host = 'a' GROUP BY 1 ORDER BY 1",
        [{"t": "2023-11-14T22:13:00", "u": 2.0}, {"t": "2023-11-14T22:16:00", "u": 3.5}],
        id="date-bin-string-origin"),
    pytest.param(
        "SELECT date_bin(INTERVAL '1 minute', time, TIMESTAMP '2023-11-14T22:13:30Z') AS t, "
        "count(*) AS n FROM cpu WHERE host = 'a' GROUP BY 1 ORDER BY 1",
        [{"t": "2023-11-14T22:12:30", "n": 1}, {"t": "2023-11-14T22:13:30", "n": 1},
         {"t": "2023-11-14T22:16:30", "n": 1}], id="date-bin-timestamp-origin"),
    pytest.param(
        # 5 hours from the epoch, not from DuckDB's default origin (2000-01-03)
        "SELECT date_bin(INTERVAL '5 hours', time) AS t FROM cpu WHERE host = 'b' LIMIT 1",
        [{"t": "2023-11-14T20:00:00"}], id="date-bin-epoch-origin"),
    pytest.param(
        "SELECT date_bin(INTERVAL '1 minute', time), count(*) FROM cpu WHERE host = 'b' "
        "GROUP BY 1 ORDER BY 1",
        [{'date_bin(IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, '
          'nanoseconds: 60000000000 }"),cpu.time)': "2023-11-14T22:13:00", "count(*)": 1},
         {'date_bin(IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, '
          'nanoseconds: 60000000000 }"),cpu.time)': "2023-11-14T22:14:00", "count(*)": 1}],
        id="date-bin-unaliased-names"),
    pytest.param(
        "SELECT host, first_value(usage ORDER BY time) AS f, last_value(usage ORDER BY time) "
        "AS l FROM cpu WHERE host <> 'c' GROUP BY host ORDER BY host",
        [{"host": "a", "f": 1.5, "l": 3.5}, {"host": "b", "f": 2.0, "l": 4.0}],
        id="first-last-value-aggregates"),
    pytest.param(
        # host c's first row has no usage: NULL unless IGNORE NULLS, last_value's too
        "SELECT host, first_value(usage ORDER BY time) AS f, first_value(usage IGNORE NULLS "
        "ORDER BY time) AS fi, last_value(usage ORDER BY time DESC) AS l, last_value(usage "
        "IGNORE NULLS ORDER BY time DESC) AS li FROM cpu WHERE host = 'c' GROUP BY host",
        [{"host": "c", "fi": 5.0, "li": 5.0}], id="first-last-value-ignore-nulls"),
    pytest.param(
        "SELECT host, selector_max(usage, time)['value'] AS v, selector_max(usage, time)['time']"
        " AS t FROM cpu GROUP BY host ORDER BY host",
        [{"host": "a", "v": 3.5, "t": "2023-11-14T22:16:40"},
         {"host": "b", "v": 4.0, "t": "2023-11-14T22:14:21"},
         {"host": "c", "v": 5.0, "t": "2023-11-14T22:13:25"}], id="selector-max-tie-earliest"),
    pytest.param(
        "SELECT selector_first(usage, time)['time'] AS f, selector_last(usage, time)['time'] "
        "AS l, selector_min(usage, time)['value'] AS m FROM cpu WHERE host = 'c'",
        [{"f": "2023-11-14T22:13:25", "l": "2023-11-14T22:15:00", "m": 5.0}],
        id="selectors-skip-null-values"),
    pytest.param(
        "SELECT selector_min(idle, time) FROM cpu WHERE host = 'a'",
        [{"selector_min(cpu.idle,cpu.time)": {"value": 70, "time": "2023-11-14T22:16:40"}}],
        id="selector-struct"),
    pytest.param(
        "SELECT host, avg(usage), count(DISTINCT usage) FROM cpu WHERE host = 'a' "
        "GROUP BY host",
        [{"host": "a", "avg(cpu.usage)": 2.5, "count(DISTINCT cpu.usage)": 3}],
        id="aggregate-names"),
    pytest.param(
        # DataFusion's alias of avg, planned (and so named) as avg
        "SELECT host, mean(usage), mean(idle) AS m FROM cpu WHERE host = 'a' GROUP BY host",
        [{"host": "a", "avg(cpu.usage)": 2.5, "m": 80.0}], id="mean-is-avg"),
    pytest.param(
        # date_part keeps the part as written, EXTRACT gives its upper-case name
        "SELECT date_part('hour', time), datepart('Minute', cpu.time), EXTRACT(second FROM time)"
        " FROM cpu WHERE host = 'b' ORDER BY time LIMIT 1",
        [{'date_part(Utf8("hour"),cpu.time)': 22, 'date_part(Utf8("Minute"),cpu.time)': 13,
          'date_part(Utf8("SECOND"),cpu.time)': 21}], id="date-part-names"),
    pytest.param(
        "SELECT date_trunc('minute', time) AS m, sum(usage) AS s FROM cpu WHERE host = 'a' "
        "GROUP BY 1 ORDER BY 1",
        [{"m": "2023-11-14T22:13:00", "s": 4.0}, {"m": "2023-11-14T22:16:00", "s": 3.5}],
        id="date-trunc"),
    pytest.param(
        "SELECT count(*) AS n FROM cpu WHERE time >= now() - INTERVAL '100 years' "
        "AND time <= now()", [{"n": 8}], id="now"),
    pytest.param(
        "SELECT to_timestamp(1700000000) AS s, to_timestamp_millis(1700000000001) AS ms, "
        "to_timestamp_micros(1700000000000001) AS us, to_timestamp_nanos(1700000000000000001) "
        "AS ns",
        [{"s": "2023-11-14T22:13:20", "ms": "2023-11-14T22:13:20.001",
          "us": "2023-11-14T22:13:20.000001", "ns": "2023-11-14T22:13:20.000000001"}],
        id="to-timestamp"),
    pytest.param(
        "SELECT count(*) AS n FROM cpu WHERE time > to_timestamp_seconds(1700000060)",
        [{"n": 3}], id="to-timestamp-compares-with-time"),
    pytest.param(
        "SELECT approx_percentile_cont(usage, 0.5) AS p FROM cpu WHERE host = 'a'",
        [{"p": 2.5}], id="approx-percentile-cont"),
    pytest.param(
        "SELECT count(*) AS n FROM cpu WHERE regexp_like(host, '^[ab]$')", [{"n": 5}],
        id="regexp-like"),
    pytest.param(
        "SELECT arrow_typeof(time) AS t, arrow_typeof(usage) AS u, arrow_typeof(idle) AS i "
        "FROM cpu LIMIT 1",
        [{"t": "Timestamp(Nanosecond, None)", "u": "Float64", "i": "Int64"}], id="arrow-typeof"),
    pytest.param(
        "SELECT host FROM iox.cpu WHERE time = '2023-11-14T22:13:21Z'", [{"host": "b"}],
        id="iox-schema-and-rfc3339"),
]


@pytest.mark.parametrize(("query", "expected"), SUPPORTED)
async def test_influxdb3_sql(loaded: TestClient, query: str, expected: list) -> None:
    assert await sql(loaded, "db1", query) == expected


UNSUPPORTED = [
    pytest.param("SELECT date_bin_gapfill(INTERVAL '30 seconds', time) AS t, "
                 "locf(avg(usage)) FROM cpu GROUP BY 1",
                 "gap-filling query is missing both upper and lower time bounds",
                 id="gapfill-unbounded"),
    pytest.param("SELECT tz(time, 'Europe/Pariss') AS t FROM cpu", "Europe/Pariss",
                 id="tz-unknown-zone"),
    pytest.param("SELECT arrow_cast(usage, 'Date32') AS t FROM cpu", "arrow_cast",
                 id="arrow-cast-to-an-unsupported-type"),
    pytest.param("SELECT nope FROM cpu", '"nope"', id="unknown-column"),
    pytest.param("WITH x AS (SELECT * FROM cpu) SELECT x.nope FROM x", '"nope"',
                 id="unknown-column-in-cte"),
    pytest.param("SELECT usage + CAST('x' AS DOUBLE) FROM cpu", "'x'", id="bad-cast"),
    # DataFusion's date_part takes its part as a text literal: a column there (read by sqlglot
    # as a unit's name, host as hours) or NULL fails the query
    *(pytest.param(f"SELECT date_part({part}, time) AS p FROM cpu",
                   "Execution error: First argument of `DATE_PART` must be non-null scalar "
                   "Utf8", id=f"date-part-of-{name}")
      for part, name in (("host", "a-column"), ("NULL", "null"), ("hour", "a-bare-word"))),
]


@pytest.mark.parametrize(("query", "fragment"), UNSUPPORTED)
async def test_unsupported_is_a_clear_400(loaded: TestClient, query: str,
                                          fragment: str) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    assert response.status == 400
    assert response.headers["Content-Type"].startswith("application/json")
    error = (await response.json())["error"]
    assert fragment in error
    # nothing of the translation shows: no schema-qualified names, no SQL excerpt
    for internal in ('"db1"', "db1.", "__cte_", "__result", "LINE 1", "__influx_gateway"):
        assert internal not in error, error


@pytest.mark.parametrize("body", [
    b'{"db": "db1", "q": "SELECT host FROM cpu WHERE usage > $x", "params": {"x": NaN}}',
    b'{"db": "db1", "q": "SELECT host FROM cpu WHERE usage > $x", "params": {"x": Infinity}}',
    b'{"db": "db1", "q": "SELECT host FROM cpu WHERE usage < $x", "params": {"x": -Infinity}}',
])
async def test_non_finite_parameters_are_refused(loaded: TestClient, body: bytes) -> None:
    response = await loaded.post("/api/v3/query_sql", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert response.headers["Content-Type"].startswith("application/json")
    payload = await response.json()
    assert set(payload) == {"error", "data"}  # InfluxDB 3's error body
    assert payload["error"].startswith("unsupported parameter value: ")


async def test_finite_parameters_still_bind(loaded: TestClient) -> None:
    response = await loaded.post("/api/v3/query_sql", json={
        "db": "db1", "q": "SELECT host, usage FROM cpu WHERE usage > $x AND host = $h "
                          "ORDER BY usage", "params": {"x": 1.75, "h": "a"}})
    assert response.status == 200, await response.text()
    assert await response.json() == [{"host": "a", "usage": 2.5}, {"host": "a", "usage": 3.5}]


BINNED = "SELECT date_bin(INTERVAL '1 minute', time, $o) AS t, count(*) AS n FROM cpu " \
         "WHERE host = 'a' GROUP BY 1 ORDER BY 1"


@pytest.mark.parametrize(("origin", "problem"), [
    pytest.param("garbage", "timestamp must contain at least 10 characters", id="short"),
    pytest.param("2024-02-30", "error parsing date", id="no-such-day"),
    pytest.param("2024-01-01T00:00:00 Mars/Base", 'Invalid timezone "Mars/Base"', id="zone"),
])
async def test_date_bin_origin_parameter_refused_as_a_literal_one(loaded: TestClient,
                                                                  origin: str,
                                                                  problem: str) -> None:
    response = await loaded.post("/api/v3/query_sql",
                                 json={"db": "db1", "q": BINNED, "params": {"o": origin}})
    assert response.status == 400
    assert await response.json() == {
        "error": f"Arrow error: Parser error: Error parsing timestamp from '{origin}': "
                 f"{problem}", "data": None}


@pytest.mark.parametrize("function", ["date_bin_gapfill", "date_bin_wallclock",
                                      "date_bin_wallclock_gapfill"])
@pytest.mark.parametrize("bound", [True, False], ids=["parameter", "literal"])
async def test_other_binning_origins_refused_as_date_bins(loaded: TestClient, function: str,
                                                          bound: bool) -> None:
    origin = "2023-11-14 25:00:00"
    written = "$o" if bound else f"'{origin}'"
    query = (f"SELECT {function}(INTERVAL '1 minute', time, {written}) AS t, count(*) AS n "
             "FROM cpu WHERE time >= '2023-11-14T22:13:00Z' AND time < '2023-11-14T22:20:00Z' "
             "GROUP BY 1 ORDER BY 1")
    response = await loaded.post("/api/v3/query_sql",
                                 json={"db": "db1", "q": query, "params": {"o": origin}})
    assert response.status == 400
    assert await response.json() == {
        "error": f"Arrow error: Parser error: Error parsing timestamp from '{origin}': "
                 "error parsing time", "data": None}


async def test_date_bin_origin_parameter_keeps_its_offset(loaded: TestClient) -> None:
    # 23:13:30+01:00 is 22:13:30Z: the same bins as the literal origin of the table above
    response = await loaded.post("/api/v3/query_sql", json={
        "db": "db1", "q": BINNED, "params": {"o": "2023-11-14T23:13:30+01:00"}})
    assert response.status == 200, await response.text()
    assert await response.json() == [{"t": "2023-11-14T22:12:30", "n": 1},
                                     {"t": "2023-11-14T22:13:30", "n": 1},
                                     {"t": "2023-11-14T22:16:30", "n": 1}]


async def test_csv_and_jsonl_render_selector_times_like_time(loaded: TestClient) -> None:
    query = ("SELECT selector_max(usage, time)['time'] AS t, max(usage) AS v FROM cpu "
             "WHERE host = 'a'")
    response = await loaded.get("/api/v3/query_sql",
                                params={"db": "db1", "q": query, "format": "csv"})
    assert await response.text() == "t,v\n2023-11-14T22:16:40,3.5\n"
    response = await loaded.get("/api/v3/query_sql",
                                params={"db": "db1", "q": query, "format": "jsonl"})
    assert await response.text() == '{"t":"2023-11-14T22:16:40","v":3.5}\n'


async def test_show_tables_lists_only_this_database(loaded: TestClient) -> None:
    await loaded.post("/api/v3/write_lp", params={"db": "other"}, data=b"secret v=1 1")
    assert await sql(loaded, "db1", "SHOW TABLES") == [
        {"table_catalog": "public", "table_schema": "iox", "table_name": "cpu",
         "table_type": "BASE TABLE"},
        {"table_catalog": "public", "table_schema": "information_schema",
         "table_name": "tables", "table_type": "VIEW"},
        {"table_catalog": "public", "table_schema": "information_schema",
         "table_name": "columns", "table_type": "VIEW"},
    ]
    # Grafana's and the CLI's discovery query
    assert await sql(loaded, "db1", "SELECT table_name FROM information_schema.tables "
                              "WHERE table_schema = 'iox' ORDER BY table_name") == [
        {"table_name": "cpu"}]


async def test_show_columns_and_information_schema_columns(loaded: TestClient) -> None:
    expected = [
        {"table_catalog": "public", "table_schema": "iox", "table_name": "cpu",
         "column_name": name, "data_type": kind, "is_nullable": nullable}
        for name, kind, nullable in [("host", "Dictionary(Int32, Utf8)", "YES"),
                                     ("idle", "Int64", "YES"),
                                     ("time", "Timestamp(Nanosecond, None)", "NO"),
                                     ("usage", "Float64", "YES")]]
    assert await sql(loaded, "db1", "SHOW COLUMNS FROM cpu") == expected
    assert await sql(loaded, "db1", "SELECT table_catalog, table_schema, table_name, column_name, "
                              "data_type, is_nullable FROM information_schema.columns "
                              "WHERE table_name = 'cpu' ORDER BY column_name") == expected
    assert await sql(loaded, "db1", "SHOW COLUMNS FROM nope") == []


@pytest.mark.parametrize("query", [
    "SELECT * FROM information_schema.df_settings",
    "SELECT * FROM information_schema.schemata",
    "SHOW ALL",
])
async def test_other_catalog_views_are_refused(loaded: TestClient, query: str) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    assert response.status == 400
    assert "__influx_gateway" not in await response.text()
