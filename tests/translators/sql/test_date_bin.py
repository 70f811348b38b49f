"""DATE_BIN read by position, its origin kept as written and checked as DataFusion checks it."""

from __future__ import annotations

import pytest

from translators.sql import SqlRejected
from translators.sql.influxdb3 import translate_query


def translate(call: str) -> str:
    return translate_query(f"SELECT {call} AS t FROM cpu", schema="db", tables=["cpu"])


@pytest.mark.parametrize(("origin", "instant"), [
    pytest.param("2024-01-01", "2024-01-01 00:00:00.000000000", id="date"),
    pytest.param("2024-01-01T00:00:30Z", "2024-01-01 00:00:30.000000000", id="utc"),
    pytest.param("2024-01-01 00:00:30.123456789", "2024-01-01 00:00:30.123456789",
                 id="space-fraction"),
    pytest.param("2024-01-01t00:00:30.5+05:30", "2023-12-31 18:30:30.500000000", id="offset"),
    pytest.param("2024-01-01T00:00:30-0130", "2024-01-01 01:30:30.000000000",
                 id="offset-without-colon"),
    pytest.param("2024-07-01T00:00:30 Europe/Paris", "2024-06-30 22:00:30.000000000",
                 id="zone-name-in-summer"),
    pytest.param("1969-12-31T23:59:59.999999999Z", "1969-12-31 23:59:59.999999999",
                 id="before-the-epoch"),
])
def test_origins_datafusion_accepts_are_read_to_the_nanosecond(origin: str,
                                                               instant: str) -> None:
    sql = translate(f"date_bin(INTERVAL '1 minute', time, '{origin}')")
    # read as Arrow reads it, as its UTC instant (not upper-cased into a unit word)
    assert f"CAST('{instant}' AS TIMESTAMP_NS)" in sql


@pytest.mark.parametrize(("origin", "problem"), [
    pytest.param("garbage", "timestamp must contain at least 10 characters", id="short"),
    pytest.param("2024-02-30", "error parsing date", id="no-such-day"),
    pytest.param("2024-01-01_00:00:00", "invalid timestamp separator", id="separator"),
    pytest.param("2024-01-01T25:00:00", "error parsing time", id="hour"),
    pytest.param("2024-01-01T00:00:00 Mars/Base", 'Invalid timezone "Mars/Base"', id="zone"),
    pytest.param("2300-01-01", "The dates that can be represented as nanoseconds have to be "
                 "between 1677-09-21T00:12:44.0 and 2262-04-11T23:47:16.854775804",
                 id="beyond-nanoseconds"),
])
def test_bad_origins_are_refused_in_arrows_words(origin: str, problem: str) -> None:
    with pytest.raises(SqlRejected) as caught:
        translate(f"date_bin(INTERVAL '1 minute', time, TIMESTAMP '{origin}')")
    assert str(caught.value) == ("Arrow error: Parser error: Error parsing timestamp from "
                                 f"'{origin}': {problem}")


@pytest.mark.parametrize("function", ["date_bin_gapfill", "date_bin_wallclock",
                                      "date_bin_wallclock_gapfill"])
def test_other_binning_functions_refuse_bad_origins_alike(function: str) -> None:
    with pytest.raises(SqlRejected) as caught:
        translate_query(f"SELECT {function}(INTERVAL '1 minute', time, '2024-13-01') AS t "
                        "FROM cpu WHERE time >= '2024-01-01' AND time < '2024-01-02' GROUP BY 1",
                        schema="db", tables=["cpu"])
    assert str(caught.value) == ("Arrow error: Parser error: Error parsing timestamp from "
                                 "'2024-13-01': error parsing date")


@pytest.mark.parametrize("args", ["INTERVAL '1 minute'", "INTERVAL '1 minute', time, 'a', 'b'"])
def test_other_argument_counts_are_refused(args: str) -> None:
    with pytest.raises(SqlRejected, match="^Execution error: DATE_BIN expected two or three "
                                          "arguments$"):
        translate(f"date_bin({args})")
