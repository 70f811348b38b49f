"""A boxed text table, as InfluxDB 3's `format=pretty` prints it."""

from __future__ import annotations

import pyarrow as pa

from .values import rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_pretty(table: pa.Table) -> bytes:
    names = table.column_names
    cells = [[_cell(v) for v in row] for row in rows(table)]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells: list[str]) -> str:
        return "|" + "|".join(f" {c:<{w}} " for c, w in zip(cells, widths, strict=True)) + "|"

    out = [rule, line(names), rule, *(line(r) for r in cells), rule]
    return ("\n".join(out) + "\n").encode()
