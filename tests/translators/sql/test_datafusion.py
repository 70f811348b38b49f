"""InfluxDB 3's own functions rewritten for DuckDB, and the ones refused by name."""

from __future__ import annotations

import pytest

from translators.sql import SqlRejected, translate_query


def translate(text: str) -> str:
    return translate_query(text, schema="db1", tables={"cpu"})


@pytest.mark.parametrize(("text", "fragment"), [
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time, '1970-01-01T00:00:00Z') AS t "
                 "FROM cpu", "(EPOCH_NS(time) - EPOCH_NS(CAST('1970-01-01 00:00:00.000000000' AS "
                 "TIMESTAMP_NS))) % 60000000000",
                 id="date-bin-string-origin"),
    pytest.param("SELECT date_bin(INTERVAL '1 day', time, TIMESTAMP '2000-01-01 00:00:00+02:00')"
                 " AS t FROM cpu", "CAST('1999-12-31 22:00:00.000000000' AS TIMESTAMP_NS)",
                 id="date-bin-timestamp-origin-keeps-offset"),
    pytest.param("SELECT date_bin(INTERVAL '7 days', time) AS t FROM cpu",
                 "(EPOCH_NS(time) - EPOCH_NS(CAST('1970-01-01 00:00:00' AS TIMESTAMP))) "
                 "% 604800000000000", id="date-bin-epoch-origin"),
    pytest.param("SELECT date_bin(INTERVAL '3 months', time) AS t FROM cpu",
                 "% 3) + 3) % 3)", id="date-bin-months-from-the-epoch"),
    pytest.param("SELECT date_bin('15 minutes', time) AS t FROM cpu",
                 "% 900000000000", id="date-bin-text-stride"),
    pytest.param("SELECT time - INTERVAL '500 nanoseconds' AS t FROM cpu",
                 "MAKE_TIMESTAMP_NS(EPOCH_NS(time) - 500)", id="time-minus-nanoseconds"),
    pytest.param("SELECT INTERVAL '1 hour' + time AS t FROM cpu",
                 "MAKE_TIMESTAMP_NS(EPOCH_NS(time) + 3600000000000)", id="interval-plus-time"),
    pytest.param("SELECT time + INTERVAL '1 mon 2 us' AS t FROM cpu",
                 "time + INTERVAL '1 months 0 days 2 microseconds'", id="months-in-duckdb-words"),
    pytest.param("SELECT first_value(v ORDER BY time) AS f FROM cpu",
                 "FIRST(v ORDER BY time)", id="first-value-aggregate"),
    pytest.param("SELECT last_value(v ORDER BY time) AS l FROM cpu",
                 "LAST(v ORDER BY time)", id="last-value-aggregate"),
    pytest.param("SELECT first_value(v) OVER (ORDER BY time) AS f FROM cpu",
                 "FIRST_VALUE(v) OVER (ORDER BY time)", id="first-value-window-untouched"),
    pytest.param("SELECT selector_max(v, time)['value'] AS m FROM cpu",
                 "FIRST({'value': v, 'time': time} ORDER BY v DESC, time) "
                 "FILTER(WHERE NOT v IS NULL)['value']", id="selector-max"),
    pytest.param("SELECT selector_last(v, time) AS s FROM cpu",
                 "ORDER BY time DESC) FILTER(WHERE NOT v IS NULL)", id="selector-last"),
    pytest.param("SELECT * FROM cpu WHERE time > now() - INTERVAL '1 hour'",
                 "CURRENT_TIMESTAMP AT TIME ZONE 'UTC'", id="now-is-utc"),
    pytest.param("SELECT to_timestamp_nanos(5) AS t", "MAKE_TIMESTAMP_NS(5)", id="nanos"),
    pytest.param("SELECT approx_percentile_cont(v, 0.9) AS p FROM cpu",
                 "APPROX_QUANTILE(v, 0.9)", id="approx-percentile"),
    pytest.param("SELECT arrow_typeof(v) AS t FROM cpu", "WHEN 'DOUBLE' THEN 'Float64'",
                 id="arrow-typeof"),
])
def test_rewrites(text: str, fragment: str) -> None:
    assert fragment in translate(text)


@pytest.mark.parametrize(("text", "message"), [
    ("SELECT arrow_cast(v, 'Date64') FROM cpu", "arrow_cast to 'Date64' is not supported"),
    ("SELECT selector_max(v) FROM cpu", r"selector_max\(\) takes 2 arguments"),
    ("SELECT no_such_function(v) FROM cpu", "function no_such_function is not supported"),
])
def test_refused_by_name(text: str, message: str) -> None:
    with pytest.raises(SqlRejected, match=message):
        translate(text)
