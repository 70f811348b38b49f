"""SQL conditions and time values as InfluxQL expressions: WHERE, timestamps, intervals.

The InfluxQL built here is what 1.x accepts: comparisons between a column and a value, time
compared with a timestamp or now() plus or minus a duration (never under OR), LIKE and
regular expressions as RE2 regex literals.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlglot import exp

from translators.influxql import ast
from translators.influxql.timerange import parse_time_string

from .influxdb3 import READ_DIALECT, SqlRejected
from .influxql_translation import Untranslatable, describe


def identifier_name(identifier: exp.Expression) -> str:
    """DataFusion folds unquoted identifiers to lower case."""
    if isinstance(identifier, exp.Identifier) and identifier.quoted:
        return str(identifier.this)
    return identifier.name.lower()



# -- time values ------------------------------------------------------------------------------

_NS_PER_UNIT = {
    "nanosecond": 1, "microsecond": 1_000, "millisecond": 1_000_000,
    "second": 1_000_000_000, "minute": 60_000_000_000, "hour": 3_600_000_000_000,
    "day": 86_400_000_000_000, "week": 604_800_000_000_000,
}
_CALENDAR_UNITS = frozenset({"month", "year", "decade", "century", "centuries", "millennium"})
_INTERVAL_PART = re.compile(r"\s*([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)\s*([a-z]+)")


def interval_ns(node: exp.Interval) -> int:
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


# DataFusion's to_timestamp family: a number counts this many nanoseconds per unit (a plain
# to_timestamp's are seconds, fractions kept); a string is read as a timestamp.
_EPOCH_FUNCTIONS = {
    "to_timestamp": 10**9, "to_timestamp_seconds": 10**9, "from_unixtime": 10**9,
    "to_timestamp_millis": 10**6, "to_timestamp_micros": 10**3, "to_timestamp_nanos": 1,
}
_INT64 = range(-(2**63), 2**63)


def _epoch_function(node: exp.Expression) -> int | None:
    """The time a to_timestamp-family call of a literal names, or None if `node` is none."""
    if isinstance(node, exp.UnixToTime) and set(node.args) <= {"this"}:
        name, args = "to_timestamp", [node.this]
    elif isinstance(node, exp.Anonymous) and node.name.lower() in _EPOCH_FUNCTIONS:
        name, args = node.name.lower(), node.expressions
    else:
        return None
    value = args[0] if len(args) == 1 else None
    if value is not None and value.is_string:
        return _timestamp_ns(value.name)
    sign = 1
    if isinstance(value, exp.Neg):
        sign, value = -1, value.this
    if value is None or not value.is_number:
        raise Untranslatable(f"{name}() of anything but one number or string")
    ns = int(sign * Decimal(value.name) * _EPOCH_FUNCTIONS[name])
    if ns not in _INT64:
        raise SqlRejected(f"{name}({sign * Decimal(value.name)}) is out of the time range")
    return ns


def _timestamp_literal(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Cast) and node.to.is_type(*exp.DataType.TEMPORAL_TYPES):
        node = node.this
    if isinstance(node, exp.Literal) and node.is_string:
        return _timestamp_ns(node.name)
    return _epoch_function(node)


def time_value(node: exp.Expression) -> ast.Expr:
    """The right side of a time comparison: a timestamp, now(), either ± intervals."""
    if isinstance(node, exp.Paren):
        return time_value(node.this)
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
        if isinstance(right, exp.Interval) and isinstance(left, exp.Literal) and left.is_string:
            # DataFusion coerces text to a time in a comparison, never in arithmetic
            kinds = ["Interval(MonthDayNano)", "Utf8"]
            if node.this is left:
                kinds.reverse()
            sign = "+" if isinstance(node, exp.Add) else "-"
            raise SqlRejected("Error during planning: Cannot coerce arithmetic expression "
                              f"{kinds[0]} {sign} {kinds[1]} to valid types")
        if isinstance(right, exp.Interval):
            base, span = time_value(left), interval_ns(right)
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
_ORDERINGS = frozenset({ast.BinaryOp.LT, ast.BinaryOp.LTE, ast.BinaryOp.GT, ast.BinaryOp.GTE})
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
        number = float(text)
        if not math.isfinite(number):  # 1.x's parser reads no infinity
            raise Untranslatable(f"the number {text}")
        return ast.NumberLiteral(number)
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


def _escaped_backslashes(pattern: str) -> str:
    """An RE2 pattern with each escaped backslash written `\\x5c`, which means the same: 1.x's
    scanner reads `\\/` in a regex literal as an escaped `/`, so a pattern ending in `\\\\`
    (or with one before a `/`) never ended."""
    out, chars = [], iter(pattern)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append("\\x5c" if following == "\\" else char + following)
        else:
            out.append(char)
    return "".join(out)


def _mentions_time(node: ast.Expr) -> bool:
    if isinstance(node, ast.VarRef):
        return node.name == "time"
    if isinstance(node, ast.BinaryExpr):
        return _mentions_time(node.lhs) or _mentions_time(node.rhs)
    return False


@dataclass(slots=True)
class Where:
    """The columns and conditions of a query over one table, which `qualifier` names."""

    qualifier: str

    def column(self, node: exp.Expression) -> str | None:
        if not isinstance(node, exp.Column) or isinstance(node.this, exp.Star):
            return None
        table = node.args.get("table")
        if table is not None and identifier_name(table) != self.qualifier:
            raise SqlRejected(f"unknown table '{identifier_name(table)}' in column reference")
        return identifier_name(node.this)

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
        raise Untranslatable(describe(node))

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
            return ast.BinaryExpr(op, ast.VarRef("time"), time_value(rhs))
        value = _value(rhs)
        if op in _ORDERINGS and isinstance(value, ast.StringLiteral | ast.BooleanLiteral):
            # 1.x orders neither text nor booleans (the comparison is false for every point),
            # where DataFusion compares them, or casts the text to the column's number.
            kind = "text" if isinstance(value, ast.StringLiteral) else "a boolean"
            raise Untranslatable(f"{kind} compared with <, <=, > or >=")
        return ast.BinaryExpr(op, ast.VarRef(name), value)

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
        text = _escaped_backslashes(text)
        op = ast.BinaryOp.NEQREGEX if negate else ast.BinaryOp.EQREGEX
        return ast.BinaryExpr(op, ast.VarRef(name), ast.RegexLiteral(text))
