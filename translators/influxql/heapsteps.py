"""1.6.7's merge heaps over aligned series (every series at every time), with Arrow kernels.

When every series of a heap (a group's shard group) has a point at each of its times, the
heap's moves do not depend on the points: each time it pops its items in one fixed order and
leaves them in one fixed permutation of its slots (`heapwalk.step`). So the series each step
pops follow from the cycles of that permutation, and each row's place in the answer is
computed for all rows at once, whatever order the rows of one time come in.
"""

from __future__ import annotations

import functools

import pyarrow as pa
import pyarrow.compute as pc

from . import heapwalk
from .readorder import SHARD_GROUP, SHARD_ORIGIN


def aligned(times: pa.Array, ranks: pa.Array, starts: list[int], descending: bool,
             wanted: int | None) -> pa.Array | None:
    """The rows of groups (from `starts`, each laid out by time) in 1.x's order, as
    `reorder` lays them out, when every shard group of every group has the same number of
    series, each with a point at each of its times (Telegraf's aligned points): each step
    of a heap is one fixed move (`heapwalk.step`), so every row's place is computed with
    Arrow kernels, the rows of one time in any order. None: not such rows."""
    rows = len(times)
    if rows < 2 or pc.min(times).as_py() < SHARD_ORIGIN:
        return None
    at = _positions(rows)
    group_first = pc.is_in(at, value_set=pa.array(starts[:-1], pa.int64()))
    shard = pc.divide(pc.subtract(times, SHARD_ORIGIN), SHARD_GROUP)
    heap_first = pc.or_(group_first, _changed(shard))  # each group's shard group: a heap
    time_first = pc.or_(heap_first, _changed(times))
    step = pc.subtract(pc.cumulative_sum(time_first.cast(pa.int64())), 1)  # global
    heap = pc.subtract(pc.cumulative_sum(heap_first.cast(pa.int64())), 1)
    steps, heaps = step[-1].as_py() + 1, heap[-1].as_py() + 1
    size = rows // steps
    firsts = pc.indices_nonzero(time_first).cast(pa.int64())
    if size * steps != rows or not pc.all(pc.equal(firsts, pc.multiply(
            _positions(steps), size))).as_py():
        return None  # times with different numbers of rows
    width = pc.max(ranks).as_py() + 1
    series = pc.add(pc.multiply(heap, width), ranks)
    present = pc.unique(series)
    if len(present) != heaps * size:
        return None  # a heap whose times hold different series
    # the series' place in its heap, and the row of each (step, place)
    place = pc.subtract(pc.index_in(series, value_set=present.take(pc.sort_indices(present))),
                        pc.multiply(heap, size))
    row_of = pc.inverse_permutation(pc.add(pc.multiply(step, size), place))
    # every position of the layout: its step within its heap (walked from the last under
    # DESC, each step's pops reversed), and the series that step pops there
    heap_steps = pc.take(step, pc.indices_nonzero(heap_first))
    first_step = pc.take(heap_steps, heap)
    count = pc.take(pa.concat_arrays([heap_steps.slice(1), pa.array([steps], pa.int64())]),
                    heap)
    count = pc.subtract(count, pc.take(heap_steps, heap))
    within = pc.subtract(step, first_step)
    slot = pc.subtract(at, pc.multiply(step, size))
    if descending:
        within = pc.subtract(pc.subtract(count, 1), within)
        slot = pc.subtract(size - 1, slot)
    popped = _popped(size, within, pc.equal(within, pc.subtract(count, 1)), slot)
    if descending:  # the heap starts with the series last first
        popped = pc.subtract(size - 1, popped)
    found = pc.take(row_of, pc.add(pc.multiply(step, size), popped))
    if wanted is None:
        return found
    # each group's first `wanted` rows walked: the last ones laid out under DESC
    group = pc.subtract(pc.cumulative_sum(group_first.cast(pa.int64())), 1)
    edges = pa.array(starts, pa.int64())
    if descending:
        keep = pc.less_equal(pc.subtract(pc.take(edges.slice(1), group), at), wanted)
    else:
        keep = pc.less(pc.subtract(at, pc.take(edges, group)), wanted)
    return found.filter(keep)


def _positions(count: int) -> pa.Array:
    return pc.subtract(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), count)), 1)


def _changed(values: pa.Array) -> pa.Array:
    """Whether each value differs from the one before (the first does)."""
    return pa.concat_arrays([pa.array([True]), pc.not_equal(values.slice(1),
                                                            values.slice(0, len(values) - 1))])


def _popped(size: int, within: pa.Array, last: pa.Array, slot: pa.Array) -> pa.Array:
    """The series (places in the heap at its start) a heap of `size` aligned series pops
    at position `slot` of its step `within` (`last`: its last step, which drains the heap),
    as `heapwalk.step` moves it: after s steps the heap's slot i holds the series that
    started at slot moves^s(i), found on the cycle of moves through i."""
    cycles, slots, drained = _cycles(size)
    start, length, place = (pc.if_else(last, pc.take(d, slot), pc.take(s, slot))
                            for s, d in zip(slots, drained, strict=True))
    moved = pc.add(place, within)
    wrapped = pc.subtract(moved, pc.multiply(pc.divide(moved, length), length))
    return pc.take(cycles, pc.add(start, wrapped))


@functools.lru_cache(maxsize=64)
def _cycles(size: int) -> tuple[pa.Array, list[pa.Array], list[pa.Array]]:
    """The cycles of `heapwalk.step(size)`'s moves laid end to end, and for the slot each
    walk position of a step pops (then of the last step, which drains the heap): where its
    cycle starts, its length and the slot's place on it."""
    slots, moves = heapwalk.step(size)
    flat: list[int] = []
    start, length, place = [0] * size, [0] * size, [0] * size
    for first in range(size):
        if length[first]:
            continue
        cycle = [first]
        while moves[cycle[-1]] != first:
            cycle.append(moves[cycle[-1]])
        for at, slot in enumerate(cycle):
            start[slot], length[slot], place[slot] = len(flat), len(cycle), at
        flat.extend(cycle)

    def per_position(order: tuple[int, ...]) -> list[pa.Array]:
        return [pa.array([values[slot] for slot in order], pa.int64())
                for values in (start, length, place)]

    return pa.array(flat, pa.int64()), per_position(slots), per_position(heapwalk.drain(size))
