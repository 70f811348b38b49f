"""Columns of InfluxQL series for the encoders, times as 1.x writes them (RFC3339 or epoch).

Series keep rows, with times as integer nanoseconds (`Series.has_time`); the encoders work a
column at a time so that most of the work runs in C (itemgetter, Arrow kernels), not per value.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from .values import ns_text

# Below this many times Python's per-value work costs less than the Arrow kernels' fixed cost:
# in the server, right after a read has run, the five calls cost 250-350 us together whatever
# the length, Python about 1 us a time (60 GROUP BY time buckets: 80 against 310 us).
_ARROW_FROM = 200
_UNIX_EPOCH = dt.datetime(1970, 1, 1)

# 1.x's convertToEpoch: any other `epoch` value (even "µ" or "us") leaves nanoseconds.
EPOCH_DIVISORS: dict[str, int] = {
    "u": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}


def columns_of(rows: Sequence[Sequence[Any]]) -> list[list[Any]] | None:
    """The rows' columns, or None when the rows differ in length (never in 1.x's answers)."""
    widths = set(map(len, rows))
    if len(widths) != 1:
        return None
    return [list(map(itemgetter(i), rows)) for i in range(widths.pop())]


def epoch_divisor(epoch: str | None) -> int:
    """Nanoseconds per unit of `epoch`; 1 for "ns" and for every unit 1.x does not know."""
    return EPOCH_DIVISORS.get(epoch or "", 1)


def rfc3339_times(times: Sequence[int | None]) -> list[str | None]:
    """Go's time.RFC3339Nano in UTC: `2024-01-01T00:00:00.5Z`, fraction trimmed of zeros."""
    if len(times) < _ARROW_FROM:
        return [None if ns is None else _rfc3339(ns) for ns in times]
    return rfc3339_text(pa.array(times, pa.int64())).to_pylist()  # type: ignore[no-any-return]


def _rfc3339(ns: int) -> str:
    seconds, fraction = divmod(ns, 1_000_000_000)
    day, second = divmod(seconds, 86_400)
    hour, second = divmod(second, 3_600)
    minute, second = divmod(second, 60)
    text = f"{_date_text(day)}{hour:02d}:{minute:02d}:{second:02d}"
    return (_with_fraction(text, fraction) if fraction else text) + "Z"


@functools.lru_cache(maxsize=4096)
def _date_text(day: int) -> str:
    """`2024-01-01T` for a count of days since 1970-01-01 (answers hold few distinct days)."""
    return (_UNIX_EPOCH + dt.timedelta(days=day)).strftime("%Y-%m-%dT")


def _with_fraction(text: str, fraction: int) -> str:
    """Seconds' text with RFC3339Nano's fraction: up to nine digits, trailing zeros cut."""
    return text + "." + f"{fraction:09d}".rstrip("0") if fraction else text


def rfc3339_text(times: pa.Array, quoted: bool = False) -> pa.Array:
    """`rfc3339_times` for an Arrow array of integer nanoseconds, as an Arrow string array
    (each in double quotes, as JSON writes them, when `quoted`)."""
    text = rfc3339_stem(times)
    if quoted:
        return pc.binary_join_element_wise('"', text, 'Z"', "")
    return pc.binary_join_element_wise(text, "Z", "")


def rfc3339_stem(times: pa.Array) -> pa.Array:
    """`rfc3339_text` without its `Z`: `2024-01-01T00:00:00[.fraction]`."""
    stamps = times.view(pa.timestamp("ns")) if pa.types.is_int64(times.type) else times.cast(
        pa.timestamp("ns"))
    try:
        # Times on whole seconds (most stored points, every GROUP BY time bucket) in two
        # Arrow calls rather than four: no fraction to write, so none to trim.
        seconds = stamps.cast(pa.timestamp("s"))  # refused when a fraction would be lost
    except pa.ArrowInvalid:
        return ns_text(stamps)
    return pc.replace_substring(pc.cast(seconds, pa.string()), " ", "T", max_replacements=1)


def epoch_times(times: Sequence[int | None], epoch: str | None) -> list[int | None]:
    """Times as integers in `epoch` units, truncated toward zero as Go's integer division
    does (so -1.5 s is -1 with epoch=s, and 0 with epoch=m)."""
    divisor = epoch_divisor(epoch)
    if divisor == 1:
        return list(times)
    if len(times) < _ARROW_FROM:
        return [None if ns is None else (ns // divisor if ns >= 0 else -(-ns // divisor))
                for ns in times]
    return epoch_array(pa.array(times, pa.int64()), epoch).to_pylist()  # type: ignore[no-any-return]


def epoch_array(times: pa.Array, epoch: str | None) -> pa.Array:
    """`epoch_times` for an Arrow array of integer nanoseconds."""
    divisor = epoch_divisor(epoch)
    if divisor == 1:
        return times
    return pc.divide(times, pa.scalar(divisor, pa.int64()))


def zoned_times(times: Sequence[int | None], timezone: str) -> list[str | None]:
    """Go's time.RFC3339Nano in the query's tz(): `2023-12-31T18:00:00-06:00` (`Z` where the
    zone's offset is zero, as Go writes it)."""
    zone = ZoneInfo(timezone)
    out: list[str | None] = []
    for ns in times:
        if ns is None:
            out.append(None)
            continue
        seconds, fraction = divmod(ns, 1_000_000_000)
        local = dt.datetime.fromtimestamp(seconds, zone)
        text = _with_fraction(local.strftime("%Y-%m-%dT%H:%M:%S"), fraction)
        offset = local.utcoffset() or dt.timedelta()
        minutes = int(offset.total_seconds()) // 60
        if minutes == 0:
            text += "Z"
        else:
            sign = "+" if minutes > 0 else "-"
            text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        out.append(text)
    return out


def time_column(times: Sequence[int | None], epoch: str | None,
                timezone: str | None = None) -> list[str | int | None]:
    """Column 0 of a SELECT series for the JSON/MessagePack answers: RFC3339 text without
    `epoch`, integers with it (1.x applies any non-empty `epoch`, unknown units as ns)."""
    if epoch:
        return epoch_times(times, epoch)  # type: ignore[return-value]
    if timezone:
        return zoned_times(times, timezone)  # type: ignore[return-value]
    return rfc3339_times(times)  # type: ignore[return-value]
