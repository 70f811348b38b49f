"""The order in which InfluxDB 1.6.7 hands points to mode() and percentile(), where it decides
which of several equal values wins.

1.x merges a group's series by time with Go's container/heap (series taken in series-key
order, one merge per shard group), then sorts the points by value with Go's sort.Sort, which
is not stable: Debian builds 1.6.7 with Go 1.19, whose sort.Sort is pattern-defeating
quicksort. Equal values therefore come out in an order that depends on both steps; this
module reproduces them, so ties are broken exactly as 1.6.7 breaks them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
Less = Callable[[T, T], bool]
Point = dict[str, Any]  # {"t": time, "v": value, "a<i>": companions...}

DAY = 24 * 3600 * 1_000_000_000
SHARD_GROUP = 7 * DAY  # autogen's shard group duration (168h)
# Go's Time.Truncate counts from its zero time, 1 January of year 1 (a Monday), not the Unix
# epoch: 1.x's shard groups are aligned to it, so its 7-day groups start on Mondays.
_GO_ZERO = 62_135_596_800 * 1_000_000_000  # the Unix epoch, in ns after Go's zero time


def group_start(time: int, duration: int) -> int:
    """The start of the shard group of `duration` that holds `time` (ns), as 1.x aligns it."""
    return time - (time + _GO_ZERO) % duration


SHARD_ORIGIN = group_start(0, SHARD_GROUP)  # the Monday before the Unix epoch, 3 days before


def shard_group(time: int) -> int:
    """The number of the 7-day shard group 1.x stores a point of `time` (ns) in."""
    return (time - SHARD_ORIGIN) // SHARD_GROUP
_MASK = (1 << 64) - 1


# -- the merge of series --------------------------------------------------------------------


def _point_less(x: Point, y: Point) -> bool:
    """1.x's sorted-merge order: time, then the first companion strings that differ."""
    if x["t"] != y["t"]:
        return bool(x["t"] < y["t"])
    for key in sorted(k for k in x if k.startswith("a")):
        left, right = x[key], y.get(key)
        if isinstance(left, str) and isinstance(right, str) and left != right:
            return left < right
    return False


def merge_series(series: Sequence[Sequence[Point]], descending: bool = False) -> list[Point]:
    """Time-ordered runs (one per series, in series-key order) merged as 1.x merges them:
    ties between series go the way Go's heap leaves them, one heap per shard group.
    `descending`: merged newest first (ORDER BY time DESC), each run read from its end, and
    1.x reverses its tag set's series keys for that walk, so the heap takes them last first."""
    by_shard = by_shard_group([run[::-1] for run in series[::-1]] if descending else series)
    less = _point_greater if descending else _point_less
    out: list[Point] = []
    for shard in sorted(by_shard, reverse=descending):
        out.extend(heap_merge(by_shard[shard], less))
    return out


def by_shard_group(runs: Sequence[Sequence[Point]]) -> dict[int, list[list[Point]]]:
    """Each run's points split by the 7-day shard group they fall in (every group holds one
    run per input run, empty where it has no point there), as 1.x reads them shard by
    shard."""
    by_shard: dict[int, list[list[Point]]] = {}
    for index, run in enumerate(runs):
        for point in run:
            shard = by_shard.setdefault(shard_group(point["t"]), [[] for _ in runs])
            shard[index].append(point)
    return by_shard


def input_orders(inputs: Sequence[Sequence[int] | None], descending: bool) -> list[list[int]]:
    """Per group (`inputs`: each group's raw rows' FROM mentions), the mentions whose points
    a transformation reads, in 1.x's order: its merge iterator drains one input's points of
    a group before the next input's (it compares only the group, and every point of an
    input shares the range's one window), taking the inputs as Go's heap leaves them, over
    the groups in the order they are walked (reversed under ORDER BY time DESC). So
    `FROM "iql".."m", "db2".."m"` reads the first database's points, then the second's,
    not merged by time, and a third mention of "iql" comes before "db2"."""
    walk = range(len(inputs) - 1, -1, -1) if descending else range(len(inputs))
    runs: dict[int, list[tuple[int, int]]] = {}
    for step, index in enumerate(walk):
        for mention in sorted(set(inputs[index] or ())):
            runs.setdefault(mention, []).append((step, mention))
    orders: list[list[int]] = [[] for _ in inputs]
    for step, mention in heap_merge([runs[m] for m in sorted(runs)],
                                    lambda x, y: x[0] < y[0]):
        orders[walk[step]].append(mention)
    return orders


def _point_greater(x: Point, y: Point) -> bool:
    """The merge order under ORDER BY time DESC: newest first, companions' text reversed."""
    return _point_less(y, x)


def heap_merge(runs: Sequence[Sequence[T]], point_less: Less[T],
               limit: int | None = None) -> list[T]:
    """Runs merged the way 1.x's merge iterators do it with Go's container/heap: items that
    `point_less` finds equal come out in the order the heap leaves them. With `limit`, only
    the first `limit` items are merged out."""
    heap: list[list[Any]] = [[run, 0] for run in runs if run]

    def less(x: list[Any], y: list[Any]) -> bool:
        return point_less(x[0][x[1]], y[0][y[1]])

    for i in range(len(heap) // 2 - 1, -1, -1):
        heap_down(heap, less, i, len(heap))
    out: list[T] = []
    while heap and (limit is None or len(out) < limit):
        last = len(heap) - 1
        heap[0], heap[last] = heap[last], heap[0]
        heap_down(heap, less, 0, last)
        item = heap.pop()
        out.append(item[0][item[1]])
        item[1] += 1
        if item[1] < len(item[0]):
            heap.append(item)
            heap_up(heap, less, len(heap) - 1)
    return out


def heap_up(heap: list[T], less: Less[T], j: int) -> None:
    """Go's container/heap `up`: the item at `j` moved towards the root past greater ones."""
    while j > 0:
        parent = (j - 1) // 2
        if not less(heap[j], heap[parent]):
            return
        heap[parent], heap[j] = heap[j], heap[parent]
        j = parent


def heap_down(heap: list[T], less: Less[T], i: int, n: int) -> None:
    """Go's container/heap `down` over the first `n` items: the item at `i` moved towards
    the leaves past lesser children, the lesser of two taken (the left one when equal)."""
    while True:
        child = 2 * i + 1
        if child >= n:
            return
        if child + 1 < n and less(heap[child + 1], heap[child]):
            child += 1
        if not less(heap[child], heap[i]):
            return
        heap[i], heap[child] = heap[child], heap[i]
        i = child


# -- Go's sort.Sort ---------------------------------------------------------------------------


def go_sort(data: list[T], less: Less[T]) -> None:
    """Sort `data` in place exactly as Go 1.19's sort.Sort orders it (equal elements too)."""
    if len(data) > 1:
        _pdqsort(data, less, 0, len(data), len(data).bit_length())


def _insertion_sort(d: list[T], less: Less[T], a: int, b: int) -> None:
    for i in range(a + 1, b):
        j = i
        while j > a and less(d[j], d[j - 1]):
            d[j], d[j - 1] = d[j - 1], d[j]
            j -= 1


def _sift_down(d: list[T], less: Less[T], root: int, hi: int, first: int) -> None:
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and less(d[first + child], d[first + child + 1]):
            child += 1
        if not less(d[first + root], d[first + child]):
            return
        d[first + root], d[first + child] = d[first + child], d[first + root]
        root = child


def _heap_sort(d: list[T], less: Less[T], a: int, b: int) -> None:
    hi = b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(d, less, i, hi, a)
    for i in range(hi - 1, -1, -1):
        d[a], d[a + i] = d[a + i], d[a]
        _sift_down(d, less, 0, i, a)


def _pdqsort(d: list[T], less: Less[T], a: int, b: int, limit: int) -> None:
    balanced = partitioned = True
    while True:
        length = b - a
        if length <= 12:
            _insertion_sort(d, less, a, b)
            return
        if limit == 0:
            _heap_sort(d, less, a, b)
            return
        if not balanced:
            _break_patterns(d, a, b)
            limit -= 1
        pivot, hint = _choose_pivot(d, less, a, b)
        if hint == "decreasing":
            _reverse(d, a, b)
            pivot = (b - 1) - (pivot - a)
            hint = "increasing"
        if balanced and partitioned and hint == "increasing" and _partial_insertion_sort(
                d, less, a, b):
            return
        if a > 0 and not less(d[a - 1], d[pivot]):
            a = _partition_equal(d, less, a, b, pivot)
            continue
        mid, partitioned = _partition(d, less, a, b, pivot)
        left, right = mid - a, b - mid
        if left < right:
            balanced = left >= length // 8
            _pdqsort(d, less, a, mid, limit)
            a = mid + 1
        else:
            balanced = right >= length // 8
            _pdqsort(d, less, mid + 1, b, limit)
            b = mid


def _partition(d: list[T], less: Less[T], a: int, b: int, pivot: int) -> tuple[int, bool]:
    d[a], d[pivot] = d[pivot], d[a]
    i, j = a + 1, b - 1
    while i <= j and less(d[i], d[a]):
        i += 1
    while i <= j and not less(d[j], d[a]):
        j -= 1
    if i > j:
        d[j], d[a] = d[a], d[j]
        return j, True
    d[i], d[j] = d[j], d[i]
    i, j = i + 1, j - 1
    while True:
        while i <= j and less(d[i], d[a]):
            i += 1
        while i <= j and not less(d[j], d[a]):
            j -= 1
        if i > j:
            break
        d[i], d[j] = d[j], d[i]
        i, j = i + 1, j - 1
    d[j], d[a] = d[a], d[j]
    return j, False


def _partition_equal(d: list[T], less: Less[T], a: int, b: int, pivot: int) -> int:
    d[a], d[pivot] = d[pivot], d[a]
    i, j = a + 1, b - 1
    while True:
        while i <= j and not less(d[a], d[i]):
            i += 1
        while i <= j and less(d[a], d[j]):
            j -= 1
        if i > j:
            return i
        d[i], d[j] = d[j], d[i]
        i, j = i + 1, j - 1


def _partial_insertion_sort(d: list[T], less: Less[T], a: int, b: int) -> bool:
    i = a + 1
    for _ in range(5):
        while i < b and not less(d[i], d[i - 1]):
            i += 1
        if i == b:
            return True
        if b - a < 50:
            return False
        d[i], d[i - 1] = d[i - 1], d[i]
        if i - a >= 2:
            j = i - 1
            while j >= 1 and less(d[j], d[j - 1]):  # Go walks down to 1, not to a
                d[j], d[j - 1] = d[j - 1], d[j]
                j -= 1
        if b - i >= 2:
            j = i + 1
            while j < b and less(d[j], d[j - 1]):
                d[j], d[j - 1] = d[j - 1], d[j]
                j += 1
    return False


def _break_patterns(d: list[T], a: int, b: int) -> None:
    length = b - a
    if length < 8:
        return
    state = length
    modulus = 1 << length.bit_length()
    start = a + (length // 4) * 2 - 1
    for idx in range(start, start + 3):
        state ^= (state << 13) & _MASK
        state ^= state >> 17
        state ^= (state << 5) & _MASK
        other = state & (modulus - 1)
        if other >= length:
            other -= length
        d[idx], d[a + other] = d[a + other], d[idx]


def _choose_pivot(d: list[T], less: Less[T], a: int, b: int) -> tuple[int, str]:
    length = b - a
    swaps = [0]
    i, j, k = a + length // 4, a + length // 4 * 2, a + length // 4 * 3
    if length >= 8:
        if length >= 50:
            i = _median(d, less, i - 1, i, i + 1, swaps)
            j = _median(d, less, j - 1, j, j + 1, swaps)
            k = _median(d, less, k - 1, k, k + 1, swaps)
        j = _median(d, less, i, j, k, swaps)
    if swaps[0] == 0:
        return j, "increasing"
    if swaps[0] == 12:
        return j, "decreasing"
    return j, "unknown"


def _median(d: list[T], less: Less[T], a: int, b: int, c: int, swaps: list[int]) -> int:
    def order(x: int, y: int) -> tuple[int, int]:
        if less(d[y], d[x]):
            swaps[0] += 1
            return y, x
        return x, y

    a, b = order(a, b)
    b, c = order(b, c)
    a, b = order(a, b)
    return b


def _reverse(d: list[T], a: int, b: int) -> None:
    d[a:b] = d[a:b][::-1]
