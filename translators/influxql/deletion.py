"""DELETE and DROP SERIES on the native store: the measurements they address and, for each,
the rows they remove as one DuckDB condition, with 1.x's checks and error texts.
"""

from __future__ import annotations

from sqlglot import exp

from . import ast
from .conditions import condition_sql
from .errors import QueryError
from .readrange import stored_time_within
from .schema import MeasurementSchema, SchemaProvider
from .show_run import find_measurements
from .timerange import split_condition


def deletion_targets(statement: ast.Delete | ast.DropSeries, database: str,
                     schema: SchemaProvider) -> list[MeasurementSchema]:
    return find_measurements(database, statement.sources, schema)


def deletion_condition(statement: ast.Delete | ast.DropSeries, measurement: MeasurementSchema,
                       now: int) -> exp.Expression | None:
    """The rows of `measurement` a DELETE or DROP SERIES removes, as a DuckDB condition."""
    condition, span = split_condition(statement.condition, now)
    if isinstance(statement, ast.DropSeries) and (span.lower is not None
                                                  or span.upper is not None):
        raise QueryError("DROP SERIES doesn't support time in WHERE clause")
    if condition is not None and mentions_field(condition, measurement):
        raise QueryError("fields not supported in WHERE clause during deletion")
    parts = stored_time_within(span.min, span.max)
    if condition is not None:
        parts.append(condition_sql(condition, measurement))
    return exp.and_(*parts) if parts else None


def mentions_field(expr: ast.Expr, measurement: MeasurementSchema) -> bool:
    match expr:
        case ast.ParenExpr(inner):
            return mentions_field(inner, measurement)
        case ast.BinaryExpr(_, lhs, rhs):
            return mentions_field(lhs, measurement) or mentions_field(rhs, measurement)
        case ast.VarRef(name):
            return name in measurement.fields
    return False
