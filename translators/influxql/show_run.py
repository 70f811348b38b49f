"""Run SHOW statements (measurements, tag keys and values, field keys, series and the
CARDINALITY forms) over a SQL runner and a schema provider, answered as 1.6.7 answers them.

Pure and synchronous like `engine.py`: names come from the schema provider, tag values and
series from DISTINCT queries over the stored tables, since 1.x answers these from its series
index, where time does not exist.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from . import ast
from .conditions import condition_sql
from .errors import QueryError
from .readorder import SHARD_GROUP, SHARD_ORIGIN
from .regex import matcher
from .results import Series, series_key
from .schema import MeasurementSchema, SchemaProvider
from .sqlnames import col, ident
from .timerange import split_condition

if TYPE_CHECKING:
    from .engine import Runner


def _database(statement_db: str | None, database: str | None) -> str:
    db = statement_db or database
    if not db:
        raise QueryError("database name required")
    return db


def source_databases(statement_db: str | None, database: str | None,
                      sources: tuple[ast.Source, ...]) -> dict[str, tuple[ast.Source, ...]]:
    """Each database with the sources it reads, for the SHOW statements 1.x rewrites into a
    SELECT (field keys, series, the counted cardinalities): a source keeps the database it
    names, even beside ON; the others read ON's or the request's, required only then."""
    if not sources:
        return {_database(statement_db, database): ()}
    grouped: dict[str, list[ast.Source]] = {}
    for source in sources:
        named = source.database if isinstance(source, ast.Measurement) else None
        grouped.setdefault(named or _database(statement_db, database), []).append(source)
    return {db: tuple(found) for db, found in grouped.items()}


def find_measurements(db: str, sources: tuple[ast.Source, ...],
                      schema: SchemaProvider) -> list[MeasurementSchema]:
    """The measurements of `db` that `sources` name (every one when there are none)."""
    names = schema.measurements(db)
    if sources:
        chosen: set[str] = set()
        for source in sources:
            if isinstance(source, ast.SubQuery):
                raise QueryError("subqueries are not allowed in SHOW statements")
            if source.regex is not None:
                chosen.update(n for n in names if matcher(source.regex.pattern).search(n))
            elif source.name in names:
                chosen.add(source.name)
        names = sorted(chosen)
    found = (schema.measurement(db, n) for n in names)
    return [m for m in found if m is not None]


def _distinct_tags(db: str, measurement: MeasurementSchema, tags: list[str],
                   condition: ast.Expr | None, run: Runner) -> list[tuple[str | None, ...]]:
    """The distinct combinations of `tags` among stored points matching `condition`."""
    present = [t for t in tags if t in measurement.tags]
    columns = [col(t) for t in present] or [exp.Literal.number(1)]
    query = exp.select(*columns).distinct().from_(
        exp.Table(this=ident(measurement.name), db=ident(db)))
    where = _metadata_condition(condition, measurement)
    if where is not None:
        query = query.where(where)
    table = run(query)
    if not present:
        return [()] if table.num_rows else []
    values = [table.column(i).to_pylist() for i in range(len(present))]
    rows = []
    for row in zip(*values, strict=True):
        full = dict(zip(present, row, strict=True))
        rows.append(tuple(full.get(t) for t in tags))
    return rows


def _metadata_condition(condition: ast.Expr | None,
                        measurement: MeasurementSchema) -> exp.Expression | None:
    """A SHOW statement's WHERE: 1.x answers these from its series index, where time does
    not exist, so time comparisons are dropped (and still checked for 1.x's errors)."""
    rest, _ = split_condition(condition, time.time_ns())
    return condition_sql(rest, measurement) if rest is not None else None


def show_measurements(statement: ast.ShowMeasurements, database: str | None,
                      schema: SchemaProvider, run: Runner) -> list[Series]:
    db = _database(statement.database, database)
    sources = (statement.source,) if statement.source else ()
    if statement.condition is not None and _mentions_time(statement.condition):
        raise QueryError("SHOW MEASUREMENTS doesn't support time in WHERE clause")
    names = []
    for measurement in find_measurements(db, sources, schema):
        if statement.condition is not None:
            test = _measurement_filter(statement.condition, measurement)
            table = exp.Table(this=ident(measurement.name), db=ident(db))
            if not run(exp.select(test).from_(table)).column(0)[0].as_py():
                continue
        names.append(measurement.name)
    names = _cut(names, statement.limit, statement.offset)
    if not names:
        return []
    return [Series("measurements", ["name"], [[n] for n in names])]


def _measurements_with_series(db: str, source: ast.Source | None, condition: ast.Expr | None,
                              schema: SchemaProvider, run: Runner) -> list[str]:
    """The measurements with a series matching `condition` (tags missing from a series read
    as ""), as SHOW MEASUREMENT CARDINALITY counts them."""
    names = []
    for measurement in find_measurements(db, (source,) if source else (), schema):
        if condition is None or _distinct_tags(db, measurement, [], condition, run):
            names.append(measurement.name)
    return names


def _mentions_time(expr: ast.Expr) -> bool:
    match expr:
        case ast.ParenExpr(inner):
            return _mentions_time(inner)
        case ast.BinaryExpr(_, lhs, rhs):
            return _mentions_time(lhs) or _mentions_time(rhs)
        case ast.VarRef(name):
            return name.lower() == "time"
    return False


_TAG_TESTS = (ast.BinaryOp.EQ, ast.BinaryOp.NEQ, ast.BinaryOp.EQREGEX, ast.BinaryOp.NEQREGEX)


def _measurement_filter(expr: ast.Expr, measurement: MeasurementSchema) -> exp.Expression:
    """SHOW MEASUREMENTS' WHERE as 1.x's index answers it, one measurement at a time: `k = v`
    holds when any series has it; `k != v` when the measurement has the key and no series has
    v (so `host != 'a'` drops every measurement with an `a` host); AND and OR combine those
    answers, not series. An aggregate over the measurement's table."""
    match expr:
        case ast.ParenExpr(inner):
            return exp.Paren(this=_measurement_filter(inner, measurement))
        case ast.BinaryExpr(ast.BinaryOp.AND | ast.BinaryOp.OR as op, lhs, rhs):
            node = exp.And if op is ast.BinaryOp.AND else exp.Or
            return node(this=_measurement_filter(lhs, measurement),
                        expression=_measurement_filter(rhs, measurement))
        case ast.BinaryExpr(op, lhs, rhs) if op in _TAG_TESTS:
            if not isinstance(lhs, ast.VarRef):
                raise QueryError(f"left side of '{op.value}' must be a tag key")
            regex = op in (ast.BinaryOp.EQREGEX, ast.BinaryOp.NEQREGEX)
            if regex and not isinstance(rhs, ast.RegexLiteral):
                raise QueryError(f"right side of '{op.value}' must be a regular expression")
            if not regex and not isinstance(rhs, ast.StringLiteral):
                raise QueryError(f"right side of '{op.value}' must be a tag value string")
            if lhs.name not in measurement.tags:
                return exp.false()
            key = col(lhs.name)
            if isinstance(rhs, ast.RegexLiteral):
                test: exp.Expression = exp.RegexpLike(
                    this=key, expression=exp.Literal.string(rhs.pattern))
            else:
                assert isinstance(rhs, ast.StringLiteral)
                test = exp.EQ(this=key, expression=exp.Literal.string(rhs.value))
            found = exp.Coalesce(this=exp.LogicalOr(this=test), expressions=[exp.false()])
            if op in (ast.BinaryOp.EQ, ast.BinaryOp.EQREGEX):
                return found
            has_key = exp.GT(this=exp.Count(this=key), expression=exp.Literal.number(0))
            return exp.and_(has_key, exp.Not(this=found))
        case ast.BinaryExpr():
            raise QueryError("invalid tag comparison operator")
    raise QueryError("invalid tag comparison operator")


def show_tag_keys(statement: ast.ShowTagKeys, database: str | None, schema: SchemaProvider,
                  run: Runner) -> list[Series]:
    db = _database(statement.database, database)
    out = []
    for measurement in find_measurements(db, statement.sources, schema):
        keys = sorted(measurement.tags)
        if statement.condition is not None:
            rows = _distinct_tags(db, measurement, keys, statement.condition, run)
            keys = [k for i, k in enumerate(keys) if any(r[i] is not None for r in rows)]
        keys = _cut(keys, statement.limit, statement.offset)
        if keys:
            out.append(Series(measurement.name, ["tagKey"], [[k] for k in keys]))
    return out  # 1.6.7 parses SLIMIT/SOFFSET here but does not apply them


def show_tag_values(statement: ast.ShowTagValues, database: str | None,
                    schema: SchemaProvider, run: Runner) -> list[Series]:
    db = _database(statement.database, database)
    out = []
    for measurement in find_measurements(db, statement.sources, schema):
        keys = [k for k in sorted(measurement.tags) if key_matches(statement, k)]
        pairs: set[tuple[str, str]] = set()
        for key in keys:
            for (value,) in _distinct_tags(db, measurement, [key], statement.condition, run):
                if value is not None:
                    pairs.add((key, value))
        values = _cut([list(p) for p in sorted(pairs)], statement.limit, statement.offset)
        if values:
            out.append(Series(measurement.name, ["key", "value"], values))
    return out


def key_matches(statement: ast.ShowTagValues, key: str) -> bool:
    op = statement.op
    if op is ast.TagKeyOp.EQ or op is ast.TagKeyOp.IN:
        return key in statement.keys
    if op is ast.TagKeyOp.NEQ:
        return key not in statement.keys
    assert statement.regex is not None
    found = matcher(statement.regex.pattern).search(key) is not None
    return found if op is ast.TagKeyOp.EQREGEX else not found


def show_field_keys(statement: ast.ShowFieldKeys, database: str | None,
                    schema: SchemaProvider) -> list[Series]:
    # 1.x looks every source's name up in each database the sources name, and lists a key
    # once per type the databases store it as
    databases = source_databases(statement.database, database, statement.sources)
    fields: dict[str, set[tuple[str, str]]] = {}
    for db in databases:
        for measurement in find_measurements(db, statement.sources, schema):
            fields.setdefault(measurement.name, set()).update(
                (name, ftype.value) for name, ftype in measurement.fields.items())
    out = []
    for name in sorted(fields):
        rows = _cut([list(row) for row in sorted(fields[name])], statement.limit,
                    statement.offset)
        if rows:
            out.append(Series(name, ["fieldKey", "fieldType"], rows))
    return out


def series_keys(db: str, sources: tuple[ast.Source, ...], condition: ast.Expr | None,
                schema: SchemaProvider, run: Runner) -> list[str]:
    keys = []
    for measurement in find_measurements(db, sources, schema):
        tags = sorted(measurement.tags)
        for row in _distinct_tags(db, measurement, tags, condition, run):
            keys.append(series_key(measurement.name, tags, row))
    return sorted(keys)


def show_series(statement: ast.ShowSeries, database: str | None, schema: SchemaProvider,
                run: Runner) -> list[Series]:
    # as SHOW FIELD KEYS: every source's name in each database the sources name
    databases = source_databases(statement.database, database, statement.sources)
    found = {key for db in databases
             for key in series_keys(db, statement.sources, statement.condition, schema, run)}
    keys = _cut(sorted(found), statement.limit, statement.offset)
    if not keys:
        return []
    return [Series("", ["key"], [[k] for k in keys])]


def _cut(items: list, limit: int, offset: int) -> list:  # type: ignore[type-arg]
    if offset:
        items = items[offset:]
    if limit:
        items = items[:limit]
    return items


# -- CARDINALITY --------------------------------------------------------------------------------


def estimated_cardinality(statement: ast.Statement) -> bool:
    """A SERIES or MEASUREMENT cardinality that nothing narrows (no EXACT, FROM, WHERE, GROUP
    BY, LIMIT or OFFSET), which 1.x answers from its index's sketches as one `cardinality
    estimation` (0 for a database it does not have); every other form is rewritten into a
    SELECT that counts."""
    return (isinstance(statement, ast.ShowCardinality) and not statement.exact
            and statement.kind in (ast.CardinalityKind.SERIES, ast.CardinalityKind.MEASUREMENT)
            and not (statement.sources or statement.condition or statement.dimensions
                     or statement.limit or statement.offset))


def show_cardinality(statement: ast.ShowCardinality, database: str | None,
                     schema: SchemaProvider, run: Runner) -> list[Series]:
    """Every CARDINALITY form counts exactly; 1.x's sketches for the estimated ones are exact
    at the sizes where anyone would compare. The counted forms answer one row per series, so
    an OFFSET leaves nothing (and a LIMIT, at least 1, changes nothing)."""
    kind = statement.kind
    if estimated_cardinality(statement):
        db = _database(statement.database, database)
        if kind is ast.CardinalityKind.MEASUREMENT:
            count = len(_measurements_with_series(db, None, None, schema, run))
        else:  # distinct series across the database, not per shard group as the counted form
            count = sum(_series_per_shard(db, m, None, run, per_shard=False)
                        for m in find_measurements(db, (), schema))
        return [Series("", ["cardinality estimation"], [[count]])]
    if statement.offset:
        return []
    if statement.dimensions:
        if kind is ast.CardinalityKind.MEASUREMENT and statement.condition is not None:
            _counted(replace(statement, dimensions=()), "", schema, run)  # its time check
        from .show_groups import grouped_cardinality  # it imports this module's helpers

        return grouped_cardinality(statement, database, schema, run)
    if kind is not ast.CardinalityKind.MEASUREMENT and statement.sources:
        # each source counted in the database it names (unlike SHOW SERIES, no name is looked
        # up in the other sources' databases), one series per measurement name
        counted: dict[str, set[Any]] = {}
        sizes: dict[str, int] = {}
        for db, sources in source_databases(statement.database, database,
                                             statement.sources).items():
            for found in _counted(replace(statement, database=db, sources=sources), db,
                                  schema, run):
                if kind is ast.CardinalityKind.SERIES:  # counts per shard, summed
                    sizes[found.name] = sizes.get(found.name, 0) + found.values[0][0]
                else:  # a field key stored as two types counts once
                    counted.setdefault(found.name, set()).update(
                        row[0] if kind is ast.CardinalityKind.FIELD_KEY else tuple(row)
                        for row in found.values)
        sizes.update((name, len(items)) for name, items in counted.items())
        return [Series(name, ["count"], [[sizes[name]]]) for name in sorted(sizes)]
    found = _counted(statement, _database(statement.database, database), schema, run)
    if kind in (ast.CardinalityKind.SERIES, ast.CardinalityKind.MEASUREMENT):
        return found
    return [Series(s.name, ["count"], [[len(s.values)]]) for s in found]


def _counted(statement: ast.ShowCardinality, db: str, schema: SchemaProvider,
             run: Runner) -> list[Series]:
    """A cardinality over one database: the SERIES and MEASUREMENT counts as answered, the
    others as the listing they count."""
    kind = statement.kind
    if kind is ast.CardinalityKind.MEASUREMENT:
        if statement.condition is not None and _mentions_time(statement.condition):
            raise QueryError("SHOW MEASUREMENT EXACT CARDINALITY doesn't support time in "
                             "WHERE clause")  # 1.6.7's words, EXACT or not
        # unlike SHOW MEASUREMENTS, 1.6.7 counts these by their series' tags
        count = len(_measurements_with_series(
            db, statement.sources[0] if statement.sources else None, statement.condition,
            schema, run))
        return [Series("", ["count"], [[count]])] if count else []
    if kind is ast.CardinalityKind.SERIES:
        counted = []
        for measurement in find_measurements(db, statement.sources, schema):
            count = _series_per_shard(db, measurement, statement.condition, run)
            if count:
                counted.append(Series(measurement.name, ["count"], [[count]]))
        return counted
    if kind is ast.CardinalityKind.TAG_KEY:
        listed = show_tag_keys(ast.ShowTagKeys(db, statement.sources, statement.condition),
                               db, schema, run)
    elif kind is ast.CardinalityKind.TAG_VALUES:
        op = statement.key_op or ast.TagKeyOp.EQ
        listed = show_tag_values(ast.ShowTagValues(
            op, statement.keys, statement.key_regex, db, statement.sources,
            statement.condition), db, schema, run)
    else:
        listed = show_field_keys(ast.ShowFieldKeys(db, statement.sources), db, schema)
    return listed


def distinct_series(db: str, measurement: MeasurementSchema, condition: ast.Expr | None,
                    per_shard: bool = True) -> exp.Select:
    """The distinct series of the points matching `condition`: their tag columns in sorted
    tag order, and with `per_shard` last the number of the 7-day shard group (from Mondays,
    `readorder.shard_group`) each has points in."""
    keys: list[exp.Expression] = [col(t) for t in sorted(measurement.tags)]
    if per_shard:
        shifted = exp.Sub(this=exp.func("epoch_ns", col("time")),
                          expression=exp.Literal.number(SHARD_ORIGIN))
        keys.append(exp.IntDiv(this=exp.Paren(this=shifted),
                               expression=exp.Literal.number(SHARD_GROUP)))
    if not keys:  # a measurement without tags holds one series
        keys = [exp.Literal.number(1)]
    query = exp.select(*keys).distinct().from_(
        exp.Table(this=ident(measurement.name), db=ident(db)))
    where = _metadata_condition(condition, measurement)
    return query if where is None else query.where(where)


def _series_per_shard(db: str, measurement: MeasurementSchema, condition: ast.Expr | None,
                      run: Runner, per_shard: bool = True) -> int:
    """1.x sums each shard's exact series count, so a series whose points span several
    7-day shard groups (from Mondays) counts once per group; the same count here (or each
    series once, without `per_shard`)."""
    inner = distinct_series(db, measurement, condition, per_shard)
    table = run(exp.select(exp.Count(this=exp.Star())).from_(inner.subquery("__series")))
    return int(table.column(0)[0].as_py())
