"""Arrow columns' cells as the text Python writes for their values, made by Arrow kernels.

The v3 text encoders (`rows`, `csv`, `pretty`) write small tables from Python values; a large
table goes through here, a column at a time, with the same text:

* floats as `repr` writes them: Arrow writes the same shortest digits, in fixed notation within
  [1e-6, 1e10) and with an exponent elsewhere, where Python uses fixed notation within
  [1e-4, 1e16), with `.0` on whole numbers and two exponent digits; the floats whose notation
  differs between the two (few in practice) are written by Python;
* integers and booleans are Arrow's text (`-12`, `true`), as `str` and `json.dumps` write them
  (the encoders write booleans as `true`/`false`);
* times in ISO text (`values.iso_times`); strings as they are;
* columns of any other type (decimals, dates, lists...) are left to Python, a value at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from .values import column_values, is_text, iso_times

# Rows per pass: keeps every text array far below Arrow's 2 GiB string limit.
BATCH_ROWS = 65_536
# Below about this many rows Python costs less than the kernels' fixed cost per column (JSON of
# the table in bench/v3_encoders.py: 70 against 430 us at 8 rows, 4.4 against 0.8 ms at 1,000).
ARROW_FROM = 100


def by_columns(table: pa.Table) -> bool:
    """Whether the table is large enough to be written here, a column at a time."""
    return table.num_rows >= max(ARROW_FROM, 1) and table.num_columns > 0


def kind_of(kind: pa.DataType) -> str | None:
    """How the cells of a column of `kind` are written; None for Python."""
    if pa.types.is_floating(kind) and not pa.types.is_float16(kind):
        return "float"
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind):
        return "plain"
    if pa.types.is_timestamp(kind):
        return "time"
    if is_text(kind):
        return "string"
    return None


def batches(table: pa.Table) -> Iterator[tuple[int, pa.Table]]:
    """(first row, rows) of the table, `BATCH_ROWS` rows at a time."""
    for start in range(0, table.num_rows, BATCH_ROWS):
        yield start, table.slice(start, BATCH_ROWS)


def python_batches(table: pa.Table, write: Callable[[object], str | None]
                   ) -> Iterator[tuple[pa.Table, dict[int, pa.Array]]]:
    """Each batch of rows (`batches`) with the text of its columns of a kind left to Python
    (`kind_of` None), by column index: each value written by `write`, as the rows' encoders
    read them (`rows`)."""
    python = {i: [write(v) for v in column_values(c)] for i, c in enumerate(table.columns)
              if kind_of(c.type) is None}
    for start, part in batches(table):
        yield part, {i: pa.array(texts[start:start + part.num_rows], pa.string())
                     for i, texts in python.items()}


def float_texts(column: pa.Array) -> pa.Array:
    """`repr` of each finite value of a float64 array; null for nulls, NaN and infinities."""
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
    if pc.any(whole).as_py():
        text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    if pc.any(differ).as_py():
        python = [repr(v) for v in pc.filter(column, differ).to_pylist()]
        text = pc.replace_with_mask(text, differ, pa.array(python, pa.string()))
    return text


def str_cells(column: pa.Array) -> pa.Array:
    """The text `str` gives each value of an array of a kind Arrow writes (booleans `true` and
    `false`, floats as `nan`, `inf`, `-inf` where not finite); null for nulls."""
    kind = kind_of(column.type)
    if kind == "float":
        column = column.cast(pa.float64())
        text = float_texts(column)
        if pc.any(pc.invert(pc.fill_null(pc.is_finite(column), True))).as_py():
            other = pc.if_else(pc.is_nan(column), "nan",
                               pc.if_else(pc.greater(column, 0.0), "inf", "-inf"))
            text = pc.coalesce(text, other)
        return text
    if kind == "time":
        return iso_times(column)
    return pc.cast(column, pa.string())


def str_text(value: object) -> str | None:
    """`str_cells` for one Python value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def str_batches(table: pa.Table) -> Iterator[list[pa.Array]]:
    """Each batch of rows as its columns' `str_cells` (`str_text` for Python's columns)."""
    for part, python in python_batches(table, str_text):
        yield [python[i] if i in python else str_cells(column.combine_chunks())
               for i, column in enumerate(part.columns)]


def joined(texts: pa.Array, separator: str) -> bytes:
    """The texts joined by `separator`, as bytes."""
    offsets = pa.array([0, len(texts)], pa.int32())
    return pc.binary_join(pa.ListArray.from_arrays(offsets, texts),  # type: ignore[no-any-return]
                          separator)[0].as_buffer().to_pybytes()
