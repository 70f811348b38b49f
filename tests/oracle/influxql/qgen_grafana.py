"""The pieces Grafana's InfluxQL query editor writes, in the fuzzer's statements.

Grafana renders `$timeFilter` as `time >= <from>ms and time <= <to>ms`, both bounds keeping
the milliseconds of the moment the dashboard was opened (an inclusive upper bound, off the
whole second); `$__interval` as the range over the panel's data points, rounded as Grafana
rounds it (`10s`, `15s`, `200ms`, ...); a multi-value variable inside a tag regex as an
alternation of escaped values (`/^(server01|server02)$/`, `/^\\/home$/`); the editor's tag
conditions in parentheses; its predictors (`holt_winters(mean(x), 10, 2)`), which the plain
generator never draws; and a measurement variable as a FROM regex (`/^$measurement$/`).
The plain generator writes none of these. `Grafana` draws from a generator of its own and
only under IQLFUZZ_GRAFANA (the chance that a statement is written so), so that the
statements earlier seeds drew, styled or not, stay what they were.
"""

from __future__ import annotations

import os
import random
import re

from .qgen_schema import MAX_BUCKETS, Bounds

GRAFANA = float(os.environ.get("IQLFUZZ_GRAFANA", "0"))
_NANOS_PER_MS = 1_000_000
# Grafana's roundInterval: the raw interval (ms) below each limit becomes that step
_ROUNDED = ((15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1500, 1000),
            (3500, 2000), (7500, 5000), (12500, 10000), (17500, 15000), (25000, 20000),
            (45000, 30000), (90000, 60000), (210000, 120000), (450000, 300000),
            (750000, 600000), (1050000, 900000), (1500000, 1200000), (2700000, 1800000),
            (5400000, 3600000), (9000000, 7200000), (16200000, 10800000),
            (32400000, 21600000), (86400000, 43200000), (604800000, 86400000))
_WEEK_MS = 604800000
_ZONE_MS = 14 * 3600 * 1000
_UNIT_NANOS = {"u": 1000, "ms": _NANOS_PER_MS, "s": 1000 * _NANOS_PER_MS,
               "m": 60_000 * _NANOS_PER_MS, "h": 3_600_000 * _NANOS_PER_MS,
               "d": 86_400_000 * _NANOS_PER_MS, "w": _WEEK_MS * _NANOS_PER_MS}
_FEW_BUCKETS = 120  # holt_winters() buckets over all series
_UNITS_MS = (("w", _WEEK_MS), ("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000))
# a panel's data points: its width in pixels, or the query's own "Max data points"
_DATA_POINTS = (300, 600, 1000, 1200, 1800)
_META = re.compile(r"([\\^$*+?.()|{}\[\]/])")


class Grafana:
    """One statement's Grafana choices; every method hands back its input when off."""

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(f"grafana-{seed}")
        self.on = self.rng.random() < GRAFANA

    def time_filter(self, bounds: Bounds) -> Bounds:
        """A range with both bounds as Grafana's `$timeFilter`, opened at some millisecond."""
        if not self.on or bounds.lower is None or bounds.upper is None or " OR " in bounds.text:
            return bounds
        if bounds.lower >= bounds.upper:
            return bounds
        shift = self.rng.choice((0, 0, 456, 999, self.rng.randrange(1, 1000))) * _NANOS_PER_MS
        low, high = bounds.lower + shift, bounds.upper + shift
        return Bounds(f"time >= {low // _NANOS_PER_MS}ms and time <= {high // _NANOS_PER_MS}ms",
                      low, high)

    def interval(self, bounds: Bounds, series: int) -> str | None:
        """`$__interval` for the range, or None where the panel would ask too many buckets."""
        if not self.on or bounds.relative or bounds.lower is None or bounds.upper is None:
            return None
        span_ms = (bounds.upper - bounds.lower) // _NANOS_PER_MS
        if span_ms <= 0:  # an inverted range (a near miss) Grafana never sends
            return None
        raw = span_ms // self.rng.choice(_DATA_POINTS)
        step = next((step for limit, step in _ROUNDED if raw < limit), _WEEK_MS)
        # tz() reads a bound written without an offset in its zone, so the range may grow
        # by up to 14 hours; the gateway refuses more than 1,000,000 buckets a series
        if span_ms // step * series > MAX_BUCKETS or (span_ms + _ZONE_MS) // step > 10**6:
            return None
        return _duration(step)

    def tag_regex(self, values: tuple[str, ...], pattern: str) -> str:
        """A variable of one or several of the tag's values, as Grafana interpolates it in
        `/^$var$/`; now and then the drawn pattern stays."""
        if not self.on or self.rng.random() < 0.3:
            return pattern
        chosen = self.rng.sample(values, self.rng.randint(1, len(values)))
        escaped = [_META.sub(r"\\\1", value) for value in chosen]
        return "^" + (escaped[0] if len(escaped) == 1 else f"({'|'.join(escaped)})") + "$"

    def conditions(self, predicate: str) -> str:
        """The editor's tag and field conditions, in parentheses before `$timeFilter`."""
        if not self.on or not predicate or predicate.startswith("("):
            return predicate
        return f"({predicate})"

    def predictor(self, aggregate: str, bounds: Bounds, interval: str,
                  series: int) -> list[str] | None:
        """Now and then the editor's predictors in place of the drawn transformation:
        `holt_winters(mean(x), N, S)` (the editor's defaults are 10 and 2), with fit too.
        Only over a few buckets: the gateway fits in Python, hundreds take it minutes."""
        if not self.on or self.rng.random() < 0.75:
            return None
        if bounds.lower is None or bounds.upper is None or bounds.relative:
            return None
        step = _nanos(interval.removeprefix("time(").split(",")[0].rstrip(")"))
        if (bounds.upper - bounds.lower) // step * series > _FEW_BUCKETS:
            return None
        name = self.rng.choice(("holt_winters", "holt_winters_with_fit"))
        points, season = self.rng.choice((5, 10, 10, 20)), self.rng.choice((0, 2, 2, 4))
        return [f"{name}({aggregate}, {points}, {season})"]

    def source(self, text: str, name: str) -> str:
        """FROM a measurement variable (`/^$measurement$/`) now and then."""
        if not self.on or self.rng.random() < 0.7:
            return text
        pattern = "/^" + _META.sub(r"\\\1", name) + "$/"
        return re.sub(rf"(?<= FROM ){re.escape(name)}\b", lambda _: pattern, text)


def _nanos(duration: str) -> int:
    """A duration literal (`4m30s`, `200ms`) in nanoseconds."""
    return sum(int(number) * _UNIT_NANOS[unit]
               for number, unit in re.findall(r"(\d+)(ms|u|s|m|h|d|w)", duration))


def _duration(ms: int) -> str:
    """Grafana's text for an interval: the largest unit that divides it, else milliseconds."""
    for unit, size in _UNITS_MS:
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"
