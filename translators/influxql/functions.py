"""InfluxQL's functions by kind, and the ones computed in Python over a series' values.

1.x's function families decide a query's shape: aggregates and selectors collapse a bucket to
one row (top, bottom, sample and distinct to several), transformations walk a series in time
order, and math functions map row by row. Selectors return their point's time when they are
the only function in the query; everything else returns the bucket's start.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

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
PREDICTORS = frozenset({"holt_winters", "holt_winters_with_fit"})
MATH = frozenset({
    "abs", "acos", "asin", "atan", "atan2", "ceil", "cos", "exp", "floor", "ln", "log",
    "log2", "log10", "pow", "round", "sin", "sqrt", "tan",
})


Point = tuple[int, Any]  # (time, value)


# -- aggregates over one bucket's points (time-ordered), for those not done in SQL ------------


def mode(points: Sequence[Point]) -> Point | None:
    """The most frequent value; on a tie the largest. 1.x's own choice between tied values
    depends on how its iterators met the points (README lists it as a known difference)."""
    values = [v for _, v in points if v is not None]
    if not values:
        return None
    counts = Counter(values)
    best = max(counts.values())
    return (0, max(v for v, n in counts.items() if n == best))


def percentile(points: Sequence[Point], rank: float) -> Point | None:
    """1.x's nearest-rank percentile: the point at int(n * p / 100 + 0.5) - 1 in value order."""
    ordered = sorted((p for p in points if p[1] is not None), key=lambda p: (p[1], p[0]))
    if not ordered:
        return None
    index = int(len(ordered) * rank / 100 + 0.5) - 1
    if index < 0 or index >= len(ordered):
        return None
    return ordered[index]


def integral(points: Sequence[Point], unit: int) -> float:
    """Trapezoidal area under the points, in `unit`s of time."""
    total = 0.0
    previous: Point | None = None
    for point in points:
        if point[1] is None:
            continue
        if previous is not None and point[0] != previous[0]:
            total += (point[1] + previous[1]) / 2 * (point[0] - previous[0]) / unit
        previous = point
    return total


# -- transformations over a series' (time, value) rows ------------------------------------------


def _present(points: Sequence[Point]) -> list[Point]:
    return [p for p in points if p[1] is not None]


def difference(points: Sequence[Point], non_negative: bool = False) -> list[Point]:
    out: list[Point] = []
    previous: Point | None = None
    for point in _present(points):
        if previous is not None and point[0] != previous[0]:
            diff = point[1] - previous[1]
            if not (non_negative and diff < 0):
                out.append((point[0], diff))
        previous = point
    return out


def derivative(points: Sequence[Point], unit: int, non_negative: bool = False) -> list[Point]:
    out: list[Point] = []
    previous: Point | None = None
    for point in _present(points):
        if previous is not None:
            elapsed = point[0] - previous[0]
            if elapsed:
                value = (point[1] - previous[1]) / (elapsed / unit)
                if not (non_negative and value < 0):
                    out.append((point[0], value))
        previous = point
    return out


def cumulative_sum(points: Sequence[Point]) -> list[Point]:
    out: list[Point] = []
    total: Any = None
    for time, value in _present(points):
        total = value if total is None else total + value
        out.append((time, total))
    return out


def elapsed(points: Sequence[Point], unit: int) -> list[Point]:
    out: list[Point] = []
    previous: int | None = None
    for time, _ in _present(points):
        if previous is not None:
            out.append((time, (time - previous) // unit))
        previous = time
    return out


def moving_average(points: Sequence[Point], size: int) -> list[Point]:
    present = _present(points)
    out: list[Point] = []
    window: list[float] = []
    total = 0.0
    for time, value in present:
        window.append(value)
        total += value
        if len(window) > size:
            total -= window.pop(0)
        if len(window) == size:
            out.append((time, sum(window) / size))
    return out


TRANSFORM_FUNCTIONS: dict[str, Callable[..., list[Point]]] = {
    "difference": difference,
    "non_negative_difference": lambda points: difference(points, non_negative=True),
    "cumulative_sum": cumulative_sum,
    "moving_average": moving_average,
}


def math_function(name: str, args: Sequence[Any]) -> Any:
    """Row-wise math with 1.x's results: NaN and infinities become null."""
    if any(a is None for a in args):
        return None
    value = args[0]
    if name == "__integer":
        return int(value) if isinstance(value, float) and math.isfinite(value) else value
    if name == "__float":
        return float(value) if isinstance(value, int) else value
    try:
        if name == "abs":
            if isinstance(value, int):
                return value  # 1.6.7's abs() hands integers back unchanged
            result: Any = abs(value)
        elif name == "round":
            # Go's math.Round: half away from zero; integers stay integers.
            if isinstance(value, int):
                return value
            result = math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)
            result = float(result)
        elif name in ("ceil", "floor"):
            if isinstance(value, int):
                return value
            result = float(math.ceil(value) if name == "ceil" else math.floor(value))
        elif name == "pow":
            result = math.pow(float(value), float(args[1]))
        elif name == "atan2":
            result = math.atan2(float(value), float(args[1]))
        elif name == "log":
            result = math.log(float(value)) / math.log(float(args[1]))
        elif name == "ln":
            result = math.log(float(value))
        elif name == "log2":
            result = math.log2(float(value))
        elif name == "log10":
            result = math.log10(float(value))
        elif name == "sqrt":
            result = math.sqrt(float(value))
        else:
            result = getattr(math, name)(float(value))
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    if isinstance(result, float) and not math.isfinite(result):
        return None
    return result
