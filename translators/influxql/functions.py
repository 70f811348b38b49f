"""InfluxQL's functions by kind, and the ones computed in Python over a series' values.

1.x's function families decide a query's shape: aggregates and selectors collapse a bucket to
one row (top, bottom, sample and distinct to several), transformations walk a series in time
order, and math functions map row by row. Selectors return their point's time when they are
the only function in the query; everything else returns the bucket's start.
"""

from __future__ import annotations

import math
import operator
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from . import ast
from .durations import wrap_int64
from .goatan import go_acos, go_asin, go_atan, go_atan2
from .goexp import go_exp
from .golog import go_log, go_log2, go_log10
from .gopow import go_pow
from .gotrig import go_cos, go_sin, go_tan
from .readorder import go_sort, heap_down, heap_up

AGGREGATES = frozenset({
    "count", "distinct", "integral", "mean", "median", "mode", "spread", "stddev", "sum",
})
SELECTORS = frozenset({
    "bottom", "first", "last", "max", "min", "percentile", "sample", "top",
})
# Functions that return several rows per bucket.
MULTI_ROW = frozenset({"bottom", "distinct", "sample", "top"})
TRANSFORMS = frozenset({
    "cumulative_sum", "derivative", "difference", "elapsed", "moving_average",
    "non_negative_derivative", "non_negative_difference",
    "chande_momentum_oscillator", "exponential_moving_average",
    "double_exponential_moving_average", "kaufmans_efficiency_ratio",
    "kaufmans_adaptive_moving_average", "triple_exponential_moving_average",
    "triple_exponential_derivative", "relative_strength_index",
})
# Transformations for which 1.x reads one bucket beyond the range of a GROUP BY time query,
# so that the range's first bucket has a predecessor.
LOOKS_BACK = TRANSFORMS - {"cumulative_sum"}
# Transformations over a window or period of points: 1.x maps that many buckets beyond the
# range for them, one for the other transformations (`mapped_buckets`).
WINDOWED = TRANSFORMS - {
    "cumulative_sum", "derivative", "difference", "elapsed", "non_negative_derivative",
    "non_negative_difference",
}
PREDICTORS = frozenset({"holt_winters", "holt_winters_with_fit"})
# Functions whose answer has a type of its own; every other one answers its argument's type.
FLOAT_CALLS = frozenset({
    "mean", "median", "stddev", "integral", "derivative", "non_negative_derivative",
    "moving_average", "holt_winters", "holt_winters_with_fit", "chande_momentum_oscillator",
    "exponential_moving_average", "double_exponential_moving_average",
    "kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average",
    "triple_exponential_moving_average", "triple_exponential_derivative",
    "relative_strength_index",
})
INTEGER_CALLS = frozenset({"count", "elapsed"})
MATH = frozenset({
    "abs", "acos", "asin", "atan", "atan2", "ceil", "cos", "exp", "floor", "ln", "log",
    "log2", "log10", "pow", "round", "sin", "sqrt", "tan",
})


def mapped_buckets(name: str, params: Sequence[Any]) -> int:
    """The buckets beyond a GROUP BY time range 1.x maps shards for on account of one
    function (its compiler's ExtraIntervals): a window or period's length, one for the
    other transformations. A call reads no further than the statement's largest of these,
    however far back its chain of transformations moves its range (`readrange.py`)."""
    if name in WINDOWED and params and isinstance(params[0], int):
        return params[0]
    return 1 if name in TRANSFORMS else 0


Point = tuple[int, Any]  # (time, value)
Item = dict[str, Any]  # a bucket's point as storage answers it: {"t", "v", "a<i>"...}


# -- aggregates over one bucket's points (time-ordered), for those not done in SQL ------------


def percentile(points: Sequence[Item], rank: float,
               read_order: Callable[[], list[Item]]) -> Item | None:
    """1.x's nearest-rank percentile: the point at int(n * p / 100 + 0.5) - 1 in value order.
    Between equal values, the one 1.x's unstable sort leaves at that index, which needs the
    points in the order 1.x reads them (`read_order`, only called on such a tie)."""
    present = [p for p in points if p["v"] is not None]
    index = int(math.floor(len(present) * rank / 100 + 0.5)) - 1
    if index < 0 or index >= len(present):
        return None
    ordered = sorted(present, key=lambda p: p["v"])
    chosen = ordered[index]
    if not any(0 <= i < len(ordered) and ordered[i]["v"] == chosen["v"]
               for i in (index - 1, index + 1)):
        return chosen
    return _go_sorted(read_order())[index]


def mode(points: Sequence[Item], read_order: Callable[[], list[Item]]) -> Any:
    """The most frequent value. Between equally frequent values 1.x walks its value-sorted
    points and keeps a later run only when that run starts (in its unstable order) no later
    than the kept run's last point; booleans tie to true."""
    present = [p for p in points if p["v"] is not None]
    if not present:
        return None
    counts = Counter(p["v"] for p in present)
    if isinstance(present[0]["v"], bool):
        return counts[True] >= counts[False]
    best = max(counts.values())
    if best == 1:
        return min(counts)  # 1.x never compares runs of one: the smallest value stays
    leaders = [v for v, n in counts.items() if n == best]
    if len(leaders) == 1:
        return leaders[0]
    ordered = _go_sorted(read_order())
    most_count = count = 0
    current = most = ordered[0]["v"]
    current_time = most_time = ordered[0]["t"]
    for point in ordered:
        if point["v"] != current:
            count, current, current_time = 1, point["v"], point["t"]
            continue
        count += 1
        if most_count > count or (most_count == count and current_time > most_time):
            continue
        most_count, most, most_time = count, point["v"], point["t"]
    return most


def top_reduce(points: Sequence[Item], count: int, largest: bool) -> list[Item]:
    """1.x's top (`largest`) or bottom reducer fed `points` in its read order: a Go heap of
    `count` points, then the heap sorted best first with Go's unstable sort. Points equal in
    value and time come out in the order the heap and that sort leave them."""

    def worse(a: Item, b: Item) -> bool:  # the reducer's cmp: the heap's top is the worst
        if a["v"] != b["v"]:
            return bool(a["v"] < b["v"]) if largest else bool(a["v"] > b["v"])
        return bool(a["t"] > b["t"])

    heap: list[Item] = []
    for point in points:
        if len(heap) < count:
            heap.append(point)
            heap_up(heap, worse, len(heap) - 1)
        elif worse(heap[0], point):
            heap[0] = point
            heap_down(heap, worse, 0, len(heap))
    go_sort(heap, lambda x, y: worse(y, x))
    return heap


def _go_sorted(points: list[Item]) -> list[Item]:
    present = [p for p in points if p["v"] is not None]
    go_sort(present, lambda x, y: x["v"] < y["v"])
    return present


# -- transformations over a series' (time, value) rows ------------------------------------------


def _present(points: Sequence[Point]) -> list[Point]:
    return [p for p in points if p[1] is not None]


def difference(points: Sequence[Point], non_negative: bool = False) -> list[Point]:
    out: list[Point] = []
    previous: Point | None = None
    for point in _present(points):
        if previous is not None and point[0] == previous[0]:
            continue  # 1.x keeps the first of a merged stream's points at one time
        if previous is not None:
            diff = point[1] - previous[1]
            if isinstance(diff, int):  # 1.x subtracts integers as int64, which wraps
                diff = wrap_int64(diff)
            if not (non_negative and diff < 0):
                out.append((point[0], diff))
        previous = point
    return out


def derivative(points: Sequence[Point], unit: int, non_negative: bool = False,
               descending: bool = False) -> list[Point]:
    out: list[Point] = []
    previous: Point | None = None
    for point in _present(points):
        if previous is not None:
            # 1.x negates the elapsed time under DESC, where points come newest first; one
            # that goes the other way (FROM's mentions read one after the other) stays signed
            elapsed = point[0] - previous[0]
            if descending:
                elapsed = -elapsed
            if not elapsed:
                continue  # 1.x keeps the first of a merged stream's points at one time
            change = point[1] - previous[1]
            value = change / (elapsed / unit)
            if not (non_negative and change < 0):  # 1.x drops a fall, whatever the time did
                out.append((point[0], value))
        previous = point
    return out


def cumulative_sum(points: Sequence[Point]) -> list[Point]:
    out: list[Point] = []
    total: Any = None
    for time, value in _present(points):
        total = value if total is None else total + value
        if isinstance(total, int):  # 1.x adds integers as int64, which wraps
            total = wrap_int64(total)
        out.append((time, total))
    return out


def elapsed(points: Sequence[Point], unit: int) -> list[Point]:
    out: list[Point] = []
    previous: int | None = None
    for time, _ in _present(points):
        if previous is not None:
            out.append((time, int((time - previous) / unit)))  # Go truncates toward zero
        previous = time
    return out


def moving_average(points: Sequence[Point], size: int) -> list[Point]:
    """1.x's moving average keeps a running sum, taking the oldest value out before adding
    the new one: a NaN (a subquery's stddev of one point) stays in that sum for good, so
    every later average is NaN too, answered null; integers sum as int64 and wrap."""
    present = _present(points)
    out: list[Point] = []
    window: list[Any] = []
    total: Any = 0
    position = 0
    for time, value in present:
        if len(window) < size:
            window.append(value)
        else:
            total -= window[position]
            window[position] = value
        total += value
        if isinstance(total, int):
            total = wrap_int64(total)
        position = (position + 1) % size
        if len(window) == size:
            out.append((time, float(total) / size))
    return out


TRANSFORM_FUNCTIONS: dict[str, Callable[..., list[Point]]] = {
    "difference": difference,
    "non_negative_difference": lambda points: difference(points, non_negative=True),
    "cumulative_sum": cumulative_sum,
    "moving_average": moving_average,
}


def math_function(name: str, args: Sequence[Any]) -> Any:
    """Row-wise math with the results of Go's math package, as 1.x computes it: a NaN (answered
    null by the cursor) or an infinity (`ln(0)`, which fails 1.x's JSON) where Go has one."""
    if any(a is None for a in args):
        return None
    value = args[0]
    if name == "__integer":
        return int(value) if isinstance(value, float) and math.isfinite(value) else value
    if name == "__float":
        return float(value) if isinstance(value, int) else value
    if any(isinstance(a, str | bool) for a in args):
        return None  # 1.x's math reads only numbers: text and booleans answer null
    if isinstance(value, int) and name in ("abs", "round", "ceil", "floor"):
        return value  # 1.6.7 hands integers back unchanged (abs() too)
    number = float(value)
    if name == "abs":
        return abs(number)
    if name == "round":  # Go's math.Round: half away from zero
        if not math.isfinite(number):
            return number
        return float(math.floor(number + 0.5) if number >= 0 else -math.floor(-number + 0.5))
    if name in ("ceil", "floor"):
        if not math.isfinite(number):
            return number
        return float(math.ceil(number) if name == "ceil" else math.floor(number))
    if name in _LOGS:
        return _go_log(number, _LOGS[name])
    if name == "log":
        return _go_divide(_go_log(number, go_log), _go_log(float(args[1]), go_log))
    if name == "pow":
        return go_pow(number, float(args[1]))  # Go's own walk, not libm's (gopow.py)
    if name == "atan2":
        return go_atan2(number, float(args[1]))
    if name == "exp":
        return go_exp(number)  # Go's own polynomial, not libm's exp
    if name in _TRIG:
        return _TRIG[name](number)
    try:
        return getattr(math, name)(number)
    except OverflowError:  # exp() past float64
        return math.inf
    except ValueError:  # sqrt(-1), acos(2), cos(inf)
        return math.nan


_LOGS: dict[str, Callable[[float], float]] = {
    "ln": go_log, "log2": go_log2, "log10": go_log10}  # Go's own, not libm's (golog.py)
_TRIG: dict[str, Callable[[float], float]] = {  # Go's own, not libm's (gotrig.py, goatan.py)
    "sin": go_sin, "cos": go_cos, "tan": go_tan, "asin": go_asin, "acos": go_acos,
    "atan": go_atan}


def _go_log(value: float, log: Callable[[float], float]) -> float:
    """Go's math.Log family: -Inf at 0, NaN below, +Inf at +Inf."""
    if value == 0:
        return -math.inf
    if value < 0 or math.isnan(value):
        return math.nan
    return math.inf if math.isinf(value) else log(value)


def _go_divide(left: float, right: float) -> float:
    """IEEE 754 division, as Go's float64 `/` (Python raises at zero)."""
    if right != 0 or math.isnan(right):
        return left / right
    if left == 0 or math.isnan(left):
        return math.nan
    return math.copysign(math.inf, left) * math.copysign(1.0, right)


_WRAPPING: dict[ast.BinaryOp, Callable[[Any, Any], Any]] = {
    ast.BinaryOp.ADD: operator.add, ast.BinaryOp.SUB: operator.sub,
    ast.BinaryOp.MUL: operator.mul}


def binary(op: ast.BinaryOp, left: Any, right: Any) -> Any:
    """An operator between two values with 1.x's results (None where it answers null)."""
    if left is None or right is None:
        return None
    numeric = (int, float)
    if isinstance(left, bool) or isinstance(right, bool):
        if op in (ast.BinaryOp.BITWISE_AND, ast.BinaryOp.BITWISE_OR, ast.BinaryOp.BITWISE_XOR) \
                and isinstance(left, bool) and isinstance(right, bool):
            return {"&": left and right, "|": left or right, "^": left != right}[op.value]
        return None
    if not isinstance(left, numeric) or not isinstance(right, numeric):
        if op is ast.BinaryOp.ADD and isinstance(left, str) and isinstance(right, str):
            return left + right
        return None
    integers = isinstance(left, int) and isinstance(right, int)
    if op in _WRAPPING:  # 1.x computes integers as int64, which wraps
        found = _WRAPPING[op](left, right)
        return wrap_int64(found) if integers else found
    if op is ast.BinaryOp.DIV:
        if right == 0:
            return 0  # 1.x answers 0 for any division by zero
        return left / right
    if op is ast.BinaryOp.MOD:
        if right == 0:
            return 0
        if not integers:
            return math.fmod(left, right)
        remainder = abs(left) % abs(right)  # Go's %: the dividend's sign, exact for int64
        return remainder if left >= 0 else -remainder
    if integers and op is ast.BinaryOp.BITWISE_AND:
        return left & right
    if integers and op is ast.BinaryOp.BITWISE_OR:
        return left | right
    if integers and op is ast.BinaryOp.BITWISE_XOR:
        return left ^ right
    return None
