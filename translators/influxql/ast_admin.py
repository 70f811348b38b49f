"""The syntax tree of every statement but SELECT: SHOW, the database and retention-policy
DDL, DROP, DELETE, and those 1.x parses that the gateway does not run.

They stand apart from `ast.py`'s expressions, clauses and SELECT, which the translator rewrites
and plans; these are read as they are by the SHOW and admin executors. `ast.py` re-exports each
name, so callers keep writing `ast.ShowDatabases`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ast import Dimension, Expr, Measurement, RegexLiteral, Source


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
class OtherStatement:
    """A statement 1.x parses that the gateway does not run (users, grants, shards, queries...).

    `kind` names it in 1.x's terms (`SHOW USERS`, `CREATE USER`...), so the executor can answer
    with a clear error; `text` is the statement as written.
    """

    kind: str
    text: str = field(default="", compare=False)
