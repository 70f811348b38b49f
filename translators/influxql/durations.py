"""InfluxQL durations: 1.x's ParseDuration (units ns, u/µ, ms, s, m, h, d, w) and FormatDuration.

A duration literal may chain segments (`1h30m`); each segment's arithmetic wraps as Go's int64
does, and only a final negative total of a positive literal is reported as an overflow.
"""

from __future__ import annotations

NS_PER = {
    "ns": 1, "u": 1_000, "µ": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
    "m": 60_000_000_000, "h": 3_600_000_000_000, "d": 86_400_000_000_000,
    "w": 604_800_000_000_000,
}
INT64_MAX = (1 << 63) - 1


class DurationError(ValueError):
    """1.x's ErrInvalidDuration or its overflow error; str() is 1.x's text."""


def wrap_int64(value: int) -> int:
    """The int64 Go would hold after `value` overflowed."""
    return (value + (1 << 63)) % (1 << 64) - (1 << 63)


def parse_duration(text: str) -> int:
    """Nanoseconds in a duration literal, as 1.x's influxql.ParseDuration reads it."""
    if len(text) < 2:
        raise DurationError("invalid duration")
    i = 0
    negative = text[0] == "-"
    if negative:
        i = 1
    total = 0
    measure = 0
    unit = ""
    while i < len(text):
        start = i
        while i < len(text) and "0" <= text[i] <= "9":
            i += 1
        if i >= len(text) or i == start:
            raise DurationError("invalid duration")
        measure = int(text[start:i])
        if measure > INT64_MAX:
            raise DurationError("invalid duration")
        unit = text[i]
        if unit in ("n", "m") and i + 1 < len(text) and text[i + 1] == "s":
            unit = text[i:i + 2]
            i += 1
        elif unit == "n":
            raise DurationError("invalid duration")
        if unit not in NS_PER:
            raise DurationError("invalid duration")
        total = wrap_int64(total + wrap_int64(measure * NS_PER[unit]))
        i += 1
    if total < 0 and not negative:
        raise DurationError(
            f"overflowed duration {measure}{unit}: choose a smaller duration or INF")
    return wrap_int64(-total) if negative else total


def format_duration(ns: int) -> str:
    """1.x's FormatDuration: the largest unit that divides the span exactly."""
    if ns == 0:
        return "0s"
    for unit in ("w", "d", "h", "m", "s", "ms", "u"):
        size = NS_PER[unit]
        if ns % size == 0:
            return f"{ns // size}{unit}"  # exact, so floor and Go's truncation agree
    return f"{ns}ns"
