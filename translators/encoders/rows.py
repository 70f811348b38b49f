"""InfluxDB 3 JSON (an array of row objects) and JSON Lines; null values are left out."""

from __future__ import annotations

import json
import math

import pyarrow as pa

from .values import with_text_times


def _clean(row: dict[str, object]) -> dict[str, object]:
    out = {}
    for key, value in row.items():
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            continue
        out[key] = value
    return out


def _rows(table: pa.Table) -> list[dict[str, object]]:
    return [_clean(row) for row in with_text_times(table).to_pylist()]


def encode_json(table: pa.Table) -> bytes:
    return json.dumps(_rows(table), separators=(",", ":")).encode()


def encode_jsonl(table: pa.Table) -> bytes:
    return b"".join(json.dumps(row, separators=(",", ":")).encode() + b"\n"
                    for row in _rows(table))
