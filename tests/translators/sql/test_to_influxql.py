"""InfluxDB 3 SQL to InfluxQL: the statement, the column description, the refusals, and the
answer rebuilt as SQL rows, checked end to end against the native SQL path on one dataset."""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator

import duckdb
import pytest

from tests.support.influxd import Influxd
from translators.encoders import V3_ENCODERS
from translators.encoders.influxql_format import V1Format, encode_v1
from translators.influxql import engine
from translators.influxql.decode import decode_v1_json, decode_v1_msgpack
from translators.influxql.parser import parse_statement
from translators.influxql.render import render
from translators.influxql.results import Series, StatementResult
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType
from translators.sql import SqlRejected, translate_query
from translators.sql.influxql_translation import OrderKey
from translators.sql.to_influxql import (
    Origin,
    SqlTranslation,
    Untranslatable,
    answer_table,
    translate_sql,
)


def columns(translation: SqlTranslation) -> list[str]:
    """The description, compactly: `name<-time`, `name<-tag:host`, `name<-field@1`..."""
    out = []
    for c in translation.columns:
        where = {Origin.TAG: f":{c.tag}", Origin.FIELD: f"@{c.position}",
                 Origin.ROW_COUNT: f"@{c.position}"}.get(c.origin, "")
        out.append(f"{c.name}<-{c.origin}{where}")
    return out


@pytest.mark.parametrize(("sql", "influxql", "described"), [
    # -- columns --
    pytest.param("SELECT time, v, host FROM cpu", "SELECT v, host, * FROM cpu",
                 ["time<-time", "v<-field@1", "host<-field@2"], id="raw-columns"),
    pytest.param("SELECT * FROM cpu", "SELECT * FROM cpu", ["*<-all"], id="star"),
    pytest.param("SELECT c.v AS value FROM public.iox.cpu AS c", "SELECT v, * FROM cpu",
                 ["value<-field@1"], id="alias-schema-qualifier"),
    pytest.param("SELECT time FROM cpu", "SELECT * FROM cpu", ["time<-time"],
                 id="only-time-reads-every-point"),
    pytest.param("SELECT v, v AS w FROM cpu", "SELECT v, * FROM cpu",
                 ["v<-field@1", "w<-field@1"], id="same-field-once"),
    pytest.param('SELECT "Usage Idle", Host FROM "CPU" WHERE "my tag" = \'it\'\'s\'',
                 'SELECT "Usage Idle", host, * FROM CPU WHERE "my tag" = \'it\\\'s\'',
                 ["Usage Idle<-field@1", "host<-field@2"], id="case-folding-and-quoting"),
    pytest.param('SELECT "select", "a""b" FROM "from"', 'SELECT "select", "a\\"b", * FROM "from"',
                 ["select<-field@1", 'a"b<-field@2'], id="keywords-and-quotes-quoted"),
    # -- aggregates --
    # mean is DataFusion's alias of avg, named avg(...) as DataFusion plans it: aliased here
    pytest.param("SELECT count(v), sum(v), avg(v), mean(v) AS m, min(v), max(v), median(v), "
                 "stddev(v), stddev_samp(v) FROM cpu",
                 "SELECT count(v), sum(v), mean(v), min(v), max(v), median(v), stddev(v) "
                 "FROM cpu",
                 ["count(cpu.v)<-field@1", "sum(cpu.v)<-field@2", "avg(cpu.v)<-field@3",
                  "m<-field@3", "min(cpu.v)<-field@4", "max(cpu.v)<-field@5",
                  "median(cpu.v)<-field@6", "stddev(cpu.v)<-field@7",
                  "stddev_samp(cpu.v)<-field@7"], id="aggregates"),
    pytest.param("SELECT count(*) AS n, avg(v) AS a, count(1) AS m FROM cpu",
                 "SELECT mean(v), count(*) FROM cpu",
                 ["n<-row_count@2", "a<-field@1", "m<-row_count@2"],
                 id="row-count-expands-last"),
    pytest.param("SELECT count(DISTINCT host) FROM cpu", "SELECT count(distinct(host)) FROM cpu",
                 ["count(DISTINCT cpu.host)<-field@1"], id="count-distinct"),
    pytest.param("SELECT selector_first(v, time)['value'] AS a, selector_last(v, time)['value'] "
                 "AS b, selector_min(i, time)['value'] AS c, selector_max(i, time)['value'] AS d "
                 "FROM cpu", "SELECT first(v), last(v), min(i), max(i) FROM cpu",
                 ["a<-field@1", "b<-field@2", "c<-field@3", "d<-field@4"], id="selectors"),
    pytest.param("SELECT selector_last(v, time)['time'] AS time, "
                 "selector_last(v, time)['value'] AS v FROM cpu",
                 "SELECT last(v) FROM cpu",
                 ["time<-time", "v<-field@1"], id="lone-selector-time"),
    pytest.param("SELECT first_value(v IGNORE NULLS ORDER BY time) AS a, first_value(v ORDER BY "
                 "time DESC) IGNORE NULLS AS b, last_value(v IGNORE NULLS ORDER BY time) AS c "
                 "FROM cpu",
                 "SELECT first(v), last(v) FROM cpu",
                 ["a<-field@1", "b<-field@2", "c<-field@2"], id="first-last-value"),
    # -- GROUP BY --
    pytest.param("SELECT date_bin(INTERVAL '5 minutes', time) AS bucket, host, avg(v) FROM cpu "
                 "GROUP BY 1, host",
                 "SELECT mean(v), count(*) FROM cpu GROUP BY time(5m), host fill(none)",
                 ["bucket<-time", "host<-tag:host", "avg(cpu.v)<-field@1"],
                 id="bucket-by-position-and-tag"),
    pytest.param("SELECT date_bin(INTERVAL '1 hour', time, '2024-01-01T00:10:00Z'::TIMESTAMP) "
                 "AS t, count(v) AS n FROM cpu GROUP BY t",
                 "SELECT count(v), count(*) FROM cpu GROUP BY time(1h, 10m) fill(none)",
                 ["t<-time", "n<-field@1"], id="bucket-by-alias-origin-as-offset"),
    pytest.param("SELECT sum(v) AS s FROM cpu GROUP BY date_bin(INTERVAL '1 hour 30 minutes', "
                 "time, TIMESTAMP '1970-01-01T00:00:00Z' - INTERVAL '1 minute')",
                 "SELECT sum(v), count(*) FROM cpu GROUP BY time(90m, 89m) fill(none)",
                 ["s<-field@1"],
                 id="bucket-not-selected-negative-origin"),
    pytest.param("SELECT date_bin(INTERVAL '2' DAY, time, '2024-01-01T00:00:00.5Z') AS b, "
                 "max(v) AS m FROM cpu GROUP BY 1",
                 # 2024-01-01 is an odd day since the epoch: the offset is a day and 0.5 s
                 "SELECT max(v), count(*) FROM cpu GROUP BY time(2d, 86400500ms) fill(none)",
                 ["b<-time", "m<-field@1"], id="origin-modulo-a-two-day-stride"),
    pytest.param("SELECT date_bin(INTERVAL '1.5 seconds', time) AS b, max(v) AS m FROM cpu "
                 "GROUP BY 1", "SELECT max(v), count(*) FROM cpu GROUP BY time(1500ms) fill(none)",
                 ["b<-time", "m<-field@1"], id="fractional-interval"),
    pytest.param("SELECT date_bin('90 seconds', time, '2024-01-01 00:00:30') AS b, "
                 "max(v) AS m FROM cpu GROUP BY 1",
                 "SELECT max(v), count(*) FROM cpu GROUP BY time(90s, 30s) fill(none)",
                 ["b<-time", "m<-field@1"], id="string-stride-and-origin"),
    pytest.param("SELECT host, region FROM cpu GROUP BY host, region, host",
                 "SELECT count(*) FROM cpu GROUP BY host, region",
                 ["host<-tag:host", "region<-tag:region"], id="distinct-tags-by-counting"),
    # -- WHERE --
    pytest.param("SELECT v FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < "
                 "'2024-01-02 00:00:00' AND time <= '2024-01-03T02:00:00+02:00' AND time > "
                 "'2024-01-04T00:00:00.5' AND time = TIMESTAMP '2024-01-05'",
                 "SELECT v, * FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-02T00:00:00Z' AND time <= '2024-01-03T00:00:00Z' AND "
                 "time > '2024-01-04T00:00:00.5Z' AND time = '2024-01-05T00:00:00Z'",
                 ["v<-field@1"], id="timestamps-without-zone-are-utc"),
    pytest.param("SELECT v FROM cpu WHERE time > now() - INTERVAL '1 hour' AND time < "
                 "INTERVAL '2 days' + now() AND time <= current_timestamp",
                 "SELECT v, * FROM cpu WHERE time > now() - 1h AND time < now() + 2d AND "
                 "time <= now()", ["v<-field@1"], id="now-and-intervals"),
    pytest.param("SELECT v FROM cpu WHERE time >= to_timestamp(1704067200.5) AND time < "
                 "to_timestamp_millis(1704067260000) AND time > to_timestamp_micros(-1) AND "
                 "time < to_timestamp_nanos('2024-01-02T00:00:00Z') AND time <= "
                 "from_unixtime(1704153600) AND time <= to_timestamp_seconds(1704067230)",
                 "SELECT v, * FROM cpu WHERE time >= '2024-01-01T00:00:00.5Z' AND "
                 "time < '2024-01-01T00:01:00Z' AND time > '1969-12-31T23:59:59.999999Z' AND "
                 "time < '2024-01-02T00:00:00Z' AND time <= '2024-01-02T00:00:00Z' AND "
                 "time <= '2024-01-01T00:00:30Z'", ["v<-field@1"], id="to-timestamp-family"),
    pytest.param("SELECT v FROM cpu WHERE time BETWEEN '2024-01-01' AND TIMESTAMP "
                 "'2024-01-01T00:00:00Z' + INTERVAL '1 week'",
                 "SELECT v, * FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time <= '2024-01-08T00:00:00Z'", ["v<-field@1"], id="between-folds-intervals"),
    pytest.param("SELECT v FROM cpu WHERE 'a' = host AND 5 < v AND v <= -1.5 AND i != 3 AND "
                 "u = 18446744073709551615 AND up AND NOT down",
                 "SELECT v, * FROM cpu WHERE host = 'a' AND v > 5 AND v <= -1.500 AND i != 3 AND "
                 "u = 18446744073709551615 AND up = true AND down = false", ["v<-field@1"],
                 id="literals-and-flipped-operands"),
    pytest.param("SELECT v FROM cpu WHERE host IN ('a', 'b') AND region NOT IN ('x', 'y')",
                 # AND is associative: the NOT IN's run is written flat (render.py)
                 "SELECT v, * FROM cpu WHERE (host = 'a' OR host = 'b') AND "
                 "region != 'x' AND region != 'y'", ["v<-field@1"], id="in-lists"),
    pytest.param("SELECT v FROM cpu WHERE NOT (host = 'a' AND (v < 2 OR v >= 9)) AND "
                 "v NOT BETWEEN 1 AND 2",
                 "SELECT v, * FROM cpu WHERE (host != 'a' OR v >= 2 AND v < 9) AND "
                 "(v < 1 OR v > 2)", ["v<-field@1"], id="not-pushed-down"),
    pytest.param("SELECT v FROM cpu WHERE host ~ 'a/b.*' AND host !~ 'c' AND region ~* 'EU' AND "
                 "s LIKE 'x_%. y' AND s NOT ILIKE 'Z%'",
                 "SELECT v, * FROM cpu WHERE host =~ /a\\/b.*/ AND host !~ /c/ AND "
                 "region =~ /(?i)EU/ AND s =~ /(?s)^x..*\\. y$/ AND s !~ /(?i)(?s)^Z.*$/",
                 ["v<-field@1"], id="regex-and-like"),
    pytest.param(r"SELECT v FROM cpu WHERE s LIKE 'a\%b\\c\_d(' AND s NOT LIKE '\'",
                 # an escaped backslash as \x5c: 1.x reads `\/` as an escaped slash
                 r"SELECT v, * FROM cpu WHERE s =~ /(?s)^a%b\x5cc_d\($/ AND s !~ /(?s)^\x5c$/",
                 ["v<-field@1"], id="like-backslash-escapes"),
    pytest.param("SELECT v FROM cpu WHERE host = $host AND v > $low AND f = $f AND b = $b "
                 "LIMIT $n", "SELECT v, * FROM cpu WHERE host = 'it\\'s' AND v > 3 AND "
                 "f = 1.500 AND b = true LIMIT 2", ["v<-field@1"], id="parameters"),
    # -- ORDER BY, LIMIT, OFFSET --
    pytest.param("SELECT time, v FROM cpu ORDER BY time DESC LIMIT 5 OFFSET 2",
                 "SELECT v, * FROM cpu ORDER BY time DESC LIMIT 5 OFFSET 2",
                 ["time<-time", "v<-field@1"], id="one-series-pushed-down"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS time, count(v) AS n FROM cpu "
                 "GROUP BY 1 ORDER BY time DESC", "SELECT count(v), count(*) FROM cpu "
                 "GROUP BY time(1m) fill(none) ORDER BY time DESC", ["time<-time", "n<-field@1"],
                 id="order-by-bucket-alias"),
    pytest.param("SELECT v FROM cpu ORDER BY time ASC", "SELECT v, * FROM cpu", ["v<-field@1"],
                 id="ascending-is-influxql-default"),
])
def test_translation(sql: str, influxql: str, described: list[str]) -> None:
    translation = translate_sql(sql, {"host": "it's", "low": 3, "f": 1.5, "b": True, "n": 2})
    assert translation.influxql == influxql
    assert columns(translation) == described
    # The text reads back as the tree it was written from.
    assert render(parse_statement(influxql)) == influxql


@pytest.mark.parametrize(("sql", "influxql", "cut"), [
    pytest.param("SELECT host, count(v) FROM cpu GROUP BY host LIMIT 2 OFFSET 1",
                 "SELECT count(v), count(*) FROM cpu GROUP BY host LIMIT 3", (1, 2),
                 id="tags-cut-after"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS t, max(v) AS m FROM cpu "
                 "GROUP BY 1 ORDER BY t LIMIT 2 OFFSET 1",
                 "SELECT max(v), count(*) FROM cpu GROUP BY time(1m) fill(none) LIMIT 3", (1, 2),
                 id="buckets-cut-after"),  # 1.x cuts each aggregate's buckets apart
    pytest.param("SELECT v FROM cpu OFFSET 3", "SELECT v, * FROM cpu", (3, None),
                 id="offset-alone-never-sent"),  # 1.x would answer the one row at the offset
    pytest.param("SELECT v FROM cpu LIMIT 0", "SELECT v, * FROM cpu LIMIT 1", (0, 0),
                 id="limit-0-is-no-rows"),  # 1.x reads LIMIT 0 as no limit
    pytest.param("SELECT v FROM cpu LIMIT 3 OFFSET 1", "SELECT v, * FROM cpu LIMIT 3 OFFSET 1",
                 (0, None), id="one-series-nothing-after"),
    pytest.param("SELECT count(v) FROM cpu LIMIT 3 OFFSET 1", "SELECT count(v) FROM cpu",
                 (1, 3), id="global-aggregate-cut-after"),  # its one row may be made up
])
def test_limits(sql: str, influxql: str, cut: tuple[int, int | None]) -> None:
    translation = translate_sql(sql)
    assert translation.influxql == influxql
    assert (translation.offset, translation.limit) == cut


def test_global_aggregate_and_order_flags() -> None:
    assert translate_sql("SELECT count(v) FROM cpu").global_aggregate
    assert not translate_sql("SELECT host, count(v) FROM cpu GROUP BY host").global_aggregate
    assert translate_sql("SELECT v FROM cpu ORDER BY time DESC").descending is True
    assert translate_sql("SELECT v FROM cpu").descending is None


@pytest.mark.parametrize(("sql", "influxql", "order"), [
    pytest.param("SELECT host, count(v) AS c FROM cpu GROUP BY host ORDER BY host DESC",
                 "SELECT count(v), count(*) FROM cpu GROUP BY host",
                 (OrderKey("host", True, True),),
                 id="tag-desc-nulls-first"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS t, host, max(v) AS m FROM cpu "
                 "GROUP BY 1, 2 ORDER BY host NULLS FIRST, t DESC LIMIT 2",
                 "SELECT max(v), count(*) FROM cpu GROUP BY time(1m), host fill(none) "
                 "ORDER BY time DESC "
                 "LIMIT 2", (OrderKey("host", False, True), OrderKey(None, True)),
                 id="tag-then-time-desc"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS t, host, region, max(v) AS m "
                 "FROM cpu GROUP BY 1, 2, 3 ORDER BY t, region DESC NULLS LAST, 2",
                 "SELECT max(v), count(*) FROM cpu GROUP BY time(1m), host, region fill(none)",
                 (OrderKey(None), OrderKey("region", True), OrderKey("host")),
                 id="time-then-tags"),
])
def test_order_by_grouped_tags(sql: str, influxql: str, order: tuple[OrderKey, ...]) -> None:
    translation = translate_sql(sql)
    assert (translation.influxql, translation.order) == (influxql, order)


@pytest.mark.parametrize(("sql", "construct"), [
    pytest.param("SELECT * FROM cpu JOIN mem ON cpu.time = mem.time", "JOIN", id="join"),
    pytest.param("SELECT * FROM cpu LEFT JOIN mem USING (time)", "JOIN", id="left-join"),
    pytest.param("SELECT * FROM cpu, mem", "a query over several tables", id="comma-tables"),
    pytest.param("SELECT * FROM (SELECT v FROM cpu)", "a subquery", id="from-subquery"),
    pytest.param("SELECT v FROM cpu WHERE v IN (SELECT v FROM mem)", "a subquery",
                 id="where-subquery"),
    pytest.param("WITH x AS (SELECT v FROM cpu) SELECT v FROM x",
                 "WITH (common table expressions)", id="cte"),
    pytest.param("SELECT v FROM cpu UNION ALL SELECT v FROM mem", "UNION", id="union"),
    pytest.param("SELECT v FROM cpu INTERSECT SELECT v FROM mem", "INTERSECT", id="intersect"),
    pytest.param("SELECT v FROM cpu EXCEPT SELECT v FROM mem", "EXCEPT", id="except"),
    pytest.param("SELECT avg(v) OVER (PARTITION BY host) FROM cpu", "window functions (OVER)",
                 id="window"),
    pytest.param("SELECT host, avg(v) FROM cpu GROUP BY host HAVING avg(v) > 1", "HAVING",
                 id="having"),
    pytest.param("SELECT DISTINCT host FROM cpu", "SELECT DISTINCT", id="distinct-rows"),
    pytest.param("SELECT DISTINCT ON (host) host, v FROM cpu", "DISTINCT ON", id="distinct-on"),
    pytest.param("SELECT v FROM cpu ORDER BY v", "ORDER BY anything but time or a GROUP BY "
                 "tag", id="order-field"),
    pytest.param("SELECT host, v FROM cpu ORDER BY host", "ORDER BY anything but time or a "
                 "GROUP BY tag", id="order-tag-not-grouped"),
    pytest.param("SELECT host, count(v) FROM cpu GROUP BY host ORDER BY count(v)",
                 "ORDER BY anything but time or a GROUP BY tag", id="order-aggregate"),
    pytest.param("SELECT v FROM cpu ORDER BY time, v", "ORDER BY anything but time or a "
                 "GROUP BY tag", id="order-time-then-field"),
    pytest.param("SELECT v FROM cpu ORDER BY time, time DESC", "ORDER BY time twice",
                 id="order-time-twice"),
    pytest.param("SELECT avg(v) FROM cpu ORDER BY time",
                 "ORDER BY the raw time in an aggregate query", id="order-raw-time-aggregate"),
    pytest.param("SELECT abs(v) FROM cpu", "the function abs", id="scalar-function"),
    pytest.param("SELECT approx_distinct(v) FROM cpu", "the function approx_distinct",
                 id="unknown-aggregate"),
    pytest.param("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM cpu",
                 "WITHIN GROUP", id="ordered-set-aggregate"),
    pytest.param("SELECT v * 2 FROM cpu", "the operator *", id="arithmetic"),
    pytest.param("SELECT CASE WHEN v > 1 THEN 1 ELSE 0 END AS x FROM cpu", "CASE", id="case"),
    pytest.param("SELECT sum(v * 2) FROM cpu", "sum of anything but a tag or field",
                 id="aggregate-of-expression"),
    pytest.param("SELECT sum(DISTINCT v) FROM cpu", "sum(DISTINCT ...)", id="sum-distinct"),
    pytest.param("SELECT count(DISTINCT host, region) FROM cpu",
                 "count(DISTINCT ...) of several columns", id="count-distinct-several"),
    pytest.param("SELECT count(DISTINCT host) AS d, count(v) AS n FROM cpu",
                 "count(DISTINCT ...) beside other aggregates", id="count-distinct-beside"),
    pytest.param("SELECT first_value(v) FROM cpu", "first_value without ORDER BY time",
                 id="first-value-unordered"),
    pytest.param("SELECT first_value(v ORDER BY time) FROM cpu",
                 "first_value without IGNORE NULLS", id="first-value-respecting-nulls"),
    pytest.param("SELECT last_value(v RESPECT NULLS ORDER BY time) FROM cpu",
                 "last_value without IGNORE NULLS", id="last-value-respecting-nulls"),
    pytest.param("SELECT selector_max(v, time) FROM cpu", "the function selector_max",
                 id="selector-struct"),
    pytest.param("SELECT selector_max(v, time)['time'] AS t, avg(v) FROM cpu",
                 "a selector's ['time'] beside other aggregates or date_bin",
                 id="selector-time-beside-aggregate"),
    pytest.param("SELECT selector_last(v, time)['time'] AS t, host FROM cpu GROUP BY host",
                 "a selector's ['time'] with GROUP BY", id="selector-time-by-tag"),
    pytest.param("SELECT host, count(DISTINCT v) AS d FROM cpu GROUP BY host",
                 "count(DISTINCT ...) with GROUP BY", id="count-distinct-by-tag"),
    pytest.param("SELECT selector_max(v, host)['value'] FROM cpu",
                 "selector_max of anything but (column, time)", id="selector-not-by-time"),
    pytest.param("SELECT v FROM cpu WHERE host IS NULL", "IS NULL", id="is-null"),
    pytest.param("SELECT v FROM cpu WHERE v = NULL", "a comparison with NULL", id="eq-null"),
    pytest.param("SELECT v FROM cpu WHERE time > now() - INTERVAL '1 hour' OR host = 'a'",
                 "a time condition under OR", id="time-under-or"),
    pytest.param("SELECT v FROM cpu WHERE NOT (time > now() AND host = 'a')",
                 "a time condition under OR", id="time-under-negated-and"),
    pytest.param("SELECT v FROM cpu WHERE time != now()", "time !=", id="time-not-equal"),
    pytest.param("SELECT v FROM cpu WHERE time > to_timestamp_millis(v)",
                 "to_timestamp_millis() of anything but one number or string",
                 id="to-timestamp-of-column"),
    pytest.param("SELECT time AT TIME ZONE 'UTC' AS t FROM cpu", "AT TIME ZONE",
                 id="at-time-zone"),
    pytest.param("SELECT v FROM cpu WHERE host SIMILAR TO 'a'", "the operator SIMILAR TO",
                 id="similar-to"),
    pytest.param("SELECT v FROM cpu WHERE time > 5", "the time expression 5", id="time-number"),
    pytest.param("SELECT v FROM cpu WHERE a = b",
                 "a comparison that is not between a column and a value", id="column-column"),
    pytest.param("SELECT v FROM cpu WHERE host LIKE 'a!%' ESCAPE '!'", "LIKE ... ESCAPE",
                 id="like-escape"),
    pytest.param("SELECT v FROM cpu WHERE host ~ upper('a')",
                 "REGEXPLIKE other than column and text", id="regex-expression"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS time, avg(v) FROM cpu "
                 "GROUP BY time", "GROUP BY time, the raw timestamp (alias the date_bin "
                 "bucket with another name, or group by its position)", id="group-raw-time"),
    pytest.param("SELECT avg(v) FROM cpu GROUP BY ROLLUP (host)", "GROUP BY ROLLUP",
                 id="rollup"),
    pytest.param("SELECT avg(v) FROM cpu GROUP BY upper(host)", "GROUP BY the function upper",
                 id="group-expression"),
    pytest.param("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS b, avg(v) FROM cpu "
                 "GROUP BY 1", "GROUP BY the function date_bin_gapfill", id="gapfill"),
    pytest.param("SELECT date_bin(INTERVAL '1 month', time) AS b, avg(v) FROM cpu GROUP BY 1",
                 "an interval in months or years", id="month-interval"),
    pytest.param("SELECT date_bin(INTERVAL '1 fortnight', time) AS b, avg(v) FROM cpu "
                 "GROUP BY 1", "the interval unit 'fortnight'", id="unknown-unit"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS b, avg(v) FROM cpu GROUP BY "
                 "date_bin(INTERVAL '1 minute', time), date_bin(INTERVAL '1 hour', time)",
                 "GROUP BY several date_bin buckets", id="two-buckets"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS b, avg(v) FROM cpu",
                 "a date_bin bucket that is not in GROUP BY", id="bucket-not-grouped"),
    pytest.param("SELECT avg(v) FROM cpu GROUP BY date_bin(INTERVAL '1 minute', v)",
                 "date_bin of anything but time", id="bucket-of-field"),
    pytest.param("SELECT *, v FROM cpu", "* beside other columns, aggregates or GROUP BY",
                 id="star-beside"),
    pytest.param("SELECT 1", "a SELECT without FROM", id="no-from"),
    pytest.param("SELECT * FROM information_schema.columns",
                 "table 'information_schema.columns'", id="information-schema"),
    pytest.param("SELECT v FROM cpu LIMIT 1 + 1", "LIMIT other than a number",
                 id="limit-expression"),
    pytest.param("SELECT v FROM cpu FOR UPDATE", "FOR UPDATE", id="locks"),
    # 1.x orders neither text nor booleans: no point matches
    pytest.param("SELECT v FROM cpu WHERE host >= 'a'", "text compared with <, <=, > or >=",
                 id="text-ordered"),
    pytest.param("SELECT v FROM cpu WHERE NOT (v BETWEEN 'a' AND 'b')",
                 "text compared with <, <=, > or >=", id="text-between"),
    pytest.param("SELECT v FROM cpu WHERE true < b", "a boolean compared with <, <=, > or >=",
                 id="boolean-ordered"),
    pytest.param("SELECT v FROM cpu WHERE v = 1e400", "the number 1e400", id="infinite"),
    pytest.param("SELECT count(i, v) FROM cpu", "count of several arguments",
                 id="count-two-arguments"),
])
def test_untranslatable(sql: str, construct: str) -> None:
    with pytest.raises(Untranslatable) as caught:
        translate_sql(sql)
    assert str(caught.value) == f"cannot translate {construct} to InfluxQL"
    assert caught.value.construct == construct
    assert isinstance(caught.value, SqlRejected)  # answered as the native path's 400


@pytest.mark.parametrize(("sql", "message"), [
    pytest.param("SELEC v FROM cpu", "error parsing SQL", id="parse-error"),
    pytest.param("DELETE FROM cpu", "only SELECT queries are allowed", id="not-select"),
    pytest.param("SELECT v FROM cpu; SELECT v FROM cpu", "only one SQL statement",
                 id="two-statements"),
    pytest.param("SELECT v FROM cpu WHERE host = $missing", "no value given for parameter "
                 "$missing", id="missing-parameter"),
    pytest.param("SELECT v AS x, i AS x FROM cpu", "result column names must be unique: x",
                 id="duplicate-names"),
    pytest.param("SELECT host, v FROM cpu GROUP BY host", "column 'v' must appear in the "
                 "GROUP BY clause or be used in an aggregate function", id="ungrouped-column"),
    pytest.param("SELECT v FROM cpu WHERE time > 'yesterday'", "invalid timestamp 'yesterday'",
                 id="bad-timestamp"),
    pytest.param("SELECT v FROM cpu WHERE time > to_timestamp(99999999999)",
                 r"to_timestamp\(99999999999\) is out of the time range", id="epoch-overflow"),
    pytest.param("SELECT v FROM cpu WHERE m.v > 1", "unknown table 'm' in column reference",
                 id="unknown-qualifier"),
    pytest.param("SELECT v FROM cpu WHERE v > $nan", "unsupported parameter value: nan",
                 id="nan-parameter"),
    pytest.param("SELECT v FROM cpu OFFSET 9223372036854775808",
                 "OFFSET 9223372036854775808 is out of range", id="offset-past-int64"),
    pytest.param("SELECT date_bin(INTERVAL '106752 days', time) AS b, avg(v) FROM cpu "
                 "GROUP BY 1", "date_bin stride is out of range", id="stride-past-int64"),
])
def test_rejected(sql: str, message: str) -> None:
    with pytest.raises(SqlRejected, match=message.replace("$", r"\$")) as caught:
        translate_sql(sql, {"nan": float("nan")})
    assert not isinstance(caught.value, Untranslatable)


# -- answers rebuilt as SQL rows ----------------------------------------------------------------

T0 = 1_704_067_200_000_000_000  # 2024-01-01T00:00:00Z
MINUTE = 60_000_000_000


def rows_of(sql: str, results: list[StatementResult]) -> tuple[list[str], list[list[object]]]:
    table = answer_table(results, translate_sql(sql))
    return table.column_names, [list(r.values()) for r in table.to_pylist()]


def test_grouped_tags_come_back_as_columns_and_empty_tags_as_null() -> None:
    results = [StatementResult(0, [
        Series("cpu", ["time", "count", "count_v"], [[0, 3, 3]], {"host": "a", "region": "eu"},
               True),
        Series("cpu", ["time", "count", "count_v"], [[0, 2, 2]], {"host": "b", "region": ""},
               True),
    ])]
    names, rows = rows_of("SELECT region, count(v) AS n, host FROM cpu GROUP BY host, region",
                          results)
    # the epoch 1.x answers for an aggregate without GROUP BY time is dropped
    assert names == ["region", "n", "host"]
    assert rows == [["eu", 3, "a"], [None, 2, "b"]]


def test_series_merged_by_time_then_cut() -> None:
    results = [StatementResult(0, [
        Series("cpu", ["time", "mean", "count_v"], [[T0 + 2 * MINUTE, 1.5, 1], [T0, 2.0, 1]],
               {"host": "a"}, True),
        Series("cpu", ["time", "mean", "count_v"], [[T0 + 3 * MINUTE, 4.0, 1],
                                                    [T0 + MINUTE, 5.0, 1]], {"host": "b"}, True),
    ])]
    sql = ("SELECT date_bin(INTERVAL '1 minute', time) AS t, host, avg(v) AS a FROM cpu "
           "GROUP BY 1, host ORDER BY t DESC LIMIT 2 OFFSET 1")
    table = answer_table(results, translate_sql(sql))
    assert str(table.schema.field("t").type) == "timestamp[ns]"
    assert [[r["host"], r["a"]] for r in table.to_pylist()] == [["a", 1.5], ["b", 5.0]]


def test_global_aggregate_over_nothing_is_one_row() -> None:
    names, rows = rows_of("SELECT count(v) AS n, avg(v) AS a, count(*) AS c FROM cpu",
                          [StatementResult(0)])
    assert (names, rows) == (["n", "a", "c"], [[0, None, 0]])
    # ...which OFFSET and LIMIT cut as any other row
    assert rows_of("SELECT count(v) FROM cpu OFFSET 1", [StatementResult(0)])[1] == []
    translation = translate_sql("SELECT count(v) FROM cpu LIMIT 0")
    assert answer_table([StatementResult(0)], translation).num_rows == 0
    # grouped, the same emptiness is no rows, as in SQL
    assert rows_of("SELECT host, count(v) FROM cpu GROUP BY host", [StatementResult(0)])[1] == []


def test_row_count_is_the_largest_field_count() -> None:
    results = [StatementResult(0, [Series("cpu", ["time", "mean", "count_i", "count_v"],
                                          [[0, 1.0, 4, 6]], None, True)])]
    assert rows_of("SELECT count(*) AS n, avg(v) AS a FROM cpu", results)[1] == [[6, 1.0]]


def test_star_lists_columns_by_name_and_types_values() -> None:
    results = [StatementResult(0, [Series("cpu", ["time", "host", "i", "v"], [
        [T0, "a", 1, 2], [T0 + 1, "b", 2, 2.5]], None, True)])]
    table = answer_table(results, translate_sql("SELECT * FROM cpu"))
    assert table.column_names == ["host", "i", "time", "v"]
    assert [str(t) for t in table.schema.types] == ["string", "int64", "timestamp[ns]", "double"]
    assert table.column("v").to_pylist() == [2.0, 2.5]  # JSON's 2 beside 2.5 was a float


def test_statement_error_is_raised() -> None:
    with pytest.raises(ValueError, match="field type conflict"):
        answer_table([StatementResult(0, error="field type conflict")],
                     translate_sql("SELECT v FROM cpu"))


# -- end to end: the same SQL through InfluxQL (the gateway's 1.x engine) and natively ---------

S0 = 1_704_067_200
NS = 1_000_000_000
SCHEMA = StaticSchema({"db": {"cpu": MeasurementSchema(
    "cpu", ("host", "region"), {"v": FieldType.FLOAT, "i": FieldType.INTEGER})}})


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, region VARCHAR, '
                "v DOUBLE, i BIGINT)")
    # 30 points 10 s apart, hosts h0/h1/h2 in turn, only h0 in a region; v = 1.5 x, i = x % 7.
    con.execute(f"INSERT INTO db.cpu SELECT make_timestamp_ns(({S0} + x * 10) * {NS}), "
                "'h' || (x % 3), CASE WHEN x % 3 = 0 THEN 'eu' END, x * 1.5, x % 7 "
                "FROM range(30) t(x)")
    yield con
    con.close()


def via_influxql(con: duckdb.DuckDBPyConnection, sql: str, wire: V1Format = V1Format.MSGPACK
                 ) -> dict[str, bytes]:
    """The SQL answered as the gateway answers it from a 1.x upstream: translated, run by the
    gateway's own 1.x-compatible engine, sent over the v1 wire, decoded, rebuilt as rows."""
    translation = translate_sql(sql)
    statement = parse_statement(translation.influxql)
    series = engine.select(statement, "db", SCHEMA,  # type: ignore[arg-type]
                           lambda q: con.sql(q.sql("duckdb")).to_arrow_table(),
                           (S0 + 3600) * NS)
    body = encode_v1([StatementResult(0, series)], wire, epoch="ns")
    decode = decode_v1_msgpack if wire is V1Format.MSGPACK else decode_v1_json
    table = answer_table(decode(body), translation)
    return {name: V3_ENCODERS[name].encode(table) for name in ("json", "csv", "pretty")}


def natively(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, bytes]:
    table = con.sql(translate_query(sql, schema="db", tables={"cpu"})).to_arrow_table()
    return {name: V3_ENCODERS[name].encode(table) for name in ("json", "csv", "pretty")}


BYTE_EQUAL = [
    pytest.param("SELECT time, host, v, i FROM cpu WHERE time >= '2024-01-01T00:00:30Z' AND "
                 "v > 3 ORDER BY time DESC LIMIT 4 OFFSET 1", id="raw-ordered-cut"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS bucket, avg(v) AS a, "
                 "count(*) AS n, sum(i) AS s, min(v) AS lo, max(v) AS hi, median(v) AS med "
                 "FROM cpu GROUP BY 1 ORDER BY bucket", id="buckets"),
    pytest.param("SELECT count(v) AS n, avg(v) AS a FROM cpu WHERE time > "
                 "'2030-01-01T00:00:00Z'", id="global-aggregate-over-nothing"),
    pytest.param("SELECT stddev(v) AS sd, sum(v) AS s FROM cpu WHERE host = 'h0'",
                 id="stddev-sum"),
    pytest.param("SELECT count(DISTINCT i) AS d FROM cpu WHERE host = 'h0'",
                 id="count-distinct"),
    pytest.param("SELECT time, v FROM cpu WHERE host ~ '^h[01]$' AND i IN (1, 2, 3, 5) AND "
                 "NOT (v BETWEEN 2 AND 4) AND host NOT LIKE '%2' ORDER BY time", id="filters"),
    pytest.param("SELECT time, i FROM cpu WHERE time > '2024-01-01T00:01:00' AND time <= "
                 "TIMESTAMP '2024-01-01T00:01:00Z' + INTERVAL '30 seconds' ORDER BY time",
                 id="time-range"),
]
# SQL leaves the row order open in these: compared as sets of CSV lines.
ROW_EQUAL = [
    pytest.param("SELECT region, host, count(*) AS n, sum(v) AS s FROM cpu GROUP BY region, "
                 "host", id="tags-with-a-missing-one"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time, '2024-01-01T00:00:30Z'::TIMESTAMP)"
                 " AS b, host, count(v) AS n, max(i) AS m FROM cpu WHERE host != 'h2' "
                 "GROUP BY 1, host", id="buckets-with-origin-by-tag"),
    pytest.param("SELECT host FROM cpu WHERE v > 30 GROUP BY host", id="distinct-tags"),
]


@pytest.mark.parametrize("sql", BYTE_EQUAL)
def test_same_bytes_as_native_sql(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    assert via_influxql(con, sql) == natively(con, sql)


def test_json_wire_keeps_averages_float_but_not_integral_minimums(
        con: duckdb.DuckDBPyConnection) -> None:
    # mean() is a float whatever JSON shows; min() takes the field's type, which JSON hides
    # when every value is integral (here the one 0.0): MessagePack is the lossless wire.
    sql = ("SELECT date_bin(INTERVAL '1 minute', time) AS b, avg(i) AS a, min(v) AS lo "
           "FROM cpu WHERE v < 10 AND i = 0 GROUP BY 1 ORDER BY b")
    native = natively(con, sql)["csv"]
    assert native == b"b,a,lo\n2024-01-01T00:00:00,0.0,0.0\n"
    assert via_influxql(con, sql, V1Format.JSON)["csv"] == b"b,a,lo\n2024-01-01T00:00:00,0.0,0\n"
    assert via_influxql(con, sql, V1Format.MSGPACK)["csv"] == native


def test_not_equal_keeps_points_without_the_tag(con: duckdb.DuckDBPyConnection) -> None:
    # The documented gap: a missing tag is NULL in SQL (so != drops it) and "" in 1.x.
    sql = "SELECT count(v) AS n FROM cpu WHERE region != 'x'"
    assert natively(con, sql)["csv"] == b"n\n10\n"
    assert via_influxql(con, sql)["csv"] == b"n\n30\n"


@pytest.mark.parametrize("sql", ROW_EQUAL)
def test_same_rows_as_native_sql(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    ours, theirs = via_influxql(con, sql)["csv"], natively(con, sql)["csv"]
    head, *rows = ours.splitlines()
    their_head, *their_rows = theirs.splitlines()
    assert (head, sorted(rows)) == (their_head, sorted(their_rows))
    assert rows


# -- end to end against a real InfluxDB 1.6.7 ---------------------------------------------------


def _http(url: str, data: bytes | None = None, accept: str | None = None) -> bytes:
    request = urllib.request.Request(url, data=data, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def real_db(influxdb1: Influxd) -> str:
    """The end-to-end dataset, written to the real server as line protocol."""
    _http(f"{influxdb1.url}/query", urllib.parse.urlencode(
        {"q": "CREATE DATABASE sqltr"}).encode())
    lines = [f"cpu,host=h{x % 3}{',region=eu' if x % 3 == 0 else ''} v={x * 1.5},i={x % 7}i "
             f"{S0 + x * 10}" for x in range(30)]
    _http(f"{influxdb1.url}/write?db=sqltr&precision=s", "\n".join(lines).encode())
    return influxdb1.url


@pytest.mark.slow
@pytest.mark.parametrize(("sql", "ordered"), [
    *(pytest.param(p.values[0], True, id=p.id) for p in BYTE_EQUAL),
    *(pytest.param(p.values[0], False, id=p.id) for p in ROW_EQUAL),
    pytest.param("SELECT selector_last(v, time)['time'] AS t, selector_last(v, time)['value'] "
                 "AS v FROM cpu WHERE host = 'h1'", True, id="lone-selector-time"),
])
def test_real_influxdb1_answers_as_native_sql(con: duckdb.DuckDBPyConnection, real_db: str,
                                              sql: str, ordered: bool) -> None:
    translation = translate_sql(sql)
    query = urllib.parse.urlencode({"db": "sqltr", "epoch": "ns", "q": translation.influxql})
    body = _http(f"{real_db}/query?{query}", accept="application/x-msgpack")
    ours = V3_ENCODERS["csv"].encode(answer_table(decode_v1_msgpack(body), translation))
    if "selector_last" in sql:  # the native path has no selectors: the last h1 point, by hand
        assert ours == b"t,v\n2024-01-01T00:04:40,42.0\n"
        return
    theirs = natively(con, sql)["csv"]
    if ordered:
        assert ours == theirs
    else:
        assert sorted(ours.splitlines()) == sorted(theirs.splitlines())


@pytest.mark.parametrize(("sql", "named", "aggregated", "grouped"), [
    pytest.param("SELECT time, v, host FROM cpu WHERE (i > 1 OR s = 'a') AND time > now()",
                 ("v", "host", "i", "s"), (), (), id="raw"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) AS t, host, max(v) AS m, "
                 "count(*) AS n FROM cpu WHERE r = 'x' GROUP BY 1, host",
                 ("v", "host", "r"), ("v",), ("host",), id="grouped"),
])
def test_columns_the_schema_check_reads(sql: str, named: tuple[str, ...],
                                         aggregated: tuple[str, ...],
                                         grouped: tuple[str, ...]) -> None:
    translation = translate_sql(sql)
    assert (translation.columns_named, translation.aggregated,
            translation.grouped_tags) == (named, aggregated, grouped)
