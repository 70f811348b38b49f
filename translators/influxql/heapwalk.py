"""1.6.7's merge heap over one shard group's series, simulated point by point or by fixed steps.

1.x's sorted merge keeps one heap item per series (Go's container/heap), pops the least point,
and pushes the series back with its next point if it has one; `rawheap.py` decides which rows
go through here. Rows are given laid out by time (ascending), each with its series' rank in
1.x's series-key order.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable

from .readorder import heap_down, heap_up

Compare = Callable[[int, int], bool]


def walk_segment(times: list[int], ranks: list[int], descending: bool,
                 compare: Compare | None, base: int, wanted: int | None) -> list[int]:
    """One shard group's heap merge: row indices (into `times`) in the order it pops them,
    at most `wanted`. `compare(base + x, base + y)`: whether row x goes before row y at one
    time (1.x's auxiliary text), None: never."""
    sign = -1 if descending else 1
    by_series = sorted(range(len(times)), key=lambda r: (ranks[r] * sign, times[r] * sign))
    flat_keys = [times[r] * sign for r in by_series]
    nxt = [p + 1 for p in range(len(by_series))]
    starts = [0]
    for p in range(1, len(by_series)):
        if ranks[by_series[p]] != ranks[by_series[p - 1]]:
            nxt[p - 1] = -1
            starts.append(p)
    nxt[-1] = -1

    if compare is None:
        def less(p: int, q: int) -> bool:
            return flat_keys[p] < flat_keys[q]
    else:
        def less(p: int, q: int) -> bool:
            if flat_keys[p] != flat_keys[q]:
                return flat_keys[p] < flat_keys[q]
            return compare(by_series[p] + base, by_series[q] + base)

    heap = list(starts)  # the series in key order (reversed under DESC), at their first row
    for i in range(len(heap) // 2 - 1, -1, -1):
        heap_down(heap, less, i, len(heap))
    distinct = sorted(set(flat_keys))
    place = {key: i for i, key in enumerate(distinct)}
    sizes = [0] * len(distinct)
    for key in flat_keys:
        sizes[place[key]] += 1
    out: list[int] = []
    limit = len(by_series) if wanted is None else min(wanted, len(by_series))
    while heap and len(out) < limit:
        now = flat_keys[heap[0]]
        size = len(heap)
        step = place[now]
        # every series of the heap at this time and at the next one: one fixed move
        if (compare is None and sizes[step] == size and step + 1 < len(sizes)
                and sizes[step + 1] == size):
            slots, moves = step_getters(size)
            out.extend(by_series[p] for p in slots(heap))
            heap = [p + 1 for p in moves(heap)]
            continue
        while heap and flat_keys[heap[0]] == now and len(out) < limit:
            last = len(heap) - 1
            heap[0], heap[last] = heap[last], heap[0]
            heap_down(heap, less, 0, last)
            p = heap.pop()
            out.append(by_series[p])
            if nxt[p] >= 0:
                heap.append(nxt[p])
                heap_up(heap, less, len(heap) - 1)
    return out[:limit]


@functools.lru_cache(maxsize=64)
def step(size: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A heap of `size` items at one time, each pushed back at one later time once popped:
    the slots in the order they pop, and for each slot afterwards the slot its item held."""
    heap = [(slot, 0) for slot in range(size)]

    def less(x: tuple[int, int], y: tuple[int, int]) -> bool:
        return x[1] < y[1]

    popped = []
    for _ in range(size):
        last = len(heap) - 1
        heap[0], heap[last] = heap[last], heap[0]
        heap_down(heap, less, 0, last)
        slot, _ = heap.pop()
        popped.append(slot)
        heap.append((slot, 1))
        heap_up(heap, less, len(heap) - 1)
    return tuple(popped), tuple(slot for slot, _ in heap)


@functools.lru_cache(maxsize=64)
def drain(size: int) -> tuple[int, ...]:
    """A heap of `size` items at one time and no later points: the slots in the order they
    pop."""
    heap = list(range(size))
    popped = []
    for _ in range(size):
        last = len(heap) - 1
        heap[0], heap[last] = heap[last], heap[0]
        heap_down(heap, lambda x, y: False, 0, last)
        popped.append(heap.pop())
    return tuple(popped)


@functools.lru_cache(maxsize=64)
def step_getters(size: int) -> tuple[Callable[[list[int]], tuple[int, ...]],
                                     Callable[[list[int]], tuple[int, ...]]]:
    """`step(size)` as getters of those slots from a heap."""
    slots, moves = step(size)
    return getter(slots), getter(moves)


def getter(slots: tuple[int, ...]) -> Callable[[list[int]], tuple[int, ...]]:
    if len(slots) == 1:
        return lambda heap: (heap[slots[0]],)
    return operator.itemgetter(*slots)

