"""The SELECT list, GROUP BY, ORDER BY and LIMIT of an SQL query, planned as InfluxQL.

`SelectPlan` collects the InfluxQL fields (each added once however often the SQL names it),
the GROUP BY tags and time bucket, and describes where each SQL output column is found in the
answer (`OutputColumn`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from translators.influxql import ast

from .influxdb3 import READ_DIALECT, SqlRejected
from .influxql_translation import (
    OrderKey,
    Origin,
    OutputColumn,
    Untranslatable,
    describe,
)
from .influxql_where import Where, identifier_name, interval_ns, time_value

# InfluxDB 3's selectors answer a struct {time, value}; InfluxQL's skip nulls as they do.
_SELECTORS = {"selector_first": "first", "selector_last": "last", "selector_min": "min",
              "selector_max": "max"}
_AGGREGATES: dict[type[exp.Expression], str] = {
    exp.Sum: "sum", exp.Avg: "mean", exp.Min: "min", exp.Max: "max", exp.Median: "median",
    exp.Stddev: "stddev", exp.StddevSamp: "stddev",  # both sample deviations, as 1.x's
}
ROW_COUNT = ast.Call("count", (ast.Wildcard(),))
_FLOATING = frozenset({"mean", "median", "stddev"})


def _function_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    return node.sql_name().lower() if isinstance(node, exp.Func) else node.key


def is_aggregate(node: exp.Expression) -> bool:
    return any(isinstance(n, exp.AggFunc) or (isinstance(n, exp.Anonymous) and (
        n.name.lower() in _SELECTORS or n.name.lower() == "mean")) for n in node.walk())


def _ordinal(node: exp.Expression) -> int | None:
    return int(node.name) if isinstance(node, exp.Literal) and node.is_int else None


@dataclass(slots=True)
class SelectPlan:
    """The InfluxQL fields and dimensions of one SELECT, built up clause by clause."""

    where: Where
    items: list[tuple[str, exp.Expression]]
    aggregate: bool
    bucket: exp.DateBin | None = None
    interval: ast.Call | None = None
    tags: list[str] = field(default_factory=list)  # GROUP BY tags
    fields: list[ast.Expr] = field(default_factory=list)  # the InfluxQL SELECT list
    row_count: bool = False
    selector_time: ast.Call | None = None

    def resolve(self, node: exp.Expression, grouping: bool) -> exp.Expression:
        """An ordinal or a select alias as the expression it names. DataFusion reads an alias
        in GROUP BY only when no input column has its name (`time` always is one)."""
        index = _ordinal(node)
        if index is not None:
            if not 1 <= index <= len(self.items):
                raise SqlRejected(f"position {index} is not in the select list")
            return self.items[index - 1][1]
        name = self.where.column(node)
        if name is not None and not node.args.get("table") and not (grouping and name == "time"):
            for alias, expr in self.items:
                if alias == name and expr.find_ancestor(exp.Alias) is not None:
                    return expr
        return node

    def group(self, group: exp.Group | None) -> None:
        if group is None:
            return
        for key, value in group.args.items():
            if key != "expressions" and value:
                raise Untranslatable(f"GROUP BY {key.upper().replace('_', ' ')}")
        for node in group.expressions:
            target = self.resolve(node, grouping=True)
            name = self.where.column(target)
            if isinstance(target, exp.DateBin):
                if self.bucket is not None and target != self.bucket:
                    raise Untranslatable("GROUP BY several date_bin buckets")
                self.bucket, self.interval = target, _interval(target, self.where)
            elif name == "time":
                raise Untranslatable("GROUP BY time, the raw timestamp (alias the date_bin "
                                     "bucket with another name, or group by its position)")
            elif name is not None:
                if name not in self.tags:
                    self.tags.append(name)
            else:
                raise Untranslatable(f"GROUP BY {describe(target)}")

    def position(self, expr: ast.Expr) -> int:
        """The series position of `expr`, added once however often the SQL names it."""
        if expr not in self.fields:
            self.fields.append(expr)
        return self.fields.index(expr) + 1

    def ref(self, node: exp.Expression, function: str) -> ast.VarRef:
        name = self.where.column(node)
        if name is None or name == "time":
            raise Untranslatable(f"{function} of anything but a tag or field")
        return ast.VarRef(name)

    def call(self, node: exp.Expression) -> ast.Call | None:
        """The InfluxQL aggregate for an SQL one; None for a row count."""
        ignore_nulls = isinstance(node, exp.IgnoreNulls)
        if isinstance(node, exp.IgnoreNulls | exp.RespectNulls):
            node = node.this
        name = _function_name(node)
        if isinstance(node, exp.Count):
            arg = node.this
            if node.expressions:
                raise Untranslatable("count of several arguments")
            if isinstance(arg, exp.Star) or (isinstance(arg, exp.Literal) and arg.is_number):
                return None
            if isinstance(arg, exp.Distinct):
                if len(arg.expressions) != 1:
                    raise Untranslatable("count(DISTINCT ...) of several columns")
                inner = ast.Call("distinct", (self.ref(arg.expressions[0], "count"),))
                return ast.Call("count", (inner,))
            return ast.Call("count", (self.ref(arg, name),))
        if type(node) in _AGGREGATES or (isinstance(node, exp.Anonymous) and name == "mean"):
            args = node.expressions if isinstance(node, exp.Anonymous) else [
                node.this, *(node.args.get("expressions") or [])]
            if len(args) != 1:
                raise Untranslatable(f"{name} of several arguments")
            if isinstance(args[0], exp.Distinct):
                raise Untranslatable(f"{name}(DISTINCT ...)")
            return ast.Call(_AGGREGATES.get(type(node), "mean"), (self.ref(args[0], name),))
        if isinstance(node, exp.FirstValue | exp.LastValue):
            inner = node.this
            if not (isinstance(inner, exp.Order) and len(inner.expressions) == 1
                    and self.where.column(inner.expressions[0].this) == "time"):
                raise Untranslatable(f"{name} without ORDER BY time")
            if not ignore_nulls:
                # DataFusion answers the first row's value, NULL or not; 1.x's first() and
                # last() skip nulls, as `IGNORE NULLS` and the selector_* functions do.
                raise Untranslatable(f"{name} without IGNORE NULLS")
            first = isinstance(node, exp.FirstValue) != bool(inner.expressions[0].args.get("desc"))
            return ast.Call("first" if first else "last", (self.ref(inner.this, name),))
        raise Untranslatable(describe(node))

    def selector(self, node: exp.Bracket) -> tuple[ast.Call, str]:
        """`selector_first(x, time)['value']` as (first(x), "value")."""
        func, keys = node.this, node.expressions
        name = _function_name(func)
        if (name not in _SELECTORS or len(keys) != 1 or not isinstance(keys[0], exp.Literal)
                or keys[0].name not in ("time", "value")):
            raise Untranslatable("an index other than a selector's ['value'] or ['time']")
        args = func.expressions
        if len(args) != 2 or self.where.column(args[1]) != "time":
            raise Untranslatable(f"{name} of anything but (column, time)")
        return ast.Call(_SELECTORS[name], (self.ref(args[0], name),)), keys[0].name

    def output(self, name: str, node: exp.Expression) -> OutputColumn:
        column = self.where.column(node)
        if isinstance(node, exp.Star) or (isinstance(node, exp.Column)
                                           and isinstance(node.this, exp.Star)):
            if self.aggregate or len(self.items) > 1:
                raise Untranslatable("* beside other columns, aggregates or GROUP BY")
            self.fields = [ast.Wildcard()]
            return OutputColumn(name, Origin.ALL)
        if isinstance(node, exp.DateBin):
            if self.bucket is None or node != self.bucket:
                raise Untranslatable("a date_bin bucket that is not in GROUP BY")
            return OutputColumn(name, Origin.TIME)
        if column == "time" and not self.aggregate:
            return OutputColumn(name, Origin.TIME)
        if column is not None and self.aggregate:
            if column not in self.tags:
                raise SqlRejected(f"column '{column}' must appear in the GROUP BY clause or "
                                  "be used in an aggregate function")
            return OutputColumn(name, Origin.TAG, tag=column)
        if column is not None:
            return OutputColumn(name, Origin.FIELD, position=self.position(ast.VarRef(column)))
        if isinstance(node, exp.Bracket) and isinstance(node.this, exp.Anonymous):
            call, key = self.selector(node)
            if key == "time":
                self.selector_time = call
                return OutputColumn(name, Origin.TIME)
            return OutputColumn(name, Origin.FIELD, position=self.position(call))
        if is_aggregate(node) and self.aggregate:
            call = self.call(node)
            if call is None:
                self.row_count = True
                return OutputColumn(name, Origin.ROW_COUNT, count=True)
            return OutputColumn(name, Origin.FIELD, position=self.position(call),
                                count=call.name == "count", floating=call.name in _FLOATING)
        raise Untranslatable(describe(node))


def _interval(node: exp.DateBin, where: Where) -> ast.Call:
    """`date_bin(stride, time[, origin])` as `time(stride[, offset])`: both count buckets from
    the epoch, so an origin is an offset of origin modulo stride."""
    stride, origin = node.this, node.args.get("origin")
    if isinstance(stride, exp.Literal) and stride.is_string:
        stride = exp.Interval(this=stride)  # date_bin('1 minute', time): DataFusion casts it
    if not isinstance(stride, exp.Interval):
        raise Untranslatable("a date_bin stride that is not an INTERVAL")
    if where.column(node.expression) != "time" or node.args.get("zone") is not None:
        raise Untranslatable("date_bin of anything but time")
    step = interval_ns(stride)
    if step <= 0:
        raise SqlRejected("date_bin stride must be positive")
    if step >= 2**63:  # 1.x wraps a longer duration
        raise SqlRejected("date_bin stride is out of range: at most 2**63 - 1 nanoseconds")
    offset = 0
    if origin is not None:
        stamp = time_value(origin)
        if not isinstance(stamp, ast.TimeLiteral):
            raise Untranslatable("a date_bin origin relative to now()")
        offset = stamp.nanoseconds % step
    args: tuple[ast.Expr, ...] = (ast.DurationLiteral(step),)
    return ast.Call("time", args + ((ast.DurationLiteral(offset),) if offset else ()))


def display_name(node: exp.Expression, qualifier: str) -> str:
    """DataFusion's name for an unaliased expression, as near as it is cheap to get."""
    if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
        return identifier_name(node.this)
    if isinstance(node, exp.Count) and isinstance(node.this, exp.Star):
        return "count(*)"
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        return f"{display_name(node.this, qualifier)}[{node.expressions[0].name}]"
    args = node.expressions if isinstance(node, exp.Anonymous) else [node.this]
    if isinstance(node, exp.Func) and args and all(isinstance(a, exp.Column) for a in args):
        names = ",".join(f"{qualifier}.{identifier_name(a.this)}" for a in args)
        return f"{_function_name(node)}({names})"
    if isinstance(node, exp.Count) and isinstance(node.this, exp.Distinct) and all(
            isinstance(e, exp.Column) for e in node.this.expressions):
        names = ", ".join(f"{qualifier}.{identifier_name(e.this)}" for e in node.this.expressions)
        return f"count(DISTINCT {names})"
    return node.sql(dialect=READ_DIALECT)


def clause_count(node: exp.Expression | None, keyword: str) -> int | None:
    if node is None:
        return None
    value = node.args.get("expression")
    count = _ordinal(value) if isinstance(node, exp.Limit | exp.Offset) else None
    if count is None:
        raise Untranslatable(f"{keyword} other than a number")
    if count >= 2**63:  # 1.x's counts are int64
        raise SqlRejected(f"{keyword} {count} is out of range")
    return count



def order_keys(order: exp.Order | None, plan: SelectPlan) -> tuple[OrderKey, ...]:
    """ORDER BY time (a raw time, the date_bin bucket, a selector's time) and GROUP BY tags,
    in any order, each ascending or descending."""
    if order is None:
        return ()
    keys: list[OrderKey] = []
    for ordered in order.expressions:
        target = plan.resolve(ordered.this, grouping=False)
        column = plan.where.column(target)
        descending = bool(ordered.args.get("desc"))
        if column is not None and column != "time" and column in plan.tags:
            # sqlglot spells out the default: NULLS LAST ascending, NULLS FIRST descending.
            keys.append(OrderKey(column, descending, bool(ordered.args.get("nulls_first"))))
            continue
        if column == "time" and plan.aggregate and plan.selector_time is None:
            raise Untranslatable("ORDER BY the raw time in an aggregate query")
        bucket = plan.bucket is not None and target == plan.bucket
        selected = isinstance(target, exp.Bracket) and target.expressions[0].name == "time"
        if not (column == "time" or bucket or selected):
            raise Untranslatable("ORDER BY anything but time or a GROUP BY tag")
        if any(k.tag is None for k in keys):
            raise Untranslatable("ORDER BY time twice")
        keys.append(OrderKey(None, descending))
    return tuple(keys)
