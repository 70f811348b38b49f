"""CSV with a header row, values quoted only where they must be."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pyarrow.compute as pc

from .cells import by_columns, joined, str_batches
from .influxql_csv_columns import quoted_where
from .values import rows

# Python's csv.writer (QUOTE_MINIMAL, `\n` lines) quotes a field holding one of these.
_QUOTED = r'[,"\n]'


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def encode_csv(table: pa.Table) -> bytes:
    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(table.column_names)
    if not by_columns(table):
        for row in rows(table):
            writer.writerow([_cell(v) for v in row])
        return sink.getvalue().encode()
    return sink.getvalue().encode() + b"".join(_lines(table))


def _lines(table: pa.Table) -> list[bytes]:
    out = []
    for columns in str_batches(table):
        lines = pc.binary_join_element_wise(*(quoted_where(c, _QUOTED) for c in columns), ",",
                                            null_handling="replace", null_replacement="")
        if len(columns) == 1:  # csv.writer writes a record of one empty field as `""`
            lines = pc.if_else(pc.equal(lines, ""), '""', lines)
        out.append(joined(lines, "\n") + b"\n")
    return out
