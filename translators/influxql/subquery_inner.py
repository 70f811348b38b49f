"""A subquery's statement as 1.x runs it under a parent: the parent's GROUP BY tags, interval,
SLIMIT/SOFFSET, time order and range handed down, and GROUP BY `*` and regexes expanded first.

It stands apart from `subquery.py`, which runs the adjusted statements and reads their series
as the parent's rows: everything here is a pure function of the statements and the schema.
"""

from __future__ import annotations

import dataclasses

from . import ast
from .errors import QueryError
from .functions import TRANSFORMS
from .regex import matcher
from .rewrite import resolve_sources
from .schema import SchemaProvider
from .select_list import has_aggregate, strip_parens
from .subquery_range import within_parent_range


def expand_dimensions(statement: ast.SelectStatement, database: str | None,
                       schema: SchemaProvider) -> tuple[ast.Dimension, ...]:
    """GROUP BY `*` and regexes expanded, as 1.x expands them before it runs anything: over a
    subquery they range only over the tags the subquery grouped by (its own `*` and regexes
    expanded first), over a measurement beside it over that measurement's tags."""
    if not any(isinstance(d.expr, ast.Wildcard | ast.RegexLiteral)
               for d in statement.dimensions):
        return statement.dimensions
    keys = sorted(_dimension_keys(statement.sources, database, schema))
    expanded: list[ast.Dimension] = []
    for dimension in statement.dimensions:
        expr = dimension.expr
        if isinstance(expr, ast.Wildcard):
            expanded.extend(ast.Dimension(ast.VarRef(k)) for k in keys)
        elif isinstance(expr, ast.RegexLiteral):
            expanded.extend(ast.Dimension(ast.VarRef(k)) for k in keys
                            if matcher(expr.pattern).search(k))
        else:
            expanded.append(dimension)
    return tuple(expanded)


def _dimension_keys(sources: tuple[ast.Source, ...], database: str | None,
                    schema: SchemaProvider) -> set[str]:
    """The tag keys a parent's `GROUP BY *` finds in `sources` (1.x's FieldDimensions)."""
    keys: set[str] = set()
    for source in sources:
        if isinstance(source, ast.SubQuery):
            inner = source.statement
            keys.update(d.expr.name for d in expand_dimensions(inner, database, schema)
                        if isinstance(d.expr, ast.VarRef))
        else:
            for found in resolve_sources((source,), database, schema):
                keys.update(found.schema.tags)
    return keys



def inner_statement(inner: ast.SelectStatement, outer: ast.SelectStatement,
                    now: int) -> ast.SelectStatement:
    """The subquery adjusted to its parent statement, as 1.x does it."""
    dimensions = list(inner.dimensions)
    handed = list(inner.handed)
    # 1.x propagates the parent's GROUP BY tags into the subquery, so `SELECT sum(d) FROM
    # (SELECT difference(x) AS d ...) GROUP BY host` takes differences per host.
    for dimension in (*outer.dimensions, *_top_tags(outer)):
        if not is_time(dimension) and dimension not in dimensions:
            dimensions.append(dimension)
            if isinstance(dimension.expr, ast.VarRef):
                handed.append(dimension.expr.name)
    inner_interval = any(is_time(d) for d in dimensions)
    outer_interval = next((d for d in outer.dimensions if is_time(d)), None)
    if aggregates(inner) and not inner_interval and outer_interval is not None:
        # 1.x: an aggregating subquery without GROUP BY time inherits its parent's interval.
        dimensions.append(outer_interval)
        inner_interval = True
    fill = inner.fill
    if inner_interval and fill is ast.FillOption.NULL:
        # 1.x switches a subquery's fill(null) to fill(none): empty buckets (and count's
        # zeros) never reach the parent.
        fill = ast.FillOption.NONE
    # 1.x adds the parent's SLIMIT and SOFFSET to the subquery's own and pages only there:
    # the parent's series are never paged again (`SLIMIT 1` over `SLIMIT 1` answers two).
    # 1.x runs a subquery in its parent's time order.
    return dataclasses.replace(
        inner, dimensions=tuple(dimensions), handed=tuple(handed), fill=fill,
        sort_fields=outer.sort_fields,
        condition=within_parent_range(inner.condition, outer, now, outer_interval is not None),
        slimit=inner.slimit + outer.slimit, soffset=inner.soffset + outer.soffset)


def _top_tags(statement: ast.SelectStatement) -> list[ast.Dimension]:
    """The tags of the statement's top(x, tag..., N) and bottom(): 1.x reads them through a
    max() (min()) grouped by them, which it hands down to a subquery like a GROUP BY."""
    return [ast.Dimension(ast.VarRef(arg.name)) for item in statement.fields
            for call in ast.calls(item.expr)
            if isinstance(call, ast.Call) and call.name in ("top", "bottom")
            for arg in map(strip_parens, call.args[1:-1]) if isinstance(arg, ast.VarRef)]


def as_subquery(source: ast.Source) -> ast.SelectStatement:
    """A measurement beside subqueries in FROM read as the subquery of all its points, its
    tags kept as tags (1.x merges both kinds of source into one answer)."""
    if isinstance(source, ast.SubQuery):
        return source.statement
    return ast.SelectStatement(fields=(ast.Field(ast.Wildcard(ast.DataType.FIELD)),),
                               sources=(source,), dimensions=(ast.Dimension(ast.Wildcard()),))


def aggregates(statement: ast.SelectStatement) -> bool:
    return any(has_aggregate(f.expr) for f in statement.fields)


def streams(statement: ast.SelectStatement) -> bool:
    """Whether the statement reads its subqueries through transformations of their fields
    (`cumulative_sum(a)`, no aggregate inside): 1.x merges each subquery's cursor into them
    with a merge iterator, which drops an input at its first nil."""
    return not aggregates(statement) and any(
        isinstance(call, ast.Call) and call.name in TRANSFORMS
        for item in statement.fields for call in ast.calls(item.expr))


def check_directions(statement: ast.SelectStatement) -> None:
    """A subquery runs in its parent's time order: one without ORDER BY takes it (so under
    a descending parent it is descending too), one whose ORDER BY says otherwise is 1.x's
    error, before anything in the subquery is checked. `statement` already carries the
    direction its own parent handed down."""
    for source in statement.sources:
        if (isinstance(source, ast.SubQuery) and source.statement.sort_fields
                and descending(source.statement) != descending(statement)):
            raise QueryError("subqueries must be ordered in the same direction as the query "
                             "itself")


def descending(statement: ast.SelectStatement) -> bool:
    return bool(statement.sort_fields) and not statement.sort_fields[0].ascending


def is_time(dimension: ast.Dimension) -> bool:
    return isinstance(dimension.expr, ast.Call) and dimension.expr.name == "time"
