"""Apache Parquet, the whole result in one file."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq


def encode_parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
