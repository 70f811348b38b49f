"""InfluxDB 3's SQL dialect on `/api/v3/query_sql` routed to a real InfluxDB 1.6.7, over real
HTTP: the same points are written to the native store and to the upstream, and each query is
sent to both. A construct the translation takes must answer what the native store answers; one
it cannot take must be a 400 in v3's format naming the construct, never a 500."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.config import RouteConfig, UpstreamConfig
from tests.conftest import GatewayTestServer, make_config
from tests.support.influxd import Influxd

UPSTREAM, NATIVE = "dialect_v1", "dialect_native"
# 2020-01-01T00:00:00Z plus seconds; two hosts, a float and an integer field.
START = 1_577_836_800
LINES = "\n".join(
    f"cpu,host={host},region={region} usage={usage},n={n}i {(START + offset) * 10**9}"
    for host, region, usage, n, offset in [
        ("a", "eu", 10.5, 1, 0), ("b", "us", 30.0, 2, 10), ("a", "eu", 20.25, 3, 65),
        ("b", "us", 5.0, 4, 75), ("a", "eu", 7.0, 5, 130), ("b", "us", 40.0, 6, 200),
    ]).encode()
WINDOW = "time >= '2020-01-01T00:00:00Z' AND time < '2020-01-01T00:10:00Z'"


@pytest.fixture
async def both(aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> TestClient:
    """A gateway whose database UPSTREAM lives on the real 1.6.7 and NATIVE in its own store,
    both holding LINES."""
    config = dataclasses.replace(
        make_config(tmp_path / "data"),
        upstreams=(UpstreamConfig(name="one", type="influxdb1", url=influxdb1.url),),
        routes=(RouteConfig(database=UPSTREAM, mode="single", targets=("one",)),))
    client = await aiohttp_client(GatewayTestServer(create_app(config)))
    assert (await client.post("/query", data={"q": f"CREATE DATABASE {UPSTREAM}"})).status == 200
    for database in (UPSTREAM, NATIVE):
        answer = await client.post("/write", params={"db": database}, data=LINES)
        assert answer.status == 204, await answer.text()
    return client


async def sql(client: TestClient, database: str, text: str) -> tuple[int, object]:
    answer = await client.get("/api/v3/query_sql",
                              params={"db": database, "q": text, "format": "json"})
    assert answer.headers["Content-Type"].startswith("application/json")
    body = await answer.json()
    if isinstance(body, list) and "ORDER BY" not in text:  # SQL leaves the order open
        body.sort(key=lambda row: sorted(row.items()))
    return answer.status, body


TRANSLATED = [
    pytest.param(f"SELECT date_bin(INTERVAL '1 minute', time, '2020-01-01T00:00:30Z') AS t, "
                 f"count(usage) AS c FROM cpu WHERE {WINDOW} GROUP BY 1 ORDER BY t",
                 id="date_bin-string-origin"),
    pytest.param(f"SELECT date_bin(INTERVAL '2 minutes', time, "
                 f"TIMESTAMP '1999-12-31 23:59:15') AS t, sum(n) AS s FROM cpu "
                 f"WHERE {WINDOW} GROUP BY 1 ORDER BY 1", id="date_bin-timestamp-origin"),
    pytest.param(f"SELECT date_bin('1 minute', time) AS t, max(usage) AS m FROM cpu "
                 f"WHERE {WINDOW} GROUP BY 1 ORDER BY t", id="date_bin-string-stride"),
    pytest.param(f"SELECT date_bin('1 minute', time, '2020-01-01 00:00:20') AS t, "
                 f"selector_last(usage, time)['value'] AS v FROM cpu WHERE {WINDOW} "
                 f"GROUP BY 1 ORDER BY t", id="date_bin-selector-last"),
    pytest.param("SELECT selector_last(usage, time)['value'] AS v, "
                 "selector_last(usage, time)['time'] AS t FROM cpu", id="selector_last"),
    pytest.param("SELECT host, selector_max(usage, time)['value'] AS v FROM cpu "
                 "GROUP BY host", id="selector_max-by-host"),
    pytest.param("SELECT selector_first(n, time)['value'] AS f, "
                 "selector_min(usage, time)['value'] AS m FROM cpu", id="selector_first-min"),
    pytest.param("SELECT first_value(usage IGNORE NULLS ORDER BY time) AS f, "
                 "last_value(usage IGNORE NULLS ORDER BY time) AS l FROM cpu",
                 id="first_value-last_value"),
    pytest.param("SELECT usage FROM cpu WHERE time > now() - INTERVAL '100000 days' "
                 "ORDER BY time", id="now-minus-interval"),
    pytest.param("SELECT usage FROM cpu WHERE time >= to_timestamp_seconds(1577836865) "
                 "ORDER BY time", id="to_timestamp_seconds"),
    pytest.param("SELECT usage FROM cpu WHERE time < to_timestamp_millis(1577836875000) "
                 "ORDER BY time", id="to_timestamp_millis"),
    pytest.param("SELECT usage FROM cpu WHERE time > to_timestamp('2020-01-01T00:01:05Z') "
                 "ORDER BY time", id="to_timestamp-string"),
    pytest.param("SELECT usage FROM cpu WHERE time > to_timestamp_nanos(1577836865000000000) "
                 "ORDER BY time", id="to_timestamp_nanos"),
    pytest.param("SELECT usage FROM cpu WHERE time <= to_timestamp(1577836875) "
                 "ORDER BY time", id="to_timestamp-seconds"),
    # ORDER BY a GROUP BY tag: each series comes back in time order, the merge sorts them.
    pytest.param("SELECT host, count(usage) AS c FROM cpu GROUP BY host ORDER BY host DESC",
                 id="order-by-tag-desc"),
    pytest.param(f"SELECT date_bin(INTERVAL '1 minute', time) AS t, host, max(usage) AS m "
                 f"FROM cpu WHERE {WINDOW} GROUP BY 1, 2 ORDER BY host, t DESC",
                 id="order-by-tag-then-time-desc"),
    pytest.param(f"SELECT date_bin(INTERVAL '1 minute', time) AS t, host, sum(n) AS s "
                 f"FROM cpu WHERE {WINDOW} GROUP BY 1, 2 ORDER BY t, host DESC LIMIT 3 OFFSET 1",
                 id="order-by-time-then-tag-limit"),
    pytest.param(f"SELECT date_bin(INTERVAL '1 minute', time) AS t, region, host, "
                 f"min(usage) AS m FROM cpu WHERE {WINDOW} GROUP BY 1, 2, 3 "
                 f"ORDER BY 2 DESC, t DESC LIMIT 2", id="order-by-position-limit"),
    # unaliased, unquoted names are folded to lower case in the column's name too
    pytest.param("SELECT COUNT(USAGE), MAX(C.N) FROM CPU AS C", id="names-folded"),
    # RE2 (not Python's re) tells a tag's regex that cannot match '' (a missing tag, to 1.x)
    pytest.param(r"SELECT usage FROM cpu WHERE host ~ '^\p{L}$' ORDER BY time",
                 id="tag-regex-re2-class"),
]


@pytest.mark.parametrize("text", TRANSLATED)
async def test_dialect_translated_answers_as_the_native_store(both: TestClient,
                                                              text: str) -> None:
    native = await sql(both, NATIVE, text)
    assert native[0] == 200, native
    assert native[1], "the case must select some rows to be a comparison"
    assert await sql(both, UPSTREAM, text) == native


DISK = b"disk,host=a v=1 1\ndisk v=2 2\ndisk,host=b v=3 3\ndisk v=4 4\ndisk,host=a v=5 5"


@pytest.mark.parametrize("order", ["host, t", "host DESC, t", "host NULLS FIRST, t",
                                   "host DESC NULLS LAST, t DESC", "t DESC, host"])
async def test_order_by_a_tag_some_series_lack(both: TestClient, order: str) -> None:
    for database in (UPSTREAM, NATIVE):
        answer = await both.post("/write", params={"db": database, "precision": "s"},
                                 data=DISK)
        assert answer.status == 204, await answer.text()
    text = ("SELECT date_bin(INTERVAL '2 seconds', time) AS t, host, sum(v) AS s "
            f"FROM disk GROUP BY 1, 2 ORDER BY {order}")
    native = await sql(both, NATIVE, text)
    assert native[0] == 200 and native[1], native
    assert await sql(both, UPSTREAM, text) == native


# Host b's points and the third minute's have no v: their groups are rows all the same.
GAPS = b"gaps,host=a v=1,w=2i 1\ngaps,host=a w=3i 2\ngaps,host=b w=4i 3\n" \
       b"gaps,host=b w=5i 65\ngaps,host=a v=6 70\ngaps,host=b w=6i 130"


@pytest.mark.parametrize(("text", "empty"), [
    pytest.param("SELECT host, count(v) AS c, sum(v) AS s FROM gaps GROUP BY host", "c",
                 id="tag-group-count-0"),
    pytest.param("SELECT host, selector_last(v, time)['value'] AS l FROM gaps GROUP BY host "
                 "ORDER BY host", "l", id="tag-group-selector-null"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS t, max(v) AS m, count(v) AS c "
                 "FROM gaps WHERE time >= '1970-01-01T00:00:00Z' AND time < "
                 "'1970-01-01T00:05:00Z' GROUP BY 1 ORDER BY t", "c", id="bucket-count-0"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS t, host, avg(v) AS a FROM gaps "
                 "WHERE time >= '1970-01-01T00:00:00Z' AND time < '1970-01-01T00:05:00Z' "
                 "GROUP BY 1, 2 ORDER BY host, t LIMIT 3 OFFSET 1", "a", id="bucket-and-tag-cut"),
    # raw, 1.x answers no row for a point whose selected columns are all null or tags
    pytest.param("SELECT time, host, v FROM gaps ORDER BY time", "v", id="raw-null-field"),
    pytest.param("SELECT host, time FROM gaps ORDER BY time DESC LIMIT 4 OFFSET 1", "v",
                 id="raw-tags-alone"),
    # 1.x cuts max(v)'s buckets and count(*)'s apart: each kept a different last minute
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS t, max(v) AS m FROM gaps "
                 "WHERE time >= '1970-01-01T00:00:00Z' AND time < '1970-01-01T00:05:00Z' "
                 "GROUP BY 1 ORDER BY t DESC LIMIT 1", "m", id="bucket-limit"),
])
async def test_points_and_groups_without_the_field_are_rows(both: TestClient, text: str,
                                                              empty: str) -> None:
    """SQL answers a row for every point, and for every group with points (NULL, or a count
    of 0, where none has the field); 1.x answers none for such a point or group unless `*`
    or a row count stands beside."""
    for database in (UPSTREAM, NATIVE):
        answer = await both.post("/write", params={"db": database, "precision": "s"},
                                 data=GAPS)
        assert answer.status == 204, await answer.text()
    native = await sql(both, NATIVE, text)
    # some row is a group without v: `empty` is 0 or NULL there (v3 JSON leaves NULL out)
    assert native[0] == 200 and any(row.get(empty, 0) == 0 for row in native[1]), native
    assert await sql(both, UPSTREAM, text) == native


REFUSED = [
    # text is a time in a comparison, but not in arithmetic (DataFusion refuses to plan it)
    pytest.param("SELECT usage FROM cpu WHERE time > '2020-01-01T00:00:00Z' + INTERVAL '1 "
                 "minute'", "Cannot coerce arithmetic expression Utf8 + Interval",
                 id="text-plus-interval"),
    # 1.x groups by a field as by a tag no point has, and aggregates a tag into nothing: the
    # field keys asked for in the same request tell
    pytest.param("SELECT count(usage) AS c FROM cpu GROUP BY n", "GROUP BY the field 'n'",
                 id="group-by-field"),
    pytest.param("SELECT host, max(n) AS m FROM cpu GROUP BY host, usage",
                 "GROUP BY the field 'usage'", id="group-by-tag-and-field"),
    pytest.param("SELECT count(host) AS c FROM cpu", "an aggregate of the tag 'host'",
                 id="aggregate-of-tag"),
    # a column the table lacks is NULL to 1.x, an error in SQL
    pytest.param("SELECT host, count(usage) AS c FROM cpu GROUP BY host, nosuch",
                 "No field named nosuch", id="group-by-unknown"),
    pytest.param("SELECT nosuch, usage FROM cpu", "No field named nosuch",
                 id="select-unknown"),
    pytest.param("SELECT usage FROM cpu WHERE nosuch = 'x'", "No field named nosuch",
                 id="where-unknown"),
    pytest.param("SELECT count(*) AS n FROM nosuch", "table 'nosuch' not found",
                 id="unknown-table"),
    pytest.param("SELECT first_value(usage ORDER BY time) AS f FROM cpu",
                 "first_value without IGNORE NULLS", id="first_value-respecting-nulls"),
    pytest.param("SELECT host, count(DISTINCT n) AS d FROM cpu GROUP BY host",
                 "count(DISTINCT ...) with GROUP BY", id="count-distinct-grouped"),
    pytest.param("SELECT host, selector_max(usage, time)['time'] AS t FROM cpu GROUP BY host",
                 "a selector's ['time'] with GROUP BY", id="selector-time-grouped"),
    pytest.param("SELECT selector_last(usage, time) AS s FROM cpu", "selector_last",
                 id="selector-struct"),
    pytest.param("SELECT tz(time, 'Europe/Paris') AS t FROM cpu", "tz", id="tz"),
    pytest.param("SELECT time AT TIME ZONE 'Europe/Paris' AS t FROM cpu", "AT TIME ZONE",
                 id="at-time-zone"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, avg(usage) AS a "
                 f"FROM cpu WHERE {WINDOW} GROUP BY 1", "date_bin_gapfill",
                 id="date_bin_gapfill"),
    pytest.param(f"SELECT date_bin_wallclock(INTERVAL '1 minute', time) AS t, count(n) AS c "
                 f"FROM cpu WHERE {WINDOW} GROUP BY 1", "date_bin_wallclock",
                 id="date_bin_wallclock"),
    pytest.param(f"SELECT date_bin(INTERVAL '1 month', time) AS t, count(n) AS c FROM cpu "
                 f"WHERE {WINDOW} GROUP BY 1", "months or years", id="date_bin-month"),
    pytest.param(f"SELECT date_bin(INTERVAL '1 minute', time, now()) AS t, count(n) AS c "
                 f"FROM cpu WHERE {WINDOW} GROUP BY 1", "now()", id="date_bin-origin-now"),
    pytest.param("SELECT arrow_cast(usage, 'Int64') AS u FROM cpu", "arrow_cast",
                 id="arrow_cast"),
    pytest.param("SELECT approx_percentile_cont(usage, 0.5) AS p FROM cpu",
                 "approx_percentile_cont", id="approx_percentile_cont"),
    pytest.param("SELECT usage FROM cpu WHERE time > date_trunc('day', now())",
                 "date_trunc", id="date_trunc-bound"),
    pytest.param("SELECT usage FROM cpu WHERE host SIMILAR TO 'a'", "SIMILAR TO",
                 id="similar-to"),
    # 1.x finds no point where text is ordered (SQL compares it, or casts it to the field's
    # number), nor where a column is compared with a value of another type
    pytest.param("SELECT usage FROM cpu WHERE host > 'a'",
                 "text compared with <, <=, > or >=", id="tag-ordered"),
    pytest.param("SELECT usage FROM cpu WHERE n >= '2'", "text compared with <, <=, > or >=",
                 id="integer-ordered-with-text"),
    pytest.param("SELECT usage FROM cpu WHERE n = '2'",
                 "the integer field 'n' compared with text", id="integer-equal-to-text"),
    pytest.param("SELECT usage FROM cpu WHERE n IN (1, '2')",
                 "the integer field 'n' compared with text", id="integer-in-text"),
    pytest.param("SELECT usage FROM cpu WHERE n ~ '1'",
                 "the integer field 'n' compared with text", id="integer-regex"),
    pytest.param("SELECT usage FROM cpu WHERE host = 1", "the tag 'host' compared with a number",
                 id="tag-equal-to-number"),
    pytest.param("SELECT usage FROM cpu WHERE usage = true",
                 "the float field 'usage' compared with a boolean", id="float-equal-to-boolean"),
    # a tag missing from a point is "" to 1.x, NULL (equal to nothing) in SQL
    pytest.param("SELECT count(*) AS c FROM cpu WHERE region = ''",
                 "the tag 'region' compared with ''", id="tag-equal-to-empty"),
    pytest.param("SELECT count(*) AS c FROM cpu WHERE region ~ '^(eu)?$'",
                 "a regular expression matching '' on the tag 'region'", id="tag-regex-empty"),
    # 1.x's parser reads no infinity
    pytest.param("SELECT usage FROM cpu WHERE usage < 1e400", "the number 1e400",
                 id="infinite-number"),
    # 1.x reads a number past int64 as its bits: n != -1 kept every point
    pytest.param("SELECT usage FROM cpu WHERE n != 18446744073709551615",
                 "the integer field 'n' compared with 18446744073709551615", id="past-int64"),
    # the second argument was dropped: every row counted
    pytest.param("SELECT count(*, usage) AS c FROM cpu", "count of several arguments",
                 id="count-two-arguments"),
    # 1.x's counts and durations are int64: these were answered, as all rows or one bucket
    pytest.param("SELECT usage FROM cpu LIMIT 99999999999999999999",
                 "LIMIT 99999999999999999999 is out of range", id="limit-past-int64"),
    pytest.param(f"SELECT date_bin(INTERVAL '99999999999 days', time) AS t, count(n) AS c "
                 f"FROM cpu WHERE {WINDOW} GROUP BY 1", "date_bin stride is out of range",
                 id="stride-past-int64"),
]


@pytest.mark.parametrize(("text", "construct"), REFUSED)
async def test_dialect_beyond_influxql_is_a_400_naming_it(both: TestClient, text: str,
                                                          construct: str) -> None:
    status, body = await sql(both, UPSTREAM, text)
    assert status == 400, body
    assert isinstance(body, dict) and construct.lower() in body["error"].lower(), body


BAD_DATE_BIN = [
    # sqlglot upper-cased a quoted origin it took for a unit word ('GARBAGE')
    pytest.param("date_bin(INTERVAL '1 minute', time, 'garbage')",
                 "Arrow error: Parser error: Error parsing timestamp from 'garbage': "
                 "timestamp must contain at least 10 characters", id="short-origin"),
    pytest.param("date_bin(INTERVAL '1 minute', time, '2020-13-01T00:00:00Z')",
                 "Arrow error: Parser error: Error parsing timestamp from "
                 "'2020-13-01T00:00:00Z': error parsing date", id="bad-month"),
    pytest.param("date_bin(INTERVAL '1 minute', time, '2020-01-01 at noon')",
                 "Arrow error: Parser error: Error parsing timestamp from "
                 "'2020-01-01 at noon': error parsing time", id="bad-time"),
    # sqlglot answered its own "Required keyword: 'expression' missing"
    pytest.param("date_bin(INTERVAL '1 minute')",
                 "Execution error: DATE_BIN expected two or three arguments", id="one-argument"),
    pytest.param("date_bin(INTERVAL '1 minute', time, '2020-01-01T00:00:00Z', 'UTC')",
                 "Execution error: DATE_BIN expected two or three arguments",
                 id="four-arguments"),
]


@pytest.mark.parametrize(("call", "message"), BAD_DATE_BIN)
async def test_bad_date_bin_is_datafusions_400_on_both_paths(both: TestClient, call: str,
                                                             message: str) -> None:
    text = f"SELECT {call} AS t, count(n) AS c FROM cpu WHERE {WINDOW} GROUP BY 1"
    for database in (UPSTREAM, NATIVE):
        assert await sql(both, database, text) == (400, {"error": message, "data": None})


WORDS = b"words,host=a s=\"x\",b=true,v=1 1\nwords s=\"y\",b=false,v=2 2\nwords v=3 3"


@pytest.mark.parametrize(("text", "construct", "answered"), [
    pytest.param("SELECT max(s) AS m FROM words", "max of the string field 's'",
                 [{"m": "y"}], id="max-of-text"),
    pytest.param("SELECT min(b) AS m FROM words", "min of the boolean field 'b'",
                 [{"m": False}], id="min-of-boolean"),
    pytest.param("SELECT host, avg(s) AS m FROM words GROUP BY host",
                 "avg of the string field 's'", None, id="avg-of-text"),
    pytest.param("SELECT v FROM words WHERE s >= 'y'", "text compared with <, <=, > or >=",
                 [{"v": 2.0}], id="text-ordered"),
    pytest.param("SELECT v FROM words WHERE b > false",
                 "a boolean compared with <, <=, > or >=", [{"v": 1.0}], id="boolean-ordered"),
    pytest.param("SELECT v FROM words WHERE s = 1", "the string field 's' compared with a number",
                 None, id="text-equal-to-number"),
    pytest.param("SELECT v FROM words WHERE b = 'true'",
                 "the boolean field 'b' compared with text", None, id="boolean-equal-to-text"),
    pytest.param("SELECT v FROM words WHERE host = '' OR v = 2", "the tag 'host' compared with ''",
                 [{"v": 2.0}], id="missing-tag-equal-to-empty"),
    pytest.param("SELECT v FROM words WHERE host LIKE '%'",
                 "a regular expression matching '' on the tag 'host'", [{"v": 1.0}],
                 id="missing-tag-like-anything"),
])
async def test_text_and_booleans_beyond_influxql_are_a_400_naming_them(
        both: TestClient, text: str, construct: str, answered: list[object] | None) -> None:
    """1.x orders, sums and averages numbers alone, and finds no point where a column meets
    a value of another type or a missing tag meets '': where SQL answers otherwise (as the
    native store does, `answered`), the routed statement is refused."""
    for database in (UPSTREAM, NATIVE):
        answer = await both.post("/write", params={"db": database, "precision": "s"},
                                 data=WORDS)
        assert answer.status == 204, await answer.text()
    if answered is not None:
        assert await sql(both, NATIVE, text) == (200, answered)
    status, body = await sql(both, UPSTREAM, text)
    assert status == 400, body
    assert isinstance(body, dict) and body["error"] == f"cannot translate {construct} to InfluxQL"


async def test_an_error_1x_finds_in_the_whole_request_is_its_words(both: TestClient) -> None:
    """1.x answers a request it cannot parse (a bad regex) in the MessagePack asked for: the
    caller gets its words, not the encoded bytes."""
    status, body = await sql(both, UPSTREAM, "SELECT usage FROM cpu WHERE host ~ '('")
    assert status == 400, body
    assert isinstance(body, dict) and body["error"].startswith(
        "error parsing query: error parsing regexp: missing closing ): `(`"), body


PATHS = b"paths,dir=a\\\\b v=1 1\npaths,dir=a/b v=2 2\npaths,dir=c v=3 3"


@pytest.mark.parametrize("condition", [
    pytest.param(r"dir ~ '\\'", id="regex-ending-in-a-backslash"),
    pytest.param(r"dir ~ '[\\/]'", id="backslash-before-slash"),
    pytest.param(r"dir ~ '\\b$'", id="backslash-pair-then-text"),
])
async def test_an_escaped_backslash_in_a_regex_is_matched(both: TestClient,
                                                          condition: str) -> None:
    """1.x's regex literal reads `\\/` as an escaped slash: a pattern's escaped backslash
    before the closing slash (or another) was a 1.x parse error."""
    for database in (UPSTREAM, NATIVE):
        answer = await both.post("/write", params={"db": database, "precision": "s"},
                                 data=PATHS)
        assert answer.status == 204, await answer.text()
    text = f"SELECT dir, v FROM paths WHERE {condition}"
    native = await sql(both, NATIVE, text)
    assert native[0] == 200 and native[1], native
    assert await sql(both, UPSTREAM, text) == native
