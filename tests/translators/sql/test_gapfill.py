"""Gap-filling queries rebuilt in plain SQL, and IOx's refusals, worded as IOx words them."""

from __future__ import annotations

import pytest

from translators.sql import SqlRejected, translate_query
from translators.sql import translate as translate_sql

BOUNDS = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z'"


def translate(text: str) -> str:
    return translate_query(text, schema="db1", tables={"cpu"})


@pytest.mark.parametrize(("text", "fragments"), [
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, locf(avg(v)) "
                 f"FROM cpu WHERE {BOUNDS} GROUP BY 1",
                 ["GENERATE_SERIES(", "LAST_VALUE(", "IGNORE NULLS", "LEFT JOIN",
                  # the excluded upper bound's last bucket is the one before it
                  "EPOCH_NS(CAST('2024-01-01 01:00:00.000000000' AS TIMESTAMP_NS)) - 1)"],
                 id="locf"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, host, "
                 f"interpolate(max(v)) FROM cpu WHERE {BOUNDS} GROUP BY t, host",
                 ["FIRST_VALUE(", "CAST_TO_TYPE(", "TRUNC(", "IS NOT DISTINCT FROM",
                  'ORDER BY "__gapfill_g1", "__gapfill_time"'], id="interpolate-per-group"),
    pytest.param("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, count(*) AS n "
                 "FROM cpu WHERE time BETWEEN '2024-01-01T00:00:00Z' AND "
                 "'2024-01-01T01:00:00Z' GROUP BY 1 ORDER BY n",
                 ["COALESCE(", 'ORDER BY n'], id="count-filled-with-zero"),
])
def test_gapfill_translation(text: str, fragments: list[str]) -> None:
    sql = translate(text)
    for fragment in fragments:
        assert fragment in sql, sql


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, avg(v) FROM cpu "
                 "WHERE time > now() - INTERVAL '1 hour' GROUP BY 1",
                 "Error during planning: gap-filling query is missing upper time bound",
                 id="no-upper-bound"),
    pytest.param("SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, avg(v) FROM cpu "
                 "WHERE now() > time GROUP BY 1",
                 "Error during planning: gap-filling query is missing lower time bound",
                 id="flipped-comparison-is-an-upper-bound"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, "
                 f"date_bin_gapfill(INTERVAL '1 hour', time) AS h, avg(v) FROM cpu "
                 f"WHERE {BOUNDS} GROUP BY 1, 2", "DATE_BIN_GAPFILL specified more than once",
                 id="twice"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) + INTERVAL '1 second' "
                 f"AS t, avg(v) FROM cpu WHERE {BOUNDS} GROUP BY 1",
                 "DATE_BIN_GAPFILL must be a top-level expression", id="nested"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute', time + INTERVAL '1 second') "
                 f"AS t, avg(v) FROM cpu WHERE {BOUNDS} GROUP BY 1",
                 "DATE_BIN_GAPFILL requires a column as the source argument", id="not-a-column"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute') AS t, avg(v) FROM cpu "
                 f"WHERE {BOUNDS} GROUP BY 1", "DATE_BIN_GAPFILL expects 2 or 3 arguments, got 1",
                 id="arguments"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, locf(avg(v)), "
                 f"interpolate(avg(v)) FROM cpu WHERE {BOUNDS} GROUP BY 1",
                 "multiple fill strategies for the same column", id="two-strategies"),
    pytest.param("SELECT interpolate(avg(v)) FROM cpu", "interpolate may only be used in the "
                 "SELECT list of a gap-filling query", id="interpolate-alone"),
    pytest.param(f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, "
                 f"sum(v) OVER () FROM cpu WHERE {BOUNDS} GROUP BY 1",
                 "window functions are not supported in a gap-filling query", id="window"),
])
def test_gapfill_refusals(text: str, message: str) -> None:
    with pytest.raises(SqlRejected, match=message):
        translate(text)


def test_the_fill_limit_guards_the_series_end_and_only_its_own_error_call() -> None:
    text = (f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, avg(v) FROM cpu "
            f"WHERE {BOUNDS} GROUP BY 1")
    assert "ERROR(" not in translate(text)
    guarded = translate_sql(text, schema="db1", tables={"cpu"}, fill_limit=500).sql
    assert "> 500 THEN ERROR('gap filling would produce ' ||" in guarded
    with pytest.raises(SqlRejected, match="function error is not supported"):
        translate_sql("SELECT error('x') FROM cpu", schema="db1", tables={"cpu"},
                      fill_limit=500)
