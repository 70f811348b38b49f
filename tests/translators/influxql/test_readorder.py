"""1.6.7's read order for mode() and percentile(): Go's heap merge of series and Go's sort."""

from __future__ import annotations

import random

import pytest

from translators.influxql import functions as fn
from translators.influxql.readorder import (
    SHARD_GROUP,
    SHARD_ORIGIN,
    go_sort,
    merge_series,
    shard_group,
)


def points(series: str, *times: int) -> list[dict[str, object]]:
    return [{"t": t, "v": series} for t in times]


def test_merge_breaks_ties_between_series_as_gos_heap_leaves_them() -> None:
    merged = merge_series([points("a", 1, 2), points("b", 1, 2), points("c", 1, 2)])
    # not series order: the heap's state after each pop decides, and differs per timestamp
    assert [(p["t"], p["v"]) for p in merged] == [
        (1, "a"), (1, "c"), (1, "b"), (2, "c"), (2, "b"), (2, "a")]


def test_merge_restarts_in_each_shard_group() -> None:
    later = SHARD_GROUP + SHARD_ORIGIN  # the first instant of the next group
    merged = merge_series([points(s, 1, 2, later) for s in "abc"])
    # a fresh heap answers the next group as it answered t=1 (one heap would give b, a, c)
    assert [p["v"] for p in merged if p["t"] == later] == ["a", "c", "b"]


def test_shard_groups_start_on_mondays() -> None:
    monday = 1_704_067_200 * 1_000_000_000  # 2024-01-01T00:00:00Z
    assert shard_group(monday - 1) + 1 == shard_group(monday) == shard_group(
        monday + SHARD_GROUP - 1)


def test_merge_orders_equal_times_by_companion_strings() -> None:
    merged = merge_series([[{"t": 1, "v": 0, "a1": "z"}], [{"t": 1, "v": 0, "a1": "y"}]])
    assert [p["a1"] for p in merged] == ["y", "z"]


@pytest.mark.parametrize("size", [0, 1, 12, 13, 49, 50, 51, 300, 2000])
def test_go_sort_sorts_every_input_shape(size: int) -> None:
    rng = random.Random(size)
    for data in ([rng.randint(0, 5) for _ in range(size)], list(range(size)),
                 list(range(size, 0, -1)), [rng.random() for _ in range(size)]):
        items = list(enumerate(data))
        go_sort(items, lambda x, y: x[1] < y[1])
        assert [v for _, v in items] == sorted(data)
        assert sorted(i for i, _ in items) == list(range(size))


def test_go_sort_is_insertion_sort_up_to_twelve_and_unstable_beyond() -> None:
    small = [(0, i) for i in range(12)]
    go_sort(small, lambda x, y: x[0] < y[0])
    assert small == [(0, i) for i in range(12)]
    large = [(i % 2, i) for i in range(60)]
    go_sort(large, lambda x, y: x[0] < y[0])
    assert [v for v, _ in large] == [0] * 30 + [1] * 30
    assert [i for v, i in large if v == 0] != list(range(0, 60, 2))


def item(t: int, v: object) -> dict[str, object]:
    return {"t": t, "v": v}


def test_mode_without_a_tie_needs_no_read_order() -> None:
    def never() -> list[dict[str, object]]:
        raise AssertionError("read order asked for")

    assert fn.mode([item(1, 5), item(2, 3), item(3, 5)], never) == 5
    assert fn.mode([item(1, 5), item(2, 3), item(3, 4)], never) == 3  # all once: smallest
    assert fn.mode([item(1, False), item(2, True)], never) is True  # 1.x: true wins a tie
    assert fn.percentile([item(1, 5), item(2, 3), item(3, 4)], 50, never) == item(3, 4)


def test_tied_percentile_takes_the_point_gos_sort_leaves_at_the_rank() -> None:
    read = [item(t, 1.0 if t % 3 else 2.0) for t in range(60)]
    chosen = fn.percentile(read, 50, lambda: read)
    ordered = list(read)
    go_sort(ordered, lambda x, y: x["v"] < y["v"])
    assert chosen is ordered[29]
    assert chosen != min((p for p in read if p["v"] == 1.0), key=lambda p: p["t"])
