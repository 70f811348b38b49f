"""Name unaliased result columns as InfluxDB 3 (DataFusion) names them.

DataFusion names an expression by printing it: columns qualified by their table
(`avg(cpu.usage)`), literals with their Arrow type (`Int64(2)`, `Utf8("a")`), function
arguments joined by a bare comma (`selector_max(cpu.usage,cpu.time)`), struct fields in
brackets (`...[value]`), casts by their operand. DuckDB prints expressions its own way
(`count_star()`), so every unaliased expression DataFusion would name is given that name as
an alias. Expressions outside the covered forms keep DuckDB's name.
"""

from __future__ import annotations

from sqlglot import exp

from .numbers import FLOAT64, integer_type

_FUNCTIONS: dict[type[exp.Expression], str] = {
    exp.Avg: "avg", exp.Sum: "sum", exp.Min: "min", exp.Max: "max", exp.Count: "count",
    exp.Stddev: "stddev", exp.StddevPop: "stddev_pop", exp.StddevSamp: "stddev",
    exp.Variance: "var", exp.VariancePop: "var_pop", exp.Median: "median",
    exp.DateBin: "date_bin", exp.TimestampTrunc: "date_trunc", exp.DateTrunc: "date_trunc",
    exp.CurrentTimestamp: "now", exp.FirstValue: "first_value", exp.LastValue: "last_value",
    exp.Abs: "abs", exp.Round: "round", exp.Floor: "floor", exp.Ceil: "ceil",
    exp.Lower: "lower", exp.Upper: "upper", exp.Length: "character_length",
    exp.UnixToTime: "to_timestamp", exp.ApproxDistinct: "approx_distinct",
    exp.RegexpLike: "regexp_like", exp.Sqrt: "sqrt", exp.Ln: "ln", exp.Extract: "date_part",
}
_OPERATORS: dict[type[exp.Expression], str] = {
    exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.EQ: "=",
    exp.NEQ: "!=", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">=", exp.And: "AND",
    exp.Or: "OR",
}
# the part a date_part() call was given, as written (an EXTRACT's part is its upper-case name)
WRITTEN_PART = "written_part"
_NANOS = {"nanosecond": 1, "microsecond": 1_000, "millisecond": 1_000_000,
          "second": 1_000_000_000, "minute": 60_000_000_000, "hour": 3_600_000_000_000}
_DAYS = {"day": 1, "week": 7}
_MONTHS = {"month": 1, "year": 12}


class _Unnamed(Exception):
    """The expression is outside the forms named here."""


def name_results(tree: exp.Expression) -> None:
    """Alias each unaliased, non-column result expression of every SELECT in `tree`."""
    for select in list(tree.find_all(exp.Select)):
        qualifier = _qualifier(select)
        select.set("expressions", [_named(p, qualifier) for p in select.expressions])


def display(node: exp.Expression) -> str | None:
    """`node` as DataFusion prints it, qualified as in the SELECT around it, or None outside
    the covered forms."""
    select = node.find_ancestor(exp.Select)
    try:
        return _display(node, _qualifier(select) if select is not None else None)
    except _Unnamed:
        return None


def _named(projection: exp.Expression, qualifier: str | None) -> exp.Expression:
    if isinstance(projection, exp.Alias | exp.Column | exp.Star):
        return projection
    try:
        return exp.alias_(projection, _display(projection, qualifier), quoted=True)
    except _Unnamed:
        return projection


def _qualifier(select: exp.Select) -> str | None:
    """The table name DataFusion qualifies unqualified columns with (one source only)."""
    source = select.args.get("from_") or select.args.get("from")
    if source is None or select.args.get("joins"):
        return None
    table = source.this
    if isinstance(table, exp.Table | exp.Subquery) and table.alias_or_name:
        alias = table.args.get("alias")
        named = alias.this if alias is not None and alias.this else table.this
        return _folded(named) if isinstance(named, exp.Identifier) else table.alias_or_name
    return None


def _display(node: exp.Expression, qualifier: str | None) -> str:
    if isinstance(node, exp.Column):
        if isinstance(node.this, exp.Star):
            raise _Unnamed
        table = _folded(node.args["table"]) if node.args.get("table") else qualifier
        if not table:
            raise _Unnamed
        return f"{table}.{_folded(node.this)}"
    if isinstance(node, exp.Paren):
        return _display(node.this, qualifier)
    if isinstance(node, exp.Cast | exp.TryCast | exp.AtTimeZone):
        # DataFusion plans AT TIME ZONE as a cast to a zoned type, named by its operand
        return _display(node.this, qualifier)
    if isinstance(node, exp.Literal | exp.Boolean | exp.Null | exp.Neg):
        return _literal(node)
    if isinstance(node, exp.Interval):
        return _interval(node)
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1 \
            and node.expressions[0].is_string:
        return f"{_display(node.this, qualifier)}[{node.expressions[0].name}]"
    operator = _OPERATORS.get(type(node))
    if operator is not None:
        return f"{_display(node.left, qualifier)} {operator} {_display(node.right, qualifier)}"
    return _function(node, qualifier)


def _folded(identifier: exp.Expression) -> str:
    """An identifier as DataFusion names it: unquoted, in lower case."""
    if isinstance(identifier, exp.Identifier) and not identifier.quoted:
        return identifier.name.lower()
    return identifier.name


def _function(node: exp.Expression, qualifier: str | None) -> str:
    if isinstance(node, exp.Anonymous):
        name, args = str(node.this).lower(), list(node.expressions)
    elif type(node) in _FUNCTIONS:
        name, args = _FUNCTIONS[type(node)], _arguments(node)
    else:
        raise _Unnamed
    distinct = ""
    if len(args) == 1 and isinstance(args[0], exp.Distinct):
        distinct, args = "DISTINCT ", list(args[0].expressions)
    shown = ["*" if isinstance(a, exp.Star) else _display(a, qualifier) for a in args]
    return f"{name}({distinct}{','.join(shown)})"


def _arguments(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.TimestampTrunc | exp.DateTrunc):
        unit = node.args.get("unit")
        return [exp.Literal.string(unit.name.lower() if unit else ""), node.this]
    if isinstance(node, exp.Extract):  # DataFusion plans EXTRACT as date_part
        part = node.meta.get(WRITTEN_PART, node.this.name)
        return [exp.Literal.string(part), node.expression]
    if isinstance(node, exp.DateBin):
        origin = node.args.get("origin")
        return [a for a in (node.this, node.expression, origin) if a is not None]
    if isinstance(node, exp.FirstValue | exp.LastValue) and isinstance(node.this, exp.Order):
        raise _Unnamed  # DataFusion prints the ORDER BY clause in a form not worth copying
    args = [node.this] if node.args.get("this") is not None else []
    others = node.args.get("expressions") or []
    extra = node.args.get("expression")
    if extra is not None:
        others = [extra, *others]
    return [*args, *others]


def _literal(node: exp.Expression) -> str:
    if isinstance(node, exp.Null):
        return "NULL"
    if isinstance(node, exp.Boolean):
        return f"Boolean({'true' if node.this else 'false'})"
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) \
            and not node.this.is_string:
        return _number("-" + node.this.name)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return f'Utf8("{node.name}")'
        return _number(node.name)
    raise _Unnamed


def _number(text: str) -> str:
    kind = integer_type(text)
    if kind is not None and kind != FLOAT64:
        return f"{kind}({int(text)})"
    try:  # a decimal, or an integer past UInt64 (DataFusion's Float64, Rust's shortest text)
        return f"Float64({float(text)!r})"
    except ValueError:
        raise _Unnamed from None


def _interval(node: exp.Interval) -> str:
    text = node.this.name if isinstance(node.this, exp.Literal) else ""
    if node.unit is not None:
        text = f"{text} {node.unit.name}"
    months = days = nanos = 0
    parts = text.lower().split()
    if not parts or len(parts) % 2:
        raise _Unnamed
    for count, unit in zip(parts[::2], parts[1::2], strict=True):
        if not count.isdigit():
            raise _Unnamed
        unit = unit.rstrip("s") if unit.endswith("s") else unit
        if unit in _NANOS:
            nanos += int(count) * _NANOS[unit]
        elif unit in _DAYS:
            days += int(count) * _DAYS[unit]
        elif unit in _MONTHS:
            months += int(count) * _MONTHS[unit]
        else:
            raise _Unnamed
    value = f"IntervalMonthDayNano {{ months: {months}, days: {days}, nanoseconds: {nanos} }}"
    return f'IntervalMonthDayNano("{value}")'
