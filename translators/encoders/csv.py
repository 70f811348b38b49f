"""CSV with a header row, values quoted only where they must be."""

from __future__ import annotations

import csv
import io

import pyarrow as pa

from .values import rows


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def encode_csv(table: pa.Table) -> bytes:
    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in rows(table):
        writer.writerow([_cell(v) for v in row])
    return sink.getvalue().encode()
