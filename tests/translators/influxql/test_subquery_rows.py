"""A subquery's series as virtual rows: Python rows become Arrow columns, typed and ordered."""

from __future__ import annotations

import pyarrow as pa
import pytest

from translators.influxql.results import Series
from translators.influxql.select_list import parent_columns
from translators.influxql.subquery_rows import SEQUENCE, Virtual, add_series, schema, table
from translators.lineprotocol import FieldType


def _virtual(*series: Series, by_time: bool = True) -> Virtual:
    virtual = Virtual()
    for rank, found in enumerate(series):
        add_series(virtual, found, rank, by_time)
    return virtual


def test_python_rows_become_one_arrow_array_per_column() -> None:
    rows = [[10, 1.5, 2, "a", True], [20, None, 3, None, False]]
    virtual = _virtual(Series("m", ["time", "f", "i", "s", "b"], rows, {"host": "h"}))
    piece = virtual.pieces[0]
    assert piece.times.to_pylist() == [10, 20]
    assert {name: (column.type, column.to_pylist()) for name, column in piece.columns.items()} \
        == {"f": (pa.float64(), [1.5, None]), "i": (pa.int64(), [2, 3]),
            "s": (pa.string(), ["a", None]), "b": (pa.bool_(), [True, False])}
    found = schema("m", virtual)
    assert dict(found.fields) == {"f": FieldType.FLOAT, "i": FieldType.INTEGER,
                                  "s": FieldType.STRING, "b": FieldType.BOOLEAN}
    assert table(found, virtual).column("i").to_pylist() == [2, 3]


@pytest.mark.parametrize(("values", "ftype", "expected"), [
    pytest.param([1, 2.5], FieldType.FLOAT, [1.0, 2.5], id="integers-beside-floats"),
    pytest.param([1, "x"], FieldType.STRING, ["1", "x"], id="numbers-beside-text"),
    pytest.param([None, None], FieldType.FLOAT, [None, None], id="all-null"),
])
def test_a_column_of_several_kinds_is_typed_as_one(values: list[object], ftype: FieldType,
                                                   expected: list[object]) -> None:
    rows = [[10 * k, value] for k, value in enumerate(values)]
    virtual = _virtual(Series("m", ["time", "x"], rows))
    found = schema("m", virtual)
    assert found.fields["x"] is ftype
    assert table(found, virtual).column("x").to_pylist() == expected


def test_a_column_given_twice_keeps_the_first_the_other_unread() -> None:
    virtual = _virtual(Series("m", ["time", *parent_columns(["x", "x"])], [[10, 1, 2]]))
    assert list(virtual.pieces[0].columns) == ["x"]
    assert virtual.fields == ["x"]


def test_rows_whose_times_go_back_are_ordered_only_when_asked() -> None:
    # a fill()ed subquery's runs: each series' times go back; 1.x merges them by time, rank
    first = Series("m", ["time", "x"], [[20, 1], [10, 2]], {"host": "a"})
    second = Series("m", ["time", "x"], [[15, 3]], {"host": "b"})
    virtual = _virtual(first, second)
    found = schema("m", virtual)
    assert table(found, virtual).column(SEQUENCE).to_pylist() == [1, 2, 0]
    assert SEQUENCE not in table(found, virtual, sequence=False).column_names
