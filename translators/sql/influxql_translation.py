"""What translating InfluxDB 3 SQL to InfluxQL yields: the statement, where each SQL column is
found in its answer, and the refusal of SQL that InfluxQL cannot express (see to_influxql)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlglot import exp

from translators.influxql import ast
from translators.influxql.render import render

from .influxdb3 import SqlRejected


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
class OrderKey:
    """One ORDER BY key of the SQL: a GROUP BY tag, or time when `tag` is None."""

    tag: str | None
    descending: bool = False
    nulls_first: bool = False  # a tag missing from a series (time is never NULL)


@dataclass(frozen=True, slots=True)
class SqlTranslation:
    statement: ast.SelectStatement
    columns: tuple[OutputColumn, ...]
    # Aggregate without GROUP BY: SQL answers one row even when no point matched.
    global_aggregate: bool = False
    # Grouped aggregates: the position from which 1.x's count(*) columns say how many points
    # each group had; a group with none is no SQL row. 0 when there is no such count.
    presence: int = 0
    # ORDER BY time: None when the SQL does not order by time.
    descending: bool | None = None
    # Every ORDER BY key (time and GROUP BY tags), applied after the merge of all series.
    order: tuple[OrderKey, ...] = ()
    # The cut made after the merge of all series (what could not be pushed down).
    offset: int = 0
    limit: int | None = None

    @property
    def influxql(self) -> str:
        return render(self.statement)

    @property
    def grouped_tags(self) -> tuple[str, ...]:
        return tuple(d.expr.name for d in self.statement.dimensions
                     if isinstance(d.expr, ast.VarRef))

    @property
    def aggregated(self) -> tuple[str, ...]:
        """The columns the statement's aggregates read (count(*) names none)."""
        return _names([arg for f in self.statement.fields if isinstance(f.expr, ast.Call)
                       for arg in f.expr.args])

    @property
    def columns_named(self) -> tuple[str, ...]:
        """Every column the statement names (not time, not `*`)."""
        return _names([*(f.expr for f in self.statement.fields),
                       *(d.expr for d in self.statement.dimensions), self.statement.condition])

    @property
    def schema(self) -> tuple[ast.ShowFieldKeys, ast.ShowTagKeys]:
        """The statements that tell this one's fields from its tags and from names the table
        lacks, asked for in the same request (see check_schema)."""
        return (ast.ShowFieldKeys(sources=self.statement.sources),
                ast.ShowTagKeys(sources=self.statement.sources))


def _names(exprs: list[ast.Expr | None]) -> tuple[str, ...]:
    """The columns `exprs` read, in order, each once, time left out."""
    return tuple(dict.fromkeys(ref.name for expr in exprs if expr is not None
                               for ref in ast.var_refs(expr) if ref.name != "time"))


_OPERATORS: dict[type[exp.Expression], str] = {
    exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.DPipe: "||",
    exp.BitwiseAnd: "&", exp.BitwiseOr: "|", exp.BitwiseXor: "^", exp.SimilarTo: "SIMILAR TO",
}
_CONSTRUCTS: dict[type[exp.Expression], str] = {exp.AtTimeZone: "AT TIME ZONE", exp.Case: "CASE"}


def describe(node: exp.Expression) -> str:
    """How an error message names a construct outside the subset."""
    if type(node) in _CONSTRUCTS:  # sqlglot counts CASE among functions
        return _CONSTRUCTS[type(node)]
    if isinstance(node, exp.Anonymous):
        return f"the function {node.name.lower()}"
    if isinstance(node, exp.Func):
        return f"the function {node.sql_name().lower()}"
    if isinstance(node, exp.Binary):
        return f"the operator {_OPERATORS.get(type(node), type(node).__name__.upper())}"
    if isinstance(node, exp.WithinGroup):
        return "WITHIN GROUP"
    return _CONSTRUCTS.get(type(node), type(node).__name__.upper())
