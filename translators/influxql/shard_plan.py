"""Reading a sharded database: what each shard is asked for one statement, and how to merge.

A route that shards by series puts each series whole on one shard, so every shard must be
asked and the answers merged. Merging is exact only for some statements, chosen here:

- `SERIES`: every answered series lives whole on one shard (GROUP BY * or every tag key, or
  a route sharded by measurement): the series are concatenated in 1.x's order; SLIMIT and
  SOFFSET move after the merge, LIMIT and OFFSET (per series) stay with the shards.
- `ROWS`: raw rows of one answered series come from several shards: merge-sorted by time,
  each shard asked for OFFSET+LIMIT rows, LIMIT/OFFSET/SLIMIT/SOFFSET applied after.
- `COMBINE`: count, sum, min, max and mean (asked as sum and count) per time bucket, added or
  picked across shards.
- `NAMES`: SHOW MEASUREMENTS / TAG KEYS / TAG VALUES / FIELD KEYS / SERIES: the union.
- `FIRST`: statements that are not reads (DELETE, DROP SERIES...) reach every shard; the
  first error, else the first shard's answer.
- `ONE`: statements that read no series (SHOW RETENTION POLICIES, EXPLAIN, CREATE...) go to
  the first shard alone, as they do when a request holds nothing else.
A read that cannot be merged exactly raises `NotShardable` with the reason, so the caller
never gets part of the data. `pin_now` gives every shard the same `now()`.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Collection
from dataclasses import dataclass

from . import ast
from .functions import AGGREGATES, MULTI_ROW, PREDICTORS, SELECTORS, TRANSFORMS
from .select_list import column_names, field_name
from .shard_index import groups_by
from .timerange import TimeConditionError, fix_now, split_condition

_ROW_FOLDING = AGGREGATES | SELECTORS | MULTI_ROW | TRANSFORMS | PREDICTORS
COMBINABLE = ("count", "sum", "min", "max", "mean")
_NAMES = (ast.ShowMeasurements, ast.ShowTagKeys, ast.ShowTagValues, ast.ShowFieldKeys,
          ast.ShowSeries)
# Statements that change data: every shard must apply them.
_BROADCAST = (ast.Delete, ast.DropSeries, ast.DropMeasurement)


class NotShardable(ValueError):
    """A statement whose answer cannot be merged exactly from the shards' answers."""


class Merge(enum.StrEnum):
    SERIES = "series"
    ROWS = "rows"
    COMBINE = "combine"
    NAMES = "names"
    FIRST = "first"
    ONE = "one"


@dataclass(frozen=True, slots=True)
class Combiner:
    """One output column of a COMBINE merge: how the shards' partial columns become it."""

    name: str
    function: str  # count | sum | min | max | mean
    columns: tuple[str, ...]  # the shard columns it reads (mean: its sum, then its count)


@dataclass(frozen=True, slots=True)
class ShardPlan:
    statement: ast.Statement  # what every shard is asked
    merge: Merge
    descending: bool = False
    limit: int = 0
    offset: int = 0
    slimit: int = 0
    soffset: int = 0
    combiners: tuple[Combiner, ...] = ()
    # A lone min() or max() without GROUP BY time answers its point's time, not a bucket's.
    point_time: bool = False


def reaches_shards(statement: ast.Statement) -> bool:
    """True for the statements a sharded read sends to every shard."""
    return isinstance(statement, (ast.SelectStatement, ast.ShowCardinality, *_NAMES,
                                  *_BROADCAST))


def needs_tag_keys(statement: ast.Statement, whole_series: bool) -> bool:
    """True when planning must know the tag keys of the statement's sources: a statement
    that folds rows and groups by named tags is whole on one shard only if it names them all."""
    return (isinstance(statement, ast.SelectStatement) and not whole_series
            and _folds_rows(statement)
            and not any(isinstance(d.expr, ast.Wildcard) for d in statement.dimensions)
            and any(_tag_dimension(d) for d in statement.dimensions))


def tag_keys_statement(statement: ast.SelectStatement) -> ast.ShowTagKeys:
    """SHOW TAG KEYS over a SELECT's sources (which the caller checked are measurements)."""
    sources = tuple(s for s in statement.sources if isinstance(s, ast.Measurement))
    database = next((s.database for s in sources if s.database), None)
    return ast.ShowTagKeys(database=database, sources=tuple(
        dataclasses.replace(s, database=None, retention_policy=None) for s in sources))


def plan_statement(statement: ast.Statement, *, whole_series: bool,
                   tag_keys: Collection[str] | None = None) -> ShardPlan:
    """How one statement is read from every shard. `whole_series` says that every series the
    statement can answer lives on one shard whatever its grouping (sharding by measurement);
    `tag_keys` are its sources' tag keys when `needs_tag_keys` asked for them."""
    if isinstance(statement, _BROADCAST):
        return ShardPlan(statement, Merge.FIRST)
    if isinstance(statement, _NAMES):
        return _names(statement)
    if isinstance(statement, ast.ShowCardinality):
        raise NotShardable(
            "SHOW ... CARDINALITY is not supported on a sharded route: the shards' counts "
            "cannot be combined exactly; count the rows of SHOW SERIES or SHOW TAG VALUES")
    if not isinstance(statement, ast.SelectStatement):
        return ShardPlan(statement, Merge.ONE)
    if statement.target is not None:
        raise NotShardable("SELECT ... INTO is not supported on a sharded route")
    if any(isinstance(s, ast.SubQuery) for s in statement.sources):
        raise NotShardable("subqueries are not supported on a sharded route")
    descending = bool(statement.sort_fields) and not statement.sort_fields[0].ascending
    folds = _folds_rows(statement)
    if whole_series or (folds and _groups_by_every_tag(statement, tag_keys)):
        return ShardPlan(dataclasses.replace(statement, slimit=0, soffset=0), Merge.SERIES,
                         descending, slimit=statement.slimit, soffset=statement.soffset)
    cut = dict(slimit=0, soffset=0, offset=0)
    if not folds:
        limit = statement.limit + statement.offset if statement.limit else 0
        return ShardPlan(dataclasses.replace(statement, limit=limit, **cut), Merge.ROWS,
                         descending, statement.limit, statement.offset, statement.slimit,
                         statement.soffset)
    fields, combiners, point_time = _combined_fields(statement)
    return ShardPlan(dataclasses.replace(statement, fields=fields, limit=0, **cut),
                     Merge.COMBINE, descending, statement.limit, statement.offset,
                     statement.slimit, statement.soffset, combiners, point_time)


def _names(statement: ast.Statement) -> ShardPlan:
    # LIMIT and OFFSET count each series' rows after the union; SLIMIT/SOFFSET (SHOW TAG KEYS
    # only) are sent on, as 1.6.7 ignores them.
    limit, offset = getattr(statement, "limit", 0), getattr(statement, "offset", 0)
    asked = dataclasses.replace(statement, limit=0, offset=0)  # type: ignore[type-var]
    return ShardPlan(asked, Merge.NAMES, limit=limit, offset=offset)


def _folds_rows(statement: ast.SelectStatement) -> bool:
    """True unless the statement is raw (fields and row-wise math only)."""
    return any(isinstance(call, ast.Distinct) or call.name in _ROW_FOLDING
               for f in statement.fields for call in ast.calls(f.expr))


def _tag_dimension(dimension: ast.Dimension) -> bool:
    return isinstance(dimension.expr, ast.VarRef | ast.RegexLiteral)


def _groups_by_every_tag(statement: ast.SelectStatement,
                         tag_keys: Collection[str] | None) -> bool:
    if any(isinstance(d.expr, ast.Wildcard) for d in statement.dimensions):
        return True
    if tag_keys is None:
        return False
    grouped = groups_by(statement.dimensions)
    return all(grouped(key) for key in tag_keys)


def _combined_fields(statement: ast.SelectStatement
                     ) -> tuple[tuple[ast.Field, ...], tuple[Combiner, ...], bool]:
    """The fields each shard is asked for (aliased so the merge finds them) and how they
    combine; NotShardable unless every field is count/sum/min/max/mean of one field."""
    if statement.fill not in (ast.FillOption.NULL, ast.FillOption.NONE):
        raise NotShardable(
            f"fill({statement.fill.value}) with {_supported()} is not supported on a "
            "series-sharded route unless the query groups by every tag (GROUP BY *)")
    asked: list[ast.Field] = []
    combiners: list[Combiner] = []
    names = column_names([(f.alias, field_name(f.expr)) for f in statement.fields])
    for index, (field, name) in enumerate(zip(statement.fields, names, strict=True)):
        expr = field.expr
        if not (isinstance(expr, ast.Call) and expr.name in COMBINABLE and len(expr.args) == 1
                and isinstance(expr.args[0], ast.VarRef)):
            raise NotShardable(
                "on a series-sharded route, a query that does not group by every tag "
                f"(GROUP BY *) can only select {_supported()} of one field each; "
                f"got {_describe(field)}")
        if expr.name == "mean":
            parts = [ast.Call("sum", expr.args), ast.Call("count", expr.args)]
        else:
            parts = [expr]
        columns = tuple(f"shard_{index}_{i}" for i in range(len(parts)))
        asked.extend(ast.Field(p, c) for p, c in zip(parts, columns, strict=True))
        combiners.append(Combiner(name, expr.name, columns))
    time_bucketed = any(isinstance(d.expr, ast.Call) for d in statement.dimensions)
    point_time = (len(combiners) == 1 and combiners[0].function in ("min", "max")
                  and not time_bucketed)
    return tuple(asked), tuple(combiners), point_time


def _supported() -> str:
    return ", ".join(f"{name}()" for name in COMBINABLE)


def _describe(field: ast.Field) -> str:
    from .render import render  # rendering is only needed for this message

    return render(field.expr)


def pin_now(statement: ast.Statement, now: int) -> ast.Statement:
    """`statement` with `now()` replaced by the time `now` (nanoseconds), so that every shard
    reads the same instant. A GROUP BY time() without an upper time bound ends at now() in
    1.x: that bound is written out as well, for the same reason."""
    if not isinstance(statement, ast.SelectStatement):
        return statement
    condition = None if statement.condition is None else fix_now(statement.condition, now)
    dimensions = tuple(_pinned_dimension(d, now) for d in statement.dimensions)
    if any(isinstance(d.expr, ast.Call) and d.expr.name == "time" for d in dimensions):
        try:
            upper = split_condition(condition, now)[1].upper
        except TimeConditionError:
            upper = 0  # the shards word the error
        if upper is None:
            bound = ast.BinaryExpr(ast.BinaryOp.LTE, ast.VarRef("time"), ast.TimeLiteral(now))
            condition = bound if condition is None else ast.BinaryExpr(
                ast.BinaryOp.AND, ast.ParenExpr(condition), bound)
    return dataclasses.replace(statement, condition=condition, dimensions=dimensions)


def _pinned_dimension(dimension: ast.Dimension, now: int) -> ast.Dimension:
    # time(10m, now()): 1.x offsets the buckets by now modulo the interval.
    match dimension.expr:
        case ast.Call("time", (ast.DurationLiteral(step) as interval, ast.Call("now", ()))):
            offset = now % step if step > 0 else 0
            return ast.Dimension(ast.Call("time", (interval, ast.DurationLiteral(offset))))
    return dimension
