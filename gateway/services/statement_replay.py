"""Runs a statement queued for a mirror (a `QueuedStatement`: DELETE, DROP SERIES, CREATE
RETENTION POLICY, CREATE DATABASE...) on it when its turn in the replay queue comes.

It goes as it went live (mirror_statements, create_database, configure): to a 1.x, 2.x or 3
upstream's /query, with the qualified names InfluxDB 2 and 3 ignore rewritten to parameters;
CREATE DATABASE, a table's creation, and an InfluxDB 3 mirror's DROP DATABASE or DROP
MEASUREMENT sent alone, through the upstream's API; or to the native store. Always with the
gateway's own credentials, as queued writes are. What the answer means follows
mirror_outcomes; a statement the mirror ran and answered with an error (a database it lacks)
is refused, as running it again would fail again, but a table it has already is taken as
created.
"""

from __future__ import annotations

from gateway.backends.replay import QueuedStatement
from gateway.backends.replay_record import TABLE_CREATION
from gateway.backends.replayer import Delivery, Outcome
from gateway.backends.upstream.base import Generation, InfluxQLCall, UpstreamFailure
from gateway.config import NATIVE
from gateway.errors import GatewayError
from gateway.services import influxql_sources as names
from gateway.services.admin import AdminService
from gateway.services.configure import TableSpec, create_table_on
from gateway.services.create_database import create_on_upstream
from gateway.services.influxdb3_drops import api_drop, drop_on_influxdb3, refuse_on_influxdb3
from gateway.services.influxql import InfluxQLRequest, InfluxQLService, parse_request
from gateway.services.mirror_outcomes import delivery_of
from gateway.services.routing import Router
from gateway.services.upstream_query import fetch_results
from translators.influxql import ast
from translators.influxql.results import StatementResult

__all__ = ["StatementReplay"]


class StatementReplay:
    """Delivers queued statements for the replayers (given to Fanout)."""

    def __init__(self, router: Router, native: InfluxQLService, admin: AdminService) -> None:
        self._router = router
        self._native = native
        self._admin = admin

    async def deliver(self, target: str, entry: QueuedStatement) -> Delivery:
        try:
            if entry.kind == TABLE_CREATION:
                await create_table_on(self._router, self._admin, target,
                                      TableSpec.from_json(entry.text), exists_ok=True)
                return Delivery(Outcome.DELIVERED)
            if entry.kind:
                return Delivery(Outcome.REJECTED, detail=(
                    f"a queued statement of kind {entry.kind!r}, which this gateway does not "
                    "know (a newer gateway wrote it)"))
            statements = await parse_request(entry.text, None)
            influxdb3 = self._router.generation(target) is Generation.V3
            if influxdb3:
                # What a route refuses live (DELETE, DROP SERIES: InfluxDB 3 cannot delete
                # points) may have been queued by an earlier gateway: refused here the same way.
                refuse_on_influxdb3(statements, [target])
            if target != NATIVE and isinstance(statements[0], ast.CreateDatabase):
                # Through the upstream's API, as it went live (create_database).
                await create_on_upstream(self._router, target, statements[0].name)
                return Delivery(Outcome.DELIVERED)
            dropped = api_drop(statements)
            if dropped is not None and influxdb3:
                # Through InfluxDB 3's API, as it went live (its /query documents neither
                # statement); one already gone there counts as done.
                await drop_on_influxdb3(self._router, target, entry.database, dropped)
                return Delivery(Outcome.DELIVERED)
            results = await self._results(target, entry, statements)
        except (GatewayError, UpstreamFailure) as exc:
            return delivery_of(exc)
        errors = [r.error for r in results if r.error]
        if errors:
            return Delivery(Outcome.REJECTED, detail="; ".join(errors))
        return Delivery(Outcome.DELIVERED)

    async def _results(self, target: str, entry: QueuedStatement,
                       statements: list[ast.Statement]) -> list[StatementResult]:
        if target == NATIVE:
            request = InfluxQLRequest(entry.text, entry.database, entry.retention_policy)
            return (await self._native.execute(request)).results
        upstream = self._router.upstreams[target]
        call = InfluxQLCall(text=entry.text, database=entry.database,
                            retention_policy=entry.retention_policy, epoch="ns", write=True)
        if upstream.generation is not Generation.V1:
            call = names.unqualified(call, statements, upstream.generation)
        return await fetch_results(upstream, call, None)
