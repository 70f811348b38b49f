"""Times as 1.x writes them: the per-value path for short columns agrees with the Arrow path."""

from __future__ import annotations

import pyarrow as pa
import pytest

from translators.encoders.influxql_time import (
    _ARROW_FROM,
    EPOCH_DIVISORS,
    epoch_array,
    epoch_times,
    rfc3339_text,
    rfc3339_times,
)

EDGES = [0, 1, -1, None, -1_000_000_001, -1_500_000_000, 1_500_000_000, 1_704_067_200_000_000_000,
         1_704_067_200_123_400_000, 2**63 - 1, -(2**63), 59_999_999_999, -60_000_000_001]


def test_short_columns_are_written_as_long_ones() -> None:
    assert len(EDGES) < _ARROW_FROM
    assert rfc3339_times(EDGES) == rfc3339_text(pa.array(EDGES, pa.int64())).to_pylist()
    assert rfc3339_times([-1, 0, 1_500_000_000]) == [
        "1969-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:01.5Z"]
    # long enough for the Arrow path: the same text
    repeats = _ARROW_FROM // len(EDGES) + 1
    assert rfc3339_times(EDGES * repeats) == rfc3339_times(EDGES) * repeats
    seconds = [t // 10**9 * 10**9 for t in EDGES if t is not None and t > -(2**63)]
    repeats = _ARROW_FROM // len(seconds) + 1  # no fraction to trim: the shorter way
    assert rfc3339_times(seconds * repeats) == rfc3339_times(seconds) * repeats


@pytest.mark.parametrize("epoch", sorted(EPOCH_DIVISORS))
def test_short_epoch_columns_truncate_toward_zero_as_long_ones(epoch: str) -> None:
    arrow = epoch_array(pa.array(EDGES, pa.int64()), epoch).to_pylist()
    assert epoch_times(EDGES, epoch) == arrow
    repeats = _ARROW_FROM // len(EDGES) + 1
    assert epoch_times(EDGES * repeats, epoch) == arrow * repeats
    assert epoch_times([-1_500_000_000], "s") == [-1]
