"""Rewrite InfluxDB 3's own SQL functions (DataFusion's and IOx's) into DuckDB equivalents.

Each rewrite is a pure `exp -> exp` step over the parsed query. Functions DuckDB has under
the same name and meaning pass through untouched; functions with no faithful DuckDB
equivalent are refused by name, so the caller gets a clear 400 instead of an engine error.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from . import intervals
from .text_times import checked_nanos, nanos_literal


class Unsupported(ValueError):
    """A construct of InfluxDB 3's dialect that the native store cannot answer."""


# DataFusion's default date_bin origin is the Unix epoch; DuckDB's time_bucket would use
# 2000-01-03 for day and week strides and 2000-01-01 for months.
_EPOCH = "1970-01-01 00:00:00"

# date_bin_gapfill, locf and interpolate are built by gapfill.py, and tz(), AT TIME ZONE,
# date_bin_wallclock and to_local_time by zones.py, before these rewrites run.
_UNSUPPORTED = {
    "approx_percentile_cont_with_weight": "approx_percentile_cont_with_weight is not "
                                          "supported on the native store",
}

# DuckDB's typeof() names mapped to Arrow's, as DataFusion's arrow_typeof() prints them.
_ARROW_TYPES = {
    "DOUBLE": "Float64", "FLOAT": "Float32", "BIGINT": "Int64", "INTEGER": "Int32",
    "SMALLINT": "Int16", "TINYINT": "Int8", "UBIGINT": "UInt64", "UINTEGER": "UInt32",
    "VARCHAR": "Utf8", "BOOLEAN": "Boolean", "TIMESTAMP_NS": "Timestamp(Nanosecond, None)",
    "TIMESTAMP": "Timestamp(Microsecond, None)", "TIMESTAMP_MS": "Timestamp(Millisecond, None)",
    "TIMESTAMP_S": "Timestamp(Second, None)", "DATE": "Date32", "BLOB": "Binary",
    "INTERVAL": "Interval(MonthDayNano)", "\"NULL\"": "Null", "NULL": "Null",
}


def rewrite_functions(tree: exp.Expression) -> exp.Expression:
    """`tree` with InfluxDB 3 functions replaced by DuckDB ones (raises Unsupported)."""
    try:
        tree = intervals.rewrite_arithmetic(tree)
    except intervals.OutOfRange as exc:
        raise Unsupported(str(exc)) from None
    # children first, so a rewritten function's arguments are rewritten too
    for node in reversed(list(tree.walk())):
        new = _rewrite(node)
        if new is not node:
            if node is tree:
                tree = new
                break
            node.replace(new)
    try:
        intervals.write_intervals(tree)
    except ValueError as exc:  # DataFusion holds it; DuckDB's intervals stop at microseconds
        raise Unsupported(f"the interval {exc} is finer than a microsecond: the native store "
                          "takes such intervals only as a date_bin stride or added to or "
                          "taken from a time") from None
    return tree


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.DateBin):
        return _date_bin(node)
    if isinstance(node, exp.FirstValue | exp.LastValue) and not _in_window(node):
        return _first_last(node)
    if isinstance(node, exp.CurrentTimestamp):
        return _now()
    if isinstance(node, exp.UnixToTime):
        return _to_timestamp_seconds([node.this], "to_timestamp")
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        if name in _UNSUPPORTED:
            raise Unsupported(_UNSUPPORTED[name])
        rewrite = _ANONYMOUS.get(name)
        if rewrite is not None:
            return rewrite(node.expressions, name)
    return node


def _now() -> exp.Expression:
    # DuckDB's now() carries a time zone and will not compare with the stored naive UTC
    # times; InfluxDB 3's now() is a UTC timestamp like `time`.
    return exp.AtTimeZone(this=exp.CurrentTimestamp(), zone=exp.Literal.string("UTC"))


def utc_timestamp(value: exp.Expression) -> exp.Expression:
    """An origin or time given as text (with or without an offset) as a naive UTC TIMESTAMP
    (raises UnreadableTime for text that Arrow's parser refuses, as DataFusion does)."""
    if isinstance(value, exp.Cast) and value.this.is_string:
        value = value.this  # TIMESTAMP '...' is read by the same parser
    if value.is_string:  # text Arrow's parser refuses fails the query in Arrow's words
        return nanos_literal(checked_nanos(value.name))
    # to the nanosecond, as DataFusion's timestamps are (a TIMESTAMP stops at microseconds)
    return exp.Cast(this=value, to=exp.DataType(this=exp.DataType.Type.TIMESTAMP_NS))


def nanosecond_casts(tree: exp.Expression) -> exp.Expression:
    """`tree` with every cast to TIMESTAMP (`x::timestamp`, `TIMESTAMP '...'`) made to the
    nanosecond, as DataFusion's Timestamp(Nanosecond, None) is (DuckDB's stops at micros)."""
    for node in list(tree.find_all(exp.Cast)):
        if not node.to.is_type(exp.DataType.Type.TIMESTAMP) or node.to.expressions:
            continue
        if node.this.is_string:
            node.replace(utc_timestamp(node.this))
        else:
            node.set("to", exp.DataType(this=exp.DataType.Type.TIMESTAMP_NS))
    return tree


def interval(value: exp.Expression) -> exp.Expression:
    if value.is_string:  # date_bin('15 minutes', time) is accepted as well
        return exp.Cast(this=value, to=exp.DataType.build("INTERVAL"))
    return value


def _date_bin(node: exp.DateBin) -> exp.Expression:
    origin = node.args.get("origin")
    start = utc_timestamp(origin) if origin is not None else \
        exp.Cast(this=exp.Literal.string(_EPOCH), to=exp.DataType.build("TIMESTAMP"))
    source = node.expression
    if source.is_string:
        source = utc_timestamp(source)
    span = intervals.span_of(node.this)
    if span is not None and span.fixed:
        if span.total_nanos == 0:
            raise Unsupported("Execution error: DATE_BIN stride must be non-zero")
        if abs(span.total_nanos) >= 2**63:  # DataFusion counts the stride in an Int64
            raise Unsupported("Execution error: DATE_BIN stride argument is too large")
        # to the nanosecond, as DataFusion bins (DuckDB's time_bucket stops at microseconds)
        return intervals.bin_nanos(span.total_nanos, source, start)
    if span is not None and (span.days or span.nanos):
        raise Unsupported("This feature is not implemented: DATE_BIN stride does not support "
                          "combination of month, day and nanosecond intervals")
    if span is not None:  # DuckDB's time_bucket ignores the origin's day and time of day
        return intervals.bin_months(span.months, source, start)
    return exp.Anonymous(this="time_bucket", expressions=[
        interval(node.this), source, start])


def _in_window(node: exp.Expression) -> bool:
    parent = node.parent
    if isinstance(parent, exp.IgnoreNulls | exp.RespectNulls):
        parent = parent.parent
    return isinstance(parent, exp.Window)


def _first_last(node: exp.FirstValue | exp.LastValue) -> exp.Expression:
    """first_value(x ORDER BY t) used as an aggregate, as DataFusion allows. DuckDB's last
    takes no IGNORE NULLS (it would be dropped, and the last row's NULL answered), so
    last_value(x ORDER BY t) IGNORE NULLS is first over the reversed order."""
    if isinstance(node, exp.LastValue) and isinstance(node.parent, exp.IgnoreNulls):
        this = node.this.copy()
        if isinstance(this, exp.Order):
            for key in this.expressions:
                key.set("desc", not key.args.get("desc"))
                key.set("nulls_first", not key.args.get("nulls_first"))
        return exp.First(this=this)
    cls = exp.First if isinstance(node, exp.FirstValue) else exp.Last
    return cls(this=node.this)


def _arguments(args: list[exp.Expression], name: str, count: int | tuple[int, ...]) -> None:
    counts = (count,) if isinstance(count, int) else count
    if len(args) not in counts:
        raise Unsupported(f"{name}() takes {' or '.join(map(str, counts))} arguments")


def _selector(args: list[exp.Expression], name: str) -> exp.Expression:
    """IOx's selector_first/last/min/max(value, time): the struct {value, time} of the
    selected row, rows with a null value skipped; min and max break ties by earliest time."""
    _arguments(args, name, 2)
    value, time = args
    key = {
        "selector_first": [exp.Ordered(this=time.copy())],
        "selector_last": [exp.Ordered(this=time.copy(), desc=True)],
        "selector_min": [exp.Ordered(this=value.copy()), exp.Ordered(this=time.copy())],
        "selector_max": [exp.Ordered(this=value.copy(), desc=True),
                         exp.Ordered(this=time.copy())],
    }[name]
    pair = exp.Struct(expressions=[
        exp.PropertyEQ(this=exp.to_identifier("value"), expression=value.copy()),
        exp.PropertyEQ(this=exp.to_identifier("time"), expression=time.copy()),
    ])
    first = exp.First(this=exp.Order(this=pair, expressions=key))
    present = exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
    return exp.Filter(this=first, expression=exp.Where(this=present))


def _unix(target: str) -> Callable[..., exp.Expression]:
    """to_timestamp_<unit>(integer): DuckDB has one constructor per unit."""
    def rewrite(args: list[exp.Expression], name: str) -> exp.Expression:
        _arguments(args, name, 1)
        (value,) = args
        if value.is_string:
            return utc_timestamp(value)
        return exp.Anonymous(this=target, expressions=[value])
    return rewrite


def _to_timestamp_seconds(args: list[exp.Expression], name: str) -> exp.Expression:
    _arguments(args, name, 1)
    (value,) = args
    if value.is_string:
        return utc_timestamp(value)
    # DataFusion reads numbers as seconds since the epoch, fractions kept, into nanoseconds
    exact = exp.Cast(this=value, to=exp.DataType.build("DECIMAL(38, 9)"))
    nanos = exp.Mul(this=exact, expression=exp.Literal.number(1_000_000_000))
    return intervals.from_nanos(exp.Cast(this=nanos, to=exp.DataType.build("BIGINT")))


def _arrow_typeof(args: list[exp.Expression], name: str) -> exp.Expression:
    _arguments(args, name, 1)
    kind = exp.Anonymous(this="typeof", expressions=args)
    case = exp.Case(this=kind)
    for duck, arrow in _ARROW_TYPES.items():
        case = case.when(exp.Literal.string(duck.strip('"')), exp.Literal.string(arrow))
    return case.else_(kind)


def _approx_percentile(args: list[exp.Expression], name: str) -> exp.Expression:
    _arguments(args, name, (2, 3))  # the third argument (centroids) only tunes accuracy
    return exp.Anonymous(this="approx_quantile", expressions=args[:2])


def _approx_median(args: list[exp.Expression], name: str) -> exp.Expression:
    _arguments(args, name, 1)
    return exp.Anonymous(this="approx_quantile", expressions=[*args, exp.Literal.number(0.5)])


_ANONYMOUS: dict[str, Callable[..., exp.Expression]] = {
    "selector_first": _selector,
    "selector_last": _selector,
    "selector_min": _selector,
    "selector_max": _selector,
    "approx_percentile_cont": _approx_percentile,
    "approx_median": _approx_median,
    "arrow_typeof": _arrow_typeof,
    "to_timestamp_seconds": _to_timestamp_seconds,
    "to_timestamp_millis": _unix("epoch_ms"),
    "to_timestamp_micros": _unix("make_timestamp"),
    "to_timestamp_nanos": _unix("make_timestamp_ns"),
    "from_unixtime": _to_timestamp_seconds,
}
