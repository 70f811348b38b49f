"""InfluxQL answers in InfluxDB 3's table shape, through the v3 encoders."""

from __future__ import annotations

import json

import pytest

from translators.encoders.influxql_table import encode_table, statement_table
from translators.influxql.results import Series, StatementResult

from . import influxql_results as R


def test_grouped_select_puts_measurement_time_and_group_tags_first() -> None:
    table = statement_table(R.select()[0])
    assert table.column_names == ["iox::measurement", "time", "host", "b", "i", "s", "x", "y"]
    assert table.column("host").to_pylist() == ["a"] * 2 + ["b"] * 3 + ["c"] * 3


def test_group_tags_are_sorted_and_selected_tags_stay_in_place() -> None:
    series = [R.timed("cpu", ["time", "region", "v"], [[1, "eu", 1.0]], {"z": "1", "a": "2",
                                                                          "region": "eu"})]
    table = statement_table(StatementResult(0, series))
    assert table.column_names == ["iox::measurement", "time", "a", "z", "region", "v"]


def test_json_rows_leave_nulls_out_and_print_times_without_zone() -> None:
    rows = json.loads(encode_table(R.select()[0], "json"))
    assert rows[3] == {"iox::measurement": "cpu", "time": "2024-01-01T00:00:02", "host": "b",
                       "x": 1e-7}
    assert rows[6]["time"] == "1969-12-31T23:59:58.5"


def test_show_answers_have_no_time_column() -> None:
    body = encode_table(R.shows()[2], "csv")
    assert body == (b"iox::measurement,key,value\ncpu,host,a\ncpu,host,b\ncpu,host,c\n"
                    b"mem,host,a\nmem,host,b\n")


def test_series_with_different_columns_share_one_table() -> None:
    series = [R.timed("cpu", ["time", "x"], [[1, 1.5]]), R.timed("mem", ["time", "y"], [[2, "s"]])]
    assert json.loads(encode_table(StatementResult(0, series), "jsonl").splitlines()[1]) == {
        "iox::measurement": "mem", "time": "1970-01-01T00:00:00.000000002", "y": "s"}


def test_a_column_with_mixed_types_falls_back_to_text() -> None:
    series = [Series("m", ["v"], [[1], ["a"], [True], [None]])]
    assert statement_table(StatementResult(0, series)).column("v").to_pylist() == [
        "1", "a", "true", None]


def test_empty_and_failed_statements() -> None:
    assert encode_table(StatementResult(0), "json") == b"[]"
    with pytest.raises(ValueError, match="undefined function"):
        statement_table(StatementResult(0, error="undefined function foo()"))


@pytest.mark.parametrize("name", ["json", "jsonl", "csv", "parquet", "pretty"])
def test_every_v3_format(name: str) -> None:
    assert encode_table(R.group_all()[0], name)
