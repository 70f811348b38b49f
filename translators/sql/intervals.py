"""Intervals as DataFusion reads them, and time arithmetic kept to the nanosecond in DuckDB.

DataFusion's intervals are (months, days, nanoseconds) and its unit words are PostgreSQL's plus
`nanosecond`; DuckDB's intervals stop at the microsecond and know fewer words (`INTERVAL '2
nanoseconds'` is an error there, and `INTERVAL '2' NANOSECONDS` reads as two seconds named
NANOSECONDS). So a literal interval is read here: a fixed one (no months) added to or taken
from a time becomes integer arithmetic on epoch nanoseconds, date_bin with a fixed stride bins
those nanoseconds as DataFusion does, and any other interval is written in words DuckDB reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlglot import exp

NS_PER_DAY = 86_400_000_000_000
_INT64 = 2**63  # nanosecond times and fixed strides are Int64 counts, in DataFusion and here


class OutOfRange(ValueError):
    """A fixed interval longer than any two nanosecond times are apart."""
# arrow-cast's unit words (IntervalUnit::from_str), in nanoseconds, days or months
_NANOS = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3_600_000_000_000),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60_000_000_000),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1_000_000_000),
    **dict.fromkeys(("ms", "msec", "msecs", "msecond", "mseconds", "millisecond",
                     "milliseconds"), 1_000_000),
    **dict.fromkeys(("us", "usec", "usecs", "usecond", "useconds", "microsecond",
                     "microseconds"), 1_000),
    **dict.fromkeys(("nanosecond", "nanoseconds"), 1),
}
_DAYS = {**dict.fromkeys(("w", "week", "weeks"), 7), **dict.fromkeys(("d", "day", "days"), 1)}
_MONTHS = {
    **dict.fromkeys(("c", "cent", "cents", "century", "centuries"), 1200),
    **dict.fromkeys(("dec", "decs", "decade", "decades"), 120),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), 12),
    **dict.fromkeys(("mon", "mons", "month", "months"), 1),
}
_PART = re.compile(r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-zA-Z]+)\s*")


@dataclass(frozen=True, slots=True)
class Span:
    """A DataFusion interval: months, days and nanoseconds, each signed."""

    months: int
    days: int
    nanos: int

    @property
    def fixed(self) -> bool:
        """No months: DataFusion adds days to a time without a zone as 24 hours."""
        return self.months == 0

    @property
    def total_nanos(self) -> int:
        return self.days * NS_PER_DAY + self.nanos


def parse_span(text: str) -> Span | None:
    """`text` ('1 minute 30 seconds', '2 ns'...) as DataFusion reads it, or None when it is
    not a list of amounts and unit words (left to DuckDB, which reads other forms)."""
    months, days, nanos = Decimal(0), Decimal(0), Decimal(0)
    pos, text = 0, text.strip()
    if not text:
        return None
    while pos < len(text):
        match = _PART.match(text, pos)
        if match is None:
            return None
        try:
            amount = Decimal(match[1])
        except InvalidOperation:
            return None
        unit = match[2].lower()
        if unit in _NANOS:
            nanos += amount * _NANOS[unit]
        elif unit in _DAYS:
            whole = int(amount * _DAYS[unit])  # a fraction of a day spills into nanoseconds
            days += whole
            nanos += (amount * _DAYS[unit] - whole) * NS_PER_DAY
        elif unit in _MONTHS:
            whole = int(amount * _MONTHS[unit])  # and of a month into 30-day days
            months += whole
            rest = (amount * _MONTHS[unit] - whole) * 30 if unit in ("mon", "mons", "month",
                                                                     "months") else 0
            days += int(rest)
            nanos += (rest - int(rest)) * NS_PER_DAY
        else:
            return None
        pos = match.end()
    return Span(int(months), int(days), int(nanos))


def span_of(node: exp.Expression) -> Span | None:
    """The interval a literal stands for (INTERVAL '...', '...' as a date_bin stride, or a
    cast of text to INTERVAL), or None when `node` is not one."""
    if isinstance(node, exp.Interval):
        value = node.this
        if not isinstance(value, exp.Literal):
            return None
        text = value.name if node.unit is None else f"{value.name} {node.unit.name}"
        return parse_span(text)
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.INTERVAL):
        node = node.this
    if isinstance(node, exp.Literal) and node.is_string:
        return parse_span(node.name)
    return None


def duckdb_interval(span: Span) -> exp.Interval:
    """`span` in words DuckDB reads; raises ValueError below a microsecond."""
    micros, rest = divmod(span.nanos, 1_000)
    if rest:
        raise ValueError("sub-microsecond interval")
    return exp.Interval(this=exp.Literal.string(
        f"{span.months} months {span.days} days {micros} microseconds"))


def epoch_nanos(value: exp.Expression) -> exp.Expression:
    """Nanoseconds since the epoch of a time."""
    return exp.Anonymous(this="epoch_ns", expressions=[value])


def from_nanos(nanos: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="make_timestamp_ns", expressions=[nanos])


def bin_nanos(stride: int, source: exp.Expression, origin: exp.Expression) -> exp.Expression:
    """DataFusion's date_bin with a fixed stride: the start of the bin of `source`, counted
    in strides from `origin` (times), rounding down before the origin too."""
    time = epoch_nanos(source)
    offset = exp.paren(exp.Sub(this=time.copy(), expression=epoch_nanos(origin)))
    size = exp.Literal.number(stride)
    # DuckDB's % takes the dividend's sign, as Rust's does: x % s is x's distance into its bin
    # after the origin; before it, s is added (never added first: s near 2**63 overflows)
    rest = exp.paren(exp.Mod(this=offset, expression=size))
    into: exp.Expression = rest
    if stride > 1:  # DataFusion rounds down before the origin only for a positive stride
        into = exp.Case(ifs=[exp.If(
            this=exp.LT(this=rest.copy(), expression=exp.Literal.number(0)),
            true=exp.Add(this=rest.copy(), expression=size.copy()))], default=rest.copy())
    return from_nanos(exp.Sub(this=time, expression=exp.paren(into)))


def _below_micros(nanos: exp.Expression) -> exp.Expression:
    """The nanoseconds of `nanos` past its microsecond, 0 to 999, before the epoch too."""
    size = exp.Literal.number(1_000)
    return exp.paren(exp.Mod(this=exp.paren(exp.Add(this=exp.paren(exp.Mod(
        this=exp.paren(nanos), expression=size)), expression=size.copy())),
        expression=size.copy()))


def _micros(nanos: exp.Expression) -> exp.Expression:
    """A TIMESTAMP (microseconds) of a count of nanoseconds that is a whole microsecond."""
    return exp.Anonymous(this="make_timestamp", expressions=[
        exp.IntDiv(this=exp.paren(nanos), expression=exp.Literal.number(1_000))])


def bin_months(months: int, source: exp.Expression, origin: exp.Expression) -> exp.Expression:
    """DataFusion's date_bin with a stride of months: the origin moved by a multiple of the
    stride in calendar months (counted from the two times' years and months), one stride
    back when that passes `source`, to the nanosecond. The month arithmetic runs on
    microseconds (DuckDB's), on times moved back by the origin's nanoseconds past its
    microsecond: every bin edge is then a whole microsecond, so a time floored to its
    microsecond stays in its bin; the bin's start is moved forward again."""
    shift = _below_micros(epoch_nanos(origin.copy()))
    start = _micros(exp.Sub(this=epoch_nanos(origin), expression=shift))
    moved = exp.Sub(this=epoch_nanos(source), expression=shift.copy())
    time = _micros(exp.Sub(this=moved, expression=_below_micros(moved.copy())))

    def field(part: type[exp.Func], value: exp.Expression) -> exp.Expression:
        return part(this=value.copy())

    years = exp.Sub(this=field(exp.Year, time), expression=field(exp.Year, start))
    diff = exp.paren(exp.Sub(this=exp.Add(
        this=exp.Mul(this=exp.paren(years), expression=exp.Literal.number(12)),
        expression=field(exp.Month, time)), expression=field(exp.Month, start)))
    stride = exp.Literal.number(months)
    # rounded down to a multiple of the stride, before the origin too
    delta = exp.Sub(this=diff, expression=exp.paren(exp.Mod(this=exp.paren(exp.Add(
        this=exp.paren(exp.Mod(this=diff.copy(), expression=stride)),
        expression=stride.copy())), expression=stride.copy())))

    def after(count: exp.Expression) -> exp.Expression:
        step = exp.Interval(this=exp.paren(exp.Cast(
            this=count, to=exp.DataType.build("INTEGER"))), unit=exp.Var(this="MONTH"))
        return exp.Add(this=start.copy(), expression=step)

    edge = after(delta)
    earlier = after(exp.Sub(this=delta.copy(), expression=stride.copy()))
    bin_start = exp.Case(ifs=[exp.If(this=exp.GT(this=edge.copy(), expression=time.copy()),
                                     true=earlier)], default=edge)
    return from_nanos(exp.Add(this=epoch_nanos(bin_start), expression=shift.copy()))


def _is_interval(node: exp.Expression) -> bool:
    return isinstance(node, exp.Interval) or (
        isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.INTERVAL))


def shift_parts(node: exp.Expression) -> tuple[exp.Expression, exp.Expression] | None:
    """The value and the interval of `value ± interval` (or `interval + value`), or None when
    `node` is not such a sum."""
    if not isinstance(node, exp.Add | exp.Sub):
        return None
    left, right = node.this, node.expression
    if _is_interval(left) and isinstance(node, exp.Add):
        left, right = right, left
    if not _is_interval(right) or _is_interval(left):
        return None
    return left, right


def _shifted(node: exp.Add | exp.Sub) -> exp.Expression | None:
    """time ± a fixed interval as nanosecond arithmetic, or None to leave `node` alone."""
    parts = shift_parts(node)
    if parts is None:
        return None
    left, right = parts
    span = span_of(right)
    if span is None or not span.fixed or isinstance(left, exp.Literal):
        return None
    if abs(span.total_nanos) >= _INT64:  # DuckDB would read the count as a DOUBLE
        raise OutOfRange(f"the interval '{_written(right)}' is out of range: a time moved by it is "
                         "past what a nanosecond timestamp holds (1677-09-21 to 2262-04-11)")
    op = exp.Add if isinstance(node, exp.Add) else exp.Sub
    return from_nanos(op(this=epoch_nanos(left), expression=exp.Literal.number(
        span.total_nanos)))


def rewrite_arithmetic(tree: exp.Expression) -> exp.Expression:
    """`tree` with every time ± fixed literal interval computed on epoch nanoseconds."""
    for node in reversed(list(tree.find_all(exp.Add, exp.Sub))):  # inner sums first
        new = _shifted(node)
        if new is not None:
            if node is tree:
                return new
            node.replace(new)
    return tree


def write_intervals(tree: exp.Expression) -> None:
    """Write every remaining literal interval in DuckDB's words; raises ValueError (with
    the interval's text) for one below a microsecond, which DuckDB cannot hold."""
    for node in list(tree.find_all(exp.Interval)):
        span = span_of(node)
        if span is None:
            continue
        try:
            node.replace(duckdb_interval(span))
        except ValueError:
            raise ValueError(f"'{_written(node)}'") from None


def _written(node: exp.Expression) -> str:
    """A literal interval's text as the user wrote it (sqlglot splits off a unit word)."""
    if isinstance(node, exp.Cast):
        node = node.this
    if isinstance(node, exp.Interval) and node.unit is not None:
        return f"{node.this.name} {node.unit.name}".lower()
    return node.name.lower()
