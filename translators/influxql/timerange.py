"""Time in InfluxQL conditions: literals read as 1.x reads them, and the WHERE split into a
time range plus everything else.

1.x takes every `time <op> value` comparison joined by AND out of the condition and
intersects them into one range; the rest filters points. A time comparison under OR, `!=`
on time and a value that is not a time are errors, worded as 1.x words them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from . import ast

# 1.x's influxql.MinTime / MaxTime (models.MinNanoTime / MaxNanoTime).
MIN_TIME = -(2**63) + 2
MAX_TIME = 2**63 - 2


class TimeConditionError(ValueError):
    """A condition 1.x refuses while extracting its time range (message in 1.x's words)."""


@dataclass(frozen=True, slots=True)
class TimeRange:
    lower: int | None = None  # inclusive nanoseconds; None when the query sets none
    upper: int | None = None  # inclusive

    def intersect(self, other: TimeRange) -> TimeRange:
        lower = _pick(self.lower, other.lower, max)
        upper = _pick(self.upper, other.upper, min)
        return TimeRange(lower, upper)

    @property
    def min(self) -> int:
        return MIN_TIME if self.lower is None else self.lower

    @property
    def max(self) -> int:
        return MAX_TIME if self.upper is None else self.upper


def _pick(a: int | None, b: int | None, choose) -> int | None:  # type: ignore[no-untyped-def]
    if a is None:
        return b
    if b is None:
        return a
    return choose(a, b)


_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(Z|[+-]\d{2}:\d{2})?"
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_time_string(text: str, timezone: str | None = None) -> int | None:
    """Nanoseconds for a time string in one of 1.x's layouts, or None if it is not one.

    1.x reads RFC3339 (`2024-01-01T00:00:00.5Z`), `2024-01-01 00:00:00[.frac]` and a bare
    date `2024-01-01`; a time without a zone is in the query's tz() (UTC by default).
    """
    match = _RFC3339.fullmatch(text)
    if match:
        year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
        fraction = int((match[7] or "").ljust(9, "0"))
        zone = match[8]
        if "T" in text and zone is None:
            return None  # RFC3339 with a T needs its zone
    else:
        match = _DATE.fullmatch(text)
        if not match:
            return None
        year, month, day = (int(match[i]) for i in range(1, 4))
        hour = minute = second = fraction = 0
        zone = None
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    try:
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    elif zone is None and timezone:
        seconds -= _utc_offset(timezone, seconds)
    return seconds * 1_000_000_000 + fraction


def _utc_offset(timezone: str, utc_seconds: int) -> int:
    import datetime as dt

    zone = ZoneInfo(timezone)
    # Local wall time → UTC: try the offset at the naive instant, as Go's ParseInLocation does.
    naive = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=utc_seconds)
    offset = zone.utcoffset(naive)
    return int(offset.total_seconds()) if offset else 0


def evaluate_time(expr: ast.Expr, now: int, timezone: str | None = None) -> int:
    """The nanosecond value of the right-hand side of a time comparison."""
    value = _time_value(expr, now, timezone)
    if value is None:
        raise TimeConditionError(
            f"invalid operation: time and {_go_type(expr)} are not compatible")
    if not MIN_TIME <= value <= MAX_TIME:
        raise TimeConditionError("time overflows time literal")
    return value


def _time_value(expr: ast.Expr, now: int, timezone: str | None) -> int | None:
    match expr:
        case ast.ParenExpr(inner):
            return _time_value(inner, now, timezone)
        case ast.Call("now", ()):
            return now
        case ast.TimeLiteral(ns) | ast.DurationLiteral(ns) | ast.IntegerLiteral(ns):
            return ns
        case ast.NumberLiteral(value):
            return int(value)
        case ast.StringLiteral(text):
            return parse_time_string(text, timezone)
        case ast.BinaryExpr(op, lhs, rhs) if op in (ast.BinaryOp.ADD, ast.BinaryOp.SUB):
            left = _time_value(lhs, now, timezone)
            right = _time_value(rhs, now, timezone)
            if left is None or right is None:
                return None
            return left + right if op is ast.BinaryOp.ADD else left - right
    return None


def _go_type(expr: ast.Expr) -> str:
    if isinstance(expr, ast.BinaryExpr):
        return "*influxql.BinaryExpr"
    return f"*influxql.{type(expr).__name__}"


_FLIP = {
    ast.BinaryOp.GT: ast.BinaryOp.LT, ast.BinaryOp.GTE: ast.BinaryOp.LTE,
    ast.BinaryOp.LT: ast.BinaryOp.GT, ast.BinaryOp.LTE: ast.BinaryOp.GTE,
    ast.BinaryOp.EQ: ast.BinaryOp.EQ, ast.BinaryOp.NEQ: ast.BinaryOp.NEQ,
    ast.BinaryOp.EQREGEX: ast.BinaryOp.EQREGEX, ast.BinaryOp.NEQREGEX: ast.BinaryOp.NEQREGEX,
}


def is_time_ref(expr: ast.Expr) -> bool:
    return isinstance(expr, ast.VarRef) and expr.name.lower() == "time"


def _comparison_range(op: ast.BinaryOp, value: int) -> TimeRange:
    if op is ast.BinaryOp.GT:
        return TimeRange(lower=value + 1)
    if op is ast.BinaryOp.GTE:
        return TimeRange(lower=value)
    if op is ast.BinaryOp.LT:
        return TimeRange(upper=value - 1)
    if op is ast.BinaryOp.LTE:
        return TimeRange(upper=value)
    if op is ast.BinaryOp.EQ:
        return TimeRange(value, value)
    raise TimeConditionError(f"invalid time comparison operator: {op.value}")


def split_condition(condition: ast.Expr | None, now: int,
                    timezone: str | None = None) -> tuple[ast.Expr | None, TimeRange]:
    """(the condition without its time comparisons, their combined time range)."""
    if condition is None:
        return None, TimeRange()
    return _split(condition, now, timezone)


def span_condition(lower: int | None, upper: int | None) -> ast.Expr | None:
    """`time >= lower AND time <= upper` (nanoseconds; an open side left out), or None."""
    bounds: list[ast.Expr] = []
    if lower is not None:
        bounds.append(ast.BinaryExpr(ast.BinaryOp.GTE, ast.VarRef("time"),
                                     ast.TimeLiteral(lower)))
    if upper is not None:
        bounds.append(ast.BinaryExpr(ast.BinaryOp.LTE, ast.VarRef("time"),
                                     ast.TimeLiteral(upper)))
    if len(bounds) == 2:
        return ast.BinaryExpr(ast.BinaryOp.AND, bounds[0], bounds[1])
    return bounds[0] if bounds else None


def _split(expr: ast.Expr, now: int, timezone: str | None) -> tuple[ast.Expr | None, TimeRange]:
    match expr:
        case ast.ParenExpr(inner):
            rest, span = _split(inner, now, timezone)
            return (ast.ParenExpr(rest) if rest is not None else None), span
        case ast.BinaryExpr(ast.BinaryOp.AND, lhs, rhs):
            left, left_span = _split(lhs, now, timezone)
            right, right_span = _split(rhs, now, timezone)
            if left is None:
                rest = right
            elif right is None:
                rest = left
            else:
                rest = ast.BinaryExpr(ast.BinaryOp.AND, left, right)
            return rest, left_span.intersect(right_span)
        case ast.BinaryExpr(ast.BinaryOp.OR, lhs, rhs):
            if not (_mentions_time(lhs) or _mentions_time(rhs)):
                return expr, TimeRange()
            # 1.6.7 takes time comparisons out of an OR as if they were AND-ed with the rest
            # (`a OR b AND time > x` reads only points after x), and a side left with nothing
            # but time drops out of the OR: `a AND time > x OR time = y` filters by `a`.
            left, left_span = _split(lhs, now, timezone)
            right, right_span = _split(rhs, now, timezone)
            rest = left if right is None else right if left is None else ast.BinaryExpr(
                ast.BinaryOp.OR, left, right)
            return rest, left_span.intersect(right_span)
        case ast.BinaryExpr(op, lhs, rhs) if is_time_ref(lhs) or is_time_ref(rhs):
            if op not in _FLIP:
                return expr, TimeRange()
            if not is_time_ref(lhs):
                op, lhs, rhs = _FLIP[op], rhs, lhs
            if op in (ast.BinaryOp.EQREGEX, ast.BinaryOp.NEQREGEX):
                raise TimeConditionError(
                    f"invalid operation: time and {_go_type(rhs)} are not compatible")
            return None, _comparison_range(op, evaluate_time(rhs, now, timezone))
    return expr, TimeRange()


def _mentions_time(expr: ast.Expr) -> bool:
    match expr:
        case ast.ParenExpr(inner):
            return _mentions_time(inner)
        case ast.BinaryExpr(op, lhs, rhs):
            if op in (ast.BinaryOp.AND, ast.BinaryOp.OR):
                return _mentions_time(lhs) or _mentions_time(rhs)
            return is_time_ref(lhs) or is_time_ref(rhs)
    return False


def utc_offset_ns(timezone: str, at_ns: int) -> int:
    """The zone's offset from UTC at an instant, in nanoseconds."""
    import datetime as dt

    instant = dt.datetime.fromtimestamp(at_ns // 1_000_000_000, ZoneInfo(timezone))
    offset = instant.utcoffset()
    return int(offset.total_seconds()) * 1_000_000_000 if offset else 0


def fix_now(expr: ast.Expr, now: int) -> ast.Expr:
    """`expr` with every `now()` written as the time `now`, for a statement run later that
    must mean what it meant when it was sent (a DELETE queued for a mirror)."""
    match expr:
        case ast.Call("now", ()):
            return ast.TimeLiteral(now)
        case ast.Call(name, args):
            return ast.Call(name, tuple(fix_now(arg, now) for arg in args))
        case ast.BinaryExpr(op, lhs, rhs):
            return ast.BinaryExpr(op, fix_now(lhs, now), fix_now(rhs, now))
        case ast.ParenExpr(inner):
            return ast.ParenExpr(fix_now(inner, now))
    return expr
