"""Parsed InfluxQL statements run on one target, answered as decoded results: what a shard, a
mirror and a mirror's replay are asked, written once.

The native store runs them itself; an upstream is sent them over its 1.x-compatible /query
(names rewritten for InfluxDB 2 and 3, which take the database and retention policy as
parameters); an InfluxDB 3 is sent a DROP DATABASE or DROP MEASUREMENT alone through its
configure API (influxdb3_drops), answered as 1.x answers the statement: a database or table
already gone is dropped, a DROP MEASUREMENT in a database it lacks is `database not found`.
"""

from __future__ import annotations

import dataclasses

from gateway.backends.upstream.base import (
    Generation,
    InfluxQLCall,
    UnexpectedReply,
    Upstream,
)
from gateway.config import NATIVE
from gateway.errors import Category, GatewayError, invalid
from gateway.model import Namespace, PassCredentials
from gateway.services import influxql_sources as names
from gateway.services.influxdb3_drops import api_drop, drop_on_influxdb3
from gateway.services.influxql import InfluxQLRequest, InfluxQLService
from gateway.services.routing import RelayedError, Router
from translators.influxql import ast
from translators.influxql.decode import (
    MalformedAnswer,
    RequestFailed,
    decode_v1_chunks,
    decode_v1_json,
    decode_v1_msgpack,
)
from translators.influxql.results import StatementResult

__all__ = ["TargetStatements", "fetch_results"]


class TargetStatements:
    """Runs statements on the native store or an upstream, by target name."""

    def __init__(self, router: Router, native: InfluxQLService) -> None:
        self._router = router
        self._native = native

    async def results(self, target: str, statements: list[ast.Statement],
                      request: InfluxQLRequest) -> list[StatementResult]:
        """The results of `statements` (the parse of `request.text`) on `target`. An upstream
        that cannot be reached raises its UpstreamFailure, one that answers an error a
        RelayedError (a 400: the caller's own)."""
        if target == NATIVE:
            return (await self._native.execute(request)).results
        dropped = await self.dropped_through_api(target, statements, request)
        if dropped is not None:
            return dropped
        upstream = self._router.upstreams[target]
        call = InfluxQLCall(
            text=request.text, database=request.database,
            retention_policy=request.retention_policy, epoch="ns", params=request.params_text,
            write=not request.read_only)
        if upstream.generation is not Generation.V1:
            call = names.unqualified(call, statements, upstream.generation)
        return await fetch_results(upstream, call, request.credentials)

    async def dropped_through_api(self, target: str, statements: list[ast.Statement],
                                  request: InfluxQLRequest) -> list[StatementResult] | None:
        """The results of a DROP DATABASE or DROP MEASUREMENT alone for an InfluxDB 3
        upstream, sent through its configure API (its /query documents no DROP); None for
        any other request or target."""
        dropped = api_drop(statements)
        if dropped is None or self._router.generation(target) is not Generation.V3:
            return None
        if await drop_on_influxdb3(self._router, target, request.database, dropped,
                                   credentials=request.credentials):
            return [StatementResult(0)]
        database = request.database or ""
        if isinstance(dropped, ast.DropMeasurement) and self._router.namespace_for(
                target, Namespace(database)).database not in await self.databases_on(
                    target, request.credentials):
            # 1.x: DROP MEASUREMENT succeeds for a measurement missing, not a database.
            return [StatementResult(0, error=f"database not found: {database}")]
        return [StatementResult(0)]

    async def databases_on(self, target: str, credentials: PassCredentials | None = None
                           ) -> list[str]:
        """One target's databases (as it names them). An upstream that cannot be reached
        raises its UpstreamFailure, one that answers anything but the list a RelayedError
        (what with_failover passes on)."""
        if target == NATIVE:
            return self._native.databases()
        try:
            return await self._router.upstreams[target].databases(credentials=credentials)
        except UnexpectedReply as exc:
            raise RelayedError(target, exc.reply) from None


async def fetch_results(upstream: Upstream, call: InfluxQLCall,
                        credentials: PassCredentials | None,
                        received: bytearray | None = None) -> list[StatementResult]:
    """An InfluxQL answer as results, asked for in the most faithful form the upstream has:
    MessagePack from 1.x (JSON writes 2.0 as 2, losing the float), JSON with nanosecond
    times from 2.x and 3 (InfluxDB 3's /query has no MessagePack). With `received` (1.x
    only), the answer is asked for chunked and its bytes put there as they arrive: each
    statement's results come as it finishes, so those are there if the wait is cut short
    (`finished_v1_msgpack` reads them)."""
    msgpack = upstream.generation is Generation.V1
    call = dataclasses.replace(
        call, accept="application/x-msgpack" if msgpack else "application/json", epoch="ns",
        chunked=received is not None, chunk_size=None, pretty=False)
    reply = await upstream.influxql(call, credentials=credentials, received=received)
    if reply.status == 400:
        if msgpack and reply.content_type.startswith("application/x-msgpack"):
            # 1.x writes a request's error (a parse error) in the format asked for
            try:
                decode_v1_msgpack(reply.body)
            except RequestFailed as exc:
                raise invalid(str(exc)) from None
            except MalformedAnswer:
                pass
        raise invalid(reply.error_message())
    if not reply.ok:
        raise RelayedError(upstream.name, reply)
    try:
        if msgpack and reply.content_type.startswith("application/x-msgpack"):
            return decode_v1_msgpack(reply.body)
        return (decode_v1_chunks if call.chunked else decode_v1_json)(reply.body)
    except RequestFailed as exc:
        raise invalid(str(exc)) from None
    except MalformedAnswer as exc:
        raise GatewayError(Category.BAD_GATEWAY,
                           f"upstream {upstream.name} answered something unusable: {exc}"
                           ) from None
