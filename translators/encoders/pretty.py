"""A boxed text table, as InfluxDB 3's `format=pretty` prints it."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from .cells import by_columns, joined, str_batches
from .values import rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _line(cells: list[str], widths: list[int]) -> str:
    return "|" + "|".join(f" {c:<{w}} " for c, w in zip(cells, widths, strict=True)) + "|"


def _frame(names: list[str], widths: list[int], body: list[bytes]) -> bytes:
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    return (f"{rule}\n{_line(names, widths)}\n{rule}\n".encode() + b"".join(body)
            + f"{rule}\n".encode())


def encode_pretty(table: pa.Table) -> bytes:
    names = table.column_names
    if not by_columns(table):
        cells = [[_cell(v) for v in row] for row in rows(table)]
        widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
        return _frame(names, widths, [(_line(r, widths) + "\n").encode() for r in cells])
    parts = [[pc.fill_null(c, "") for c in columns] for columns in str_batches(table)]
    widths = [len(n) for n in names]
    for columns in parts:
        widths = [max(w, pc.max(pc.utf8_length(c)).as_py() or 0)
                  for w, c in zip(widths, columns, strict=True)]
    body = []
    for columns in parts:
        padded = [pc.utf8_rpad(c, width=w, padding=" ") for c, w in zip(columns, widths,
                                                                         strict=True)]
        row = pc.binary_join_element_wise(*padded, " | ")
        body.append(joined(pc.binary_join_element_wise("| ", row, " |", ""), "\n") + b"\n")
    return _frame(names, widths, body)
