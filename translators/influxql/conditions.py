"""InfluxQL WHERE conditions (apart from time ranges) as DuckDB expressions over one
measurement's table.

Each operand is typed as 1.x types it (tag, string, number, boolean), so comparisons between
kinds 1.x cannot compare are false rather than errors, and a missing tag reads as "". Used by
the storage query, SHOW statements' WHERE and DELETE. Errors are 1.x's, in its words.
"""

from __future__ import annotations

from sqlglot import exp

from translators.lineprotocol import FieldType

from . import ast
from .errors import QueryError
from .schema import MeasurementSchema
from .sqlnames import NUMERIC, cast, col

_COMPARE = {
    ast.BinaryOp.EQ: exp.EQ, ast.BinaryOp.NEQ: exp.NEQ, ast.BinaryOp.LT: exp.LT,
    ast.BinaryOp.LTE: exp.LTE, ast.BinaryOp.GT: exp.GT, ast.BinaryOp.GTE: exp.GTE,
}
# where DuckDB answers true for a NaN (stored only by a subquery's stddev() of one point)
_NAN_TRUE = (ast.BinaryOp.EQ, ast.BinaryOp.GT, ast.BinaryOp.GTE)
_ARITH = {
    ast.BinaryOp.ADD: exp.Add, ast.BinaryOp.SUB: exp.Sub, ast.BinaryOp.MUL: exp.Mul,
    ast.BinaryOp.DIV: exp.Div, ast.BinaryOp.MOD: exp.Mod,
    ast.BinaryOp.BITWISE_AND: exp.BitwiseAnd, ast.BinaryOp.BITWISE_OR: exp.BitwiseOr,
    ast.BinaryOp.BITWISE_XOR: exp.BitwiseXor,
}


def condition_sql(expr: ast.Expr, schema: MeasurementSchema,
                  nan: bool = False) -> exp.Expression:
    """`nan`: the rows are a subquery's, where a field may hold NaN, which 1.x (Go) finds
    neither equal to, above nor below anything."""
    kind, sql = _cond(expr, schema, nan=nan)
    if kind != "bool":
        raise QueryError(f"invalid condition expression: {_describe(expr)}")
    return sql


def _describe(expr: ast.Expr) -> str:
    if isinstance(expr, ast.VarRef):
        return expr.name
    return type(expr).__name__


def _cond(expr: ast.Expr, schema: MeasurementSchema, inside_comparison: bool = False,
          nan: bool = False) -> tuple[str, exp.Expression]:
    """(kind, sql): kind is bool, tag, string, number or null, so comparisons can be typed."""
    match expr:
        case ast.ParenExpr(inner):
            kind, sql = _cond(inner, schema, nan=nan)
            return kind, exp.Paren(this=sql)
        case ast.BinaryExpr(ast.BinaryOp.AND | ast.BinaryOp.OR as op, lhs, rhs):
            left = condition_sql(lhs, schema, nan)
            right = condition_sql(rhs, schema, nan)
            node = exp.And if op is ast.BinaryOp.AND else exp.Or
            return "bool", node(this=left, expression=right)
        case ast.BinaryExpr(ast.BinaryOp.EQREGEX | ast.BinaryOp.NEQREGEX as op, lhs, rhs):
            if not isinstance(rhs, ast.RegexLiteral):
                return "bool", exp.false()
            kind, left = _cond(lhs, schema, nan=nan)
            if kind not in ("tag", "string"):
                return "bool", exp.false()
            match_ = exp.RegexpLike(this=left, expression=exp.Literal.string(rhs.pattern))
            return "bool", match_ if op is ast.BinaryOp.EQREGEX else exp.Not(this=match_)
        case ast.BinaryExpr(op, lhs, rhs) if op in _COMPARE:
            direct = _tag_equals(op, lhs, rhs, schema)
            if direct is None:
                direct = _tag_to_name(op, lhs, rhs, schema)
            if direct is not None:
                return "bool", direct
            lkind, left = _cond(lhs, schema, True, nan)
            rkind, right = _cond(rhs, schema, True, nan)
            if not _comparable(lkind, rkind, op):
                return "bool", exp.false()
            compared = _COMPARE[op](this=left, expression=right)
            if nan and lkind == "number" and op in _NAN_TRUE:
                # Go compares NaN with nothing; DuckDB orders it above every number
                guards = [exp.Not(this=exp.func("isnan", side.copy())) for side in (left, right)
                          if not isinstance(side, exp.Literal)]
                compared = exp.Paren(this=exp.and_(compared, *guards, copy=False))
            return "bool", compared
        case ast.BinaryExpr(op, lhs, rhs) if op in _ARITH:
            lkind, left = _cond(lhs, schema, True, nan)
            rkind, right = _cond(rhs, schema, True, nan)
            if lkind != "number" or rkind != "number":
                return "null", exp.null()
            if op is ast.BinaryOp.DIV:
                left = cast(left, "DOUBLE")
            return "number", exp.Paren(this=_ARITH[op](this=left, expression=right))
        case ast.VarRef(name):
            role = schema.role(name)
            if role == "time":
                raise QueryError("invalid time condition: time can only be compared with "
                                 "AND-ed time ranges")
            if expr.type is ast.DataType.TAG or role == "tag" or role is None:
                if role == "field" and expr.type is ast.DataType.TAG:
                    return "tag", exp.Literal.string("")
                source = col(name) if role == "tag" else cast(exp.null(), "VARCHAR")
                return "tag", exp.Coalesce(this=source, expressions=[exp.Literal.string("")])
            ftype = schema.fields[name]
            if ftype is FieldType.FLOAT and expr.type is ast.DataType.INTEGER:
                # 1.x reads a float field cast to integer truncated, in a condition too
                return "number", cast(exp.func("trunc", col(name)), "BIGINT")
            if ftype in NUMERIC:
                return "number", col(name)
            return ("string" if ftype is FieldType.STRING else "boolean"), col(name)
        case ast.StringLiteral(value):
            return "string", exp.Literal.string(value)
        case ast.IntegerLiteral(value) | ast.UnsignedLiteral(value):
            return "number", exp.Literal.number(value)
        case ast.NumberLiteral(value):
            return "number", exp.Literal.number(repr(value))
        case ast.BooleanLiteral(value) if not inside_comparison:
            return "bool", exp.Boolean(this=value)  # `WHERE true AND ...`
        case ast.BooleanLiteral(value):
            return "boolean", exp.Boolean(this=value)
        case ast.DurationLiteral(ns):
            return "number", exp.Literal.number(ns)
    raise QueryError(f"invalid condition expression: {_describe(expr)}")


def _tag_equals(op: ast.BinaryOp, lhs: ast.Expr, rhs: ast.Expr, schema: MeasurementSchema
                ) -> exp.Expression | None:
    """`tag = 'value'` on a stored tag as a comparison of the column itself, which DuckDB
    pushes into its scan (the general form compares COALESCE(tag, ''), which it cannot).
    Stored tag values are never empty, so `= ''` means the tag is missing."""
    found = _tag_literal(op, lhs, rhs, schema)
    if found is None:
        return None
    tag, value = found
    if value == "":
        return col(tag).is_(exp.null())
    return exp.EQ(this=col(tag), expression=exp.Literal.string(value))


def _tag_to_name(op: ast.BinaryOp, lhs: ast.Expr, rhs: ast.Expr, schema: MeasurementSchema
                 ) -> exp.Expression | None:
    """`tag = name` / `tag != name`, `name` a tag or no key at all: 1.x's index keeps, for
    `=`, the series whose tag is set and equals the tag `name` (a name that is no tag never
    does), and for `!=` every other series, a series without the tag included."""
    if op not in (ast.BinaryOp.EQ, ast.BinaryOp.NEQ) or not isinstance(lhs, ast.VarRef) \
            or not isinstance(rhs, ast.VarRef):
        return None
    if schema.role(lhs.name) != "tag" or lhs.type not in (None, ast.DataType.TAG) \
            or schema.role(rhs.name) == "field":
        return None  # a field is compared point by point (a tag never equals it)
    if schema.role(rhs.name) == "tag" and rhs.type in (None, ast.DataType.TAG):
        right: exp.Expression = col(schema.tag_column(rhs.name))
    else:
        right = exp.cast(exp.null(), "VARCHAR")
    same = exp.Coalesce(this=exp.EQ(this=col(schema.tag_column(lhs.name)), expression=right),
                        expressions=[exp.false()])
    return same if op is ast.BinaryOp.EQ else exp.Not(this=same)


def _tag_literal(op: ast.BinaryOp, lhs: ast.Expr, rhs: ast.Expr, schema: MeasurementSchema
                 ) -> tuple[str, str] | None:
    """(tag, value) when the comparison is `tag = 'value'` on a stored tag."""
    if op is not ast.BinaryOp.EQ:
        return None
    if isinstance(lhs, ast.StringLiteral):
        lhs, rhs = rhs, lhs
    if not isinstance(lhs, ast.VarRef) or not isinstance(rhs, ast.StringLiteral):
        return None
    if schema.role(lhs.name) != "tag" or lhs.type not in (None, ast.DataType.TAG):
        return None
    return lhs.name, rhs.value


def pinned_tags(condition: ast.Expr | None, schema: MeasurementSchema) -> set[str]:
    """Tags the condition gives one value on every row it keeps: `tag = 'value'` terms of its
    top-level AND chain (`= ''` pins the tag to missing)."""
    while isinstance(condition, ast.ParenExpr):
        condition = condition.expr
    if not isinstance(condition, ast.BinaryExpr):
        return set()
    if condition.op is ast.BinaryOp.AND:
        return pinned_tags(condition.lhs, schema) | pinned_tags(condition.rhs, schema)
    found = _tag_literal(condition.op, condition.lhs, condition.rhs, schema)
    return set() if found is None else {found[0]}


def _comparable(left: str, right: str, op: ast.BinaryOp) -> bool:
    text = {"tag", "string"}
    if left in text and right in text:
        return True
    return left == right and left in ("number", "boolean")
