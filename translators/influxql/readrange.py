"""The time range a SELECT asks for, the ranges its calls span and read (buckets more for the
transformations that look back), and the conditions on the stored `time` column for them."""

from __future__ import annotations

from sqlglot import exp

from .select_plan import SelectPlan
from .sqlnames import STORED_TIME, call, col
from .timerange import MAX_TIME, MIN_TIME, TimeRange


def time_bounds(plan: SelectPlan, now: int) -> tuple[int, int]:
    return span_bounds(plan.time_range, plan.interval is not None, now)


def span_bounds(span: TimeRange, by_time: bool, now: int) -> tuple[int, int]:
    """A range's first and last nanosecond; 1.x ends GROUP BY time queries (`by_time`) at
    now() unless told otherwise."""
    return span.min, now if by_time and span.upper is None else span.max


def moved_bounds(plan: SelectPlan, lower: int, upper: int,
                 buckets: int | None = None) -> tuple[int, int]:
    """The time range a call's iterators span for an asked one: 1.x moves its start back a
    bucket (its end, under ORDER BY time DESC) for each transformation that looks back, such
    as derivative(), on the way from the call to the output, and fills from there.
    `buckets`: for a call moved that many (default: the most any call is)."""
    buckets = plan.extra_buckets if buckets is None else buckets
    if plan.interval is None or not buckets:
        return lower, upper
    if plan.descending:
        return lower, min(upper + plan.interval * buckets, MAX_TIME)
    if plan.time_range.lower is None:
        return lower, upper
    return max(lower - plan.interval * buckets, MIN_TIME), upper


def read_bounds(plan: SelectPlan, lower: int, upper: int,
                buckets: int | None = None) -> tuple[int, int]:
    """The time range whose points a call reads (`moved_bounds`), cut to the shards 1.x maps:
    the range with the statement's largest window or period beyond it (`mapped_buckets`), so
    `difference(difference(mean(x)))` reads one bucket back but fills two."""
    buckets = plan.extra_buckets if buckets is None else buckets
    return moved_bounds(plan, lower, upper, min(buckets, plan.mapped_buckets))


def mapped_bounds(plan: SelectPlan, now: int) -> tuple[int, int]:
    """The time range whose shard groups 1.x maps for a statement: its own with the largest
    window or period beyond it (`mapped_buckets`), as its index is read there: an inverted
    range ending just before a shard group's start still reaches that group under ORDER BY
    time DESC when a transformation maps a bucket after it."""
    return moved_bounds(plan, *time_bounds(plan, now), plan.mapped_buckets)


def stored_time_within(lower: int, upper: int) -> list[exp.Expression]:
    """Conditions keeping stored rows with lower <= time <= upper (none for an open end)."""
    if lower > MAX_TIME or upper < MIN_TIME:  # `time > 9223372036854775806`: nothing, not
        return [exp.false()]  # a timestamp past DuckDB's range (a storage error)
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
