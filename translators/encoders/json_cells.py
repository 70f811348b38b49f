"""InfluxDB 3 JSON rows written a column at a time: each column's cells as JSON text in Arrow.

`rows.py` writes small tables as Python dicts through `json.dumps`; a large table would spend
seconds building a million dicts, so here every column is turned into `,"name":value` text by
Arrow kernels and a row is the concatenation of its cells, a null cell (a null value or a
non-finite float, which the rows leave out) being empty. The text is what `json.dumps` writes
for the same rows, byte for byte:

* integers and booleans are Arrow's text (`-12`, `true`);
* floats are Python's repr: Arrow writes the same shortest digits, in fixed notation within
  [1e-6, 1e10) and with an exponent elsewhere, where Python uses fixed notation within
  [1e-4, 1e16), with `.0` on whole numbers and two exponent digits; the floats whose notation
  differs between the two (few in practice) are written by Python;
* strings are quoted with `\\` and `"` escaped; those holding anything but printable ASCII,
  which `json.dumps` escapes as `\\uXXXX`, are written by Python;
* columns of any other type (decimals, dates, lists...) are written by Python, a cell at a time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from .values import column_values, iso_times

# Rows per pass: keeps every text array far below Arrow's 2 GiB string limit.
BATCH_ROWS = 65_536
_NOT_PRINTABLE_ASCII = r"[^ -~]"


def row_texts(table: pa.Table, dumps: Callable[[object], str]) -> Iterator[pa.Array]:
    """Each batch of rows as `,"a":1,"b":"x"` texts (the cells of a row with a comma before
    each; empty for a row of nulls); `dumps` writes the values Arrow does not."""
    keys = [",%s:" % json.dumps(name) for name in table.column_names]  # noqa: UP031
    python = {i: _python_cells(c, dumps) for i, c in enumerate(table.columns)
              if _kind(c.type) is None}
    for start in range(0, table.num_rows, BATCH_ROWS):
        part = table.slice(start, BATCH_ROWS)
        cells = []
        for index, key in enumerate(keys):
            if index in python:
                text = pa.array(python[index][start:start + part.num_rows], pa.string())
                text = pc.binary_join_element_wise(key, text, "")
            else:
                text = _cells(part.column(index).combine_chunks(), key, dumps)
            cells.append(pc.fill_null(text, ""))
        yield pc.binary_join_element_wise(*cells, "") if len(cells) > 1 else cells[0]


def _kind(kind: pa.DataType) -> str | None:
    if pa.types.is_floating(kind) and not pa.types.is_float16(kind):
        return "float"
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind):
        return "plain"
    if pa.types.is_timestamp(kind):
        return "time"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or (
            pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type)):
        return "string"
    return None


def _python_cells(column: pa.ChunkedArray, dumps: Callable[[object], str]) -> list[str | None]:
    # json.dumps of the whole row leaves out only top-level nulls and non-finite floats
    return [None if v is None or (isinstance(v, float) and not math.isfinite(v)) else dumps(v)
            for v in column_values(column)]


def _cells(column: pa.Array, key: str, dumps: Callable[[object], str]) -> pa.Array:
    """The column's cells, each `key` then the value's text; null where the row has none."""
    kind = _kind(column.type)
    if kind == "float":
        return _float_cells(column.cast(pa.float64()), key, dumps)
    if kind == "plain":
        return pc.binary_join_element_wise(key, pc.cast(column, pa.string()), "")
    # tag values and GROUP BY time's buckets repeat row after row: write each distinct once
    encoded = pc.dictionary_encode(column)
    if len(encoded.dictionary) * 2 <= len(column):
        return pc.take(_text_cells(encoded.dictionary, kind, key, dumps), encoded.indices)
    return _text_cells(column, kind, key, dumps)


def _text_cells(column: pa.Array, kind: str | None, key: str,
                dumps: Callable[[object], str]) -> pa.Array:
    if kind == "time":  # ISO text: digits, `-`, `:`, `T` and `.`, nothing to escape
        return pc.binary_join_element_wise(key + '"', iso_times(column), '"', "")
    return _string_cells(pc.cast(column, pa.string()), key, dumps)


def _float_cells(column: pa.Array, key: str, dumps: Callable[[object], str]) -> pa.Array:
    finite = pc.is_finite(column)
    text = pc.if_else(finite, pc.cast(column, pa.string()), pa.scalar(None, pa.string()))
    magnitude = pc.abs(column)
    fixed = pc.or_(pc.and_(pc.greater_equal(magnitude, 1e-4), pc.less(magnitude, 1e16)),
                   pc.equal(column, 0.0))  # Python's repr writes these without an exponent
    exponent = pc.match_substring(text, "e")
    differ = pc.fill_null(pc.equal(fixed, exponent), False)
    whole = pc.fill_null(pc.invert(pc.or_(exponent, pc.match_substring(text, "."))), False)
    if pc.any(exponent).as_py():
        text = pc.replace_substring_regex(text, r"e([+-])([0-9])$", r"e\10\2")
    if pc.any(differ).as_py():
        fixed_text = [dumps(v) for v in pc.filter(column, differ).to_pylist()]
        text = pc.replace_with_mask(text, differ, pa.array(fixed_text, pa.string()))
        whole = pc.and_(whole, pc.invert(differ))
    if pc.any(whole).as_py():
        return pc.if_else(whole, pc.binary_join_element_wise(key, text, ".0", ""),
                          pc.binary_join_element_wise(key, text, ""))
    return pc.binary_join_element_wise(key, text, "")


def _string_cells(column: pa.Array, key: str, dumps: Callable[[object], str]) -> pa.Array:
    quoted = column
    if pc.any(pc.match_substring(column, "\\")).as_py():
        quoted = pc.replace_substring(quoted, "\\", "\\\\")
    if pc.any(pc.match_substring(column, '"')).as_py():
        quoted = pc.replace_substring(quoted, '"', '\\"')
    quoted = pc.binary_join_element_wise(key + '"', quoted, '"', "")
    special = pc.fill_null(pc.match_substring_regex(column, _NOT_PRINTABLE_ASCII), False)
    if pc.any(special).as_py():
        texts = [key + dumps(v) for v in pc.filter(column, special).to_pylist()]
        quoted = pc.replace_with_mask(quoted, special, pa.array(texts, pa.string()))
    return quoted
