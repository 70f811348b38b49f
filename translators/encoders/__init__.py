"""Result encoders, one module per output format, chosen by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from . import csv, parquet, pretty, rows


@dataclass(frozen=True, slots=True)
class Encoder:
    name: str
    content_type: str
    encode: Callable[[pa.Table], bytes]


V3_ENCODERS: dict[str, Encoder] = {
    "json": Encoder("json", "application/json", rows.encode_json),
    "jsonl": Encoder("jsonl", "application/jsonl", rows.encode_jsonl),
    "csv": Encoder("csv", "text/csv; charset=utf-8", csv.encode_csv),
    "parquet": Encoder("parquet", "application/vnd.apache.parquet", parquet.encode_parquet),
    "pretty": Encoder("pretty", "text/plain; charset=utf-8", pretty.encode_pretty),
}

# Accept header media types for InfluxDB 3's query endpoints.
V3_MEDIA_TYPES = {
    "application/json": "json",
    "application/jsonl": "jsonl",
    "application/x-ndjson": "jsonl",
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.apache.parquet": "parquet",
    "text/plain": "pretty",
}
