"""InfluxDB 3 JSON rows written a column at a time: each column's cells as JSON text in Arrow.

`rows.py` writes small tables as Python dicts through `json.dumps`; a large table would spend
seconds building a million dicts, so here every column is turned into `,"name":value` text by
Arrow kernels (`cells.py` writes the values as Python does) and a row is the concatenation of
its cells, a null cell (a null value or a non-finite float, which the rows leave out) being
empty. The text is what `json.dumps` writes for the same rows, byte for byte: strings are
quoted with `\\` and `"` escaped, and those holding anything but printable ASCII, which
`json.dumps` escapes as `\\uXXXX`, are written by Python, as are columns of types `cells.py`
leaves to Python.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from .cells import float_texts, kind_of, python_batches
from .values import iso_times

_NOT_PRINTABLE_ASCII = r"[^ -~]"


def kept(value: object) -> bool:
    """Whether a row's object holds the value: InfluxDB 3's JSON rows leave out nulls and
    non-finite floats (`rows` writes small tables' rows with the same test)."""
    return value is not None and not (isinstance(value, float) and not math.isfinite(value))


def row_texts(table: pa.Table, dumps: Callable[[object], str]) -> Iterator[pa.Array]:
    """Each batch of rows as `,"a":1,"b":"x"` texts (the cells of a row with a comma before
    each; empty for a row of nulls); `dumps` writes the values Arrow does not."""
    keys = [",%s:" % json.dumps(name) for name in table.column_names]  # noqa: UP031

    def write(value: object) -> str | None:
        return dumps(value) if kept(value) else None

    for part, python in python_batches(table, write):
        cells = []
        for index, key in enumerate(keys):
            if index in python:
                text = pc.binary_join_element_wise(key, python[index], "")
            else:
                text = _cells(part.column(index).combine_chunks(), key, dumps)
            cells.append(text)
        yield pc.binary_join_element_wise(*cells, "", null_handling="replace",
                                          null_replacement="")


def _cells(column: pa.Array, key: str, dumps: Callable[[object], str]) -> pa.Array:
    """The column's cells, each `key` then the value's text; null where the row has none."""
    kind = kind_of(column.type)
    if kind == "float":
        return pc.binary_join_element_wise(key, float_texts(column.cast(pa.float64())), "")
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
