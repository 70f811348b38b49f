"""The row limit on gap filling: a SELECT whose buckets times groups would pass it stops first.

Gap filling makes a row for every bucket between the WHERE clause's time bounds in every group,
so a wide range with a small stride would fill for as long as the query timeout lets it. The
end of the bucket series is guarded instead: the bucket count, from the bounds and the stride,
times the number of groups is compared with the limit, and over it DuckDB's error() stops the
query, with words naming the limit, before the first bucket is made.
"""

from __future__ import annotations

from sqlglot import exp

from .datafusion import interval
from .intervals import epoch_nanos  # strides may be under a microsecond

# The start of the error a gap-filling SELECT over the row limit stops with, and the mark on
# the error() call that raises it.
LIMIT_WORDS = "gap filling would produce "
GUARD = "gapfill_guard"


def guarded_end(start: exp.Expression, end: exp.Expression, stride: exp.Expression,
                 groups: exp.Expression, limit: int) -> exp.Expression:
    """`end`, or an error (DuckDB's error()) when buckets times groups exceed `limit`."""
    epoch = exp.Cast(this=exp.Literal.string("1970-01-01"), to=exp.DataType.build("TIMESTAMP"))
    step = epoch_nanos(exp.Add(this=epoch, expression=interval(stride.copy())))
    span = exp.Sub(this=epoch_nanos(end.copy()), expression=epoch_nanos(start.copy()))
    buckets = exp.Add(this=exp.IntDiv(this=exp.paren(span), expression=step),
                      expression=exp.Literal.number(1))
    rows = exp.Mul(this=exp.Cast(this=groups, to=exp.DataType.build("HUGEINT")),
                   expression=exp.paren(buckets))
    words = exp.Concat(expressions=[
        exp.Literal.string(LIMIT_WORDS), exp.Cast(this=rows.copy(), to=exp.DataType.build(
            "VARCHAR")),
        exp.Literal.string(f" rows (buckets times groups), more than query.max_rows ({limit});"
                           " narrow the time range or widen the stride")])
    return refused_over(rows, limit, words, end)


def refused_over(size: exp.Expression, limit: int, words: exp.Expression,
                 value: exp.Expression) -> exp.Expression:
    """`value`, or DuckDB's error() with `words` when `size` passes `limit` (the guards'
    shared shape: gap filling here, values' sizes in size_guards)."""
    refuse = exp.Anonymous(this="error", expressions=[words])
    refuse.meta[GUARD] = True  # built here, not asked for: let through the function check
    return exp.Case(ifs=[exp.If(this=exp.GT(this=size, expression=exp.Literal.number(limit)),
                                true=refuse)], default=value)
