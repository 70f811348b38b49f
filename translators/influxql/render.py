"""InfluxQL text for any syntax-tree node, written the way 1.x's String() methods write it.

Identifiers are quoted only when 1.x's QuoteIdent would, strings single-quoted with escapes,
durations in 1.x's FormatDuration units, regexes as `/.../` with `/` escaped. Where 1.x's text
would not read back as the same tree, this module departs from it, always so that
`parse(render(tree)) == tree`:

- a float that three decimals (1.x's `%.3f`) would round is written with all its digits;
- a binary operand that needs parentheses to keep the tree's shape gets them (1.x writes none,
  which only the parser's own trees survive), and a unary minus on the right of `* / % &`
  is written `-x` rather than 1.x's `-1 * x`;
- a function or DISTINCT name that is not a bare identifier is quoted.
Long `a OR b OR c ...` chains are written without recursion.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from . import ast
from .durations import format_duration
from .expr import OP_TOKENS
from .params import format_float
from .quoting import ident_needs_quotes, quote_ident, quote_string
from .tokens import is_ident_char, is_ident_first_char


def render(node: object) -> str:
    """The InfluxQL text of an expression, clause, source or statement."""
    fn = _RENDERERS.get(type(node))
    if fn is None:
        raise TypeError(f"cannot render {type(node).__name__}")
    return fn(node)


def _precedence(op: ast.BinaryOp) -> int:
    return OP_TOKENS[op].precedence


def _number(value: float) -> str:
    text = f"{value:.3f}"
    return text if float(text) == value else format_float(value)


def _time(ns: int) -> str:
    seconds, frac = divmod(ns, 1_000_000_000)
    stamp = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds))
    text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        text += "." + f"{frac:09d}".rstrip("0")
    return f"'{text}Z'"


def _bare_name(name: str) -> str:
    """A function or DISTINCT name: written bare, as 1.x does, when it reads back bare."""
    bare = bool(name) and is_ident_first_char(name[0]) and all(map(is_ident_char, name))
    if bare and (name.lower() == "distinct" or not ident_needs_quotes(name)):
        return name
    return quote_ident(name)


def _var_ref(node: ast.VarRef) -> str:
    text = quote_ident(node.name)
    return f"{text}::{node.type.value}" if node.type is not None else text


def _wildcard(node: ast.Wildcard) -> str:
    return f"*::{node.type.value}" if node.type in (ast.DataType.FIELD, ast.DataType.TAG) else "*"


def _call(node: ast.Call) -> str:
    return f"{_bare_name(node.name)}({', '.join(render(arg) for arg in node.args)})"


def _unary(node: ast.Expr) -> str | None:
    """`-x`/`+x` for the `±1 * x` a unary sign on a non-literal parses to, else None."""
    if (isinstance(node, ast.BinaryExpr) and node.op is ast.BinaryOp.MUL
            and isinstance(node.lhs, ast.IntegerLiteral) and node.lhs.value in (1, -1)
            and isinstance(node.rhs, ast.VarRef | ast.Call | ast.ParenExpr)):
        return ("-" if node.lhs.value < 0 else "+") + render(node.rhs)
    return None


def _binary(node: ast.BinaryExpr) -> str:
    # Walk down the left spine iteratively: chains of one operator can be very long.
    spine: list[ast.BinaryExpr] = [node]
    while True:
        lhs = spine[-1].lhs
        if not isinstance(lhs, ast.BinaryExpr) or _precedence(lhs.op) < _precedence(
                spine[-1].op):
            break
        spine.append(lhs)
    innermost = spine[-1]
    parts = [_operand(innermost.lhs, innermost.op, left=True)]
    for current in reversed(spine):
        parts.append(f" {current.op.value} {_operand(current.rhs, current.op, left=False)}")
    return "".join(parts)


_ASSOCIATIVE = (ast.BinaryOp.AND, ast.BinaryOp.OR)


def _operand(node: ast.Expr, op: ast.BinaryOp, left: bool) -> str:
    if isinstance(node, ast.BinaryExpr):
        mine, theirs = _precedence(op), _precedence(node.op)
        if left and theirs < mine:
            return f"({render(node)})"
        if not left and node.op is op and op in _ASSOCIATIVE:
            return render(node)  # a long AND/OR run the parser balanced: written flat again
        if not left and theirs <= mine:
            return _unary(node) or f"({render(node)})"
    return render(node)


def _measurement(node: ast.Measurement, target: bool = False) -> str:
    text = ""
    if node.database:
        text += quote_ident(node.database) + "."
    if node.retention_policy:
        text += quote_ident(node.retention_policy)
    if node.database or node.retention_policy:
        text += "."
    if node.name:
        text += quote_ident(node.name)
    elif node.regex is not None:
        text += render(node.regex)
    elif not target:
        text += quote_ident("")
    return text


def _sources(sources: tuple[ast.Source, ...]) -> str:
    return ", ".join(render(source) for source in sources)


def _field(node: ast.Field) -> str:
    text = render(node.expr)
    return f"{text} AS {quote_ident(node.alias)}" if node.alias else text


def _fill_value(value: float | int | None) -> str:
    if isinstance(value, int):
        return str(value)
    assert value is not None
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))  # Go's %v writes 2.0 as 2
    text = repr(value)
    return format_float(value) if "e" in text else text


def _clauses(*pairs: tuple[str, object]) -> str:
    """` KEYWORD value` for each pair whose value is set (a non-empty text or count > 0)."""
    out = []
    for keyword, value in pairs:
        if value:
            out.append(f" {keyword} {value}")
    return "".join(out)


def _select(node: ast.SelectStatement) -> str:
    text = "SELECT " + ", ".join(_field(f) for f in node.fields)
    if node.target is not None:
        target = _measurement(node.target, target=True)
        text += f" INTO {target}" + (":MEASUREMENT" if not node.target.name else "")
    if node.sources:
        text += " FROM " + _sources(node.sources)
    if node.condition is not None:
        text += " WHERE " + render(node.condition)
    if node.dimensions:
        text += " GROUP BY " + ", ".join(render(d.expr) for d in node.dimensions)
    if node.fill is ast.FillOption.NUMBER:
        text += f" fill({_fill_value(node.fill_value)})"
    elif node.fill is not ast.FillOption.NULL:
        text += f" fill({node.fill.value})"
    if node.sort_fields:
        text += " ORDER BY " + ", ".join(
            f"{quote_ident(s.name)} {'ASC' if s.ascending else 'DESC'}" for s in node.sort_fields)
    text += _clauses(("LIMIT", node.limit), ("OFFSET", node.offset), ("SLIMIT", node.slimit),
                     ("SOFFSET", node.soffset))
    if node.timezone is not None:
        text += f" TZ({quote_string(node.timezone)})"
    return text


def _on(database: str | None) -> str:
    return f" ON {quote_ident(database)}" if database is not None else ""


def _from(sources: tuple[ast.Source, ...]) -> str:
    return f" FROM {_sources(sources)}" if sources else ""


def _where(condition: ast.Expr | None) -> str:
    return f" WHERE {render(condition)}" if condition is not None else ""


def _limits(node: Any) -> str:
    return _clauses(("LIMIT", node.limit), ("OFFSET", node.offset))


def _with_key(op: ast.TagKeyOp | None, keys: tuple[str, ...],
              regex: ast.RegexLiteral | None) -> str:
    if op is None:
        return ""
    if op is ast.TagKeyOp.IN:
        operand = "(" + ", ".join(quote_ident(k) for k in keys) + ")"
    elif regex is not None:
        operand = render(regex)
    else:
        operand = quote_ident(keys[0])
    return f" WITH KEY {op.value} {operand}"


def _show_measurements(node: ast.ShowMeasurements) -> str:
    text = "SHOW MEASUREMENTS" + _on(node.database)
    if node.source is not None:
        op = "=~" if node.source.regex is not None and not node.source.name else "="
        text += f" WITH MEASUREMENT {op} {_measurement(node.source)}"
    return text + _where(node.condition) + _limits(node)


def _show_tag_keys(node: ast.ShowTagKeys) -> str:
    return ("SHOW TAG KEYS" + _on(node.database) + _from(node.sources) + _where(node.condition)
            + _limits(node) + _clauses(("SLIMIT", node.slimit), ("SOFFSET", node.soffset)))


def _show_tag_values(node: ast.ShowTagValues) -> str:
    return ("SHOW TAG VALUES" + _on(node.database) + _from(node.sources)
            + _with_key(node.op, node.keys, node.regex) + _where(node.condition)
            + _limits(node))


def _show_cardinality(node: ast.ShowCardinality) -> str:
    text = f"SHOW {node.kind.value.upper()} {'EXACT ' if node.exact else ''}CARDINALITY"
    text += _on(node.database) + _from(node.sources)
    text += _with_key(node.key_op, node.keys, node.key_regex) + _where(node.condition)
    if node.dimensions:
        text += " GROUP BY " + ", ".join(render(d.expr) for d in node.dimensions)
    return text + _limits(node)


def _rp_options(spec: ast.RetentionPolicySpec) -> str:
    text = ""
    if spec.duration is not None:
        text += f" DURATION {format_duration(spec.duration)}"
    if spec.replication is not None:
        text += f" REPLICATION {spec.replication}"
    if spec.shard_duration is not None:
        text += f" SHARD DURATION {format_duration(spec.shard_duration)}"
    return text


def _create_database(node: ast.CreateDatabase) -> str:
    text = f"CREATE DATABASE {quote_ident(node.name)}"
    spec = node.retention_policy
    if spec is not None:
        text += " WITH" + _rp_options(spec)
        if spec.name is not None:
            text += f" NAME {quote_ident(spec.name)}"
    return text


def _retention_policy(verb: str, database: str, spec: ast.RetentionPolicySpec) -> str:
    text = f"{verb} RETENTION POLICY {quote_ident(spec.name or '')} ON {quote_ident(database)}"
    return text + _rp_options(spec) + (" DEFAULT" if spec.default else "")


_RENDERERS: dict[type, Callable[[Any], str]] = {
    ast.VarRef: _var_ref,
    ast.Wildcard: _wildcard,
    ast.Call: _call,
    ast.Distinct: lambda n: f"DISTINCT {_bare_name(n.name)}",
    ast.BinaryExpr: _binary,
    ast.ParenExpr: lambda n: f"({render(n.expr)})",
    ast.NumberLiteral: lambda n: _number(n.value),
    ast.IntegerLiteral: lambda n: str(n.value),
    ast.UnsignedLiteral: lambda n: str(n.value),
    ast.StringLiteral: lambda n: quote_string(n.value),
    ast.BooleanLiteral: lambda n: "true" if n.value else "false",
    ast.DurationLiteral: lambda n: format_duration(n.nanoseconds),
    ast.TimeLiteral: lambda n: _time(n.nanoseconds),
    ast.RegexLiteral: lambda n: "/" + n.pattern.replace("/", "\\/") + "/",
    ast.BoundParameter: lambda n: "$" + quote_ident(n.name),
    ast.NilLiteral: lambda n: "nil",
    ast.Field: _field,
    ast.Measurement: _measurement,
    ast.SubQuery: lambda n: f"({render(n.statement)})",
    ast.Dimension: lambda n: render(n.expr),
    ast.SortField: lambda n: f"{quote_ident(n.name)} {'ASC' if n.ascending else 'DESC'}",
    ast.SelectStatement: _select,
    ast.ShowDatabases: lambda n: "SHOW DATABASES",
    ast.ShowMeasurements: _show_measurements,
    ast.ShowTagKeys: _show_tag_keys,
    ast.ShowTagValues: _show_tag_values,
    ast.ShowFieldKeys: lambda n: ("SHOW FIELD KEYS" + _on(n.database) + _from(n.sources)
                                  + _limits(n)),
    ast.ShowSeries: lambda n: ("SHOW SERIES" + _on(n.database) + _from(n.sources)
                               + _where(n.condition) + _limits(n)),
    ast.ShowRetentionPolicies: lambda n: "SHOW RETENTION POLICIES" + _on(n.database),
    ast.ShowCardinality: _show_cardinality,
    ast.CreateDatabase: _create_database,
    ast.DropDatabase: lambda n: f"DROP DATABASE {quote_ident(n.name)}",
    ast.CreateRetentionPolicy: lambda n: _retention_policy("CREATE", n.database, n.spec),
    ast.AlterRetentionPolicy: lambda n: _retention_policy("ALTER", n.database, n.spec),
    ast.DropRetentionPolicy: lambda n: (f"DROP RETENTION POLICY {quote_ident(n.name)} ON "
                                        f"{quote_ident(n.database)}"),
    ast.DropMeasurement: lambda n: f"DROP MEASUREMENT {quote_ident(n.name)}",
    ast.DropSeries: lambda n: "DROP SERIES" + _from(n.sources) + _where(n.condition),
    ast.Delete: lambda n: "DELETE" + _from(n.sources) + _where(n.condition),
    ast.Explain: lambda n: "EXPLAIN " + ("ANALYZE " if n.analyze else "") + render(n.statement),
    ast.OtherStatement: lambda n: n.text,
}
