"""mean() over several series as 1.x computes it: per series first, then the series merged.

1.6.7 wraps each series of a group in its own call iterator, so a group's mean is the mean of
each series' mean weighted by its count (`sum(mean_s * count_s) / sum(count_s)`), which differs
from one mean over all the points in the last digits. Only a plan with mean() whose groups
can hold several series pays for the extra level (measured: its SQL ~1.4x slower, a second
GROUP BY over the series of each bucket); every other aggregate query is built as before.
The other aggregates of such a plan are combined across the series level: counts and sums
add up, min/max and the selector structs take their minimum.
"""

from __future__ import annotations

from sqlglot import exp

from translators.lineprotocol import FieldType

from .rewrite import SelectPlan
from .schema import MeasurementSchema

# Aggregates that combine exactly across a per-series level (see the module docstring).
_COMBINABLE = frozenset({None, "count", "sum", "mean", "min", "max", "first", "last"})


def keys(plan: SelectPlan, schema: MeasurementSchema, dimensions: list[str],
         sql_aggregates: frozenset[str]) -> list[str]:
    """The tag keys that split a group into series when the plan's mean() needs them;
    empty when one level of aggregation answers the plan as 1.x does."""
    if not any(p.func == "mean" for p in plan.prims):
        return []
    if not all(p.func in _COMBINABLE and not p.distinct and (
            p.func is None or p.func in sql_aggregates) for p in plan.prims):
        return []
    return [tag for tag in sorted(schema.tags) if tag not in dimensions]


def key_name(index: int) -> str:
    return f"__k{index}"


def count_name(index: int) -> str:
    return f"__c{index}"


def combine(plan: SelectPlan, schema: MeasurementSchema, series: exp.Select,
            grouping: list[str], prims: list[str], counted: str) -> exp.Select:
    """The per-series rows of `series` (grouped by `grouping` plus the series keys) combined
    into one row per group: the same columns, `grouping` then `prims` then `counted`."""
    columns: list[exp.Expression] = [_col(name) for name in grouping]
    for index, prim in enumerate(plan.prims):
        value = _col(prims[index])
        agg: exp.Expression
        if prim.func is None:
            agg = exp.null()
        elif prim.func == "mean":  # 1.x's mean reducer: sum(mean * count) / sum(count)
            count = _col(count_name(index))
            weighted = exp.Mul(this=value, expression=exp.cast(count, "DOUBLE"))
            agg = exp.Div(this=exp.Sum(this=weighted),
                          expression=exp.cast(exp.Sum(this=count), "DOUBLE"))
        elif prim.func == "count" or (
                prim.func == "sum" and schema.fields.get(prim.name) is FieldType.INTEGER):
            agg = exp.cast(exp.Sum(this=value), "BIGINT")
        elif prim.func == "sum":
            agg = exp.Sum(this=value)
        elif prim.func == "max" and not plan.selector:
            agg = exp.Max(this=value)
        else:  # min, and the selector structs, whose key sorts the chosen point first
            agg = exp.Min(this=value)
        columns.append(agg.as_(prims[index]))
    columns.append(exp.cast(exp.Sum(this=_col(counted)), "BIGINT").as_(counted))
    return (exp.select(*columns).from_(series.subquery("__series"))
            .group_by(*(_col(name) for name in grouping)))


def _col(name: str) -> exp.Column:
    return exp.Column(this=exp.to_identifier(name, quoted=True))
