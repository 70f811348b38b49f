"""The typed InfluxQL syntax tree: what the parser produces and the translator consumes.

Mirrors the statement and expression kinds of InfluxDB 1.x's `influxql` package, as values.
Nodes are frozen dataclasses so a rewrite builds new trees (`dataclasses.replace`) rather than
editing the parser's output in place.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

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
class ShowDatabases:
    pass


@dataclass(frozen=True, slots=True)
class ShowMeasurements:
    database: str | None = None
    # WITH MEASUREMENT = name | =~ /regex/
    source: Measurement | None = None
    condition: Expr | None = None
    limit: int = 0
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ShowTagKeys:
    database: str | None = None
    sources: tuple[Source, ...] = ()
    condition: Expr | None = None
    limit: int = 0
    offset: int = 0
    slimit: int = 0
    soffset: int = 0


class TagKeyOp(enum.StrEnum):
    EQ = "="
    NEQ = "!="
    IN = "IN"
    EQREGEX = "=~"
    NEQREGEX = "!~"


@dataclass(frozen=True, slots=True)
class ShowTagValues:
    """SHOW TAG VALUES WITH KEY op keys: `=`/`!=` one name, `IN` a list, `=~`/`!~` a regex."""

    op: TagKeyOp
    keys: tuple[str, ...] = ()
    regex: RegexLiteral | None = None
    database: str | None = None
    sources: tuple[Source, ...] = ()
    condition: Expr | None = None
    limit: int = 0
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ShowFieldKeys:
    database: str | None = None
    sources: tuple[Source, ...] = ()
    limit: int = 0
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ShowSeries:
    database: str | None = None
    sources: tuple[Source, ...] = ()
    condition: Expr | None = None
    limit: int = 0
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ShowRetentionPolicies:
    database: str | None = None


class CardinalityKind(enum.StrEnum):
    MEASUREMENT = "measurement"
    SERIES = "series"
    TAG_KEY = "tag key"
    TAG_VALUES = "tag values"
    FIELD_KEY = "field key"


@dataclass(frozen=True, slots=True)
class ShowCardinality:
    """SHOW [MEASUREMENT|SERIES|TAG KEY|TAG VALUES|FIELD KEY] [EXACT] CARDINALITY ..."""

    kind: CardinalityKind
    exact: bool = False
    database: str | None = None
    sources: tuple[Source, ...] = ()
    condition: Expr | None = None
    dimensions: tuple[Dimension, ...] = ()
    limit: int = 0
    offset: int = 0
    # TAG VALUES CARDINALITY WITH KEY ...
    key_op: TagKeyOp | None = None
    keys: tuple[str, ...] = ()
    key_regex: RegexLiteral | None = None


@dataclass(frozen=True, slots=True)
class RetentionPolicySpec:
    """The options shared by CREATE DATABASE ... WITH and CREATE/ALTER RETENTION POLICY."""

    name: str | None = None
    duration: int | None = None  # nanoseconds; 0 is INF
    replication: int | None = None
    shard_duration: int | None = None
    default: bool = False


@dataclass(frozen=True, slots=True)
class CreateDatabase:
    name: str
    retention_policy: RetentionPolicySpec | None = None


@dataclass(frozen=True, slots=True)
class DropDatabase:
    name: str


@dataclass(frozen=True, slots=True)
class CreateRetentionPolicy:
    database: str
    spec: RetentionPolicySpec


@dataclass(frozen=True, slots=True)
class AlterRetentionPolicy:
    database: str
    spec: RetentionPolicySpec


@dataclass(frozen=True, slots=True)
class DropRetentionPolicy:
    name: str
    database: str


@dataclass(frozen=True, slots=True)
class DropMeasurement:
    name: str


@dataclass(frozen=True, slots=True)
class DropSeries:
    sources: tuple[Source, ...] = ()
    condition: Expr | None = None


@dataclass(frozen=True, slots=True)
class Delete:
    sources: tuple[Source, ...] = ()
    condition: Expr | None = None


@dataclass(frozen=True, slots=True)
class Explain:
    statement: SelectStatement
    analyze: bool = False


@dataclass(frozen=True, slots=True)
class OtherStatement:
    """A statement 1.x parses that the gateway does not run (users, grants, shards, queries...).

    `kind` names it in 1.x's terms (`SHOW USERS`, `CREATE USER`...), so the executor can answer
    with a clear error; `text` is the statement as written.
    """

    kind: str
    text: str = field(default="", compare=False)


Statement = (
    SelectStatement | ShowDatabases | ShowMeasurements | ShowTagKeys | ShowTagValues
    | ShowFieldKeys | ShowSeries | ShowRetentionPolicies | ShowCardinality | CreateDatabase
    | DropDatabase | CreateRetentionPolicy | AlterRetentionPolicy | DropRetentionPolicy
    | DropMeasurement | DropSeries | Delete | Explain | OtherStatement
)
