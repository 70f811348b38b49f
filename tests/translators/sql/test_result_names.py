"""Unaliased result columns are named as InfluxDB 3 (DataFusion) names them."""

from __future__ import annotations

import pytest
import sqlglot

from translators.sql.result_names import name_results


def names(text: str) -> list[str]:
    tree = sqlglot.parse_one(text, read="postgres")
    name_results(tree)
    return tree.named_selects


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("SELECT avg(temp), count(*) FROM home", ["avg(home.temp)", "count(*)"],
                 id="aggregates-qualified"),
    pytest.param("SELECT avg(h.temp) FROM home h", ["avg(h.temp)"], id="alias-qualifier"),
    pytest.param("SELECT count(DISTINCT room) FROM home", ["count(DISTINCT home.room)"],
                 id="distinct"),
    pytest.param("SELECT selector_first(temp, time)['value'] FROM home",
                 ["selector_first(home.temp,home.time)[value]"], id="selector-field"),
    pytest.param("SELECT to_timestamp(1704067200000000000)",
                 ["to_timestamp(Int64(1704067200000000000))"], id="literal-int"),
    pytest.param("SELECT temp * 1.5, 'a' FROM home", ["home.temp * Float64(1.5)", 'Utf8("a")'],
                 id="operator-and-string"),
    pytest.param("SELECT date_bin(INTERVAL '1 minute', time) FROM home",
                 ['date_bin(IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, '
                  'nanoseconds: 60000000000 }"),home.time)'], id="date-bin"),
    pytest.param("SELECT date_trunc('hour', time) FROM home",
                 ['date_trunc(Utf8("hour"),home.time)'], id="date-trunc"),
    pytest.param("SELECT time, temp AS t, avg(temp) AS a FROM home", ["time", "t", "a"],
                 id="columns-and-aliases-kept"),
    pytest.param("SELECT max(a.temp) FROM home a JOIN other b ON a.t = b.t",
                 ["max(a.temp)"], id="join-qualified"),
    # unquoted identifiers are folded to lower case, as DataFusion reads them
    pytest.param('SELECT COUNT(TEMP), max(H.Temp), min("Temp") FROM home H',
                 ["count(h.temp)", "max(h.temp)", "min(h.Temp)"], id="folded-case"),
])
def test_names(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_unqualified_column_in_a_join_keeps_the_engine_name() -> None:
    tree = sqlglot.parse_one("SELECT max(temp) FROM home a JOIN other b ON a.t = b.t")
    name_results(tree)
    assert not isinstance(tree.expressions[0], sqlglot.exp.Alias)
