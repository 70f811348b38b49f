"""Raw rows tied at one time in 1.6.7's heap order: the fast steps against a plain heap walk."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from translators.influxql import heapwalk, rawheap
from translators.influxql.readorder import SHARD_GROUP, SHARD_ORIGIN, merge_series


def reference(times: list[int], ranks: list[int], descending: bool) -> list[int]:
    """Row indices merged by readorder.merge_series (one heap per shard group)."""
    runs = [[{"t": t, "v": row} for row, (t, r) in sorted(
        enumerate(zip(times, ranks, strict=True)), key=lambda x: x[1][0]) if r == rank]
        for rank in range(max(ranks) + 1)]
    return [p["v"] for p in merge_series(runs, descending)]


def grid(series: int, steps: int, start: int = SHARD_ORIGIN, seed: int = 0
         ) -> tuple[list[int], list[int]]:
    """Every series at every time, the rows of one time in a random order (as DuckDB's sort
    by time alone leaves them)."""
    rng = random.Random(seed)
    rows = []
    for step in range(steps):
        at = [(start + 10 * step, rank) for rank in range(series)]
        rng.shuffle(at)
        rows.extend(at)
    return [t for t, _ in rows], [r for _, r in rows]


def walk(times: list[int], ranks: list[int], descending: bool,
         wanted: int | None = None) -> list[int]:
    return rawheap._walk(pa.array(times, pa.int64()), pa.array(ranks, pa.int64()), descending,
                         None, wanted).to_pylist()


@pytest.mark.parametrize("series", [1, 2, 3, 5, 8, 17, 100])
@pytest.mark.parametrize("descending", [False, True])
def test_aligned_series_step_as_the_heap_walks(series: int, descending: bool) -> None:
    times, ranks = grid(series, 12, seed=series)
    assert rawheap._aligned(pa.array(times), pa.array(ranks), descending) is not None
    expected = reference(times, ranks, descending)
    assert walk(times, ranks, descending) == expected
    assert walk(times, ranks, descending, 7) == expected[:7]
    ordered = sorted(range(len(times)), key=lambda i: (times[i], ranks[i]))
    by_point = heapwalk.walk_segment([times[i] for i in ordered], [ranks[i] for i in ordered],
                                     descending, None, 0, None)
    assert [ordered[i] for i in by_point] == expected


@pytest.mark.parametrize("descending", [False, True])
def test_aligned_shard_groups_each_start_a_heap(descending: bool) -> None:
    # 9 series at 10 times across a shard-group boundary, then a gap-free group of 4 series
    times, ranks = grid(9, 10, SHARD_ORIGIN + SHARD_GROUP - 50, seed=5)
    later, later_ranks = grid(4, 6, SHARD_ORIGIN + 2 * SHARD_GROUP + 20, seed=6)
    times, ranks = times + later, ranks + [r * 2 for r in later_ranks]  # ranks 0, 2, 4, 6
    assert walk(times, ranks, descending) == reference(times, ranks, descending)


@pytest.mark.parametrize("descending", [False, True])
def test_gaps_and_shard_groups_walked_point_by_point(descending: bool) -> None:
    rng = random.Random(3)
    rows = sorted((SHARD_ORIGIN + SHARD_GROUP - 300 + 60 * step, rank)
                  for step in range(10) for rank in range(7) if rng.random() < 0.7)
    rows += [(SHARD_ORIGIN + 3 * SHARD_GROUP + 10 * step, rank)  # an aligned group after
             for step in range(5) for rank in range(7)]
    times, ranks = [t for t, _ in rows], [r for _, r in rows]
    expected = reference(times, ranks, descending)
    assert walk(times, ranks, descending) == expected
    assert walk(times, ranks, descending, 9) == expected[:9]


def test_series_keys_sort_as_escaped_bytes_a_missing_tag_left_out() -> None:
    cpu = pa.chunked_array([["c1", None, "c0", "c1", "c1"]])
    host = pa.chunked_array([["a", "b", "c", "a b", "a"]])
    # cpu=c0,host=c < cpu=c1,host=a < cpu=c1,host=a\ b < host=b
    assert rawheap.series_ranks(["cpu", "host"], [cpu, host]).to_pylist() == [1, 3, 0, 2, 1]
