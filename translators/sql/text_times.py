"""Times written as text, read as Arrow's timestamp parser reads them, to the nanosecond.

DataFusion reads a string where a timestamp is wanted (a date_bin origin, to_timestamp('...'),
`time >= '...'`, `TIMESTAMP '...'`) with Arrow's parser: a date, then `T` or a space and a time
with up to nine fractional digits, then nothing (UTC), `Z`, an offset or a zone name. DuckDB
reads such text through TIMESTAMPTZ only to the microsecond, and through TIMESTAMP_NS with any
offset ignored, so the text is read here instead and handed to DuckDB as its UTC instant.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlglot import exp

_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?")
_OFFSET = re.compile(r"([+-])(\d{2})(?::?(\d{2}))?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# the instants a signed 64-bit count of nanoseconds holds, as Arrow's parser checks
_SMALLEST, _LARGEST = -(2 ** 63), 2 ** 63 - 1


class TextTimeError(ValueError):
    """Text that Arrow's parser does not read as a timestamp; the message is Arrow's reason."""


class UnreadableTime(ValueError):
    """Text where a time is wanted that Arrow's parser refuses, in DataFusion's words."""

    def __init__(self, text: str, problem: TextTimeError) -> None:
        super().__init__(f"Arrow error: Parser error: Error parsing timestamp from '{text}': "
                         f"{problem}")


def checked_nanos(text: str) -> int:
    """`text_nanos`, refusing text it cannot read with UnreadableTime."""
    try:
        return text_nanos(text)
    except TextTimeError as problem:
        raise UnreadableTime(text, problem) from None


def text_nanos(text: str) -> int:
    """Nanoseconds since the epoch of the instant `text` names (raises TextTimeError)."""
    if len(text) < 10:
        raise TextTimeError("timestamp must contain at least 10 characters")
    day = _date(text[:10])
    if len(text) == 10:
        return _nanos(datetime.combine(day, time(), UTC), 0)
    if text[10] not in "Tt ":
        raise TextTimeError("invalid timestamp separator")
    clock = _TIME.match(text, 11)
    wall = _time(clock) if clock is not None else None
    if clock is None or wall is None:
        raise TextTimeError("error parsing time")
    fraction = (clock[4] or "").ljust(9, "0")
    local = datetime.combine(day, wall)
    rest = text[clock.end():].strip()
    if rest in ("", "Z", "z"):
        return _nanos(local.replace(tzinfo=UTC), int(fraction))
    offset = _OFFSET.match(rest)
    if offset is not None:
        minutes = int(offset[2]) * 60 + int(offset[3] or 0)
        shift = timedelta(minutes=-minutes if offset[1] == "-" else minutes)
        return _nanos(local.replace(tzinfo=UTC) - shift, int(fraction))
    zone = _zone(rest)
    if zone is None:
        raise TextTimeError(f"Invalid timezone \"{rest}\"")
    return _nanos(local.replace(tzinfo=zone), int(fraction))


def nanos_literal(nanos: int) -> exp.Expression:
    """Nanoseconds since the epoch as a naive UTC TIMESTAMP_NS literal."""
    seconds, fraction = divmod(nanos, 1_000_000_000)
    moment = _EPOCH + timedelta(seconds=seconds)
    text = f"{moment:%Y-%m-%d %H:%M:%S}.{fraction:09d}"
    return exp.Cast(this=exp.Literal.string(text),
                    to=exp.DataType(this=exp.DataType.Type.TIMESTAMP_NS))


def _nanos(moment: datetime, fraction: int) -> int:
    whole = moment - _EPOCH
    nanos = (whole.days * 86_400 + whole.seconds) * 1_000_000_000 + fraction
    if not _SMALLEST <= nanos <= _LARGEST:
        raise TextTimeError("The dates that can be represented as nanoseconds have to be "
                            "between 1677-09-21T00:12:44.0 and 2262-04-11T23:47:16.854775804")
    return nanos


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown, malformed, a folder
        return None


def _date(text: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise TextTimeError("error parsing date")


def _time(clock: re.Match[str]) -> time | None:
    try:
        return time(int(clock[1]), int(clock[2]), int(clock[3] or 0))
    except ValueError:
        return None


def read_time_text(tree: exp.Expression) -> exp.Expression:
    """`tree` with text compared with the `time` column (or a cast to a timestamp) read as its
    instant, as DataFusion casts it; DuckDB's own cast would drop an offset or zone."""
    for node in list(tree.find_all(*_COMPARISONS, exp.Between, exp.In)):
        if isinstance(node, exp.Between | exp.In):
            if _is_time(node.this):
                for key in ("low", "high", "expressions"):
                    operands = node.args.get(key)
                    for operand in operands if isinstance(operands, list) else [operands]:
                        _read(operand)
        elif _is_time(node.this):
            _read(node.expression)
        elif _is_time(node.expression):
            _read(node.this)
    return tree


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_TIMESTAMPS = (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMP_NS)


def _is_time(node: exp.Expression) -> bool:
    if isinstance(node, exp.Cast):
        return node.to.is_type(*_TIMESTAMPS)
    if not isinstance(node, exp.Column) or not isinstance(node.this, exp.Identifier):
        return False
    name = node.this.this
    return name == "time" or (not node.this.quoted and name.lower() == "time")


def _read(operand: exp.Expression | None) -> None:
    if operand is None:
        return
    if operand.is_string or (isinstance(operand, exp.Cast) and operand.this.is_string
                             and operand.to.is_type(exp.DataType.Type.TIMESTAMPTZ)):
        # `'...'::timestamptz` beside `time`: DataFusion compares the two instants; DuckDB
        # will not compare TIMESTAMP_NS with TIMESTAMPTZ (and reads the text to the µs).
        # Text DataFusion cannot cast to a timestamp fails the query, in Arrow's words.
        text = operand.this if isinstance(operand, exp.Cast) else operand
        operand.replace(nanos_literal(checked_nanos(text.name)))
