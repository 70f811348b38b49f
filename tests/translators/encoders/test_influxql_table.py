"""InfluxQL answers in InfluxDB 3's table shape, through the v3 encoders."""

from __future__ import annotations

import json
from unittest import mock

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translators.encoders import cells
from translators.encoders.influxql_table import encode_table, statement_table
from translators.influxql.results import Series, StatementResult

from . import influxql_results as R
from .test_cells import INT64, REFERENCES, UINT64


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


# --- series held as Arrow columns give the table their rows give ----------------------------


def _reference_table(result: StatementResult) -> pa.Table:
    """The table built from Python rows, one cell at a time (the layout of InfluxDB 3)."""
    series = [s for s in result.series if s.values]
    has_time = any(s.has_time for s in result.series)
    selected = dict.fromkeys(c for s in result.series
                             for c in (s.columns[1:] if s.has_time else s.columns))
    tag_keys = sorted({k for s in result.series for k in (s.tags or {})} - selected.keys())
    out: dict[str, list[object]] = {"iox::measurement": [], **({"time": []} if has_time else {}),
                                    **{k: [] for k in tag_keys}, **{c: [] for c in selected}}
    for s in series:
        for row in s.values:
            cells = dict(zip(s.columns, row, strict=True))
            out["iox::measurement"].append(s.name)
            if has_time:
                out["time"].append(row[0] if s.has_time else None)
            for key in tag_keys:
                out[key].append((s.tags or {}).get(key))
            for name in selected:
                out[name].append(cells.get(name))  # no selected column is named time
    arrays = {"iox::measurement": pa.array(out.pop("iox::measurement"), pa.string())}
    if has_time:
        arrays["time"] = pa.array(out.pop("time"), pa.timestamp("ns"))
    for key in tag_keys:
        arrays[key] = pa.array(out.pop(key), pa.string())
    for name, values in out.items():
        try:
            arrays[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arrays[name] = pa.array([None if v is None else json.dumps(v) if isinstance(v, bool)
                                     else str(v) for v in values], pa.string())
    return pa.table(arrays)


_VALUE_KINDS: list[tuple[pa.DataType, st.SearchStrategy[object]]] = [
    (pa.float64(), st.floats()),
    (pa.float32(), st.floats(width=32, allow_nan=False)),
    (pa.int64(), INT64),
    (pa.int32(), st.integers(-(2**31), 2**31 - 1)),
    (pa.uint64(), UINT64),
    (pa.bool_(), st.booleans()),
    (pa.string(), st.text(max_size=4)),
    (pa.large_string(), st.text(max_size=4)),
    (pa.null(), st.none()),
]


@st.composite
def _series(draw: st.DrawFn) -> tuple[Series, Series]:
    """One series twice: held as Arrow columns, and as the Python rows of those columns."""
    name = draw(st.sampled_from(["cpu", "mem", "dïsk"]))
    has_time = draw(st.booleans())
    count = draw(st.integers(0, 6))
    names = draw(st.lists(st.sampled_from(["a", "b", "host", "v é"]), max_size=3, unique=True))
    arrays = [pa.array(draw(st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)),
                                     min_size=count, max_size=count)), pa.int64())
              ] if has_time else []
    for _ in names:
        kind, values = _VALUE_KINDS[draw(st.integers(0, len(_VALUE_KINDS) - 1))]
        cells = draw(st.lists(st.one_of(st.none(), values), min_size=count, max_size=count))
        arrays.append(pa.array(cells, kind))
    tags = draw(st.one_of(st.none(), st.dictionaries(st.sampled_from(["host", "region", "a"]),
                                                      st.text(max_size=3), max_size=2)))
    columns = ["time", *names] if has_time else names
    rows = list(map(list, zip(*(a.to_pylist() for a in arrays), strict=True)))
    return (Series(name, columns, None, tags, has_time, arrays=arrays),
            Series(name, columns, rows if arrays else [], tags, has_time))


def _same(table: pa.Table, expected: pa.Table) -> None:
    assert table.schema == expected.schema
    for column, want in zip(table.columns, expected.columns, strict=True):
        if pa.types.is_timestamp(column.type):
            column, want = column.cast(pa.int64()), want.cast(pa.int64())
        assert repr(column.to_pylist()) == repr(want.to_pylist())  # by text: NaN != NaN


@settings(max_examples=300, deadline=None)
@given(st.lists(_series(), max_size=5), st.lists(st.booleans(), min_size=5, max_size=5))
def test_series_of_arrays_give_the_table_of_their_rows(
        pairs: list[tuple[Series, Series]], as_rows: list[bool]) -> None:
    """Mixed answers too: some series as arrays, some as rows (a fill()ed one)."""
    mixed = [rows if row else arrays for (arrays, rows), row in zip(pairs, as_rows, strict=False)]
    expected = _reference_table(StatementResult(0, [rows for _, rows in pairs]))
    _same(statement_table(StatementResult(0, mixed)), expected)
    answer = StatementResult(0, [arrays for arrays, _ in pairs])
    with mock.patch.object(cells, "ARROW_FROM", 1):  # every size written by columns
        for name, reference in REFERENCES.items():
            assert encode_table(answer, name) == reference(expected)
