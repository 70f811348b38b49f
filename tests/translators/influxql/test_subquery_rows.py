"""A subquery's series as virtual rows: Python rows become Arrow columns, typed and ordered."""

from __future__ import annotations

from translators.influxql.results import Series
from translators.influxql.select_list import parent_columns
from translators.influxql.subquery_rows import Virtual, add_series


def _virtual(*series: Series, by_time: bool = True) -> Virtual:
    virtual = Virtual()
    for rank, found in enumerate(series):
        add_series(virtual, found, rank, by_time)
    return virtual


def test_a_column_given_twice_keeps_the_first_the_other_unread() -> None:
    virtual = _virtual(Series("m", ["time", *parent_columns(["x", "x"])], [[10, 1, 2]]))
    assert list(virtual.pieces[0].columns) == ["x"]
    assert virtual.fields == ["x"]
