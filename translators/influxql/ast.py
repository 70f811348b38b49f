"""The typed InfluxQL syntax tree: what the parser produces and the translator consumes.

Mirrors the statement and expression kinds of InfluxDB 1.x's `influxql` package, as values.
Nodes are frozen dataclasses so a rewrite builds new trees (`dataclasses.replace`) rather than
editing the parser's output in place. The statements other than SELECT are `ast_admin.py`'s,
re-exported here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

# The other statements, re-exported so every caller reads them as `ast.<Name>`.
from .ast_admin import (
    AlterRetentionPolicy,
    CardinalityKind,  # noqa: F401
    CreateDatabase,
    CreateRetentionPolicy,
    Delete,
    DropDatabase,
    DropMeasurement,
    DropRetentionPolicy,
    DropSeries,
    OtherStatement,
    RetentionPolicySpec,  # noqa: F401
    ShowCardinality,
    ShowDatabases,
    ShowFieldKeys,
    ShowMeasurements,
    ShowRetentionPolicies,
    ShowSeries,
    ShowTagKeys,
    ShowTagValues,
    TagKeyOp,  # noqa: F401
)

# ---------------------------------------------------------------------------------------------
# Expressions


class DataType(enum.StrEnum):
    """The `::type` cast on a variable reference (`"usage"::field`, `"host"::tag`)."""

    FLOAT = "float"
    INTEGER = "integer"
    UNSIGNED = "unsigned"
    STRING = "string"
    BOOLEAN = "boolean"
    FIELD = "field"
    TAG = "tag"


@dataclass(frozen=True, slots=True)
class VarRef:
    """A field, tag or `time` reference; `type` is None until a cast or the rewrite sets it."""

    name: str
    type: DataType | None = None


@dataclass(frozen=True, slots=True)
class Wildcard:
    """`*`, `*::field` or `*::tag`."""

    type: DataType | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; `name` is lower-cased (InfluxQL function names are case-insensitive)."""

    name: str
    args: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class Distinct:
    """`DISTINCT x` written as a keyword; the rewrite treats it as `distinct(x)`."""

    name: str


@dataclass(frozen=True, slots=True)
class BinaryExpr:
    """`lhs op rhs`. `op` is one of BinaryOp's values."""

    op: BinaryOp
    lhs: Expr
    rhs: Expr


class BinaryOp(enum.StrEnum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    MOD = "%"
    BITWISE_AND = "&"
    BITWISE_OR = "|"
    BITWISE_XOR = "^"
    AND = "AND"
    OR = "OR"
    EQ = "="
    NEQ = "!="
    LT = "<"
    LTE = "<="
    GT = ">"
    GTE = ">="
    EQREGEX = "=~"
    NEQREGEX = "!~"


@dataclass(frozen=True, slots=True)
class ParenExpr:
    expr: Expr


@dataclass(frozen=True, slots=True)
class NumberLiteral:
    """A float literal (`1.5`, `.5`, `1e3` is not InfluxQL; `-1.5` is a negative literal)."""

    value: float


@dataclass(frozen=True, slots=True)
class IntegerLiteral:
    value: int


@dataclass(frozen=True, slots=True)
class UnsignedLiteral:
    """An integer too large for int64 but within uint64 (1.x parses these as unsigned)."""

    value: int


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """A single-quoted string; compared with `time` it is an RFC3339 (or date) time."""

    value: str


@dataclass(frozen=True, slots=True)
class BooleanLiteral:
    value: bool


@dataclass(frozen=True, slots=True)
class DurationLiteral:
    """`1h`, `90m`, `1500000000s`: a span in nanoseconds."""

    nanoseconds: int


@dataclass(frozen=True, slots=True)
class TimeLiteral:
    """An absolute time in nanoseconds since the epoch (the rewrite turns strings into these)."""

    nanoseconds: int


@dataclass(frozen=True, slots=True)
class RegexLiteral:
    """`/pattern/` with `\\/` already unescaped to `/`; Go RE2 syntax."""

    pattern: str


@dataclass(frozen=True, slots=True)
class BoundParameter:
    """`$name`, filled from the request's `params` before the rewrite."""

    name: str


@dataclass(frozen=True, slots=True)
class NilLiteral:
    pass


Literal = (
    NumberLiteral | IntegerLiteral | UnsignedLiteral | StringLiteral | BooleanLiteral
    | DurationLiteral | TimeLiteral | RegexLiteral | NilLiteral
)
Expr = (
    VarRef | Wildcard | Call | Distinct | BinaryExpr | ParenExpr | Literal | BoundParameter
)


def calls(expr: Expr) -> Iterator[Call | Distinct]:
    """Every call (and DISTINCT) an expression holds, outer ones first, arguments included."""
    if isinstance(expr, Call | Distinct):
        yield expr
    if isinstance(expr, Call):
        for arg in expr.args:
            yield from calls(arg)
    elif isinstance(expr, BinaryExpr):
        yield from calls(expr.lhs)
        yield from calls(expr.rhs)
    elif isinstance(expr, ParenExpr):
        yield from calls(expr.expr)


def var_refs(expr: Expr) -> list[VarRef]:
    """Every variable an expression reads, in order, call arguments and operands included."""
    if isinstance(expr, ParenExpr):
        return var_refs(expr.expr)
    if isinstance(expr, VarRef):
        return [expr]
    if isinstance(expr, Call):
        return [r for a in expr.args for r in var_refs(a)]
    if isinstance(expr, BinaryExpr):
        return var_refs(expr.lhs) + var_refs(expr.rhs)
    return []


# ---------------------------------------------------------------------------------------------
# Clauses


@dataclass(frozen=True, slots=True)
class Field:
    """One item of the SELECT list, with its `AS` alias if any."""

    expr: Expr
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class Measurement:
    """A FROM source: a name or a regex, optionally qualified `"db"."rp".` or `"db"..`."""

    name: str | None = None
    regex: RegexLiteral | None = None
    database: str | None = None
    retention_policy: str | None = None


@dataclass(frozen=True, slots=True)
class SubQuery:
    statement: SelectStatement


Source = Measurement | SubQuery


@dataclass(frozen=True, slots=True)
class Dimension:
    """One GROUP BY item: `time(10m[, offset])` (a Call), a tag VarRef, a Wildcard or a regex."""

    expr: Expr


class FillOption(enum.StrEnum):
    NULL = "null"
    NONE = "none"
    NUMBER = "number"
    PREVIOUS = "previous"
    LINEAR = "linear"


@dataclass(frozen=True, slots=True)
class SortField:
    """ORDER BY item; InfluxQL only sorts by `time` (the parser checks the name)."""

    name: str = "time"
    ascending: bool = True


# ---------------------------------------------------------------------------------------------
# Statements


@dataclass(frozen=True, slots=True)
class SelectStatement:
    fields: tuple[Field, ...]
    sources: tuple[Source, ...]
    condition: Expr | None = None
    dimensions: tuple[Dimension, ...] = ()
    fill: FillOption = FillOption.NULL
    fill_value: float | int | None = None
    sort_fields: tuple[SortField, ...] = ()
    limit: int = 0
    offset: int = 0
    slimit: int = 0
    soffset: int = 0
    timezone: str | None = None
    # `SELECT ... INTO target` (1.x runs it as a write); None for plain SELECT.
    target: Measurement | None = None
    # A subquery's GROUP BY tags its parent handed down (in `dimensions` too): 1.x expanded
    # the subquery's wildcards against its own GROUP BY before it added them.
    handed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Explain:
    statement: SelectStatement
    analyze: bool = False


Statement = (
    SelectStatement | ShowDatabases | ShowMeasurements | ShowTagKeys | ShowTagValues
    | ShowFieldKeys | ShowSeries | ShowRetentionPolicies | ShowCardinality | CreateDatabase
    | DropDatabase | CreateRetentionPolicy | AlterRetentionPolicy | DropRetentionPolicy
    | DropMeasurement | DropSeries | Delete | Explain | OtherStatement
)
