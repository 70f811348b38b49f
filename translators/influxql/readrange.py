"""The time range a SELECT asks for and the range it reads (one bucket more for the
transformations that look back), and the conditions on the stored `time` column for them."""

from __future__ import annotations

from sqlglot import exp

from .select_plan import SelectPlan
from .sqlnames import STORED_TIME, call, col
from .timerange import MAX_TIME, MIN_TIME


def time_bounds(plan: SelectPlan, now: int) -> tuple[int, int]:
    lower = plan.time_range.min
    upper = plan.time_range.max
    if plan.interval is not None and plan.time_range.upper is None:
        upper = now  # 1.x ends GROUP BY time queries at now() unless told otherwise
    return lower, upper


def read_bounds(plan: SelectPlan, lower: int, upper: int) -> tuple[int, int]:
    """The time range read for an asked one: 1.x reads one more bucket before it (after it,
    under ORDER BY time DESC) for transformations that look back, such as derivative()."""
    if plan.interval is None or not plan.extra_bucket:
        return lower, upper
    if plan.descending:
        return lower, min(upper + plan.interval, MAX_TIME)
    if plan.time_range.lower is None:
        return lower, upper
    return max(lower - plan.interval, MIN_TIME), upper


def stored_time_within(lower: int, upper: int) -> list[exp.Expression]:
    """Conditions keeping stored rows with lower <= time <= upper (none for an open end)."""
    parts: list[exp.Expression] = []
    if lower > MIN_TIME:
        parts.append(exp.GTE(this=col(STORED_TIME), expression=timestamp_literal(lower)))
    if upper < MAX_TIME:
        parts.append(exp.LTE(this=col(STORED_TIME), expression=timestamp_literal(upper)))
    return parts


def timestamp_literal(ns: int) -> exp.Expression:
    """A TIMESTAMP_NS constant, to compare the stored `time` column with."""
    # DuckDB reads an integer literal as INTEGER or BIGINT by its size, and widens it to the
    # one BIGINT argument make_timestamp_ns takes (a CAST here costs sqlglot more than DuckDB)
    return call("make_timestamp_ns", exp.Literal.number(ns))
