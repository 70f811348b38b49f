"""InfluxDB 3 SQL to InfluxQL, for `/api/v3/query_sql` answered by a 1.x or 2.x upstream.

Covers the SQL that dashboards send to one table: plain columns, `*`, a handful of aggregates
and selectors, WHERE over time, tags and fields, GROUP BY `date_bin(...)` and tags, ORDER BY
time, LIMIT and OFFSET. Anything else raises `Untranslatable`, whose message names the
construct. The InfluxQL is built as an `ast.SelectStatement` and written by `render()`, so every
identifier and literal is quoted by InfluxQL's own rules.

InfluxQL answers series, not rows, so the translation also describes each SQL output column
(`OutputColumn`) and `answer_table()` rebuilds SQL's rows from the upstream's series:

- a GROUP BY tag comes back in each series' tags, not as a column (1.x refuses tags beside
  aggregates): it is put back as a column, an empty or missing value as NULL;
- an aggregate without GROUP BY time answers time 0 (the epoch) or a selector's point time:
  that time is dropped unless the SQL selected a time bucket or a selector's `['time']`;
- buckets without points: 1.x fills them with nulls (`fill(null)`), SQL's date_bin answers
  none, so the statement asks for `fill(none)`;
- LIMIT and OFFSET cut each series in InfluxQL but the whole answer in SQL: with tag groups
  the statement asks for `LIMIT limit+offset` per series and the cut is made after the merge
  (rows re-sorted across series by time when the SQL has ORDER BY time);
- an aggregate over no rows at all is one row in SQL (count 0, others NULL), no series in 1.x;
- `count(*)` counts rows; InfluxQL's `count(*)` counts each field, so the row count is taken
  as the largest of those counts (exact when some field is present in every point).

Left as they are (documented, not emulated; the translation knows no schema, so tag-or-field
is the upstream's call): 1.x's raw queries drop points where every selected field is null,
aggregates over tags answer nothing, GROUP BY time without an upper time bound stops at now(),
and a tag missing from a point is NULL in SQL but "" in 1.x, so `tag != 'x'` and `tag !~ 'x'`
also keep the points without the tag.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from translators.influxql import ast
from translators.influxql.render import render
from translators.influxql.results import StatementResult
from translators.influxql.timerange import parse_time_string

from .influxdb3 import READ_DIALECT, TABLE_CATALOGS, TABLE_SCHEMAS, SqlRejected


class Untranslatable(SqlRejected):
    """Valid InfluxDB 3 SQL that InfluxQL cannot express; `construct` names what."""

    def __init__(self, construct: str) -> None:
        super().__init__(f"cannot translate {construct} to InfluxQL")
        self.construct = construct


class Origin(enum.StrEnum):
    """Where an SQL output column is found in the InfluxQL answer."""

    TIME = "time"  # column 0 of each series: a bucket start, or a raw point's time
    TAG = "tag"  # a GROUP BY tag, from each series' tags
    FIELD = "field"  # the series column at `position`
    ROW_COUNT = "row_count"  # count(*): the largest of the columns from `position` on
    ALL = "all"  # SELECT *: every column of the answer, sorted by name


@dataclass(frozen=True, slots=True)
class OutputColumn:
    name: str
    origin: Origin
    tag: str = ""  # TAG: the tag key
    position: int = 0  # FIELD, ROW_COUNT: index in the series' columns (time is 0)
    count: bool = False  # a count: 0 rather than NULL in an empty global aggregate's row
    # mean, median, stddev: float whatever the field's type, in 1.x as in DataFusion.
    floating: bool = False


@dataclass(frozen=True, slots=True)
class SqlTranslation:
    statement: ast.SelectStatement
    columns: tuple[OutputColumn, ...]
    # Aggregate without GROUP BY: SQL answers one row even when no point matched.
    global_aggregate: bool = False
    # ORDER BY time: None when the SQL leaves the order open.
    descending: bool | None = None
    # The cut made after the merge of all series (what could not be pushed down).
    offset: int = 0
    limit: int | None = None

    @property
    def influxql(self) -> str:
        return render(self.statement)


# -- parsing ------------------------------------------------------------------------------------

# Select clauses the subset leaves unsupported, by sqlglot's argument name.
_CLAUSES = {
    "with_": "WITH (common table expressions)", "joins": "JOIN", "having": "HAVING",
    "qualify": "QUALIFY", "windows": "WINDOW", "laterals": "LATERAL", "sample": "TABLESAMPLE",
    "pivots": "PIVOT", "exclude": "SELECT * EXCLUDE", "connect": "CONNECT BY",
    "distribute": "DISTRIBUTE BY", "sort": "SORT BY", "cluster": "CLUSTER BY",
    "locks": "FOR UPDATE",
}
_SUPPORTED = frozenset({"expressions", "from_", "where", "group", "order", "limit", "offset"})


def _sql_literal(value: object) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, float) and not math.isfinite(value):
        raise SqlRejected(f"unsupported parameter value: {value}")
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    raise SqlRejected(f"unsupported parameter value type: {type(value).__name__}")


def _parse(text: str, params: Mapping[str, object] | None) -> exp.Select:
    """One SELECT, parsed as the native path parses it, with `$name` parameters bound."""
    try:
        statements = [s for s in sqlglot.parse(text, read=READ_DIALECT) if s is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" at line {first.get('line')}, column {first.get('col')}" if first else ""
        raise SqlRejected(f"error parsing SQL: {first.get('description', exc)}{where}") from None
    except TokenError as exc:
        raise SqlRejected(f"error parsing SQL: {exc}") from None
    if not statements:
        raise SqlRejected("no SQL statement given")
    if len(statements) > 1:
        raise SqlRejected("only one SQL statement may be sent per query")
    tree = statements[0]
    if isinstance(tree, exp.SetOperation):
        raise Untranslatable(type(tree).__name__.upper())
    if not isinstance(tree, exp.Select) or tree.args.get("into"):
        raise SqlRejected("only SELECT queries are allowed")
    for node in list(tree.walk()):
        if isinstance(node, exp.Placeholder | exp.Parameter):
            if node.name not in (params or {}):
                raise SqlRejected(f"no value given for parameter ${node.name}")
            node.replace(_sql_literal((params or {})[node.name]))
    return tree


def _name(identifier: exp.Expression) -> str:
    """DataFusion folds unquoted identifiers to lower case."""
    if isinstance(identifier, exp.Identifier) and identifier.quoted:
        return str(identifier.this)
    return identifier.name.lower()


def _check_shape(tree: exp.Select) -> None:
    for key, value in tree.args.items():
        if key in _SUPPORTED or value in (None, [], False):
            continue
        if key == "distinct":
            raise Untranslatable("DISTINCT ON" if value.args.get("on") else "SELECT DISTINCT")
        if key == "joins" and all(not j.args.get("on") and not j.args.get("kind")
                                  and not j.args.get("side") for j in value):
            raise Untranslatable("a query over several tables")
        raise Untranslatable(_CLAUSES.get(key, key.upper()))
    for node in tree.walk():
        if node is not tree and isinstance(node, exp.Query | exp.Subquery):
            raise Untranslatable("a subquery")
        if isinstance(node, exp.Window):
            raise Untranslatable("window functions (OVER)")


def _source(tree: exp.Select) -> tuple[str, str]:
    """(measurement, the name columns may be qualified with)."""
    clause = tree.args.get("from_")
    if clause is None:
        raise Untranslatable("a SELECT without FROM")
    table = clause.this
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        raise Untranslatable(f"FROM {type(table).__name__.lower()}")
    db, catalog = table.args.get("db"), table.args.get("catalog")
    if (db is not None and _name(db) not in TABLE_SCHEMAS) or (
            catalog is not None and _name(catalog) not in TABLE_CATALOGS):
        raise Untranslatable(f"table '{table.sql(dialect=READ_DIALECT)}'")
    alias = table.args.get("alias")
    if alias is not None and alias.args.get("columns"):
        raise Untranslatable("column aliases on a table")
    name = _name(table.this)
    return name, _name(alias.this) if alias is not None and alias.this else name


# -- time values ------------------------------------------------------------------------------

_NS_PER_UNIT = {
    "nanosecond": 1, "microsecond": 1_000, "millisecond": 1_000_000,
    "second": 1_000_000_000, "minute": 60_000_000_000, "hour": 3_600_000_000_000,
    "day": 86_400_000_000_000, "week": 604_800_000_000_000,
}
_CALENDAR_UNITS = frozenset({"month", "year", "decade", "century", "centuries", "millennium"})
_INTERVAL_PART = re.compile(r"\s*([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)\s*([a-z]+)")


def _interval_ns(node: exp.Interval) -> int:
    """A fixed-length interval in nanoseconds (`'5 minutes'`, `'1 hour 30 minutes'`, `'5'
    MINUTE`); months and years have no fixed length, and InfluxQL has no unit for them."""
    text = node.this.name if node.this is not None else ""
    unit = node.args.get("unit")
    if unit is not None:
        text = f"{text} {unit.name}"
    text = text.strip().lower()
    total, pos = Decimal(0), 0
    while pos < len(text):
        match = _INTERVAL_PART.match(text, pos)
        if match is None:
            raise Untranslatable(f"the interval '{text}'")
        word = match[2][:-1] if match[2].endswith("s") and match[2] != "s" else match[2]
        if word in _CALENDAR_UNITS or match[2] in _CALENDAR_UNITS:
            raise Untranslatable("an interval in months or years")
        if word not in _NS_PER_UNIT:
            raise Untranslatable(f"the interval unit '{match[2]}'")
        total += Decimal(match[1]) * _NS_PER_UNIT[word]
        pos = match.end()
    if total != total.to_integral_value() or not text:
        raise Untranslatable(f"the interval '{text}'")
    return int(total)


def _timestamp_ns(text: str) -> int:
    """An RFC3339 or `YYYY-MM-DD[ hh:mm:ss]` time; DataFusion reads a time without a zone as
    UTC, where 1.x wants a zone after a `T`."""
    ns = parse_time_string(text)
    if ns is None and "T" in text:
        ns = parse_time_string(text + "Z")
    if ns is None:
        raise SqlRejected(f"invalid timestamp '{text}'")
    return ns


def _timestamp_literal(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Cast) and node.to.is_type(*exp.DataType.TEMPORAL_TYPES):
        node = node.this
    if isinstance(node, exp.Literal) and node.is_string:
        return _timestamp_ns(node.name)
    return None


def _time_value(node: exp.Expression) -> ast.Expr:
    """The right side of a time comparison: a timestamp, now(), either ± intervals."""
    if isinstance(node, exp.Paren):
        return _time_value(node.this)
    stamp = _timestamp_literal(node)
    if stamp is not None:
        return ast.TimeLiteral(stamp)
    if isinstance(node, exp.CurrentTimestamp) or (
            isinstance(node, exp.Anonymous) and node.name.lower() == "now"
            and not node.expressions):
        return ast.Call("now")
    if isinstance(node, exp.Add | exp.Sub):
        left, right = node.this, node.expression
        if isinstance(node, exp.Add) and isinstance(left, exp.Interval):
            left, right = right, left
        if isinstance(right, exp.Interval):
            base, span = _time_value(left), _interval_ns(right)
            span = span if isinstance(node, exp.Add) else -span
            if isinstance(base, ast.TimeLiteral):
                return ast.TimeLiteral(base.nanoseconds + span)
            op = ast.BinaryOp.ADD if span >= 0 else ast.BinaryOp.SUB
            return ast.BinaryExpr(op, base, ast.DurationLiteral(abs(span)))
    raise Untranslatable(f"the time expression {node.sql(dialect=READ_DIALECT)}")


# -- WHERE ------------------------------------------------------------------------------------

_COMPARISONS: dict[type[exp.Expression], ast.BinaryOp] = {
    exp.EQ: ast.BinaryOp.EQ, exp.NEQ: ast.BinaryOp.NEQ, exp.LT: ast.BinaryOp.LT,
    exp.LTE: ast.BinaryOp.LTE, exp.GT: ast.BinaryOp.GT, exp.GTE: ast.BinaryOp.GTE,
}
_NEGATED = {
    ast.BinaryOp.EQ: ast.BinaryOp.NEQ, ast.BinaryOp.NEQ: ast.BinaryOp.EQ,
    ast.BinaryOp.LT: ast.BinaryOp.GTE, ast.BinaryOp.GTE: ast.BinaryOp.LT,
    ast.BinaryOp.GT: ast.BinaryOp.LTE, ast.BinaryOp.LTE: ast.BinaryOp.GT,
    ast.BinaryOp.EQREGEX: ast.BinaryOp.NEQREGEX, ast.BinaryOp.NEQREGEX: ast.BinaryOp.EQREGEX,
}
_FLIPPED = {
    ast.BinaryOp.LT: ast.BinaryOp.GT, ast.BinaryOp.GT: ast.BinaryOp.LT,
    ast.BinaryOp.LTE: ast.BinaryOp.GTE, ast.BinaryOp.GTE: ast.BinaryOp.LTE,
}
_UINT64_MAX = 2**64 - 1


def _value(node: exp.Expression) -> ast.Expr:
    """A literal compared with a tag or field."""
    negative = isinstance(node, exp.Neg)
    if negative:
        node = node.this
    if isinstance(node, exp.Literal) and node.is_string and not negative:
        return ast.StringLiteral(node.name)
    if isinstance(node, exp.Literal) and node.is_number:
        text = ("-" if negative else "") + node.name
        if re.fullmatch(r"-?\d+", text):
            number = int(text)
            if number > _UINT64_MAX or number < -(2**63):
                raise Untranslatable(f"the number {text}")
            return ast.IntegerLiteral(number) if number < 2**63 else ast.UnsignedLiteral(number)
        return ast.NumberLiteral(float(text))
    if isinstance(node, exp.Boolean) and not negative:
        return ast.BooleanLiteral(bool(node.this))
    if isinstance(node, exp.Null):
        raise Untranslatable("a comparison with NULL")
    raise Untranslatable(f"the operand {node.sql(dialect=READ_DIALECT)}")


_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def _like_pattern(pattern: str) -> str:
    """SQL LIKE as an anchored RE2 expression: `%` any run, `_` one character, `\\` takes the
    next character literally (DataFusion's default escape). Only RE2's metacharacters are
    escaped: Go's regexp refuses `\\` before a space or a letter."""
    out = []
    chars = iter(pattern)
    for char in chars:
        if char in "%_":
            out.append(".*" if char == "%" else ".")
            continue
        if char == "\\":
            char = next(chars, "\\")
        out.append("\\" + char if char in _RE2_SPECIAL else char)
    return "(?s)^" + "".join(out) + "$"  # (?s): LIKE's wildcards match newlines too


def _mentions_time(node: ast.Expr) -> bool:
    if isinstance(node, ast.VarRef):
        return node.name == "time"
    if isinstance(node, ast.BinaryExpr):
        return _mentions_time(node.lhs) or _mentions_time(node.rhs)
    return False


@dataclass(slots=True)
class _Where:
    qualifier: str

    def column(self, node: exp.Expression) -> str | None:
        if not isinstance(node, exp.Column) or isinstance(node.this, exp.Star):
            return None
        table = node.args.get("table")
        if table is not None and _name(table) != self.qualifier:
            raise SqlRejected(f"unknown table '{_name(table)}' in column reference")
        return _name(node.this)

    def condition(self, node: exp.Expression, negate: bool = False) -> ast.Expr:
        if isinstance(node, exp.Paren):
            return self.condition(node.this, negate)
        if isinstance(node, exp.Not):
            return self.condition(node.this, not negate)
        if isinstance(node, exp.And | exp.Or):
            return self.junction(isinstance(node, exp.And) != negate,
                                 self.condition(node.this, negate),
                                 self.condition(node.expression, negate))
        if type(node) in _COMPARISONS:
            return self.comparison(_COMPARISONS[type(node)], node.this, node.expression, negate)
        if isinstance(node, exp.Between):
            low = self.comparison(ast.BinaryOp.GTE, node.this, node.args["low"], negate)
            high = self.comparison(ast.BinaryOp.LTE, node.this, node.args["high"], negate)
            return self.junction(not negate, low, high)
        if isinstance(node, exp.In):
            if node.args.get("query") or node.args.get("unnest") or not node.expressions:
                raise Untranslatable("IN without a list of values")
            parts = [self.comparison(ast.BinaryOp.EQ, node.this, v, negate)
                     for v in node.expressions]
            out = parts[0]
            for part in parts[1:]:
                out = self.junction(negate, out, part)
            return out
        if isinstance(node, exp.RegexpLike | exp.RegexpILike | exp.Like | exp.ILike):
            return self.regex(node, negate)
        if isinstance(node, exp.Is):
            raise Untranslatable("IS NULL")
        if isinstance(node, exp.Escape):
            raise Untranslatable("LIKE ... ESCAPE")
        if isinstance(node, exp.Boolean):
            return ast.BooleanLiteral(bool(node.this) != negate)
        if self.column(node) is not None:  # a boolean field on its own
            return ast.BinaryExpr(ast.BinaryOp.EQ, ast.VarRef(self.column(node) or ""),
                                  ast.BooleanLiteral(not negate))
        raise Untranslatable(_describe(node))

    def junction(self, conjunction: bool, lhs: ast.Expr, rhs: ast.Expr) -> ast.Expr:
        if not conjunction and (_mentions_time(lhs) or _mentions_time(rhs)):
            # 1.x takes time comparisons out of the condition as one range, OR or not.
            raise Untranslatable("a time condition under OR")
        return ast.BinaryExpr(ast.BinaryOp.AND if conjunction else ast.BinaryOp.OR, lhs, rhs)

    def comparison(self, op: ast.BinaryOp, lhs: exp.Expression, rhs: exp.Expression,
                   negate: bool) -> ast.Expr:
        if self.column(lhs) is None and self.column(rhs) is not None:
            lhs, rhs, op = rhs, lhs, _FLIPPED.get(op, op)
        name = self.column(lhs)
        if name is None or self.column(rhs) is not None:
            raise Untranslatable("a comparison that is not between a column and a value")
        op = _NEGATED[op] if negate else op
        if name == "time":
            if op is ast.BinaryOp.NEQ:
                raise Untranslatable("time !=")
            return ast.BinaryExpr(op, ast.VarRef("time"), _time_value(rhs))
        return ast.BinaryExpr(op, ast.VarRef(name), _value(rhs))

    def regex(self, node: exp.Expression, negate: bool) -> ast.Expr:
        name, pattern = self.column(node.this), node.expression
        if name is None or name == "time" or not (
                isinstance(pattern, exp.Literal) and pattern.is_string):
            raise Untranslatable(f"{type(node).__name__.upper()} other than column and text")
        text = pattern.name
        if isinstance(node, exp.Like | exp.ILike):
            text = _like_pattern(text)
            negate = negate != bool(node.args.get("negate"))
        if isinstance(node, exp.RegexpILike | exp.ILike):
            text = "(?i)" + text
        op = ast.BinaryOp.NEQREGEX if negate else ast.BinaryOp.EQREGEX
        return ast.BinaryExpr(op, ast.VarRef(name), ast.RegexLiteral(text))


_OPERATORS: dict[type[exp.Expression], str] = {
    exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.DPipe: "||",
    exp.BitwiseAnd: "&", exp.BitwiseOr: "|", exp.BitwiseXor: "^",
}


def _describe(node: exp.Expression) -> str:
    """How an error message names a construct outside the subset."""
    if isinstance(node, exp.Anonymous):
        return f"the function {node.name.lower()}"
    if isinstance(node, exp.Func):
        return f"the function {node.sql_name().lower()}"
    if isinstance(node, exp.Binary):
        return f"the operator {_OPERATORS.get(type(node), type(node).__name__.upper())}"
    if isinstance(node, exp.WithinGroup):
        return "WITHIN GROUP"
    return type(node).__name__.upper()


# -- SELECT, GROUP BY, ORDER BY -----------------------------------------------------------------

# InfluxDB 3's selectors answer a struct {time, value}; InfluxQL's skip nulls as they do.
_SELECTORS = {"selector_first": "first", "selector_last": "last", "selector_min": "min",
              "selector_max": "max"}
_AGGREGATES: dict[type[exp.Expression], str] = {
    exp.Sum: "sum", exp.Avg: "mean", exp.Min: "min", exp.Max: "max", exp.Median: "median",
    exp.Stddev: "stddev", exp.StddevSamp: "stddev",  # both sample deviations, as 1.x's
}
_ROW_COUNT = ast.Call("count", (ast.Wildcard(),))
_FLOATING = frozenset({"mean", "median", "stddev"})


def _function_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    return node.sql_name().lower() if isinstance(node, exp.Func) else node.key


def _is_aggregate(node: exp.Expression) -> bool:
    return any(isinstance(n, exp.AggFunc) or (isinstance(n, exp.Anonymous) and (
        n.name.lower() in _SELECTORS or n.name.lower() == "mean")) for n in node.walk())


def _ordinal(node: exp.Expression) -> int | None:
    return int(node.name) if isinstance(node, exp.Literal) and node.is_int else None


@dataclass(slots=True)
class _Select:
    where: _Where
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
                raise Untranslatable(f"GROUP BY {_describe(target)}")

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
        if isinstance(node, exp.IgnoreNulls | exp.RespectNulls):
            node = node.this
        name = _function_name(node)
        if isinstance(node, exp.Count):
            arg = node.this
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
            first = isinstance(node, exp.FirstValue) != bool(inner.expressions[0].args.get("desc"))
            return ast.Call("first" if first else "last", (self.ref(inner.this, name),))
        raise Untranslatable(_describe(node))

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
        if _is_aggregate(node) and self.aggregate:
            call = self.call(node)
            if call is None:
                self.row_count = True
                return OutputColumn(name, Origin.ROW_COUNT, count=True)
            return OutputColumn(name, Origin.FIELD, position=self.position(call),
                                count=call.name == "count", floating=call.name in _FLOATING)
        raise Untranslatable(_describe(node))


def _interval(node: exp.DateBin, where: _Where) -> ast.Call:
    """`date_bin(stride, time[, origin])` as `time(stride[, offset])`: both count buckets from
    the epoch, so an origin is an offset of origin modulo stride."""
    stride, origin = node.this, node.args.get("origin") or node.args.get("unit")
    if not isinstance(stride, exp.Interval):
        raise Untranslatable("a date_bin stride that is not an INTERVAL")
    if where.column(node.expression) != "time" or node.args.get("zone") is not None:
        raise Untranslatable("date_bin of anything but time")
    step = _interval_ns(stride)
    if step <= 0:
        raise SqlRejected("date_bin stride must be positive")
    offset = 0
    if origin is not None:
        if isinstance(origin, exp.Var):  # sqlglot reads a bare string origin as a unit name
            origin = exp.Literal.string(origin.name)
        stamp = _time_value(origin)
        if not isinstance(stamp, ast.TimeLiteral):
            raise Untranslatable("a date_bin origin relative to now()")
        offset = stamp.nanoseconds % step
    args: tuple[ast.Expr, ...] = (ast.DurationLiteral(step),)
    return ast.Call("time", args + ((ast.DurationLiteral(offset),) if offset else ()))


def _display(node: exp.Expression, qualifier: str) -> str:
    """DataFusion's name for an unaliased expression, as near as it is cheap to get."""
    if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
        return _name(node.this)
    if isinstance(node, exp.Count) and isinstance(node.this, exp.Star):
        return "count(*)"
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        return f"{_display(node.this, qualifier)}[{node.expressions[0].name}]"
    args = node.expressions if isinstance(node, exp.Anonymous) else [node.this]
    if isinstance(node, exp.Func) and args and all(isinstance(a, exp.Column) for a in args):
        names = ",".join(f"{qualifier}.{_name(a.this)}" for a in args)
        return f"{_function_name(node)}({names})"
    if isinstance(node, exp.Count) and isinstance(node.this, exp.Distinct) and all(
            isinstance(e, exp.Column) for e in node.this.expressions):
        names = ", ".join(f"{qualifier}.{_name(e.this)}" for e in node.this.expressions)
        return f"count(DISTINCT {names})"
    return node.sql(dialect=READ_DIALECT)


def _clause_count(node: exp.Expression | None, keyword: str) -> int | None:
    if node is None:
        return None
    value = node.args.get("expression")
    if not isinstance(node, exp.Limit | exp.Offset) or _ordinal(value) is None:
        raise Untranslatable(f"{keyword} other than a number")
    return _ordinal(value)


def translate_sql(text: str, params: Mapping[str, object] | None = None) -> SqlTranslation:
    """InfluxQL for one InfluxDB 3 SQL SELECT, and how to read its answer back as SQL rows.

    Raises `SqlRejected` for SQL that does not parse or is not one SELECT, `Untranslatable`
    (a subclass) for SQL outside the subset InfluxQL can express.
    """
    try:
        return _translate(_parse(text, params))
    except RecursionError:
        raise SqlRejected("the query nests too deeply") from None


def _translate(tree: exp.Select) -> SqlTranslation:
    _check_shape(tree)
    measurement, qualifier = _source(tree)
    where = _Where(qualifier)
    items = [(_name(e.args["alias"]) if isinstance(e, exp.Alias) else _display(e, qualifier),
              e.this if isinstance(e, exp.Alias) else e) for e in tree.expressions]
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise SqlRejected("result column names must be unique: " + ", ".join(duplicates))
    aggregate = tree.args.get("group") is not None or any(_is_aggregate(e) for _, e in items)
    plan = _Select(where, items, aggregate)
    plan.group(tree.args.get("group"))
    columns = [plan.output(name, node) for name, node in items]
    if plan.selector_time is not None:
        if plan.bucket is not None or plan.row_count or plan.fields not in (
                [], [plan.selector_time]):
            # 1.x answers a point's time only for a lone selector without GROUP BY time.
            raise Untranslatable("a selector's ['time'] beside other aggregates or date_bin")
        plan.position(plan.selector_time)
    if plan.row_count or not plan.fields:
        # No field named: 1.x still needs one; counting every field keeps every point/group.
        columns = [OutputColumn(c.name, c.origin, position=len(plan.fields) + 1, count=True)
                   if c.origin is Origin.ROW_COUNT else c for c in columns]
        plan.fields.append(_ROW_COUNT if aggregate else ast.Wildcard())
    if len(plan.fields) > 1 and any(isinstance(f, ast.Call) and f.args and isinstance(
            f.args[0], ast.Call) and f.args[0].name == "distinct" for f in plan.fields):
        # 1.x: "aggregate function distinct() cannot be combined with other functions or fields"
        raise Untranslatable("count(DISTINCT ...) beside other aggregates")
    condition = where.condition(tree.args["where"].this) if tree.args.get("where") else None
    descending = _order(tree.args.get("order"), plan)
    limit = _clause_count(tree.args.get("limit"), "LIMIT")
    offset = _clause_count(tree.args.get("offset"), "OFFSET") or 0
    # 1.x cuts each series, with OFFSET alone answering one row and LIMIT 0 meaning none.
    pushed_limit, pushed_offset, post_offset, post_limit = 0, 0, offset, limit
    global_aggregate = aggregate and tree.args.get("group") is None
    if global_aggregate:
        pass  # one row at most, perhaps made up here: cut only afterwards
    elif limit == 0:
        pushed_limit = 1
    elif limit is not None and not plan.tags:
        pushed_limit, pushed_offset, post_offset, post_limit = limit, offset, 0, None
    elif limit is not None:
        pushed_limit = limit + offset
    dimensions = [ast.Dimension(plan.interval)] if plan.interval is not None else []
    dimensions += [ast.Dimension(ast.VarRef(tag)) for tag in plan.tags]
    statement = ast.SelectStatement(
        fields=tuple(ast.Field(f) for f in plan.fields),
        sources=(ast.Measurement(measurement),), condition=condition,
        dimensions=tuple(dimensions),
        fill=ast.FillOption.NONE if plan.interval is not None else ast.FillOption.NULL,
        sort_fields=(ast.SortField("time", False),) if descending else (),
        limit=pushed_limit, offset=pushed_offset)
    return SqlTranslation(statement, tuple(columns), global_aggregate=global_aggregate,
                          descending=descending, offset=post_offset, limit=post_limit)


def _order(order: exp.Order | None, plan: _Select) -> bool | None:
    """ORDER BY time (a raw time, the date_bin bucket, a selector's time): True if DESC."""
    if order is None:
        return None
    if len(order.expressions) != 1:
        raise Untranslatable("ORDER BY several columns")
    ordered = order.expressions[0]
    target = plan.resolve(ordered.this, grouping=False)
    column = plan.where.column(target)
    if column == "time" and plan.aggregate and plan.selector_time is None:
        raise Untranslatable("ORDER BY the raw time in an aggregate query")
    bucket = plan.bucket is not None and target == plan.bucket
    selected = isinstance(target, exp.Bracket) and target.expressions[0].name == "time"
    if not (column == "time" or bucket or selected):
        raise Untranslatable("ORDER BY anything but time")
    return bool(ordered.args.get("desc"))


# -- the answer, as SQL rows --------------------------------------------------------------------


def _typed(values: list[Any], floating: bool = False) -> pa.Array:
    kinds = {type(v) for v in values if v is not None}
    if kinds == {int, float} or (floating and kinds == {int}):
        # 1.x's JSON writes integral floats as integers
        values = [None if v is None else float(v) for v in values]
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def _cell(column: OutputColumn, row: Sequence[Any], tags: Mapping[str, str]) -> Any:
    if column.origin is Origin.TIME:
        return row[0]
    if column.origin is Origin.TAG:
        return tags.get(column.tag) or None  # 1.x answers "" for a missing tag; SQL, NULL
    if column.origin is Origin.ROW_COUNT:
        return max((v for v in row[column.position:] if type(v) is int), default=0)
    return row[column.position] if column.position < len(row) else None


def _arrange(rows: list[tuple[Any, list[Any]]], translation: SqlTranslation,
             several: bool) -> list[list[Any]]:
    if several and translation.descending is not None:
        rows.sort(key=lambda r: r[0] or 0, reverse=translation.descending)  # stable
    end = None if translation.limit is None else translation.offset + translation.limit
    return [r[1] for r in rows[translation.offset:end]]


def answer_table(results: Sequence[StatementResult], translation: SqlTranslation) -> pa.Table:
    """The SQL answer rebuilt from the upstream's answer to `translation.influxql`: columns in
    the SQL's order and names, times as timestamp[ns], tags as strings, values typed from the
    data. Raises ValueError with the statement's error if the upstream reported one."""
    series = []
    for result in results:
        if result.error is not None:
            raise ValueError(result.error)
        series.extend(result.series)
    if translation.columns and translation.columns[0].origin is Origin.ALL:
        return _star_table(series, translation)
    columns = translation.columns
    rows = [(row[0] if s.has_time and row else None, [_cell(c, row, s.tags or {}) for c in columns])
            for s in series for row in s.values]
    if not rows and translation.global_aggregate:
        rows = [(None, [0 if c.count else None for c in columns])]
    cells = _arrange(rows, translation, len(series) > 1)
    arrays = []
    for index, column in enumerate(columns):
        values = [row[index] for row in cells]
        if column.origin is Origin.TIME:
            arrays.append(pa.array(values, pa.timestamp("ns")))
        elif column.origin is Origin.TAG:
            arrays.append(pa.array(values, pa.string()))
        else:
            arrays.append(pa.array(values, pa.int64()) if column.count
                          else _typed(values, column.floating))
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def _star_table(series: list[Any], translation: SqlTranslation) -> pa.Table:
    """SELECT *: every column 1.x answered, sorted by name as InfluxDB 3 lists a table's."""
    names = sorted({name for s in series for name in s.columns})
    rows = []
    for s in series:
        for row in s.values:
            record = dict(zip(s.columns, row, strict=False))
            rows.append((record.get("time"), [record.get(n) for n in names]))
    cells = _arrange(rows, translation, len(series) > 1)
    arrays = [pa.array([r[i] for r in cells], pa.timestamp("ns")) if name == "time"
              else _typed([r[i] for r in cells]) for i, name in enumerate(names)]
    return pa.Table.from_arrays(arrays, names=names)

