"""Raw rows tied at one time in 1.6.7's heap order: the fast steps against a plain heap walk."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from translators.influxql import heapsteps, heapwalk, rawheap
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


def laid_out(times: list[int], ranks: list[int], starts: list[int], descending: bool,
             wanted: int | None = None) -> list[int] | None:
    """`heapsteps.aligned`'s rows in walk order (its layout is reversed under DESC)."""
    found = heapsteps.aligned(pa.array(times, pa.int64()), pa.array(ranks, pa.int64()), starts,
                             descending, wanted)
    if found is None:
        return None
    rows = found.to_pylist()
    if not descending:
        return rows
    out = []  # reversed group by group
    for a, b in zip(starts, starts[1:], strict=False):
        out.extend(reversed([r for r in rows if a <= r < b]))
    return out


@pytest.mark.parametrize("series", [1, 2, 3, 5, 8, 17, 100, 500])  # 500: 6,000 rows
@pytest.mark.parametrize("descending", [False, True])
def test_aligned_series_step_as_the_heap_walks(series: int, descending: bool) -> None:
    times, ranks = grid(series, 12, seed=series)
    expected = reference(times, ranks, descending)
    assert laid_out(times, ranks, [0, len(times)], descending) == expected
    assert walk(times, ranks, descending) == expected
    assert walk(times, ranks, descending, 7) == expected[:7]
    ordered = sorted(range(len(times)), key=lambda i: (times[i], ranks[i]))
    by_point = heapwalk.walk_segment([times[i] for i in ordered], [ranks[i] for i in ordered],
                                     descending, None, 0, None)
    assert [ordered[i] for i in by_point] == expected


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("wanted", [None, 1, 10, 50])
def test_aligned_groups_and_shard_groups_each_start_a_heap(descending: bool,
                                                           wanted: int | None) -> None:
    """Groups of 6 series each (ranks apart), one across a shard-group boundary."""
    times, ranks, starts, expected = [], [], [0], []
    for group, (start, steps) in enumerate([(SHARD_ORIGIN + SHARD_GROUP - 50, 10),
                                            (SHARD_ORIGIN + 5 * SHARD_GROUP, 3),
                                            (SHARD_ORIGIN + 2 * SHARD_GROUP - 20, 7)]):
        t, r = grid(6, steps, start, seed=group)
        r = [rank * 3 + group for rank in r]  # the groups' series interleave in key order
        base = len(times)
        expected.extend(base + row for row in reference(t, r, descending)[:wanted])
        times, ranks = times + t, ranks + r
        starts.append(len(times))
    assert laid_out(times, ranks, starts, descending, wanted) == expected
    if wanted is None:  # one group at a time through the segments' walk
        for a, b in zip(starts, starts[1:], strict=False):
            assert walk(times[a:b], ranks[a:b], descending) == [
                row - a for row in expected if a <= row < b]


def test_unaligned_rows_are_not_laid_out_by_steps() -> None:
    times, ranks = grid(4, 5)
    assert laid_out(times[1:], ranks[1:], [0, len(times) - 1], False) is None
    times[3] += 1  # a time with another series set
    assert laid_out(times, [0, 1, 2, 3] * 5, [0, 20], False) is None
    assert laid_out(times[:8] + times[12:], ranks[:8] + [r + 4 for r in ranks[12:]],
                    [0, 16], False) is None  # same count, other series at later times


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


@pytest.mark.parametrize("codes", [rawheap._CODES, 0])  # a table of codes, or their series
def test_series_keys_sort_as_escaped_bytes_a_missing_tag_left_out(
        codes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rawheap, "_CODES", codes)
    cpu = pa.chunked_array([["c1", None], ["c0", "c1", "c1!", "c1"]])
    host = pa.chunked_array([["a", "b"], ["c", "a b", "a", "a"]])
    # cpu=c0,host=c < cpu=c1!,host=a < cpu=c1,host=a < cpu=c1,host=a\ b < host=b
    assert rawheap.series_ranks(["cpu", "host"], [cpu, host]).to_pylist() == [2, 4, 0, 3, 1, 2]
