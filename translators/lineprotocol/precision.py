"""Write precisions of every InfluxDB API generation; timestamps scaled to nanoseconds."""

from __future__ import annotations

import enum

import pyarrow as pa
import pyarrow.compute as pc


class UnknownPrecision(ValueError):
    """The precision word is not one the addressed API generation accepts."""

    def __init__(self, word: str, accepted: tuple[str, ...]) -> None:
        super().__init__(f"invalid precision {word!r}: expected one of {', '.join(accepted)}")
        self.word = word
        self.accepted = accepted


class Precision(enum.StrEnum):
    """One unit of timestamp precision; `parse` knows each generation's vocabulary."""

    NANOSECOND = "ns"
    MICROSECOND = "us"
    MILLISECOND = "ms"
    SECOND = "s"
    MINUTE = "m"
    HOUR = "h"
    AUTO = "auto"  # v3: guessed from each timestamp's magnitude

    @property
    def nanos(self) -> int:
        return _NANOS[self]

    @classmethod
    def parse(cls, word: str | None, generation: str) -> Precision:
        """Map a wire precision word to a Precision, using the generation's defaults.

        `generation` is one of "v1", "v2", "v3" (v3's /api/v3/write_lp).
        """
        vocabulary = _VOCABULARY[generation]
        if word is None or word == "":
            return _DEFAULTS[generation]
        try:
            return vocabulary[word]
        except KeyError:
            raise UnknownPrecision(word, tuple(vocabulary)) from None


_NANOS = {
    Precision.NANOSECOND: 1,
    Precision.MICROSECOND: 1_000,
    Precision.MILLISECOND: 1_000_000,
    Precision.SECOND: 1_000_000_000,
    Precision.MINUTE: 60_000_000_000,
    Precision.HOUR: 3_600_000_000_000,
}

_VOCABULARY: dict[str, dict[str, Precision]] = {
    # InfluxDB 1.x /write: n, ns, u, µ, us, ms, s, m, h. 1.6.7 reads `µ` and `us` as
    # nanoseconds; they are read as microseconds here, as clients mean (README: deviations).
    "v1": {
        "n": Precision.NANOSECOND,
        "ns": Precision.NANOSECOND,
        "u": Precision.MICROSECOND,
        "µ": Precision.MICROSECOND,
        "us": Precision.MICROSECOND,
        "ms": Precision.MILLISECOND,
        "s": Precision.SECOND,
        "m": Precision.MINUTE,
        "h": Precision.HOUR,
    },
    # InfluxDB 2.x /api/v2/write (also served by 3.x): ns, us, ms, s
    "v2": {
        "ns": Precision.NANOSECOND,
        "us": Precision.MICROSECOND,
        "ms": Precision.MILLISECOND,
        "s": Precision.SECOND,
    },
    # InfluxDB 3.x /api/v3/write_lp: long words, their short forms, and auto
    "v3": {
        "auto": Precision.AUTO,
        "nanosecond": Precision.NANOSECOND,
        "microsecond": Precision.MICROSECOND,
        "millisecond": Precision.MILLISECOND,
        "second": Precision.SECOND,
        "ns": Precision.NANOSECOND,
        "us": Precision.MICROSECOND,
        "ms": Precision.MILLISECOND,
        "s": Precision.SECOND,
    },
}

_DEFAULTS = {"v1": Precision.NANOSECOND, "v2": Precision.NANOSECOND, "v3": Precision.AUTO}

# InfluxDB 3 guesses `auto` precision from magnitude: below 5e9 seconds, below 5e12
# milliseconds, below 5e15 microseconds, otherwise nanoseconds.
_AUTO_BOUNDS = (
    (5_000_000_000, _NANOS[Precision.SECOND]),
    (5_000_000_000_000, _NANOS[Precision.MILLISECOND]),
    (5_000_000_000_000_000, _NANOS[Precision.MICROSECOND]),
)


class TimestampOutOfRange(ValueError):
    """A timestamp is outside MIN_NANOS..MAX_NANOS once scaled."""


# 1.x's models.MinNanoTime and MaxNanoTime: both ends of int64 are reserved, so a time must
# lie within these (its words for one that does not: TIME_OUT_OF_RANGE).
MIN_NANOS = -(2**63) + 2
MAX_NANOS = 2**63 - 2
TIME_OUT_OF_RANGE = f"time outside range {MIN_NANOS} - {MAX_NANOS}"


def auto_multiplier(value: int) -> int:
    magnitude = abs(value)
    for bound, nanos in _AUTO_BOUNDS:
        if magnitude < bound:
            return nanos
    return 1


def scale_to_nanos(value: int, precision: Precision) -> int:
    """One timestamp in `precision` units to int64 nanoseconds (raises TimestampOutOfRange)."""
    nanos = auto_multiplier(value) if precision is Precision.AUTO else precision.nanos
    scaled = value * nanos
    if not MIN_NANOS <= scaled <= MAX_NANOS:
        raise TimestampOutOfRange(str(value))
    return scaled


def scale_array_to_nanos(values: pa.Array, precision: Precision) -> pa.Array:
    """Vectorised `scale_to_nanos` over an int64 array (raises TimestampOutOfRange)."""
    if precision is Precision.AUTO:
        # |v| < bound, written without abs(): abs(-2**63) does not fit int64
        multiplier = pa.scalar(1, pa.int64())
        for bound, nanos in reversed(_AUTO_BOUNDS):
            within = pc.and_(pc.less(values, bound), pc.greater(values, -bound))
            multiplier = pc.if_else(within, nanos, multiplier)
    elif precision.nanos == 1:
        return _within_range(values)
    else:
        multiplier = pa.scalar(precision.nanos, pa.int64())
    try:
        scaled = pc.multiply_checked(values, multiplier)
    except pa.ArrowInvalid as exc:
        raise TimestampOutOfRange(str(exc)) from exc
    # A product that did not overflow is a multiple of 1,000 or more: never one of the reserved
    # ends of int64. Only `auto` leaves some values as they are.
    return _within_range(scaled) if precision is Precision.AUTO else scaled


def _within_range(values: pa.Array) -> pa.Array:
    """`values` (ns) if all lie within MIN_NANOS..MAX_NANOS (one vectorised pass)."""
    ends = pc.min_max(values)
    low, high = ends["min"].as_py(), ends["max"].as_py()
    if low is not None and (low < MIN_NANOS or high > MAX_NANOS):
        raise TimestampOutOfRange(f"{low}..{high}")
    return values


def truncate_nanos(value: int, precision: Precision) -> int:
    """Receipt time truncated to the write precision, as 1.x does for points without a time."""
    nanos = 1 if precision is Precision.AUTO else precision.nanos
    return value - value % nanos
