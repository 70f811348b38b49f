"""holt_winters() and holt_winters_with_fit(): 1.x's forecast over a GROUP BY time series.

1.x fits a damped Holt-Winters model (level, trend, multiplicative season of length m when
m >= 2) to the series' bucket values by minimising the sum of squared errors with a
Nelder-Mead simplex (`neldermead.py`), started from a 2x2x2x2 grid of (alpha, beta, gamma,
phi) guesses, and forecasts h buckets past the last one. To give 1.x's numbers this module
reproduces its arithmetic exactly, including three of its quirks:

- the model's one-step "forecast" is fed back as the next observation, so beyond the first
  bucket the data only enters through the initial level, trend and seasonal guesses;
- evaluating the error clamps the simplex vertex's alpha..phi to [0, 1] and overwrites its
  seasonal coefficients in place, so every evaluation changes the vertex it evaluates;
- the simplex's shrink step re-evaluates only its worst and second-worst vertices.

The error is evaluated some 20,000 times per fit, so `_Model._sse` is the model written for
speed: the same floating-point operations in the same order, minus the ones whose result is
known (dividing or multiplying by a non-seasonal model's factor of 1, and every step after
the level turns NaN), with the sums of Go's powers of phi computed once per phi
(`dampingsums.py`). Anything unusual (a zero divisor, data that is not finite) goes the plain
way, `_forecast`, which also makes the final forecast. `test_holtwinters_exact.py` holds both
to the fit as it was before, bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import islice
from typing import Any

from . import ast, neldermead
from .dampingsums import damping_sums
from .errors import QueryError
from .indicators import go_div

NAMES = frozenset({"holt_winters", "holt_winters_with_fit"})

Point = tuple[int, Any]

_WEIGHT = 0.5  # non-seasonal initial level and trend: half the first value and first change
_GUESS_LOWER, _GUESS_UPPER, _GUESS_STEP = 0.3, 1.0, 0.4  # grid of (alpha, beta, gamma, phi)


def validate(call: ast.Call, interval: int | None) -> None:
    """Raise QueryError with 1.x's words when the call's arguments are wrong."""
    name = call.name
    args = call.args
    if len(args) != 3:
        raise QueryError(f"invalid number of arguments for {name}, expected 3, got {len(args)}")
    points, season = args[1], args[2]
    if not isinstance(points, ast.IntegerLiteral):
        raise QueryError(f"expected integer argument as second arg in {name}")
    if points.value <= 0:
        raise QueryError(f"second arg to {name} must be greater than 0, got {points.value}")
    if not isinstance(season, ast.IntegerLiteral):
        raise QueryError(f"expected integer argument as third arg in {name}")
    if season.value < 0:
        raise QueryError(f"third arg to {name} cannot be negative, got {season.value}")
    if not isinstance(args[0], ast.Call):
        raise QueryError(f"must use aggregate function with {name}")
    if interval is None:
        raise QueryError(f"{name} aggregate requires a GROUP BY interval")


def compute(name: str, points: Sequence[Point], params: tuple[Any, ...],
            interval: int | None, check: Callable[[], None] | None = None) -> list[Point]:
    """Forecast (and with _with_fit, the fitted values) for one series' bucket values.

    Forecast times follow the last non-null bucket, one interval apart; fitted values start at
    the first non-null bucket. Null buckets are skipped, as 1.x's reducers skip nil points.
    `check` is called before each simplex iteration and may stop the fit by raising (a long
    seasonal fit takes minutes, and its query may have timed out meanwhile).
    """
    if interval is None or interval <= 0:
        raise QueryError(f"{name} aggregate requires a GROUP BY interval")
    horizon, season = int(params[0]), int(params[1])
    present = [(t, float(v)) for t, v in points
               if v is not None and not isinstance(v, bool | str)]
    model = _Model(present, horizon, season, interval)
    forecast = model.run(check)
    if forecast is None:
        return []
    if name == "holt_winters_with_fit":
        start = present[0][0]
        return [(start + interval * i, v) for i, v in enumerate(forecast) if not math.isnan(v)]
    stop = present[-1][0]
    future = forecast[len(model.y):]
    return [(stop + interval * (i + 1), v) for i, v in enumerate(future) if not math.isnan(v)]


def _go_rem(a: int, b: int) -> int:
    """Go's % (truncated: the sign of the dividend)."""
    r = abs(a) % b
    return -r if a < 0 else r


def _go_quo(a: int, b: int) -> int:
    """Go's integer / (truncated toward zero), for b > 0."""
    q = abs(a) // b
    return -q if a < 0 else q


class _Model:
    """One series' Holt-Winters fit; `y` holds one value per bucket, NaN for a missing one."""

    def __init__(self, points: list[tuple[int, float]], horizon: int, season: int,
                 interval: int) -> None:
        self.points = points
        self.horizon = horizon
        self.season = season
        self.seasonal = season >= 2
        self.interval = interval
        self.y: list[float] = []
        self.observed: list[tuple[int, float]] = []  # (bucket index, value) of non-empty buckets
        self._finite = False  # every observed value finite: the fast error applies
        self._later: list[float] = []  # y[1:]
        # The seasonal factor each step reads (and overwrites) and the one it forecasts with.
        self._factor_at: list[int] = []
        self._ahead_at: list[int] = []
        self._damping_cache: dict[tuple[float, int, float], list[float]] = {}

    def _damping(self, phi: float, count: int) -> list[float]:
        """`damping_sums(phi, count)`, kept for reuse: the simplex often clamps phi to 0 or 1."""
        key = (phi, count, math.copysign(1.0, phi))  # 0.0 and -0.0 sum differently
        sums = self._damping_cache.get(key)
        if sums is None:
            if len(self._damping_cache) > 512:
                self._damping_cache.clear()
            sums = self._damping_cache[key] = damping_sums(phi, count)
        return sums

    def _round(self, t: int) -> int:
        """Nearest multiple of the interval; exactly half way rounds down, as in 1.x."""
        if _go_rem(t, self.interval) > self.interval // 2:
            return (_go_quo(t, self.interval) + 1) * self.interval
        return _go_quo(t, self.interval) * self.interval

    def prepare(self) -> bool:
        """Bucket the points into `y`; False when 1.x forecasts nothing for them."""
        points, m = self.points, self.season
        if len(points) < 2 or (self.seasonal and len(points) < m) or self.horizon <= 0:
            return False
        start, stop = self._round(points[0][0]), self._round(points[-1][0])
        if _go_quo(stop - start, self.interval) <= 0:
            return False
        y = [points[0][1]]
        t = start
        for time, value in points[1:]:
            rounded = self._round(time)
            if rounded <= t:
                continue  # a second value in the same bucket is dropped
            t += self.interval
            while rounded != t:
                y.append(math.nan)
                t += self.interval
            y.append(value)
        self.y = y
        self.observed = [(i, v) for i, v in enumerate(y) if not math.isnan(v)]
        if self.seasonal and len(y) < m:
            return False
        self._finite = all(math.isfinite(v) for _, v in self.observed)
        self._later = y[1:]
        if self.seasonal:
            # Step t reads factor (t - m + offset) % m with offset = m - 1 + (t - 1), that is
            # (2t - 2) % m, and writes its new factor back to the same place.
            self._factor_at = [(2 * t - 2) % m for t in range(1, len(y))]
            self._ahead_at = [(2 * t - 2 + t % m) % m for t in range(1, len(y))]
        return True

    def run(self, check: Callable[[], None] | None = None) -> list[float] | None:
        if not self.prepare():
            return None
        parameters = [0.0, 0.0, 0.0, 0.0, *self._initial()]
        best_sse = math.inf
        best: list[float] | None = None
        alpha = _GUESS_LOWER
        while alpha < _GUESS_UPPER:
            beta = _GUESS_LOWER
            while beta < _GUESS_UPPER:
                gamma = _GUESS_LOWER
                while gamma < _GUESS_UPPER:
                    phi = _GUESS_LOWER
                    while phi < _GUESS_UPPER:
                        parameters[:4] = [alpha, beta, gamma, phi]
                        sse, fitted = neldermead.minimise(self._sse, parameters, check)
                        if sse < best_sse or best is None:
                            best_sse, best = sse, fitted
                        phi += _GUESS_STEP
                    if not self.seasonal:
                        # Without a season gamma enters neither the error nor the forecast,
                        # so the second gamma's searches make the first's moves to the bit
                        # and end with the same error, which does not beat it.
                        break
                    gamma += _GUESS_STEP
                beta += _GUESS_STEP
            alpha += _GUESS_STEP
        assert best is not None
        return self._forecast(self.horizon, best)

    def _initial(self) -> list[float]:
        """Initial level, trend and seasonal factors, missing buckets left out of the sums."""
        y, m = self.y, self.season
        level = 0.0
        trend = 0.0
        if not self.seasonal:
            level += _WEIGHT * y[0]
            if not math.isnan(y[1]):
                trend = _WEIGHT * (y[1] - y[0])
            return [level, trend]
        for i in range(m):
            if not math.isnan(y[i]):
                level += (1 / float(m)) * y[i]
        for i in range(m):
            if m + i >= len(y):
                break
            if not math.isnan(y[i]) and not math.isnan(y[m + i]):
                trend += 1 / float(m * m) * (y[m + i] - y[i])
        factors = [0.0 if math.isnan(y[i]) else go_div(y[i], level) for i in range(m)]
        return [level, trend, *factors]

    def _forecast(self, horizon: int, params: list[float]) -> list[float]:
        """The model's values for every bucket plus `horizon` more. Mutates `params` as 1.x
        does: alpha..phi clamped to [0, 1], seasonal factors overwritten as they update."""
        _clamp(params)
        alpha, beta, gamma, phi = params[0], params[1], params[2], params[3]
        level, trend = params[4], params[5]
        seasonal = self.seasonal
        m = len(params) - 6
        if seasonal and m == 1:
            params[6] = 1.0
        offset = m - 1
        total = len(self.y) + horizon
        out = [0.0] * total
        value = self.y[0]
        out[0] = value
        damping = self._damping(phi, total - 1)
        factor = factor_ahead = 1.0
        for t in range(1, total):
            if seasonal:
                factor = params[6 + (t - m + offset) % m]
                factor_ahead = params[6 + (t - m + t % m + offset) % m]
            base = level + phi * trend
            new_level = alpha * go_div(value, factor) + (1 - alpha) * base
            trend = beta * (new_level - level) + (1 - beta) * phi * trend
            new_factor = gamma * go_div(value, base) + (1 - gamma) * factor
            level = new_level
            value = (level + damping[t - 1] * trend) * factor_ahead
            if seasonal:
                params[6 + (t + offset) % m] = new_factor
                offset += 1
            out[t] = value
        return out

    def _sse(self, params: list[float]) -> float:
        """The sum of squared errors over the observed buckets, as `_forecast` and 1.x reach it,
        infinite when a fitted value is NaN. Mutates `params` as `_forecast` does."""
        if not self._finite:
            return self._plain_sse(params)
        alpha, beta, gamma, phi, level, trend = params[:6]
        if not (0 <= alpha <= 1 and 0 <= beta <= 1 and 0 <= gamma <= 1 and 0 <= phi <= 1):
            _clamp(params)
            alpha, beta, gamma, phi = params[:4]
        damping = self._damping(phi, len(self._later))
        value = self.y[0]
        keep = 1 - alpha
        carry = (1 - beta) * phi  # (1 - beta) * phi * trend multiplies left to right
        total = 0.0  # the first bucket's own error is 0
        if not self.seasonal:
            # The factor is 1: dividing and multiplying by it change nothing, and the new
            # factor is never read.
            for d, actual in zip(damping, self._later, strict=True):
                base = level + phi * trend
                new_level = alpha * value + keep * base
                trend = beta * (new_level - level) + carry * trend
                level = new_level
                value = level + d * trend
                if actual == actual:  # not a missing bucket
                    error = value - actual
                    total += error * error
            # With finite data the sum is NaN exactly when a fitted value is: 1.x answers +Inf.
            return math.inf if total != total else total
        factors = params[6:]
        renew = 1 - gamma
        steps = zip(damping, self._later, self._factor_at, self._ahead_at, strict=True)
        try:
            for d, actual, at, ahead in steps:
                factor = factors[at]
                factor_ahead = factors[ahead]
                base = level + phi * trend
                new_level = alpha * (value / factor) + keep * base
                trend = beta * (new_level - level) + carry * trend
                factors[at] = gamma * (value / base) + renew * factor
                level = new_level
                value = (level + d * trend) * factor_ahead
                if actual == actual:
                    error = value - actual
                    total += error * error
                    if total != total and level != level:
                        # A model that blew up: a NaN level (and so trend) gives NaN from
                        # here on, so the error is +Inf and each factor still to be written
                        # becomes NaN (which NaN, no answer can tell). Long seasonal fits
                        # spend most of their steps here.
                        for _, _, at, _ in islice(steps, self.season):
                            factors[at] = value
                        break
        except ZeroDivisionError:
            return self._plain_sse(params)  # Go divides by zero: ±Inf or NaN
        params[6:] = factors
        return math.inf if total != total else total

    def _plain_sse(self, params: list[float]) -> float:
        total = 0.0
        fitted = self._forecast(0, params)
        for i, actual in self.observed:
            value = fitted[i]
            if value != value:  # NaN
                return math.inf
            diff = value - actual
            total += diff * diff
        return total


def _clamp(params: list[float]) -> None:
    """alpha..phi into [0, 1], in place, as 1.x's forecast does to the vertex it is given."""
    for i in range(4):
        if params[i] > 1:
            params[i] = 1.0
        if params[i] < 0:
            params[i] = 0.0
