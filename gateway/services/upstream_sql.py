"""`/api/v3/query_sql` on routes with upstream targets.

An InfluxDB 3 upstream runs the SQL itself and its answer is relayed as it is. A 1.x or 2.x
upstream gets the SQL translated to InfluxQL (the common subset; anything else is a 400 that
names the construct), asked for JSON with nanosecond times, and its series are rebuilt as the
SQL answer's rows for the caller's format.
"""

from __future__ import annotations

import logging

import pyarrow as pa

from gateway.backends.upstream.base import (
    Generation,
    InfluxQLCall,
    Upstream,
    UpstreamReply,
)
from gateway.config import NATIVE
from gateway.errors import Category, GatewayError, invalid, not_found
from gateway.model import PassCredentials, SqlQuery
from gateway.services.query import QueryService
from gateway.services.routing import RelayedError, Router, with_failover
from gateway.services.target_statements import fetch_results
from gateway.watch import started, watched
from translators.influxql.render import render
from translators.sql import SqlRejected
from translators.sql.to_influxql import (
    SqlTranslation,
    answer_table,
    check_schema,
    translate_sql,
)

log = logging.getLogger(__name__)


class RoutedSql:
    """Sends SQL to the native store or to its route's read target (with failover)."""

    def __init__(self, router: Router, native: QueryService,
                 timeout: float | None = None) -> None:
        self._router = router
        self._native = native
        self._timeout = timeout  # query.timeout_seconds, for a read whoever answers it

    async def sql(self, query: SqlQuery, *, format: str = "json",
                  credentials: PassCredentials | None = None) -> pa.Table | UpstreamReply:
        if not self._router.active:
            return await self._native.sql(query)
        database = query.namespace.database
        measurement = None
        translation: SqlTranslation | SqlRejected | None = None  # made once, on first need
        if self._router.by_measurement(database):
            try:
                translation = translate_sql(query.text, query.params)
                measurement = getattr(translation.statement.sources[0], "name", None)
            except SqlRejected as exc:
                translation = exc  # routed by database alone
        route = self._router.resolve(database, measurement).route
        targets = self._router.read_targets(database, measurement)
        creds = credentials if route.passthrough else None
        since = started()  # one timeout for the read, whichever failover target answers

        async def attempt(target: str) -> pa.Table | UpstreamReply:
            if target == NATIVE:
                return await self._native.sql(query)
            upstream = self._router.upstreams[target]
            if upstream.generation is Generation.V3:
                return await watched(self._v3(upstream, query, format, creds), query.gone,
                                     self._timeout, since=since)
            nonlocal translation
            if translation is None:
                try:
                    translation = translate_sql(query.text, query.params)
                except SqlRejected as exc:
                    translation = exc
            if isinstance(translation, SqlRejected):
                raise invalid(str(translation))
            return await watched(self._translated(upstream, query, translation, creds),
                                 query.gone, self._timeout, since=since)

        return await with_failover(targets, attempt, database)

    async def _v3(self, upstream: Upstream, query: SqlQuery, format: str,
                  credentials: PassCredentials | None) -> UpstreamReply:
        database = self._router.namespace_for(upstream.name, query.namespace).database
        reply = await upstream.sql(database, query.text, params=query.params or None,
                                   format=format, credentials=credentials)
        if not reply.ok:
            raise RelayedError(upstream.name, reply)
        return reply

    async def _translated(self, upstream: Upstream, query: SqlQuery,
                          translation: SqlTranslation,
                          credentials: PassCredentials | None) -> pa.Table:
        namespace = self._router.namespace_for(upstream.name, query.namespace)
        # The table's field and tag keys come first, in the same request (check_schema).
        statements = [*translation.schema, translation.statement]
        call = InfluxQLCall("; ".join(render(s) for s in statements),
                            database=namespace.database,
                            retention_policy=namespace.retention_policy)
        results = await fetch_results(upstream, call, credentials)
        for result in results[:len(translation.schema)]:
            _raise_error(result.error)
        if len(results) != len(statements):  # 1.x and 2.x answer each statement in turn
            _raise_error(results[-1].error if results else None)
            raise GatewayError(Category.BAD_GATEWAY,
                               f"upstream {upstream.name} answered {len(results)} results to "
                               f"{len(statements)} statements")
        field_keys, tag_keys, answer = results
        try:
            # Before the answer's own error: 1.x refuses some of what the check names (max of
            # a string field) in words of its iterators.
            check_schema(field_keys, tag_keys, translation)
        except SqlRejected as exc:
            raise invalid(str(exc)) from None
        _raise_error(answer.error)
        return answer_table([answer], translation)


def _raise_error(error: str | None) -> None:
    """A statement's error from the upstream, as the caller's 4xx."""
    if error:
        if error.startswith("database not found"):
            raise not_found(error)
        raise invalid(error)
