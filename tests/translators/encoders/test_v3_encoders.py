"""Every v3 encoder accepts every column type a SQL query can produce."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from translators.encoders import V3_ENCODERS

TABLE = pa.table({
    "time": pa.array([1_700_000_000_000_000_000, None], pa.timestamp("ns")),
    "total": pa.array([decimal.Decimal("124750"), decimal.Decimal("1.5")], pa.decimal128(38, 1)),
    "day": pa.array([dt.date(2024, 1, 2), None], pa.date32()),
    "clock": pa.array([dt.time(1, 2, 3), None], pa.time64("us")),
    "span": pa.array([dt.timedelta(seconds=90), None], pa.duration("us")),
    "raw": pa.array([b"\x00\x01", None], pa.binary()),
    "tags": pa.array([["a", "b"], None], pa.list_(pa.string())),
    "f": pa.array([float("nan"), 2.5]),
    "big": pa.array([2**64 - 1, 0], pa.uint64()),
})


@pytest.mark.parametrize("name", list(V3_ENCODERS))
def test_encodes_every_type(name: str) -> None:
    body = V3_ENCODERS[name].encode(TABLE)
    assert body
    if name == "parquet":
        assert pq.read_table(io.BytesIO(body)).num_rows == 2


def test_json_values() -> None:
    first, second = json.loads(V3_ENCODERS["json"].encode(TABLE))
    assert first == {"time": "2023-11-14T22:13:20", "total": 124750, "day": "2024-01-02",
                     "clock": "01:02:03", "span": 90.0, "raw": "AAE=", "tags": ["a", "b"],
                     "big": 2**64 - 1}
    assert second == {"total": 1.5, "f": 2.5, "big": 0}
