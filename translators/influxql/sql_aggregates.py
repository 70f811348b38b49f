"""InfluxQL's aggregates that DuckDB computes (count, sum, mean, median, spread, stddev and
the selectors first, last, min and max), each as one sqlglot aggregate expression over the
rows `storage.build_query` reads, with 1.x's ties, NaN handling and integer wrap-around.
A selector answers a struct of its point: time `t`, value `v` and the companions read beside it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from translators.lineprotocol import FieldType

from . import int64
from .iterators import NUMBERS_ONLY
from .schema import MeasurementSchema
from .select_plan import Prim, read_type
from .sqlnames import SERIES, TIME, call, cast, col, ident

# Aggregates computed by DuckDB; the rest are computed in Python from point lists.
SQL_AGGREGATES = frozenset({
    "count", "sum", "mean", "median", "spread", "stddev", "first", "last", "min", "max",
})


def sql_aggregate(prim: Prim, value: exp.Expression, schema: MeasurementSchema,
                  grouped: bool = False, selector: bool = True,
                  companions: list[tuple[str, exp.Expression]] | None = None,
                  one_stream: bool = False, descending: bool = False) -> exp.Expression:
    """One SQL aggregate. first, last, min and max as the lone selector answer a struct of
    the selected point: time `t`, value `v` and the `companions` read beside it.
    `one_stream`: the rows are a subquery's, which 1.x reads as one series (`int64.py`);
    `descending`: 1.x reads them newest first (ORDER BY time DESC)."""
    func = prim.func
    ftype = read_type(schema, prim)
    if one_stream and ftype is FieldType.FLOAT and func in ("min", "max", "stddev"):
        # a subquery's NaN (stddev() of one point) is a point 1.x's stddev skips and its
        # min/max never pick, unless it is the first point read (`_nan_first`)
        raw = value
        value = exp.Case(ifs=[exp.If(this=exp.func("isnan", value), true=exp.null())],
                         default=value.copy())
        if func in ("min", "max"):
            return _nan_first(sql_aggregate(prim, value, schema, grouped, selector,
                                            companions), raw, selector, descending,
                              prim_key=lambda v: _min_max_key(func, v, ftype, companions))
    if func == "count":  # (a field the measurement lacks is the caller's: `storage.absent`)
        return exp.Count(this=exp.Distinct(expressions=[value]) if prim.distinct else value)
    if func in NUMBERS_ONLY and ftype is None:
        return cast(exp.null(), "DOUBLE")  # a field this measurement lacks
    if func == "sum":
        if ftype is FieldType.INTEGER:  # 1.x's integer sum wraps around int64
            return int64.wrapped(exp.Sum(this=value))
        return exp.Sum(this=_newest_first(value) if descending else value)
    if func == "mean":
        if ftype is FieldType.INTEGER:
            return int64.mean(value, one_stream)
        value = cast(value, "DOUBLE")
        return exp.Avg(this=_newest_first(value) if descending else value)
    if func == "median":
        return call("quantile_cont", cast(value, "DOUBLE"), exp.Literal.number(0.5))
    if func == "spread":
        return exp.Sub(this=exp.Max(this=value), expression=exp.Min(this=value))
    if func == "stddev":
        # 1.x's stddev of one point is NaN: a value fill() leaves and transformations carry
        # on (cumulative_sum stays NaN), answered as null (`cursor.nan_as_null`)
        one = exp.EQ(this=exp.Count(this=value.copy()), expression=exp.Literal.number(1))
        return exp.Case(ifs=[exp.If(this=one, true=cast(exp.Literal.string("NaN"), "DOUBLE"))],
                        default=call("stddev_samp", cast(value, "DOUBLE")))
    # Ties go as 1.x breaks them. first/last: without any GROUP BY, 1.x reads series in
    # order and keeps the first series' point; grouped, or over a subquery's rows (one
    # stream), its reducer keeps the larger value (of booleans, first() false, last() true).
    if func in ("min", "max") and not selector:
        return (exp.Min if func == "min" else exp.Max)(this=value)  # bucket time answers
    time = col(TIME)
    order = col(SERIES)
    point = [("t", time), ("v", value), *(companions or [])]
    present = exp.Where(this=not_null(value.copy()))
    if func in ("first", "last") and (grouped or one_stream):
        # the largest key wins: the earliest (latest) time, then the larger value
        edge = exp.Neg(this=time.copy()) if func == "first" else time.copy()
        larger = exp.Not(this=value.copy()) if (
            func == "first" and ftype is FieldType.BOOLEAN) else value.copy()
        return exp.Filter(this=exp.Max(this=struct(("k", edge), ("s", larger), *point)),
                          expression=present)
    if func == "first":
        key = struct(("k", time), ("s", order), *point)
    elif func == "last":
        key = struct(("k", exp.Neg(this=time)), ("s", order), *point)
    else:
        key = _min_max_key(func, value, ftype, companions)
    return exp.Filter(this=exp.Min(this=key), expression=present)


def _min_max_key(func: str, value: exp.Expression, ftype: FieldType | None,
                 companions: list[tuple[str, exp.Expression]] | None) -> exp.Struct:
    """min/max's point as the struct whose least answers it: the value (negated for max),
    then the earliest time, then the series' order."""
    point = [("t", col(TIME)), ("v", value), *(companions or [])]
    lead = value.copy() if func == "min" else _negated(value.copy(), ftype)
    return struct(("k", lead), ("k2", col(TIME)), ("s", col(SERIES)), *point)


def _nan_first(picked: exp.Expression, raw: exp.Expression, selector: bool, descending: bool,
               prim_key: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """1.x's min/max reducer keeps the first point it reads and replaces it only by a
    smaller (larger) one: a NaN read first is never replaced, so it answers NaN (null), at
    its own time as a selector. `picked`: the answer without NaN; `raw`: the values with
    their NaN; the first read is the earliest, or the newest under ORDER BY time DESC."""
    read = exp.Neg(this=col(TIME)) if descending else col(TIME)
    present = exp.Where(this=not_null(raw.copy()))
    first = exp.Filter(this=exp.ArgMin(this=raw.copy(), expression=read.copy()),
                       expression=present)
    answer = first.copy()
    if selector:
        answer = exp.Filter(this=exp.ArgMin(this=prim_key(raw.copy()), expression=read),
                            expression=present.copy())
    return exp.Case(ifs=[exp.If(this=exp.func("isnan", first), true=answer)], default=picked)


def _negated(value: exp.Expression, ftype: FieldType | None) -> exp.Expression:
    if ftype is FieldType.FLOAT:
        return exp.Neg(this=value)
    if ftype is FieldType.BOOLEAN:
        return exp.Neg(this=cast(value, "INT"))
    if ftype in (FieldType.INTEGER, FieldType.UNSIGNED):
        return exp.Neg(this=cast(value, "INT128"))
    return value  # strings: 1.x has no max for them; any order will do


def struct(*items: tuple[str, exp.Expression]) -> exp.Struct:
    return exp.Struct(expressions=[exp.PropertyEQ(this=ident(k), expression=v) for k, v in items])


def not_null(value: exp.Expression) -> exp.Expression:
    """`NOT value IS NULL` around `value` itself (sqlglot's `.is_()` copies it): for a node
    built for this place only."""
    return exp.Not(this=exp.Is(this=value, expression=exp.Null()))


def _newest_first(value: exp.Expression) -> exp.Expression:
    """An aggregate's argument read newest first: under ORDER BY time DESC 1.x adds a float
    series' points in that order, which decides the last bits (and so floor(sum(x)))."""
    return exp.Order(this=value, expressions=[exp.Ordered(this=col(TIME), desc=True)])
