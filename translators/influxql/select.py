"""SELECT statements: fields, INTO, FROM (measurements, regexes, subqueries), WHERE, GROUP BY,
fill(), ORDER BY, LIMIT/OFFSET/SLIMIT/SOFFSET and tz(), in 1.x's clause order."""

from __future__ import annotations

import enum
import zoneinfo

from . import ast
from .clauses import parse_optional_int, parse_order_by, parse_tokens
from .errors import InfluxQLParseError, plain, unexpected
from .expr import (
    invalid_field_operator,
    parse_condition,
    parse_dimensions,
    parse_expr,
    parse_ident,
    parse_regex,
    parse_segmented_idents,
)
from .lexer import Tok, TokenStream, tokstr


class Target(enum.Enum):
    """Whether INTO is required (continuous queries), allowed, or inside a subquery."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    SUBQUERY = "subquery"


_FILLS = {
    "null": ast.FillOption.NULL, "none": ast.FillOption.NONE,
    "previous": ast.FillOption.PREVIOUS, "linear": ast.FillOption.LINEAR,
}


def parse_select(p: TokenStream, target: Target = Target.OPTIONAL) -> ast.SelectStatement:
    """The rest of a SELECT statement, after the SELECT keyword."""
    fields = parse_fields(p)
    into = parse_target(p, target)
    tok, pos, lit = p.scan_ws()
    if tok != Tok.FROM:
        raise unexpected(tokstr(tok, lit), ["FROM"], pos)
    sources = parse_sources(p, subqueries=True)
    condition = parse_condition(p)
    dimensions = parse_dimensions(p)
    fill, fill_value = parse_fill(p)
    sort_fields = parse_order_by(p)
    limit = parse_optional_int(p, Tok.LIMIT)
    offset = parse_optional_int(p, Tok.OFFSET)
    slimit = parse_optional_int(p, Tok.SLIMIT)
    soffset = parse_optional_int(p, Tok.SOFFSET)
    timezone = parse_location(p)
    return ast.SelectStatement(
        fields=fields, sources=sources, condition=condition, dimensions=dimensions, fill=fill,
        fill_value=fill_value, sort_fields=sort_fields, limit=limit, offset=offset,
        slimit=slimit, soffset=soffset, timezone=timezone, target=into)


def parse_fields(p: TokenStream) -> tuple[ast.Field, ...]:
    fields = [parse_field(p)]
    while p.scan()[0] == Tok.COMMA:  # 1.x takes the comma without skipping whitespace
        fields.append(parse_field(p))
    p.unscan()
    return tuple(fields)


def parse_field(p: TokenStream) -> ast.Field:
    expr: ast.Expr | None = parse_regex(p)
    if expr is None:
        _, pos, _ = p.scan_ws()
        p.unscan()
        expr = parse_expr(p)
        bad = invalid_field_operator(expr)
        if bad is not None:
            line, char = pos[0] + 1, pos[1] + 1
            err = plain(f"invalid operator {bad.value} in SELECT clause at line {line}, "
                        f"char {char}; operator is intended for WHERE clause")
            err.line, err.char = line, char
            raise err
    alias = None
    if p.scan_ws()[0] == Tok.AS:
        alias = parse_ident(p)
    else:
        p.unscan()
    p.consume_whitespace()
    return ast.Field(expr, alias)


def parse_target(p: TokenStream, target: Target) -> ast.Measurement | None:
    """`INTO m`, `INTO rp.m`, `INTO db.rp.m` or `INTO db.rp.:MEASUREMENT` (name "")."""
    tok, pos, lit = p.scan_ws()
    if tok != Tok.INTO:
        if target is Target.REQUIRED:
            raise unexpected(tokstr(tok, lit), ["INTO"], pos)
        p.unscan()
        return None
    idents = parse_segmented_idents(p)
    if len(idents) < 3 and p.peek_rune() == ":":
        parse_tokens(p, [Tok.COLON, Tok.MEASUREMENT])
        idents.append("")
    if len(idents) == 1:
        return ast.Measurement(name=idents[0])
    if len(idents) == 2:
        return ast.Measurement(name=idents[1], retention_policy=idents[0] or None)
    return ast.Measurement(name=idents[2], database=idents[0] or None,
                           retention_policy=idents[1] or None)


def parse_sources(p: TokenStream, subqueries: bool) -> tuple[ast.Source, ...]:
    sources = [parse_source(p, subqueries)]
    while p.scan_ws()[0] == Tok.COMMA:
        sources.append(parse_source(p, subqueries))
    p.unscan()
    return tuple(sources)


def parse_source(p: TokenStream, subqueries: bool) -> ast.Source:
    regex = parse_regex(p)
    if regex is not None:
        return ast.Measurement(regex=regex)
    if subqueries:
        if p.scan_ws()[0] == Tok.LPAREN:
            parse_tokens(p, [Tok.SELECT])
            statement = parse_select(p, Target.SUBQUERY)
            parse_tokens(p, [Tok.RPAREN])
            return ast.SubQuery(statement)
        p.unscan()
    idents = parse_segmented_idents(p)
    if len(idents) == 3:
        return ast.Measurement(name=idents[2], database=idents[0] or None,
                               retention_policy=idents[1] or None)
    regex = parse_regex(p)
    if len(idents) == 1:
        if regex is not None:
            return ast.Measurement(regex=regex, retention_policy=idents[0] or None)
        return ast.Measurement(name=idents[0])
    if regex is not None:
        return ast.Measurement(regex=regex, database=idents[0] or None,
                               retention_policy=idents[1] or None)
    return ast.Measurement(name=idents[1], retention_policy=idents[0] or None)


def parse_fill(p: TokenStream) -> tuple[ast.FillOption, float | int | None]:
    tok, _, lit = p.scan_ws()
    p.unscan()
    if tok != Tok.IDENT or lit.lower() != "fill":
        return ast.FillOption.NULL, None
    expr = parse_expr(p)
    if not isinstance(expr, ast.Call):
        raise plain("fill must be a function call")
    if len(expr.args) != 1:
        raise plain("fill requires an argument, e.g.: 0, null, none, previous, linear")
    arg = expr.args[0]
    # 1.x compares the argument's String(): `fill(null)` and `fill("null")` match, `fill(NULL)`
    # does not.
    if isinstance(arg, ast.VarRef) and arg.type is None and arg.name in _FILLS:
        return _FILLS[arg.name], None
    if isinstance(arg, ast.IntegerLiteral | ast.NumberLiteral):
        return ast.FillOption.NUMBER, arg.value
    raise plain("expected number argument in fill()")


def parse_location(p: TokenStream) -> str | None:
    tok, _, lit = p.scan_ws()
    p.unscan()
    if tok != Tok.IDENT or lit.lower() != "tz":
        return None
    expr = parse_expr(p)
    if not isinstance(expr, ast.Call):
        raise plain("tz must be a function call")
    if len(expr.args) != 1:
        raise plain("tz requires exactly one argument")
    name = expr.args[0]
    if not isinstance(name, ast.StringLiteral):
        raise plain("expected string argument in tz()")
    if not time_zone_exists(name.value):
        raise plain(f"unable to find time zone {name.value}")
    return name.value


def time_zone_exists(name: str) -> bool:
    """Whether Go's time.LoadLocation would find the zone ("" and "UTC" always exist)."""
    if name in ("", "UTC", "Local"):
        return True
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def has_call(fields: tuple[ast.Field, ...]) -> bool:
    """Whether any field calls a function (1.x: not a raw query)."""
    stack: list[ast.Expr] = [f.expr for f in fields]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            return True
        if isinstance(node, ast.BinaryExpr):
            stack += [node.lhs, node.rhs]
        elif isinstance(node, ast.ParenExpr):
            stack.append(node.expr)
    return False


def group_by_interval(statement: ast.SelectStatement) -> int:
    """The `GROUP BY time(...)` interval in nanoseconds, 0 if none; 1.x's errors otherwise."""
    for dim in statement.dimensions:
        call = dim.expr
        if isinstance(call, ast.Call) and call.name == "time":
            if not 1 <= len(call.args) <= 2:
                raise InfluxQLParseError("time dimension expected 1 or 2 arguments")
            if not isinstance(call.args[0], ast.DurationLiteral):
                raise InfluxQLParseError("time dimension must have duration argument")
            return call.args[0].nanoseconds
    return 0
