"""The v3 text encoders (JSON, JSON Lines, CSV, pretty) written a column at a time give the
bytes their rows gave, through Python (`json.dumps`, `csv.writer`, `str`, references kept
here), over randomized tables."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
from collections.abc import Callable
from unittest import mock

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translators.encoders import V3_ENCODERS, cells, rows
from translators.encoders.rows import json_default
from translators.encoders.values import iso_times

# --- the references: Python values, a row at a time ----------------------------------------


def _iso_ns(ns: int) -> str:
    seconds, fraction = divmod(ns, 1_000_000_000)
    text = (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds)).isoformat()
    return text + ("." + f"{fraction:09d}".rstrip("0") if fraction else "")


def _python_values(column: pa.ChunkedArray) -> list[object]:
    kind = column.type
    if pa.types.is_timestamp(kind) and kind.unit == "ns" and kind.tz is None:
        return [None if v is None else _iso_ns(v) for v in column.cast(pa.int64()).to_pylist()]
    if pa.types.is_timestamp(kind):
        return iso_times(column).to_pylist()  # type: ignore[no-any-return]
    return column.to_pylist()  # type: ignore[no-any-return]


def _reference_rows(table: pa.Table) -> list[tuple[object, ...]]:
    return list(zip(*(_python_values(c) for c in table.columns), strict=True))


def _reference_objects(table: pa.Table) -> list[dict[str, object]]:
    return [{name: value for name, value in zip(table.column_names, row, strict=True)
             if value is not None and not (isinstance(value, float) and not math.isfinite(value))}
            for row in _reference_rows(table)]


def _dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=json_default).encode()


def reference_json(table: pa.Table) -> bytes:
    return _dumps(_reference_objects(table))


def reference_jsonl(table: pa.Table) -> bytes:
    return b"".join(_dumps(row) + b"\n" for row in _reference_objects(table))


def _text(value: object) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def reference_csv(table: pa.Table) -> bytes:
    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in _reference_rows(table):
        writer.writerow(["" if v is None else v if isinstance(v, str) else _text(v)
                         for v in row])
    return sink.getvalue().encode()


def reference_pretty(table: pa.Table) -> bytes:
    names = table.column_names
    texts = [["" if v is None else _text(v) for v in row] for row in _reference_rows(table)]
    widths = [max([len(n)] + [len(r[i]) for r in texts]) for i, n in enumerate(names)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = ["|" + "|".join(f" {c:<{w}} " for c, w in zip(r, widths, strict=True)) + "|"
             for r in [names, *texts]]
    return "\n".join([rule, lines[0], rule, *lines[1:], rule, ""]).encode()


REFERENCES: dict[str, Callable[[pa.Table], bytes]] = {
    "json": reference_json, "jsonl": reference_jsonl, "csv": reference_csv,
    "pretty": reference_pretty}


# --- randomized tables ----------------------------------------------------------------------

_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.inf, -math.inf, math.nan, 0.0, -0.0, 1.0, 1e-4, 9.999999999999999e-05,
                     1e-6, 1e-7, 1e10, 1e15, 1e16, 9999999999999998.0, 1e21, 5e-324, 2.5e-5,
                     123456789.123456789]),
    st.integers(-10**17, 10**17).map(float),
    st.floats(-1e12, 1e12).map(lambda f: round(f, 3)))
_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
# mostly printable ASCII (Arrow's part), now and then a character json.dumps escapes
_TEXT = st.text(st.one_of(_ASCII, _ASCII, _ASCII, st.sampled_from('"\\\x00\x1f\x7f\u2028é日'),
                          st.characters(codec="utf-8")), max_size=8)
_NS = st.integers(-(2**63) + 1, 2**63 - 1)


def _nullable(values: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(st.none(), values)


# Hypothesis draws small integers from wide ranges: the edges and beyond 2**63 on purpose
INT64 = st.one_of(st.integers(-(2**63), 2**63 - 1), st.sampled_from([-(2**63), 2**63 - 1]))
UINT64 = st.one_of(st.integers(0, 2**64 - 1), st.integers(2**63, 2**64 - 1))

# (type, values): every type the column writer handles, and some it leaves to Python
COLUMN_KINDS: list[tuple[pa.DataType, st.SearchStrategy[object]]] = [
    (pa.float64(), _FLOATS),
    (pa.float32(), st.floats(width=32)),
    (pa.int64(), INT64),
    (pa.int16(), st.integers(-(2**15), 2**15 - 1)),
    (pa.uint64(), UINT64),
    (pa.bool_(), st.booleans()),
    (pa.string(), _TEXT),
    (pa.large_string(), _TEXT),
    (pa.dictionary(pa.int32(), pa.string()), st.sampled_from(["cpu", "mém", 'q"', "a\\b"])),
    (pa.null(), st.none()),
    (pa.timestamp("ns"), _NS),
    (pa.timestamp("us"), st.integers(-(10**16), 10**16)),
    (pa.timestamp("ns", tz="Europe/Paris"), _NS),
    (pa.decimal128(20, 2), st.decimals(-(10**17), 10**17, places=2, allow_nan=False)),
    (pa.date32(), st.dates()),
    (pa.binary(), st.binary(max_size=4)),
    (pa.list_(pa.float64()), st.lists(_FLOATS, max_size=2)),
]


def _array(kind: pa.DataType, values: list[object]) -> pa.Array:
    if pa.types.is_dictionary(kind):
        return pa.array(values, pa.string()).dictionary_encode()
    if pa.types.is_timestamp(kind):
        return pa.array(values, pa.int64()).cast(kind)
    return pa.array(values, kind)


@st.composite
def tables(draw: st.DrawFn) -> pa.Table:
    count = draw(st.integers(0, 40))
    names = draw(st.lists(st.one_of(st.sampled_from(["time", "iox::measurement"]), _TEXT),
                          min_size=1, max_size=5, unique=True))
    columns = {}
    for name in names:
        kind, values = COLUMN_KINDS[draw(st.integers(0, len(COLUMN_KINDS) - 1))]
        if draw(st.booleans()):
            cells = draw(st.lists(_nullable(values), min_size=count, max_size=count))
        else:  # the repeated values of a tag column, or a column of nulls
            cells = [draw(_nullable(values))] * count
        columns[name] = _array(kind, cells)
    return pa.table(columns)


def _both_paths(table: pa.Table, encode: Callable[[pa.Table], bytes]) -> list[bytes]:
    """The encoder's bytes through the Python rows and through the columns, in small batches
    (so batches end inside the table)."""
    with mock.patch.object(cells, "ARROW_FROM", 10**9):
        small = encode(table)
    with mock.patch.object(cells, "ARROW_FROM", 1), mock.patch.object(cells, "BATCH_ROWS", 7):
        large = encode(table)
    return [small, large]


@pytest.mark.parametrize("name", list(REFERENCES))
@settings(max_examples=200, deadline=None)
@given(table=tables())
def test_matches_the_reference(name: str, table: pa.Table) -> None:
    expected = REFERENCES[name](table)
    assert _both_paths(table, V3_ENCODERS[name].encode) == [expected, expected]


@pytest.mark.parametrize("value, text", [
    pytest.param(1.0, "1.0", id="whole"), pytest.param(-0.0, "-0.0", id="negative-zero"),
    pytest.param(1e-7, "1e-07", id="small"), pytest.param(2.5e-5, "2.5e-05", id="arrow-fixed"),
    pytest.param(1e15, "1000000000000000.0", id="arrow-exponent"),
    pytest.param(1e16, "1e+16", id="large"), pytest.param(2**53 + 1, "9007199254740993",
                                                          id="int-beyond-2^53"),
    pytest.param(2**64 - 1, "18446744073709551615", id="uint64"),
    pytest.param("é\x01\u2028\"\\", '"\\u00e9\\u0001\\u2028\\"\\\\"', id="escapes"),
    pytest.param("a\x7f", '"a\\u007f"', id="delete"),
])
def test_cells_are_written_as_json_dumps_writes_them(value: object, text: str) -> None:
    kind = pa.uint64() if value == 2**64 - 1 else None
    table = pa.table({"v": pa.array([value] * 2, kind)})
    with mock.patch.object(cells, "ARROW_FROM", 1):
        line = rows.encode_jsonl(table).splitlines()[-1].decode()
    assert line == '{"v":%s}' % text  # noqa: UP031


def test_csv_quotes_as_csv_writer_does() -> None:
    table = pa.table({"s": ["", None, 'a"b', "a,b", "a\nb", "a\rb", " a"]})
    with mock.patch.object(cells, "ARROW_FROM", 1):
        body = V3_ENCODERS["csv"].encode(table)
    # a record of one empty field is `""`, CR alone is not quoted
    assert body == b's\n""\n""\n"a""b"\n"a,b"\n"a\nb"\na\rb\n a\n'


def test_repeated_names_and_types_python_writes() -> None:
    table = pa.table([pa.array([1] * 100), pa.array([None, 2] * 50)], names=["a", "a"])
    assert rows.encode_json(table) == reference_json(table)  # one key, as a dict holds it
    table = pa.table({"d": pa.array([decimal.Decimal("1.50")] * 100, pa.decimal128(5, 2))})
    assert json.loads(rows.encode_json(table))[0] == {"d": 1.5}
