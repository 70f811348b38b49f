"""Raw rows of several series at one timestamp, in the order InfluxDB 1.6.7 answers them.

1.x merges a group's series with Go's container/heap, one heap per 7-day shard group, the
series taken in series-key order (reversed under ORDER BY time DESC), as it does for the
transformations (`readorder.merge_series`). Its sorted merge compares points by time, then by
the row's auxiliary values: the names the SELECT list reads, sorted, each compared while both
rows hold text (a tag, a string field) and equal; the first value that is not text on either
side (a number, a missing tag, a null) makes the points equal, and the heap decides. So:

- when the names sorted first are tags covering every tag that varies in the group, and every
  row has them, the tags decide and the storage order (time, then tags) is already 1.x's;
- otherwise the heap's walk decides: simulated here, a whole timestamp at a time where every
  series of the heap has a point there and at the next timestamp (Telegraf's aligned
  points): the heap's moves then depend only on its size, so that step is one fixed
  permutation of the heap's slots (`_step`), applied with numpy.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from translators.lineprotocol import FieldType

from .conditions import pinned_tags
from .readorder import heap_down, heap_up, shard_group
from .schema import MeasurementSchema
from .select_plan import SelectPlan, transforms_in
from .sqlnames import TIME, VIRTUAL_DB, dim_name, prim_name

SORTED = "sorted"  # the tags decide, if every row has them
HEAP = "heap"  # the heap's walk decides


def key_name(index: int) -> str:
    """The storage query's column of the measurement's `index`th tag (sorted), read for
    1.x's series keys."""
    return f"__k{index}"


def mode(plan: SelectPlan, schema: MeasurementSchema, dimensions: Sequence[str],
         database: str, copies: int = 1, extra: Sequence[str] = ()) -> str | None:
    """How a raw read's rows at one time are put in 1.x's order; None: nothing to do (an
    aggregate, a transformation, which merges on its own, a subquery's rows, a measurement
    FROM names several times, or one series per group)."""
    if plan.aggregate or database == VIRTUAL_DB or copies != 1 or extra:
        return None
    if any(transforms_in(node) for node in plan.outputs):
        return None
    free = set(schema.tags) - set(dimensions) - pinned_tags(plan.condition, schema)
    if not free:
        return None
    leading = _leading_tags(plan, schema)
    return SORTED if free <= set(leading) else HEAP


def _aux(plan: SelectPlan, schema: MeasurementSchema) -> list[tuple[str, int, bool]]:
    """1.x's auxiliary values: (name, prim index, whether it is text), sorted by name."""
    seen: dict[str, tuple[str, int, bool]] = {}
    for index, prim in enumerate(plan.prims):
        if prim.func is None and prim.name not in seen:
            text = prim.role == "tag" or schema.fields.get(prim.name) is FieldType.STRING
            seen[prim.name] = (prim.name, index, text)
    return [seen[name] for name in sorted(seen)]


def _leading_tags(plan: SelectPlan, schema: MeasurementSchema) -> list[str]:
    out = []
    for name, index, _ in _aux(plan, schema):
        if plan.prims[index].role != "tag":
            break
        out.append(name)
    return out


def tags_decide(plan: SelectPlan, schema: MeasurementSchema, dimensions: Sequence[str],
                table: pa.Table) -> bool:
    """In SORTED mode: whether every row holds the leading tags up to the last that varies
    (a missing one is not text to 1.x, and leaves the order to the heap)."""
    free = set(schema.tags) - set(dimensions) - pinned_tags(plan.condition, schema)
    for name, index, _ in _aux(plan, schema):
        if not free:
            return True
        if table.column(prim_name(index)).null_count:
            return False
        free.discard(name)
    return not free


def reorder(plan: SelectPlan, schema: MeasurementSchema, dimensions: Sequence[str],
            table: pa.Table) -> pa.Table:
    """The rows of a HEAP mode read (sorted by group, time, tags; the key columns
    `key_name(i)` added) put in 1.x's order within each group, the key columns dropped.
    Under ORDER BY time DESC the rows stay laid out ascending, the walk reversed, as the
    callers reverse them. With LIMIT, only each group's first rows of the walk stay."""
    tags = sorted(schema.tags)
    keys = [key_name(i) for i in range(len(tags))]
    if not table.num_rows:
        return table.drop_columns(keys)
    series = [table.column(k) for k in keys]
    table = table.drop_columns(keys)
    times = table.column(TIME).combine_chunks()
    texts = []
    for _, index, text in _aux(plan, schema):
        if not text:
            break
        texts.append(table.column(prim_name(index)).to_pylist())
    starts = _group_starts(table, len(dimensions))
    picked: list[int] = []
    for a, b in zip(starts, starts[1:], strict=False):
        ranks = _series_ranks(tags, [column.slice(a, b - a) for column in series])
        compare = None
        if texts:
            values = [tuple(column[r] for column in texts) for r in range(a, b)]
            compare = functools.partial(_aux_less, values, plan.descending)
        walk = None if compare else _grid(times[a:b], ranks, plan.descending)
        if walk is None:
            walk = _walk(times[a:b], ranks, plan.descending, compare, plan.rows_end)
            walk = pa.array(walk[::-1] if plan.descending else walk, pa.int64())
        elif plan.rows_end is not None:
            kept = min(plan.rows_end, len(walk))
            walk = walk.slice(len(walk) - kept) if plan.descending else walk.slice(0, kept)
        picked.append(pc.add(walk, a))
    return table.take(pa.chunked_array(picked, pa.int64()).combine_chunks())


def _group_starts(table: pa.Table, dims: int) -> list[int]:
    """Where each group (its GROUP BY tags) starts in the table, and its end."""
    if not dims:
        return [0, table.num_rows]
    joined = pc.binary_join_element_wise(
        *(pc.fill_null(table.column(dim_name(i)), "") for i in range(dims)), "\x00")
    changed = pc.not_equal(joined.slice(1), joined.slice(0, table.num_rows - 1))
    inner = [i + 1 for i in pc.indices_nonzero(changed).to_pylist()]
    return [0, *inner, table.num_rows]


def _escape(text: str) -> str:
    for char in ",= ":
        text = text.replace(char, "\\" + char)
    return text


def _series_ranks(tags: list[str], columns: list[pa.ChunkedArray]) -> pa.Array:
    """Each row's series' place in 1.x's series-key order (the tags written `k=v` with
    line protocol's escapes, sorted as bytes, a missing tag left out)."""
    key = pc.binary_join_element_wise(*(pc.fill_null(c, "\x01") for c in columns), "\x00")
    encoded = pc.dictionary_encode(key).combine_chunks()
    series_keys = []
    for joined in encoded.dictionary.to_pylist():
        parts = [f"{_escape(tag)}={_escape(value)}"
                 for tag, value in zip(tags, joined.split("\x00"), strict=True)
                 if value != "\x01"]
        series_keys.append(",".join(parts).encode())
    order = sorted(range(len(series_keys)), key=series_keys.__getitem__)
    rank = [0] * len(order)
    for place, index in enumerate(order):
        rank[index] = place
    return pc.take(pa.array(rank, pa.int64()), encoded.indices)


def _aux_less(values: list[tuple[Any, ...]], descending: bool, x: int, y: int) -> bool:
    """Go's sorted-merge comparison of two rows' auxiliary text at one time."""
    for left, right in zip(values[x], values[y], strict=True):
        if not isinstance(left, str) or not isinstance(right, str):
            return False
        if left != right:
            return left > right if descending else left < right
    return False


def _grid(times: pa.Array, ranks: pa.Array, descending: bool) -> pa.Array | None:
    """`_walk` for a group whose every series has a point at each of its times, in one shard
    group (Telegraf's aligned points): each step one fixed move of the heap (`_step`), the
    rows found by place (sorted by time then series rank, a time's rows are its series in
    rank order). Laid out as the callers want them: reversed under DESC. None: not such a
    group."""
    first, last = pc.min_max(times).values()
    if shard_group(first.as_py()) != shard_group(last.as_py()):
        return None
    size = pc.max(ranks).as_py() + 1
    steps = pc.count_distinct(times).as_py()
    if size * steps != len(times) or pc.count_distinct(ranks).as_py() != size:
        return None
    order = pc.sort_indices(pa.table({"t": times, "r": ranks}),
                            sort_keys=[("t", "ascending"), ("r", "ascending")])
    heap = list(range(size - 1, -1, -1) if descending else range(size))
    slots, moves = _step(size)
    walks = []
    for _ in range(steps - 1):
        walks.append(slots(heap))
        heap = list(moves(heap))
    walks.append(_drain(size)(heap))
    if descending:
        walks = [walk[::-1] for walk in reversed(walks)]  # ascending layout: the last walked first
    places = pa.array(itertools.chain.from_iterable(walks), pa.int64())
    starts = pc.multiply(pc.divide(pc.indices_nonzero(pa.repeat(True, len(times))), size), size)
    return pc.take(order, pc.add(places, pc.cast(starts, pa.int64())))


def _walk(times: pa.Array, ranks: pa.Array, descending: bool,
          compare: Callable[[int, int], bool] | None, wanted: int | None) -> list[int]:
    """One group's rows (indices into `times`) in the order 1.x's heaps hand them out."""
    times, ranks = times.to_pylist(), ranks.to_pylist()
    bounds = [0]
    for i in range(1, len(times)):
        if shard_group(times[i]) != shard_group(times[i - 1]):
            bounds.append(i)
    bounds.append(len(times))
    segments = list(zip(bounds, bounds[1:], strict=False))
    if descending:
        segments.reverse()
    out: list[int] = []
    for a, b in segments:
        left = None if wanted is None else wanted - len(out)
        if left is not None and left <= 0:
            break
        found = _walk_segment(times[a:b], ranks[a:b], descending, compare, a, left)
        out.extend(a + r for r in found)
    return out


def _walk_segment(times: list[int], ranks: list[int], descending: bool,
                  compare: Callable[[int, int], bool] | None, base: int,
                  wanted: int | None) -> list[int]:
    """One shard group's heap merge. Rows are laid out by time (ascending) then tags."""
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
            slots, moves = _step(size)
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
def _step(size: int) -> tuple[Callable[[list[int]], tuple[int, ...]],
                              Callable[[list[int]], tuple[int, ...]]]:
    """A heap of `size` items at one time, each pushed back at one later time once popped:
    the slots in the order they pop, and for each slot afterwards the slot its item held
    (as getters of those slots from a heap)."""
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
    return _getter(popped), _getter([slot for slot, _ in heap])


@functools.lru_cache(maxsize=64)
def _drain(size: int) -> Callable[[list[int]], tuple[int, ...]]:
    """A heap of `size` items at one time and no later points: the slots in the order they
    pop."""
    heap = list(range(size))
    popped = []
    for _ in range(size):
        last = len(heap) - 1
        heap[0], heap[last] = heap[last], heap[0]
        heap_down(heap, lambda x, y: False, 0, last)
        popped.append(heap.pop())
    return _getter(popped)


def _getter(slots: list[int]) -> Callable[[list[int]], tuple[int, ...]]:
    if len(slots) == 1:
        return lambda heap: (heap[slots[0]],)
    return operator.itemgetter(*slots)
