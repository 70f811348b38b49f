"""The fills of a gap-filling query (locf, interpolate) as window functions over each group's
buckets, with IOx's rules: a null aggregate counts as missing, and nothing is filled before a
group's first value (locf) or outside two values (interpolate)."""

from __future__ import annotations

from sqlglot import exp


def _window(function: exp.Expression, partition: list[exp.Expression], time: exp.Expression,
            forward: bool) -> exp.Window:
    spec = exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING",
                          end="CURRENT ROW") if forward else \
        exp.WindowSpec(kind="ROWS", start="CURRENT ROW", end="UNBOUNDED",
                       end_side="FOLLOWING")
    return exp.Window(this=exp.IgnoreNulls(this=function),
                      partition_by=[p.copy() for p in partition],
                      order=exp.Order(expressions=[exp.Ordered(this=time.copy())]), spec=spec)


def locf_fill(value: exp.Expression, partition: list[exp.Expression],
          time: exp.Expression) -> exp.Expression:
    """The last non-null value at or before each bucket (IOx: nulls count as missing)."""
    return _window(exp.LastValue(this=value.copy()), partition, time, forward=True)


def interpolate_fill(value: exp.Expression, partition: list[exp.Expression],
                 time: exp.Expression) -> exp.Expression:
    """IOx's linear interpolation between the non-null neighbours: computed in float64 and,
    for integer columns, truncated toward zero, as InfluxQL 1.8 does."""
    present = exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
    seen = exp.Case(ifs=[exp.If(this=present.copy(), true=time.copy())])
    before_v = _window(exp.LastValue(this=value.copy()), partition, time, forward=True)
    before_t = _window(exp.LastValue(this=seen.copy()), partition, time, forward=True)
    after_v = _window(exp.FirstValue(this=value.copy()), partition, time, forward=False)
    after_t = _window(exp.FirstValue(this=seen.copy()), partition, time, forward=False)

    def micros(node: exp.Expression) -> exp.Expression:
        return exp.Anonymous(this="epoch_us", expressions=[node])

    def double(node: exp.Expression) -> exp.Expression:
        return exp.Cast(this=node, to=exp.DataType.build("DOUBLE"))

    rise = exp.Paren(this=exp.Sub(this=double(after_v), expression=double(before_v.copy())))
    run = exp.Sub(this=micros(after_t), expression=micros(before_t.copy()))
    offset = exp.Sub(this=micros(time.copy()), expression=micros(before_t.copy()))
    line = exp.Add(this=exp.Mul(this=exp.Paren(this=exp.Div(this=rise, expression=double(run))),
                                expression=double(offset)),
                   expression=double(before_v.copy()))
    is_float = exp.In(this=exp.Anonymous(this="typeof", expressions=[value.copy()]),
                      expressions=[exp.Literal.string("DOUBLE"), exp.Literal.string("FLOAT")])
    typed = exp.Anonymous(this="cast_to_type", expressions=[
        exp.Case(ifs=[exp.If(this=is_float, true=line)], default=exp.Trunc(this=line.copy())),
        value.copy()])
    return exp.Case(ifs=[exp.If(this=present, true=value.copy())], default=typed)
