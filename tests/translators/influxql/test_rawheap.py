"""Raw rows tied at one time in 1.6.7's heap order: the fast step against a plain heap walk."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from translators.influxql import rawheap
from translators.influxql.readorder import SHARD_GROUP, SHARD_ORIGIN, merge_series


def reference(times: list[int], ranks: list[int], descending: bool) -> list[int]:
    """Row indices merged by readorder.merge_series (one heap per shard group)."""
    runs = [[{"t": t, "v": row} for row, (t, r) in enumerate(zip(times, ranks, strict=True))
             if r == rank] for rank in range(max(ranks) + 1)]
    return [p["v"] for p in merge_series(runs, descending)]


def grid(series: int, steps: int, start: int = SHARD_ORIGIN) -> tuple[list[int], list[int]]:
    rows = [(start + 10 * step, rank) for step in range(steps) for rank in range(series)]
    return [t for t, _ in rows], [r for _, r in rows]


@pytest.mark.parametrize("series", [2, 3, 5, 8, 17, 100])
@pytest.mark.parametrize("descending", [False, True])
def test_aligned_series_step_as_the_heap_walks(series: int, descending: bool) -> None:
    times, ranks = grid(series, 12)
    fast = rawheap._grid(pa.array(times), pa.array(ranks), descending)
    assert fast is not None
    walk = fast.to_pylist()[::-1] if descending else fast.to_pylist()
    assert walk == reference(times, ranks, descending)
    assert rawheap._walk(pa.array(times), pa.array(ranks), descending, None, None) == walk


@pytest.mark.parametrize("descending", [False, True])
def test_gaps_and_shard_groups_walked_point_by_point(descending: bool) -> None:
    rng = random.Random(3)
    rows = sorted((SHARD_ORIGIN + SHARD_GROUP - 300 + 60 * step, rank)
                  for step in range(10) for rank in range(7) if rng.random() < 0.7)
    times, ranks = [t for t, _ in rows], [r for _, r in rows]
    assert rawheap._grid(pa.array(times), pa.array(ranks), descending) is None
    walk = rawheap._walk(pa.array(times), pa.array(ranks), descending, None, None)
    assert walk == reference(times, ranks, descending)
    assert rawheap._walk(pa.array(times), pa.array(ranks), descending, None, 9) == walk[:9]


def test_series_keys_sort_as_escaped_bytes_a_missing_tag_left_out() -> None:
    cpu = pa.chunked_array([["c1", None, "c0", "c1"]])
    host = pa.chunked_array([["a", "b", "c", "a b"]])
    # cpu=c0,host=c < cpu=c1,host=a < cpu=c1,host=a\ b < host=b
    assert rawheap._series_ranks(["cpu", "host"], [cpu, host]).to_pylist() == [1, 3, 0, 2]
