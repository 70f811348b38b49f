"""InfluxDB 1.x's integer sums, which wrap around int64 (Go's two's complement arithmetic).

DuckDB sums BIGINT as HUGEINT, so a sum past int64 is exact there; 1.6.7 answers it wrapped
(`sum()`, `cumulative_sum()`). Its `mean()` of integers adds each series' points of a shard
group as int64 (wrapping), divides that by their count as a float, and then averages those
partial means weighted by their counts as floats. Over a subquery's rows, which come as one
stream, there is one partial: the wrapped sum of them all over their count. The common case
(no partial can pass int64) costs nothing extra: the storage query computes the mean from the
exact sum, and flags (`RISK`) the groups where a partial might wrap; only then are the means
computed here from the points (`wrapped_mean`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from translators.lineprotocol import FieldType

from .durations import wrap_int64
from .readorder import shard_group
from .select_plan import Prim, SelectPlan, read_type
from .sqlnames import cast

_LIMIT = 1 << 63
_SPAN = 1 << 64
#: The storage query's column flagging groups where an integer mean's partial might wrap.
RISK = "__risk"


def _huge(value: int) -> exp.Expression:
    return cast(exp.Literal.number(value), "INT128")


def wrapped(total: exp.Expression) -> exp.Expression:
    """An exact (HUGEINT) integer sum as int64 wraps it: ((total + 2^63) mod 2^64) - 2^63,
    the modulo taken as the low 64 bits (two's complement), which costs next to nothing where
    DuckDB's HUGEINT division would cost a third of a grouped sum."""
    shifted = exp.Paren(this=exp.Add(this=total, expression=_huge(_LIMIT)))
    low = exp.Paren(this=exp.BitwiseAnd(this=shifted, expression=_huge(_SPAN - 1)))
    return cast(exp.Sub(this=low, expression=_huge(_LIMIT)), "BIGINT")


def mean(value: exp.Expression, one_stream: bool) -> exp.Expression:
    """mean() of an integer column: the exact sum over the count, or over a subquery's rows
    (`one_stream`) the wrapped sum over the count."""
    total: exp.Expression = exp.Sum(this=value)
    if one_stream:
        total = wrapped(total)
    return exp.Div(this=cast(total, "DOUBLE"), expression=exp.Count(this=value.copy()))


def risk(value: exp.Expression) -> exp.Expression:
    """True for a group where some series' sum might pass int64: count times the largest
    magnitude does."""
    def magnitude(node: type[exp.Expression]) -> exp.Expression:
        return exp.Abs(this=cast(node(this=value.copy()), "INT128"))

    largest = exp.Greatest(this=magnitude(exp.Min), expressions=[magnitude(exp.Max)])
    bound = exp.Mul(this=exp.Count(this=value.copy()), expression=largest)
    return exp.GTE(this=bound, expression=_huge(_LIMIT))


def integer_means(plan: SelectPlan) -> set[Prim]:
    """The plan's mean() prims over a field some source stores as integers."""
    return {p for p in plan.prims if p.func == "mean" and any(
        read_type(s.schema, p) is FieldType.INTEGER for s in plan.sources)}


def wrapped_mean(points: Sequence[dict[str, Any]]) -> float | None:
    """1.6.7's mean() of a bucket's integer points {t, v, s: series}: per series and shard
    group a wrapped sum, then the float sum of those over the count."""
    partials: dict[tuple[Any, int], int] = {}
    for point in points:
        key = (tuple(point["s"]), shard_group(point["t"]))
        partials[key] = partials.get(key, 0) + point["v"]
    if not points:
        return None
    return sum(float(wrap_int64(total)) for total in partials.values()) / len(points)
