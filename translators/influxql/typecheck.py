"""1.x's type check of the SELECT list: arithmetic between values that cannot meet.

1.x gives each field expression a type before it runs the statement (fields by their stored
type, tags `tag`, literals by kind, functions by what they answer) and refuses a binary
operator whose two sides do not fit: `+ - * / %` want two numbers, `& | ^` two integers or two
booleans. The error names the expression as 1.x writes it, variables with their types:
`type error: message::string + 1: incompatible types: string and integer`. A side of unknown
type (a missing field, `time`, a duration) takes the other side's type and never fails.
"""

from __future__ import annotations

from collections.abc import Sequence

from translators.lineprotocol import FieldType

from . import ast
from .durations import format_duration
from .errors import QueryError
from .functions import FLOAT_CALLS, INTEGER_CALLS, MATH
from .quoting import quote_ident, quote_string
from .schema import read_as
from .select_plan import Source

_NUMBERS = ("float", "integer", "unsigned")
_BITWISE = (ast.BinaryOp.BITWISE_AND, ast.BinaryOp.BITWISE_OR, ast.BinaryOp.BITWISE_XOR)
_ARITHMETIC = (ast.BinaryOp.ADD, ast.BinaryOp.SUB, ast.BinaryOp.MUL, ast.BinaryOp.DIV,
               ast.BinaryOp.MOD)


class Types:
    """The type of each name the statement's sources hold, as 1.x reads it."""

    def __init__(self, sources: Sequence[Source]) -> None:
        stored: dict[str, list[FieldType]] = {}
        self.tags: set[str] = set()
        for source in sources:
            for schema in (source.own or {source.database: source.schema}).values():
                for name, ftype in schema.fields.items():
                    if name not in schema.untyped:
                        stored.setdefault(name, []).append(ftype)
                self.tags.update(schema.tags)
        self.fields = {name: read_as(types).value for name, types in stored.items()}

    def of(self, ref: ast.VarRef) -> str | None:
        cast = ref.type
        if cast is ast.DataType.TAG:
            return "tag"
        if cast is not None and cast is not ast.DataType.FIELD:
            return cast.value
        if ref.name in self.fields:
            return self.fields[ref.name]
        if cast is None and ref.name in self.tags:
            return "tag"
        return None


def check_types(fields: Sequence[ast.Field], sources: Sequence[Source]) -> None:
    """Raise 1.x's type error for the first field whose operators do not fit."""
    types = Types(sources)
    for field in fields:
        expr_type(field.expr, types)


def expr_type(expr: ast.Expr, types: Types) -> str | None:
    match expr:
        case ast.VarRef():
            return None if expr.name.lower() == "time" else types.of(expr)
        case ast.ParenExpr(inner):
            return expr_type(inner, types)
        case ast.IntegerLiteral():
            return "integer"
        case ast.UnsignedLiteral():
            return "unsigned"
        case ast.NumberLiteral():
            return "float"
        case ast.StringLiteral():
            return "string"
        case ast.BooleanLiteral():
            return "boolean"
        case ast.Call(name, args):
            argument = [expr_type(a, types) for a in args][:1]
            if name in FLOAT_CALLS:
                return "float"
            if name in INTEGER_CALLS:
                return "integer"
            if name in MATH or argument:
                return argument[0] if argument else None
            return None
        case ast.Distinct():
            return types.of(ast.VarRef(expr.name))
        case ast.BinaryExpr(op, lhs, rhs):
            return _binary(expr, op, expr_type(lhs, types), expr_type(rhs, types), types)
    return None


def _binary(expr: ast.BinaryExpr, op: ast.BinaryOp, lhs: str | None, rhs: str | None,
            types: Types) -> str | None:
    if lhs is None or rhs is None:
        return lhs or rhs
    if op in _ARITHMETIC and lhs in _NUMBERS and rhs in _NUMBERS:
        return "float" if "float" in (lhs, rhs) else lhs
    if op in _BITWISE and lhs == rhs and lhs in ("integer", "unsigned", "boolean"):
        return lhs
    if op not in _ARITHMETIC and op not in _BITWISE:
        return None  # comparisons and logic in a field: not checked here
    raise QueryError(f"type error: {_text(expr, types)}: incompatible types: {lhs} and {rhs}")


def _text(expr: ast.Expr, types: Types) -> str:
    """The expression as 1.x's String() writes it after typing its variables."""
    match expr:
        case ast.VarRef(name):
            kind = None if name.lower() == "time" else types.of(expr)
            return quote_ident(name) + (f"::{kind}" if kind else "")
        case ast.ParenExpr(inner):
            if not isinstance(inner, ast.BinaryExpr):
                return _text(inner, types)  # 1.x keeps parentheses only around operators
            return f"({_text(inner, types)})"
        case ast.IntegerLiteral(value) | ast.UnsignedLiteral(value):
            return str(value)
        case ast.NumberLiteral(value):
            return f"{value:.3f}"
        case ast.StringLiteral(value):
            return quote_string(value)
        case ast.BooleanLiteral(value):
            return "true" if value else "false"
        case ast.DurationLiteral(ns):
            return format_duration(ns)
        case ast.Call(name, args):
            return f"{name}({', '.join(_text(a, types) for a in args)})"
        case ast.Distinct(name):
            return f"distinct({_text(ast.VarRef(name), types)})"
        case ast.BinaryExpr(op, lhs, rhs):
            return f"{_text(lhs, types)} {op.value} {_text(rhs, types)}"
    return ""
