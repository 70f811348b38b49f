"""Which databases and measurements InfluxQL statements read, and their sources rewritten for
InfluxDB 2 and 3 upstreams, which take the database and retention policy as parameters."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from gateway.backends.upstream.base import Generation, InfluxQLCall
from gateway.errors import invalid
from translators.influxql import ast
from translators.influxql.render import render


def sources_of(statement: ast.Statement) -> Iterator[ast.Measurement]:
    for source in getattr(statement, "sources", ()) or ():
        if isinstance(source, ast.SubQuery):
            yield from sources_of(source.statement)
        elif isinstance(source, ast.Measurement):
            yield source


def databases_of(statement: ast.Statement, default: str | None) -> set[str]:
    """The databases one statement reads or names (`default` for unqualified sources)."""
    databases: set[str] = set()
    named = getattr(statement, "database", None)
    if isinstance(statement, ast.CreateDatabase | ast.DropDatabase):
        named = statement.name  # routed by the database it makes or drops, not the request's
    if isinstance(named, str):
        databases.add(named)
    sources = list(sources_of(statement))
    for source in sources:
        if source.database:
            databases.add(source.database)
        elif default:
            databases.add(default)
    if not isinstance(named, str) and not sources and default:
        databases.add(default)
    return databases


def addressed(statements: list[ast.Statement], default: str | None
              ) -> tuple[str | None, str | None]:
    """The one database (and measurement, when there is one) a request reads (the caller
    answers requests over several databases before asking)."""
    databases = {d for statement in statements for d in databases_of(statement, default)}
    measurements = {source.name for statement in statements
                    for source in sources_of(statement) if source.name}
    database = next(iter(databases), None)
    measurement = next(iter(measurements)) if len(measurements) == 1 else None
    return database, measurement


def unqualified(call: InfluxQLCall, statements: list[ast.Statement],
                generation: Generation) -> InfluxQLCall:
    """InfluxDB 2 ignores a retention policy written inside the query text and InfluxDB 3 has
    none: qualified sources are rewritten to bare names with db and rp as parameters."""
    qualified = [s for st in statements for s in sources_of(st) if s.database or s.retention_policy]
    if not qualified:
        return call
    policies = {s.retention_policy for s in qualified if s.retention_policy}
    if len(policies) > 1:
        raise invalid("statements in one request name several retention policies ("
                      + ", ".join(sorted(policies)) + "); send them in separate requests")
    database = next((s.database for s in qualified if s.database), call.database)
    policy = next(iter(policies), call.retention_policy)
    text = ";".join(render(_strip(st)) for st in statements)
    return dataclasses.replace(
        call, text=text, database=database,
        retention_policy=None if generation is Generation.V3 else policy, params=None)


def _strip(statement: ast.Statement) -> ast.Statement:
    if not isinstance(statement, ast.SelectStatement):
        return statement
    sources = tuple(
        ast.SubQuery(_strip(s.statement)) if isinstance(s, ast.SubQuery)  # type: ignore[arg-type]
        else dataclasses.replace(s, database=None, retention_policy=None)
        for s in statement.sources)
    return dataclasses.replace(statement, sources=sources)

