"""Zoned results: which columns carry a zone, how they are typed and how they print."""

from __future__ import annotations

import pyarrow as pa
import pytest

from translators.encoders.csv import encode_csv
from translators.encoders.rows import encode_json
from translators.sql import SqlRejected, apply_zones, translate
from translators.sql.zones import check_zone


def zones_of(text: str) -> dict[str, str]:
    return dict(translate(text, schema="db1", tables={"cpu"}).zones)


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("SELECT tz(time, 'Europe/Paris') AS t, time FROM cpu",
                 {"t": "Europe/Paris"}, id="tz"),
    pytest.param("SELECT tz(time) FROM cpu", {"tz(cpu.time)": "UTC"}, id="tz-default-utc"),
    pytest.param("SELECT time AT TIME ZONE '+05:30' FROM cpu", {"cpu.time": "+05:30"},
                 id="at-time-zone-offset-named-as-datafusion"),
    pytest.param("SELECT date_bin(INTERVAL '1 hour', tz(time, 'Asia/Tokyo')) AS h FROM cpu",
                 {"h": "Asia/Tokyo"}, id="date-bin-keeps-zone"),
    pytest.param("SELECT to_local_time(tz(time, 'Asia/Tokyo')) AS l FROM cpu", {},
                 id="local-time-is-naive"),
    pytest.param("SELECT date_trunc('day', tz(time, 'Asia/Tokyo')) AS d, "
                 "date_part('hour', tz(time, 'Asia/Tokyo')) AS h FROM cpu", {"d": "Asia/Tokyo"},
                 id="date-trunc-keeps-zone"),
    pytest.param("SELECT s.t AS a, t, u FROM (SELECT tz(time, '+01:00') AS t, time AS u "
                 "FROM cpu) AS s", {"a": "+01:00", "t": "+01:00"}, id="subquery-columns"),
    pytest.param("WITH w AS (SELECT tz(time) AS \"T\" FROM cpu) SELECT w.* FROM w, cpu",
                 {"T": "UTC"}, id="cte-star"),
    pytest.param("SELECT \"T\", time FROM (SELECT tz(time) AS t, time FROM cpu)", {},
                 id="quoted-name-is-another-column"),
    pytest.param("SELECT min(tz(time, '+01:00')) AS a, max(time AT TIME ZONE 'UTC') AS b, "
                 "count(tz(time)) AS n, first_value(tz(time) ORDER BY time) AS f FROM cpu",
                 {"a": "+01:00", "b": "UTC", "f": "UTC"}, id="aggregates-keep-zone"),
    pytest.param("SELECT CASE WHEN v > 1 THEN time ELSE tz(time, '+01:00') END AS c, "
                 "COALESCE(time, tz(time, 'Asia/Tokyo'), tz(time)) AS k, "
                 "CASE WHEN v > 1 THEN 1 ELSE 2 END AS n FROM cpu",
                 {"c": "+01:00", "k": "Asia/Tokyo"}, id="first-zoned-branch"),
])
def test_result_zones(text: str, expected: dict[str, str]) -> None:
    assert zones_of(text) == expected


@pytest.mark.parametrize(("text", "fragment"), [
    pytest.param("SELECT tz(time, 'Europe/Paris') AS t FROM cpu", "SELECT time AS t FROM",
                 id="tz-keeps-the-instant"),
    pytest.param("SELECT time AT TIME ZONE 'Europe/Paris' AS t FROM cpu",
                 "SELECT time AT TIME ZONE 'Europe/Paris' AT TIME ZONE 'UTC' AS t",
                 id="naive-read-as-wall-clock"),
    pytest.param("SELECT time AT TIME ZONE '-03:00' AS t FROM cpu",
                 "SELECT MAKE_TIMESTAMP_NS(EPOCH_NS(time) + 10800000000000) AS t",
                 id="fixed-offset-by-arithmetic"),
    pytest.param("SELECT date_trunc('day', tz(time, '+02:00')) AS t FROM cpu",
                 "SELECT MAKE_TIMESTAMP_NS(EPOCH_NS(DATE_TRUNC('DAY', MAKE_TIMESTAMP_NS("
                 "EPOCH_NS(time) + 7200000000000))) - 7200000000000)",
                 id="date-trunc-on-local-time"),
    pytest.param("SELECT extract(epoch FROM tz(time, '+02:00')) AS t FROM cpu",
                 "SELECT EXTRACT(EPOCH FROM time) AS t", id="epoch-of-the-instant"),
])
def test_zone_rewrites(text: str, fragment: str) -> None:
    assert fragment in translate(text, schema="db1", tables={"cpu"}).sql


@pytest.mark.parametrize("zone", ["Nowhere/City", "europe/paris", "+5:30", ""])
def test_unknown_zone_refused(zone: str) -> None:
    with pytest.raises(SqlRejected, match="invalid time zone"):
        translate(f"SELECT tz(time, '{zone}') FROM cpu", schema="db1", tables={"cpu"})
    assert check_zone("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires"


def test_zoned_columns_print_with_their_offset() -> None:
    instants = pa.array([1_704_067_200_000_000, 1_719_792_000_123_000], pa.timestamp("us"))
    table = pa.table({"p": instants, "u": instants, "o": instants, "n": instants})
    table = apply_zones(table, {"p": "Europe/Paris", "u": "UTC", "o": "-03:30", "x": "UTC"})
    assert table.schema.field("p").type == pa.timestamp("us", tz="Europe/Paris")
    assert encode_json(table) == (
        b'[{"p":"2024-01-01T01:00:00+01:00","u":"2024-01-01T00:00:00Z",'
        b'"o":"2023-12-31T20:30:00-03:30","n":"2024-01-01T00:00:00"},'
        b'{"p":"2024-07-01T02:00:00.123+02:00","u":"2024-07-01T00:00:00.123Z",'
        b'"o":"2024-06-30T20:30:00.123-03:30","n":"2024-07-01T00:00:00.123"}]')
    assert encode_csv(table).splitlines()[1] == (
        b"2024-01-01T01:00:00+01:00,2024-01-01T00:00:00Z,2023-12-31T20:30:00-03:30,"
        b"2024-01-01T00:00:00")
