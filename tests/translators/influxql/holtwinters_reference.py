"""holt_winters()'s fit as it stood before it was made fast, kept only as the reference the
fast one must match bit for bit (`test_holtwinters_exact.py`); never imported by the gateway.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from translators.influxql.errors import QueryError
from translators.influxql.gopow import go_pow
from translators.influxql.indicators import go_div

Point = tuple[int, Any]

_WEIGHT = 0.5  # non-seasonal initial level and trend: half the first value and first change
_EPSILON = 1.0e-4  # simplex convergence: standard deviation of the vertices' errors
_GUESS_LOWER, _GUESS_UPPER, _GUESS_STEP = 0.3, 1.0, 0.4  # grid of (alpha, beta, gamma, phi)
_MAX_ITERATIONS = 1000
_REFLECT, _CONTRACT, _EXPAND = 1.0, 0.5, 2.0


def compute(name: str, points: Sequence[Point], params: tuple[Any, ...],
            interval: int | None) -> list[Point]:
    """Forecast (and with _with_fit, the fitted values) for one series' bucket values.

    Forecast times follow the last non-null bucket, one interval apart; fitted values start at
    the first non-null bucket. Null buckets are skipped, as 1.x's reducers skip nil points.
    """
    if interval is None or interval <= 0:
        raise QueryError(f"{name} aggregate requires a GROUP BY interval")
    horizon, season = int(params[0]), int(params[1])
    present = [(t, float(v)) for t, v in points
               if v is not None and not isinstance(v, bool | str)]
    model = _Model(present, horizon, season, interval)
    forecast = model.run()
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


def _go_pow(x: float, n: int) -> float:
    """x**n for an integer n >= 1 as Go's math.Pow computes it (`gopow.py`): mantissa and
    exponent kept apart, the mantissa squared and multiplied in bit order."""
    return go_pow(x, float(n))


def _go_powers(x: float, count: int) -> list[float]:
    """[_go_pow(x, 1), ..., _go_pow(x, count)], each in O(1).

    Go multiplies the squared mantissas from the lowest bit up, so x**t is x**(t - b) times
    the square for t's highest bit b, rounded once more: the same products, the same result.
    """
    squares: list[tuple[float, int]] = []
    mantissa, exponent = math.frexp(x)
    for _ in range(count.bit_length()):
        if exponent < -4096 or exponent > 4096 or math.isnan(x) or x == 1.0:
            return [_go_pow(x, t) for t in range(1, count + 1)]
        squares.append((mantissa, exponent))
        mantissa *= mantissa
        exponent *= 2
        if mantissa < 0.5:
            mantissa += mantissa
            exponent -= 1
    accs, exps = [1.0], [0]
    out: list[float] = []
    try:
        for t in range(1, count + 1):
            high = t.bit_length() - 1
            square, square_exp = squares[high]
            rest = t - (1 << high)
            accs.append(accs[rest] * square)
            exps.append(exps[rest] + square_exp)
            out.append(math.ldexp(accs[t], exps[t]))
    except OverflowError:
        return [_go_pow(x, t) for t in range(1, count + 1)]
    return out


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
        self._power_cache: dict[tuple[float, int], list[float]] = {}

    def _powers(self, phi: float, count: int) -> list[float]:
        """phi**1..phi**count, kept for reuse: the simplex often re-evaluates one phi."""
        key = (phi, count)
        powers = self._power_cache.get(key)
        if powers is None:
            if len(self._power_cache) > 512:
                self._power_cache.clear()
            powers = self._power_cache[key] = _go_powers(phi, count)
        return powers

    def _round(self, t: int) -> int:
        """Nearest multiple of the interval; exactly half way rounds down, as in 1.x."""
        if _go_rem(t, self.interval) > self.interval // 2:
            return (_go_quo(t, self.interval) + 1) * self.interval
        return _go_quo(t, self.interval) * self.interval

    def run(self) -> list[float] | None:
        points, m = self.points, self.season
        if len(points) < 2 or (self.seasonal and len(points) < m) or self.horizon <= 0:
            return None
        start, stop = self._round(points[0][0]), self._round(points[-1][0])
        if _go_quo(stop - start, self.interval) <= 0:
            return None
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
                        sse, fitted = _nelder_mead(self._sse, parameters)
                        if sse < best_sse or best is None:
                            best_sse, best = sse, fitted
                        phi += _GUESS_STEP
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
        for i in range(4):
            if params[i] > 1:
                params[i] = 1.0
            if params[i] < 0:
                params[i] = 0.0
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
        damping = phi
        powers = self._powers(phi, total - 1)
        factor = factor_ahead = 1.0
        for t in range(1, total):
            if seasonal:
                factor = params[6 + (t - m + offset) % m]
                factor_ahead = params[6 + (t - m + t % m + offset) % m]
            base = level + phi * trend
            # A zero divisor is rare: only then pay for Go's IEEE division.
            new_level = alpha * (value / factor if factor else go_div(value, factor)) \
                + (1 - alpha) * base
            trend = beta * (new_level - level) + (1 - beta) * phi * trend
            new_factor = gamma * (value / base if base else go_div(value, base)) \
                + (1 - gamma) * factor
            level = new_level
            value = (level + damping * trend) * factor_ahead
            damping += powers[t - 1]
            if seasonal:
                params[6 + (t + offset) % m] = new_factor
                offset += 1
            out[t] = value
        return out

    def _sse(self, params: list[float]) -> float:
        total = 0.0
        fitted = self._forecast(0, params)
        for i, actual in self.observed:
            value = fitted[i]
            if value != value:  # NaN
                return math.inf
            diff = value - actual
            total += diff * diff
        return total


def _nelder_mead(objective: Callable[[list[float]], float],
                 start: list[float]) -> tuple[float, list[float]]:
    """1.x's Nelder-Mead (after M. F. Hutt's): a regular simplex of unit scale around `start`,
    stopped after 1000 iterations or when the vertices' errors agree to _EPSILON."""
    n = len(start)
    p = (math.sqrt(float(n + 1)) - 1 + float(n)) / (float(n) * math.sqrt(2))
    q = (math.sqrt(float(n + 1)) - 1) / (float(n) * math.sqrt(2))
    v = [list(start)]
    for i in range(n):
        v.append([start[j] + (p if i == j else q) for j in range(n)])
    f = [objective(vertex) for vertex in v]
    for _ in range(_MAX_ITERATIONS):
        worst = best = 0
        for i in range(n + 1):
            if f[i] > f[worst]:
                worst = i
            if f[i] < f[best]:
                best = i
        second = best
        for i in range(n + 1):
            if f[second] < f[i] < f[worst]:
                second = i
        centroid = [0.0] * n
        for i in range(n):
            total = 0.0
            for k in range(n + 1):
                if k != worst:
                    total += v[k][i]
            centroid[i] = total / float(n)
        reflected = [c + _REFLECT * (c - w) for c, w in zip(centroid, v[worst], strict=True)]
        fr = objective(reflected)
        if f[best] <= fr < f[second]:
            v[worst] = list(reflected)
            f[worst] = fr
        if fr < f[best]:
            expanded = [c + _EXPAND * (r - c) for c, r in zip(centroid, reflected, strict=True)]
            fe = objective(expanded)
            if fe < fr:
                v[worst] = list(expanded)
                f[worst] = fe
            else:
                v[worst] = list(reflected)
                f[worst] = fr
        if fr >= f[second]:
            if f[second] <= fr < f[worst]:
                contracted = [c + _CONTRACT * (r - c)
                              for c, r in zip(centroid, reflected, strict=True)]
            else:
                contracted = [c - _CONTRACT * (c - w)
                              for c, w in zip(centroid, v[worst], strict=True)]
            fc = objective(contracted)
            if fc < f[worst]:
                v[worst] = list(contracted)
                f[worst] = fc
            else:
                for k in range(n + 1):
                    if k != best:
                        v[k] = [b + (x - b) / 2.0 for b, x in zip(v[best], v[k], strict=True)]
                f[worst] = objective(v[worst])
                f[second] = objective(v[second])
        mean = sum_f = 0.0
        for value in f:
            sum_f += value
        mean = sum_f / float(n + 1)
        spread = 0.0
        for value in f:
            spread += (value - mean) * (value - mean) / float(n)
        if math.sqrt(spread) < _EPSILON:
            break
    best = 0
    for i in range(n + 1):
        if f[i] < f[best]:
            best = i
    fitted = list(v[best])
    return objective(v[best]), fitted
