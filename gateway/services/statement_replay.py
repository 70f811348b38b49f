"""Runs a statement queued for a mirror (a `QueuedStatement`: DELETE, DROP SERIES, CREATE
RETENTION POLICY, CREATE DATABASE...) on it when its turn in the replay queue comes.

It goes as it went live (mirror_statements, create_database, configure), through the same
code (target_statements): to a 1.x, 2.x or 3 upstream's /query, with the qualified names
InfluxDB 2 and 3 ignore rewritten to parameters; CREATE DATABASE, a table's creation, and an
InfluxDB 3 mirror's DROP DATABASE or DROP MEASUREMENT sent alone, through the upstream's API;
or to the native store. Always with the gateway's own credentials, as queued writes are. What
the answer means follows mirror_outcomes; a statement the mirror ran and answered with an
error is refused, as running it again would fail again: a DROP MEASUREMENT in a database the
mirror lacks is refused as `database not found` on every kind of mirror (1.x's answer, and
what the caller is told live), so the divergence is counted, while a database or table
already gone counts as dropped (1.x's DROP DATABASE and DROP MEASUREMENT succeed then, and a
replay may deliver an entry twice); a table it has already is taken as created.
"""

from __future__ import annotations

from gateway.backends.replay import QueuedStatement
from gateway.backends.replay_record import TABLE_CREATION
from gateway.backends.replayer import Delivery, Outcome
from gateway.backends.upstream.base import Generation, UpstreamFailure
from gateway.config import NATIVE
from gateway.errors import GatewayError
from gateway.services.admin import AdminService
from gateway.services.configure import TableSpec, create_table_on
from gateway.services.create_database import create_on_upstream
from gateway.services.influxdb3_drops import refuse_on_influxdb3
from gateway.services.influxql import InfluxQLRequest, InfluxQLService, parse_request
from gateway.services.mirror_outcomes import delivery_of
from gateway.services.routing import Router
from gateway.services.target_statements import TargetStatements
from translators.influxql import ast

__all__ = ["StatementReplay"]


class StatementReplay:
    """Delivers queued statements for the replayers (given to Fanout)."""

    def __init__(self, router: Router, native: InfluxQLService, admin: AdminService) -> None:
        self._router = router
        self._targets = TargetStatements(router, native)
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
            if self._router.generation(target) is Generation.V3:
                # What a route refuses live (DELETE, DROP SERIES: InfluxDB 3 cannot delete
                # points) may have been queued by an earlier gateway: refused here the same way.
                refuse_on_influxdb3(statements, [target])
            if target != NATIVE and len(statements) == 1 and isinstance(
                    statements[0], ast.CreateDatabase):
                # Through the upstream's API, as it went live (create_database).
                await create_on_upstream(self._router, target, statements[0].name)
                return Delivery(Outcome.DELIVERED)
            # As it ran live (an InfluxDB 3's DROP through its API), with the gateway's own
            # credentials, as queued writes are.
            results = await self._targets.results(target, statements, InfluxQLRequest(
                entry.text, entry.database, entry.retention_policy))
        except (GatewayError, UpstreamFailure) as exc:
            return delivery_of(exc)
        errors = [r.error for r in results if r.error]
        if errors:
            return Delivery(Outcome.REJECTED, detail="; ".join(errors))
        return Delivery(Outcome.DELIVERED)
