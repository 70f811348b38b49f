"""InfluxDB 3 JSON (an array of row objects) and JSON Lines; null values are left out."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json

import pyarrow as pa
import pyarrow.compute as pc

from .cells import by_columns, joined
from .json_cells import kept, row_texts
from .values import rows


def _clean(names: list[str], row: list[object]) -> dict[str, object]:
    return {key: value for key, value in zip(names, row, strict=True) if kept(value)}


def _rows(table: pa.Table) -> list[dict[str, object]]:
    return [_clean(table.column_names, row) for row in rows(table)]


def json_default(value: object) -> object:
    """Values of Arrow types JSON has no word for (SUM over integers gives a decimal)."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


def _text(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), default=json_default)


def _dumps(value: object) -> bytes:
    return _text(value).encode()


def _by_columns(table: pa.Table) -> bool:
    names = table.column_names
    # a repeated name is one key of a row's dict, holding its last non-null value
    return by_columns(table) and len(set(names)) == len(names)


def _objects(table: pa.Table, separator: str) -> list[bytes]:
    """Each batch of rows as JSON objects joined by `separator`, the last one left open
    (its closing brace is written with the separator that follows it)."""
    out = []
    for texts in row_texts(table, _text):
        opened = pc.binary_replace_slice(texts, start=0, stop=1, replacement="{")
        out.append(joined(opened, "}" + separator))
    return out


def encode_json(table: pa.Table) -> bytes:
    if not _by_columns(table):
        return _dumps(_rows(table))
    return b"[" + b"},".join(_objects(table, ",")) + b"}]"


def encode_jsonl(table: pa.Table) -> bytes:
    if not _by_columns(table):
        return b"".join(_dumps(row) + b"\n" for row in _rows(table))
    return b"".join(part + b"}\n" for part in _objects(table, "\n"))
