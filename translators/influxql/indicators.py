"""InfluxQL's technical-analysis transformations, computed as 1.x computes them.

1.x feeds each series' non-null values, in time order, through one streaming indicator and
emits the indicator's value at the time of the point just added, once more points than the
*hold period* have been seen. The hold period defaults (argument -1 or absent) to the number of
points the indicator needs to warm up. Every formula below keeps 1.x's order of floating-point
operations so the answers match to the last bit, quirks included.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from . import ast
from .errors import QueryError

NAMES = frozenset({
    "chande_momentum_oscillator", "exponential_moving_average",
    "double_exponential_moving_average", "kaufmans_efficiency_ratio",
    "kaufmans_adaptive_moving_average", "triple_exponential_moving_average",
    "triple_exponential_derivative", "relative_strength_index",
})

Point = tuple[int, Any]

_EMA_FAMILY = frozenset({
    "exponential_moving_average", "double_exponential_moving_average",
    "triple_exponential_moving_average", "relative_strength_index",
    "triple_exponential_derivative",
})
_KAUFMANS = frozenset({"kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average"})
#: Results that 1.x drops when they are infinite (the others it emits as they are).
_DROPS_INFINITE = frozenset({
    "triple_exponential_derivative", "kaufmans_efficiency_ratio",
    "kaufmans_adaptive_moving_average",
})


# -- argument checks ----------------------------------------------------------------------------


def validate(call: ast.Call, interval: int | None) -> None:
    """Raise QueryError with 1.x's words when the call's arguments are wrong.

    The checks run in 1.x's order (count, period, hold period, warmup type, then the first
    argument), so the first fault named is the one 1.x names.
    """
    name = call.name
    args = call.args
    most = 3 if name in _KAUFMANS else 4
    if not 2 <= len(args) <= most:
        raise QueryError(f"invalid number of arguments for {name}, expected at least 2 but no "
                         f"more than {most}, got {len(args)}")
    period = args[1]
    if not isinstance(period, ast.IntegerLiteral):
        raise QueryError(f"{name} period must be an integer")
    if period.value < 1:
        raise QueryError(f"{name} period must be greater than or equal to 1")
    if len(args) >= 3:
        hold = args[2]
        if not isinstance(hold, ast.IntegerLiteral):
            raise QueryError(f"{name} hold period must be an integer")
        # 1.x: -1 means "the warmup count"; TRIX needs at least one point of history.
        if name == "triple_exponential_derivative" and hold.value < 1 and hold.value != -1:
            raise QueryError(f"{name} hold period must be greater than or equal to 1")
        if hold.value < 0 and hold.value != -1:
            raise QueryError(f"{name} hold period must be greater than or equal to 0")
    if len(args) >= 4:
        # Only the Chande oscillator has an unsmoothed form, so only it accepts 'none'.
        allowed = ("none", "exponential", "simple") if name not in _EMA_FAMILY \
            else ("exponential", "simple")
        warmup = args[3]
        if not isinstance(warmup, ast.StringLiteral):
            raise QueryError(f"{name} warmup type must be a string")
        if warmup.value not in allowed:
            listed = " ".join(f"'{w}'" for w in allowed)
            raise QueryError(f"{name} warmup type must be one of: {listed}")
    _validate_input(name, args[0], interval)


def _validate_input(name: str, arg: ast.Expr, interval: int | None) -> None:
    """1.x: an aggregate inside needs GROUP BY time, and GROUP BY time needs an aggregate."""
    if isinstance(arg, ast.Call):
        if interval is None:
            raise QueryError(f"{name} aggregate requires a GROUP BY interval")
        return
    if interval is not None:
        raise QueryError(f"aggregate function required inside the call to {name}")
    if not isinstance(arg, ast.VarRef | ast.Wildcard | ast.RegexLiteral):
        raise QueryError(f"expected field argument in {name}()")


# -- the indicators -----------------------------------------------------------------------------


def go_div(a: float, b: float) -> float:
    """IEEE division, as Go divides: x/0 is ±Inf (NaN for 0/0) instead of an exception."""
    if b != 0.0:
        return a / b
    if a == 0.0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


class _Indicator(Protocol):
    def add(self, value: float) -> float: ...


class _Ema:
    """Exponential moving average that warms up over its first `period` points.

    1.x's 'exponential' warmup scales alpha to 2/(n+1) for the n-th point so the first value
    does not dominate; 'simple' warmup averages the points seen so far.
    """

    __slots__ = ("period", "alpha", "simple", "count", "last")

    def __init__(self, period: int, simple: bool, alpha: float | None = None) -> None:
        self.period = period
        self.alpha = 2 / float(period + 1) if alpha is None else alpha
        self.simple = simple
        self.count = 0
        self.last = 0.0

    @property
    def warmed(self) -> bool:
        return self.count == self.period

    def add(self, value: float) -> float:
        last = self.last
        if self.count == 0:
            avg = value
        elif not self.warmed:
            if self.simple:
                avg = (last * float(self.count) + value) / float(self.count + 1)
            else:
                avg = (value - last) * (2 / float(self.count + 2)) + last
        else:
            avg = (value - last) * self.alpha + last
        self.last = avg
        if self.count < self.period:
            self.count += 1
        return avg


class _Chain:
    """DEMA, TEMA and TRIX's cascade of EMAs: with 'simple' warmup a stage only starts once
    the stage before it is warmed (until then the value passes through unchanged)."""

    __slots__ = ("stages",)

    def __init__(self, period: int, simple: bool, depth: int) -> None:
        self.stages = [_Ema(period, simple) for _ in range(depth)]

    def values(self, value: float) -> list[float]:
        out = [self.stages[0].add(value)]
        for previous, stage in zip(self.stages, self.stages[1:], strict=False):
            if previous.warmed or not previous.simple:
                out.append(stage.add(out[-1]))
            else:
                out.append(out[-1])
        return out


class _Dema(_Chain):
    def __init__(self, period: int, simple: bool) -> None:
        super().__init__(period, simple, 2)

    def add(self, value: float) -> float:
        avg1, avg2 = self.values(value)
        return 2 * avg1 - avg2


class _Tema(_Chain):
    def __init__(self, period: int, simple: bool) -> None:
        super().__init__(period, simple, 3)

    def add(self, value: float) -> float:
        avg1, avg2, avg3 = self.values(value)
        return 3 * avg1 - 3 * avg2 + avg3


class _Trix:
    """Rate of change (percent) of a triple EMA. 1.x's first rate divides by a previous value
    of 0, so it is infinite and dropped; with 'simple' warmup later stages wait as in _Chain,
    except that TRIX skips (rather than passes through) the stages not yet started."""

    __slots__ = ("stages", "last")

    def __init__(self, period: int, simple: bool) -> None:
        self.stages = [_Ema(period, simple) for _ in range(3)]
        self.last = 0.0

    def add(self, value: float) -> float:
        first, second, third = self.stages
        current = first.add(value)
        if first.warmed or not first.simple:
            current = second.add(current)
            if second.warmed or not second.simple:
                current = third.add(current)
        rate = (go_div(current, self.last) - 1) * 100
        self.last = current
        return rate


class _Rsi:
    """Wilder's RSI: EMAs (alpha 1/period, warming over period+1 points) of gains and losses.
    1.x starts from a previous value of 0, so the first point counts as a gain of its value."""

    __slots__ = ("up", "down", "previous")

    def __init__(self, period: int, simple: bool) -> None:
        self.up = _Ema(period + 1, simple, 1 / float(period))
        self.down = _Ema(period + 1, simple, 1 / float(period))
        self.previous = 0.0

    def moves(self, value: float) -> tuple[float, float]:
        up = down = 0.0
        if value > self.previous:
            up = value - self.previous
        elif value < self.previous:
            down = self.previous - value
        self.previous = value
        return self.up.add(up), self.down.add(down)

    def add(self, value: float) -> float:
        up, down = self.moves(value)
        return 100 - go_div(100, 1 + go_div(up, down))


class _SmoothedCmo(_Rsi):
    """The Chande oscillator over smoothed gains and losses (warmup 'exponential'/'simple')."""

    def add(self, value: float) -> float:
        up, down = self.moves(value)
        return 100.0 * go_div(up - down, up + down)


class _Cmo:
    """The plain Chande oscillator (warmup 'none', 1.x's default): sums of the gains and losses
    over the last period-1 moves, kept as running totals (so rounding drifts as in 1.x)."""

    __slots__ = ("size", "prices", "moves", "gains", "losses", "count", "index")

    def __init__(self, period: int) -> None:
        self.size = period - 1
        self.prices = [0.0] * self.size
        self.moves = [0.0] * self.size
        self.gains = self.losses = 0.0
        self.count = 0
        self.index = 0

    def add(self, value: float) -> float:
        oldest = self.index + 1
        if oldest == self.size:
            oldest = 0
        move = 0.0
        if self.count != 0:
            move = value - self.prices[self.index]
            if move > 0:
                self.gains += move
            elif move < 0:
                self.losses -= move
        out = 0.0
        if self.gains != 0 or self.losses != 0:
            out = 100.0 * go_div(self.gains - self.losses, self.gains + self.losses)
        expired = self.moves[oldest]
        if expired > 0:
            self.gains -= expired
        elif expired < 0:
            self.losses += expired
        self.prices[oldest] = value
        self.moves[oldest] = move
        self.index = oldest
        if self.count != self.size + 2:
            self.count += 1
        return out


class _Ker:
    """Kaufman's efficiency ratio: net change over the sum of absolute moves in the window.
    The window starts filled with zeros, so the first ratios compare against a price of 0."""

    __slots__ = ("size", "prices", "moves", "noise", "count", "index")

    def __init__(self, period: int) -> None:
        self.size = period
        self.prices = [0.0] * period
        self.moves = [0.0] * period
        self.noise = 0.0
        self.count = 0
        self.index = 0

    @property
    def warmed(self) -> bool:
        return self.count == self.size + 1

    def add(self, value: float) -> float:
        oldest = self.index + 1
        if oldest >= self.size:
            oldest = 0
        signal = abs(value - self.prices[oldest])
        move = abs(value - self.prices[self.index])
        self.noise -= self.moves[oldest]
        self.noise += move
        noise = self.noise
        self.index = oldest
        self.prices[oldest] = value
        self.moves[oldest] = move
        if not self.warmed:
            self.count += 1
        if signal == 0 or noise == 0:
            return 0.0
        return signal / noise


# Go folds 2/(2+1) - 2/(30+1) exactly at compile time; 56/93 is that value rounded once.
_FAST_MINUS_SLOW = 56.0 / 93.0
_SLOW = 2.0 / 31.0


class _Kama:
    """Kaufman's adaptive moving average; until warmed it restarts from the previous price."""

    __slots__ = ("ker", "last")

    def __init__(self, period: int) -> None:
        self.ker = _Ker(period)
        self.last = 0.0

    def add(self, value: float) -> float:
        if not self.ker.warmed:
            self.last = self.ker.prices[self.ker.index]
        ratio = self.ker.add(value)
        smoothing = ratio * _FAST_MINUS_SLOW + _SLOW
        self.last = self.last + smoothing * smoothing * (value - self.last)
        return self.last


# -- one series ---------------------------------------------------------------------------------


def _build(name: str, period: int, warmup: str | None) -> tuple[_Indicator, int]:
    """The indicator and its warmup count (the default hold period)."""
    simple = warmup == "simple"
    builders: dict[str, Callable[[], tuple[_Indicator, int]]] = {
        "exponential_moving_average": lambda: (_Ema(period, simple), period - 1),
        "double_exponential_moving_average":
            lambda: (_Dema(period, simple), (period - 1) * (2 if simple else 1)),
        "triple_exponential_moving_average":
            lambda: (_Tema(period, simple), (period - 1) * (3 if simple else 1)),
        "triple_exponential_derivative":
            lambda: (_Trix(period, simple), (period - 1) * (3 if simple else 1) + 1),
        "relative_strength_index": lambda: (_Rsi(period, simple), period),
        "kaufmans_efficiency_ratio": lambda: (_Ker(period), period),
        "kaufmans_adaptive_moving_average": lambda: (_Kama(period), period),
    }
    if name == "chande_momentum_oscillator":
        if warmup in (None, "none"):
            return _Cmo(period), period - 1
        return _SmoothedCmo(period, simple), period
    return builders[name]()


def compute(name: str, points: Sequence[Point], params: tuple[Any, ...]) -> list[Point]:
    """The transformation of one series' (time, value) rows, in time order.

    Null rows (empty GROUP BY buckets) are skipped, as 1.x's streaming iterators skip nil
    points; integers are read as floats.
    """
    period = int(params[0])
    hold = int(params[1]) if len(params) > 1 else -1
    warmup = str(params[2]) if len(params) > 2 else None
    if name == "chande_momentum_oscillator" and period == 1:
        # 1.x's oscillator keeps period-1 moves; with none it fails (a Go index panic).
        raise QueryError("chande_momentum_oscillator period must be greater than 1")
    indicator, warm_count = _build(name, period, warmup)
    if hold == -1:
        hold = warm_count
    drops_infinite = name in _DROPS_INFINITE
    out: list[Point] = []
    count = 0
    for time, value in points:
        if value is None or isinstance(value, bool | str):
            continue
        result = indicator.add(float(value))
        count += 1
        if count <= hold or (drops_infinite and math.isinf(result)):
            continue
        out.append((time, result))
    return out
