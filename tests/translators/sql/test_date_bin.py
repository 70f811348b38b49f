"""DATE_BIN read by position, its origin kept as written and checked as DataFusion checks it."""

from __future__ import annotations

import pytest

from translators.sql import SqlRejected
from translators.sql.influxdb3 import translate_query


def translate(call: str) -> str:
    return translate_query(f"SELECT {call} AS t FROM cpu", schema="db", tables=["cpu"])


@pytest.mark.parametrize("origin", [
    pytest.param("2024-01-01", id="date"),
    pytest.param("2024-01-01T00:00:30Z", id="utc"),
    pytest.param("2024-01-01 00:00:30.123456789", id="space-fraction"),
    pytest.param("2024-01-01t00:00:30+05:30", id="offset"),
    pytest.param("2024-01-01T00:00:30 Europe/Paris", id="zone-name"),
])
def test_origins_datafusion_accepts_keep_their_text(origin: str) -> None:
    sql = translate(f"date_bin(INTERVAL '1 minute', time, '{origin}')")
    assert f"CAST('{origin}' AS TIMESTAMPTZ)" in sql  # not upper-cased into a unit word


@pytest.mark.parametrize(("origin", "problem"), [
    pytest.param("garbage", "timestamp must contain at least 10 characters", id="short"),
    pytest.param("2024-02-30", "error parsing date", id="no-such-day"),
    pytest.param("2024-01-01_00:00:00", "invalid timestamp separator", id="separator"),
    pytest.param("2024-01-01T25:00:00", "error parsing time", id="hour"),
    pytest.param("2024-01-01T00:00:00 Mars/Base", 'Invalid timezone "Mars/Base"', id="zone"),
])
def test_bad_origins_are_refused_in_arrows_words(origin: str, problem: str) -> None:
    with pytest.raises(SqlRejected) as caught:
        translate(f"date_bin(INTERVAL '1 minute', time, TIMESTAMP '{origin}')")
    assert str(caught.value) == ("Arrow error: Parser error: Error parsing timestamp from "
                                 f"'{origin}': {problem}")


@pytest.mark.parametrize("args", ["INTERVAL '1 minute'", "INTERVAL '1 minute', time, 'a', 'b'"])
def test_other_argument_counts_are_refused(args: str) -> None:
    with pytest.raises(SqlRejected, match="^Execution error: DATE_BIN expected two or three "
                                          "arguments$"):
        translate(f"date_bin({args})")
