"""Column conversions shared by the text encoders."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def is_text(kind: pa.DataType) -> bool:
    """Whether a column of `kind` holds text: strings, large or dictionary-encoded."""
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or (
        pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type))


def iso_times(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Timestamps as InfluxDB 3 prints them: 2024-01-01T00:00:00[.fraction], no zone, or
    with the zone's offset for a zoned column."""
    if column.type.tz is not None:
        return _zoned_times(column)
    if column.type.unit == "ns":  # within years 1677-2262, where the cast writes as strftime
        return ns_text(column)
    text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    # strftime's %S carries the full fraction (".000000000" for ns): trim trailing zeros.
    text = pc.replace_substring_regex(text, r"\.0+$", "")
    return pc.replace_substring_regex(text, r"(\.[0-9]*?)0+$", r"\1")


def ns_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Nanosecond timestamps as 2024-01-01T00:00:00[.fraction], fraction trimmed of zeros (a
    cast: a tenth of strftime's time)."""
    # Arrow writes "YYYY-MM-DD hh:mm:ss.nnnnnnnnn", always with nine digits of fraction.
    text = pc.replace_substring(pc.cast(column, pa.string()), " ", "T", max_replacements=1)
    return pc.utf8_rtrim(pc.utf8_rtrim(text, characters="0"), characters=".")


def _zoned_times(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Local time and offset, as arrow-rs prints a zoned timestamp (RFC 3339, fractions in
    groups of three digits, Z for a zero offset): 2024-01-01T01:00:00+01:00."""
    text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    text = pc.replace_substring_regex(text, r"\.0+$", "")
    text = pc.replace_substring_regex(text, r"(\.(?:[0-9]{3})+?)(?:000)+$", r"\1")
    offset = pc.strftime(column, format="%z")
    offset = pc.replace_substring_regex(offset, r"^[+-]0000$", "Z")
    offset = pc.replace_substring_regex(offset, r"^([+-][0-9]{2})([0-9]{2})$", r"\1:\2")
    return pc.binary_join_element_wise(text, offset, "")


def with_text_times(table: pa.Table) -> pa.Table:
    """The table with every timestamp column replaced by its ISO text."""
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(index, field.name, iso_times(table.column(index)))
    return table


def column_values(column: pa.ChunkedArray | pa.Array) -> list[object]:
    """A column as Python values; values Python cannot represent (dates past year 9999,
    infinities) come out as Arrow's own text for them."""
    try:
        return column.to_pylist()
    except (OverflowError, ValueError):
        return pc.cast(column, pa.string()).to_pylist()


def rows(table: pa.Table) -> list[list[object]]:
    """Rows as lists, by position (result names need not be valid dict keys)."""
    columns = [column_values(c) for c in with_text_times(table).columns]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []
