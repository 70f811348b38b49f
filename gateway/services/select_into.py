"""`SELECT ... INTO`, as 1.x runs it: the SELECT's rows written back as points.

The rows become Arrow chunks shaped as the line-protocol parser shapes them (one per series:
its tags, typed fields) and go through the store's ordinary write path, so the catalog's type
checks, the idempotent point identity and durability are the same as for `/write`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence

import pyarrow as pa

from gateway.backends.native.policies import resolve_policy
from gateway.backends.native.store import NativeStore
from gateway.model import Namespace
from translators.influxql import ast
from translators.influxql.errors import QueryError
from translators.influxql.results import Series
from translators.influxql.values import coerce, column_type
from translators.lineprotocol import (
    TIME_COLUMN,
    FieldType,
    ParsedBatch,
    TableChunk,
    reported_refusal,
)

RunSelect = Callable[[ast.SelectStatement], Awaitable[list[Series]]]


@dataclasses.dataclass(frozen=True, slots=True)
class Destination:
    database: str
    retention_policy: str
    measurement: str | None  # None: each series' own measurement (`:MEASUREMENT`)


def destination(store: NativeStore, target: ast.Measurement, database: str | None,
                retention_policy: str | None) -> Destination:
    """Where the points go, checked as 1.x checks it: the database must exist, and the policy
    (named, else the request's `rp`, else the database's default) too."""
    name = target.database or database
    if not name:
        raise QueryError("database name required")
    db = store.catalog.databases.get(name)
    if db is None:
        raise QueryError(f"database not found: {name}")
    policy = resolve_policy(db, target.retention_policy or retention_policy)
    return Destination(name, policy, target.name)


def qualified(statement: ast.SelectStatement, database: str,
              policy_of: Callable[[str], str]) -> ast.SelectStatement:
    """The statement with every measurement named by database and policy, subqueries' too, as
    1.x shows it in its GET warning (`INTO db.autogen.m FROM db.autogen.cpu`)."""

    def qualify(node: ast.Measurement) -> ast.Measurement:
        db = node.database or database
        return dataclasses.replace(node, database=db,
                                   retention_policy=node.retention_policy or policy_of(db))

    sources = tuple(qualify(s) if isinstance(s, ast.Measurement)
                    else ast.SubQuery(qualified(s.statement, database, policy_of))
                    for s in statement.sources)
    target = qualify(statement.target) if statement.target is not None else None
    return dataclasses.replace(statement, sources=sources, target=target)


async def select_into(store: NativeStore, statement: ast.SelectStatement, where: Destination,
                      run_select: RunSelect) -> Series:
    """Run the SELECT, write its rows, answer 1.x's `result` series with the points written."""
    series = await run_select(dataclasses.replace(statement, target=None))
    batch = points_of(series, where.measurement)
    written = 0
    if batch.points:
        outcome = await store.write(Namespace(where.database, where.retention_policy),
                                    store.prepare(batch))
        written = outcome.written
        if outcome.errors:
            reason, count = reported_refusal(outcome.errors, outcome.dropped,
                                             outcome.beyond_retention)
            raise QueryError(f"partial write: {reason or outcome.errors[0].reason} "
                             f"dropped={count}")
    return Series("result", ["time", "written"], [[0, written]], has_time=True)


def points_of(series: Sequence[Series], measurement: str | None) -> ParsedBatch:
    """One chunk per series: its non-empty tags as tags, its columns as fields. A row with no
    value is no point (1.x drops points without fields, e.g. fill(null) buckets)."""
    batch = ParsedBatch()
    line = 0
    for one in series:
        chunk = _chunk(one, measurement or one.name, line)
        if chunk is not None:
            batch.chunks.append(chunk)
            line += chunk.num_rows
    return batch


def _chunk(series: Series, measurement: str, first_line: int) -> TableChunk | None:
    rows = [row for row in series.values if any(v is not None for v in row[1:])]
    if not rows:
        return None
    tags = {k: v for k, v in sorted((series.tags or {}).items()) if v != ""}
    columns: dict[str, pa.Array] = {TIME_COLUMN: pa.array([r[0] for r in rows], pa.int64())}
    for key, value in tags.items():
        columns[key] = pa.array([value] * len(rows), pa.string())
    fields: dict[str, FieldType] = {}
    for index, name in enumerate(series.columns[1:], start=1):
        if name in columns:
            continue  # a field named like a tag of its series: 1.x keeps the tag
        values = [row[index] for row in rows]
        ftype = column_type(values)
        if ftype is None:
            continue
        fields[name] = ftype
        columns[name] = pa.array([coerce(v, ftype) for v in values], ftype.arrow)
    if not fields:
        return None
    lines = range(first_line + 1, first_line + len(rows) + 1)
    return TableChunk(measurement, pa.table(columns), tuple(tags), fields, list(lines))


