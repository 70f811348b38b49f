"""SHOW ... CARDINALITY ... GROUP BY: the counts of each group of series, as 1.6.7 answers them.

1.x rewrites every grouped CARDINALITY form, EXACT or not, into a SELECT over its index's
system series, grouped as written: `count(_seriesKey)` (SERIES: a series once per shard group
it has points in), `count(distinct(_name))` over every measurement at once (MEASUREMENT: one
unnamed series per group), `count(distinct(_tagKey))`, `count(distinct(_tagValue))` of the
keys asked for, and FIELD KEY, which counts every field of the measurement in each group of
its series. A tag a series lacks groups as "", `*` and a regex range over the tag keys of
every measurement counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ast
from .regex import matcher
from .results import Series
from .schema import MeasurementSchema, SchemaProvider
from .show_run import distinct_series, find_measurements, key_matches, source_databases

if TYPE_CHECKING:
    from .engine import Runner

Key = tuple[str, ...]


def grouped_cardinality(statement: ast.ShowCardinality, database: str | None,
                        schema: SchemaProvider, run: Runner) -> list[Series]:
    if statement.kind is ast.CardinalityKind.MEASUREMENT:
        db = next(iter(source_databases(statement.database, database, ())))
        found = [(db, m) for m in find_measurements(db, statement.sources[:1], schema)]
    else:  # as ungrouped: each source counted in the database it names
        found = [(db, m) for db, sources in source_databases(
            statement.database, database, statement.sources).items()
            for m in find_measurements(db, sources, schema)]
    keys = _keys(statement.dimensions, {t for _, m in found for t in m.tags})
    counted: dict[str, dict[Key, set[object]]] = {}
    for db, measurement in found:
        # MEASUREMENT counts every measurement in one unnamed series per group
        name = "" if statement.kind is ast.CardinalityKind.MEASUREMENT else measurement.name
        groups = counted.setdefault(name, {})
        for tags, shard in _series(db, measurement, statement.condition, run):
            items = _items(statement, measurement, tags, shard, db)
            if items:
                groups.setdefault(tuple(tags.get(k, "") for k in keys), set()).update(items)
    return [Series(name, ["count"], [[len(counted[name][group])]],
                   dict(zip(keys, group, strict=True)))
            for name in sorted(counted) for group in sorted(counted[name])]


def _items(statement: ast.ShowCardinality, measurement: MeasurementSchema,
           tags: dict[str, str], shard: int, db: str) -> set[object]:
    """What one series adds to its group's count."""
    kind = statement.kind
    if kind is ast.CardinalityKind.MEASUREMENT:
        return {measurement.name}
    if kind is ast.CardinalityKind.SERIES:  # once per shard group, in its own database
        return {(db, tuple(sorted(tags.items())), shard)}
    if kind is ast.CardinalityKind.TAG_KEY:
        return set(tags)
    if kind is ast.CardinalityKind.TAG_VALUES:
        asked = ast.ShowTagValues(statement.key_op or ast.TagKeyOp.EQ, statement.keys,
                                  statement.key_regex)
        return {v for k, v in tags.items() if key_matches(asked, k)}
    return set(measurement.fields)  # FIELD KEY: the measurement's fields, in every group


def _keys(dimensions: tuple[ast.Dimension, ...], tags: set[str]) -> list[str]:
    """GROUP BY's tag keys, `*` and regexes expanded over `tags`: those of every measurement
    counted (time is not a tag)."""
    keys: list[str] = []
    for dimension in dimensions:
        expr = dimension.expr
        if isinstance(expr, ast.Wildcard):
            found = sorted(tags)
        elif isinstance(expr, ast.RegexLiteral):
            found = sorted(t for t in tags if matcher(expr.pattern).search(t))
        elif isinstance(expr, ast.VarRef):
            found = [expr.name]
        else:
            found = []
        keys.extend(k for k in found if k not in keys)
    return keys


def _series(db: str, measurement: MeasurementSchema, condition: ast.Expr | None,
            run: Runner) -> list[tuple[dict[str, str], int]]:
    """Each series matching `condition` (its tags, missing ones left out) with each shard
    group it has points in."""
    tags = sorted(measurement.tags)
    table = run(distinct_series(db, measurement, condition))
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    out = []
    for row in zip(*columns, strict=True):
        present = {t: v for t, v in zip(tags, row[:-1], strict=True) if v is not None}
        out.append((present, int(row[-1])))
    return out

