"""InfluxDB 3 JSON (an array of row objects) and JSON Lines; null values are left out."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math

import pyarrow as pa

from .values import rows


def _clean(names: list[str], row: list[object]) -> dict[str, object]:
    return {
        key: value for key, value in zip(names, row, strict=True)
        if value is not None and not (isinstance(value, float) and not math.isfinite(value))
    }


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


def _dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=json_default).encode()


def encode_json(table: pa.Table) -> bytes:
    return _dumps(_rows(table))


def encode_jsonl(table: pa.Table) -> bytes:
    return b"".join(_dumps(row) + b"\n" for row in _rows(table))
