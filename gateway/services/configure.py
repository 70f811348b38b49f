"""InfluxDB 3's configure endpoints (databases and tables) where the database's route sends
them.

Each request does what the InfluxQL statement of the same meaning does on that route (SHOW
DATABASES, CREATE DATABASE, DROP DATABASE, DROP MEASUREMENT), through the same code, mirror
queueing included, except that an InfluxDB 3 target is sent the configure request itself. A
table's creation, which no InfluxQL statement does, goes to the primary first and then to each
mirror, queued for one that is behind or down as CREATE DATABASE is (`TableSpec` is its queued
form). On a `passthrough` route upstreams are sent the caller's credentials, as writes are. A
database whose route reaches nothing but the native store keeps the native behaviour.

What a target lacks is refused before any target is touched, naming it: a table created on an
InfluxDB 1.x or 2.x (they have no tables to create), a database deleted on an InfluxDB 2 (its
buckets are deleted through its own API, not by the gateway).

The answer is InfluxDB 3's: a database created that exists is a 409, a database or table
deleted that does not is a 404. Where the statement would not say (1.x's CREATE DATABASE, DROP
DATABASE and DROP MEASUREMENT succeed either way, and so do the native store's), the route's
read target (a failover's while it cannot answer) is asked first, as the caller would read it;
the check and the change are two requests, so two racing deletions can both be answered 200,
and two racing creations 201 unless the read target is an InfluxDB 2 or 3, whose own answer
to the second is a 409. An InfluxDB 3 read target is not asked about tables: its own configure
API answers, in one step.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.backends.replay import QueuedStatement
from gateway.backends.replay_record import TABLE_CREATION
from gateway.backends.upstream.base import Generation, UpstreamFailure, UpstreamReply
from gateway.backends.upstream.influxdb3 import FIELD_TYPES, table_body
from gateway.config import NATIVE, RouteConfig
from gateway.errors import Category, GatewayError, conflict, invalid, not_found
from gateway.model import Namespace, PassCredentials
from gateway.services.admin import AdminService
from gateway.services.create_database import create_outcomes, describe_failure, native_create
from gateway.services.influxdb3_drops import drop_on_influxdb3
from gateway.services.influxql import InfluxQLRequest, InfluxQLService
from gateway.services.mirror_statements import (
    StatementQueues,
    held_back,
    on_write_targets,
    outcomes_on,
    queue_where_needed,
    target_label,
)
from gateway.services.routing import RelayedError, Router, failure_error, with_failover
from gateway.services.upstream_query import RoutedInfluxQL
from translators.influxql import ast
from translators.influxql.render import render
from translators.influxql.results import StatementResult
from translators.lineprotocol import FieldType

__all__ = ["ConfigureService", "TableSpec", "create_table_on"]

_VERSION = {Generation.V1: "1.x", Generation.V2: "2.x", Generation.V3: "3"}


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table to create; queued for a mirror as the JSON body of InfluxDB 3's
    POST /api/v3/configure/table."""

    database: str
    table: str
    tags: tuple[str, ...]
    fields: tuple[tuple[str, FieldType], ...]

    def to_json(self) -> str:
        return json.dumps(table_body(self.database, self.table, self.tags, self.fields))

    @classmethod
    def from_json(cls, text: str) -> TableSpec:
        try:
            body = json.loads(text)
            return cls(str(body["db"]), str(body["table"]), tuple(map(str, body["tags"])),
                       tuple((str(f["name"]), FIELD_TYPES[f["type"]]) for f in body["fields"]))
        except (ValueError, LookupError, TypeError) as exc:
            raise invalid(f"a queued table creation that does not read: {exc!r}") from None


class ConfigureService:
    def __init__(self, router: Router, influxql: RoutedInfluxQL, native: InfluxQLService,
                 admin: AdminService, queues: StatementQueues) -> None:
        self._router = router
        self._influxql = influxql
        self._native = native
        self._admin = admin
        self._queues = queues

    async def databases(self) -> list[str]:
        """Every target's databases, merged as SHOW DATABASES merges them."""
        return await self._influxql.databases()

    # `credentials` are the caller's: each upstream is sent them on a `passthrough` route, as
    # writes and queries there are, and the gateway's own otherwise (and on replay).

    async def create_database(self, name: str,
                              credentials: PassCredentials | None = None) -> None:
        route = self._route(name)
        if route is None:
            return await self._admin.create_database(name)
        credentials = _forwarded(route, credentials)
        if await self._holds(route, name, credentials=credentials):
            raise conflict(f"database {name!r} already exists")
        statement = ast.CreateDatabase(name)
        native = native_create(self._native, InfluxQLRequest(render(statement)))
        # An InfluxDB 2 or 3 read target also says so itself, for one made since the check.
        _raise_failures(await create_outcomes(route, statement, self._router, native,
                                              self._queues, credentials, route.read_target))

    async def drop_database(self, name: str,
                            credentials: PassCredentials | None = None) -> None:
        route = self._route(name)
        if route is None:
            return await self._admin.drop_database(name)
        self._refuse(route, {Generation.V2}, f"database {name!r}",
                     "delete its bucket there (the gateway does not delete InfluxDB 2 buckets)")
        credentials = _forwarded(route, credentials)
        if not await self._holds(route, name, credentials=credentials):
            raise not_found(f"database not found: {json.dumps(name)}")
        statement = ast.DropDatabase(name)
        await self._change(route, statement,
                           InfluxQLRequest(render(statement), credentials=credentials), name)

    async def create_table(self, database: str, table: str, tags: list[str],
                           fields: dict[str, FieldType],
                           credentials: PassCredentials | None = None) -> None:
        route = self._route(database, table)
        if route is None:
            return await self._admin.create_table(database, table, tags, fields)
        self._refuse(route, {Generation.V1, Generation.V2}, f"table {table!r} of {database!r}",
                     "it has no tables to create: its first write creates the measurement")
        credentials = _forwarded(route, credentials)

        spec = TableSpec(database, table, tuple(tags), tuple(fields.items()))
        # The table exists for the caller where the route reads it: the target answering
        # (a 409 for a table it has, a 404 for a database it lacks) is sent it before the
        # others, which take a table they have already as made. A mirror that is behind or
        # cannot take it now gets it queued behind its batches, as CREATE DATABASE is.
        answering, others = _table_answerers(route)
        mirrors = others if route.mode == "mirror" else []
        entry = QueuedStatement(database, None, spec.to_json(), time.time_ns(), TABLE_CREATION)
        behind = await held_back(mirrors, self._queues, entry)
        _raise_failures(await outcomes_on(
            answering,
            lambda target: create_table_on(self._router, self._admin, target, spec,
                                           credentials=credentials)))
        outcomes: dict[str, Any] = await outcomes_on(
            [t for t in others if t not in behind],
            lambda target: create_table_on(self._router, self._admin, target, spec,
                                           exists_ok=True, credentials=credentials))
        await queue_where_needed(mirrors, behind, self._queues, entry, outcomes)
        _raise_failures(outcomes)
        if not answering and not any(outcomes.values()):
            # Read from every shard: the table was there already, for the caller, only
            # when every shard had it (one that lacked it has it now).
            raise conflict(f"table {table!r} already exists")  # as the native store says

    async def drop_table(self, database: str, table: str,
                         credentials: PassCredentials | None = None) -> None:
        route = self._route(database, table)
        if route is None:
            return await self._admin.drop_table(database, table)
        credentials = _forwarded(route, credentials)
        if not await self._holds(route, database, credentials=credentials):
            raise not_found(f"database not found: {json.dumps(database)}")
        if not await self._holds(route, database, table, credentials=credentials):
            raise not_found(f"table not found: {table!r}")
        statement = ast.DropMeasurement(table)
        request = InfluxQLRequest(render(statement), database, credentials=credentials)
        await self._change(route, statement, request, database)

    def _route(self, database: str, table: str | None = None) -> RouteConfig | None:
        """The database's route when it reaches an upstream; None for the native store."""
        if not self._router.active:
            return None
        route = self._router.resolve(database, table).route
        if all(t == NATIVE for t in (*route.targets, route.read_target, *route.failover)):
            return None
        return route

    async def _holds(self, route: RouteConfig, database: str, table: str | None = None, *,
                     credentials: PassCredentials | None = None) -> bool:
        """Whether the route's read target (a failover's while it cannot answer) holds the
        database, or its table (SHOW MEASUREMENTS, which 1.x answers alike for a table
        missing and a database missing)."""
        async def holds(target: str) -> bool:
            if table is None:
                return (self._mapped(target, database)
                        in await self._influxql.databases_on(target, credentials))
            if self._router.generation(target) is Generation.V3:
                return True  # its DELETE /api/v3/configure/table answers 404 itself
            statement = ast.ShowMeasurements(source=ast.Measurement(name=table))
            request = InfluxQLRequest(render(statement), database, read_only=True,
                                      credentials=credentials)
            (result, *_) = await self._influxql.results_on(target, [statement], request)
            if result.error:
                _raise_errors([result.error])
            return any(row[:1] == [table] for series in result.series for row in series.values)

        return await with_failover(list(dict.fromkeys(route.readers)), holds, database)

    def _mapped(self, target: str, database: str) -> str:
        return self._router.namespace_for(target, Namespace(database)).database

    def _refuse(self, route: RouteConfig, generations: Collection[Generation], what: str,
                why: str) -> None:
        lacking = [t for t in dict.fromkeys(route.targets) if t in self._router.upstreams
                   and self._router.upstreams[t].generation in generations]
        if lacking:
            kinds = ", ".join(
                f"upstream {t} (InfluxDB {_VERSION[self._router.upstreams[t].generation]})"
                for t in lacking)
            raise invalid(f"{what} is routed to {kinds}: {why}")

    async def _change(self, route: RouteConfig,
                      statement: ast.DropDatabase | ast.DropMeasurement,
                      request: InfluxQLRequest, database: str) -> None:
        """Run a DROP on every write target of the route as the InfluxQL statement runs
        there (on a mirror route: answered by the read target, queued for a mirror that is
        behind or down), an InfluxDB 3 target through its API with its own 404 relayed."""
        statements: list[ast.Statement] = [statement]

        async def results_on(target: str) -> list[StatementResult]:
            if self._router.generation(target) is Generation.V3:
                await drop_on_influxdb3(self._router, target, database, statement,
                                        credentials=request.credentials, gone_ok=False)
                return [StatementResult(0)]
            return await self._influxql.results_on(target, statements, request)

        if route.mode == "mirror" and len(route.targets) > 1:
            # Every target takes it here (None: as the native store would), InfluxDB 3
            # through its own API above; InfluxDB 2 was refused before, where it must be.
            results = await on_write_targets(route, statements, lambda target: None,
                                             results_on, self._queues, Namespace(database))
            _raise_errors([r.error for r in results if r.error])
            return
        outcomes = await outcomes_on(route.targets, results_on)
        _raise_failures(outcomes)
        _raise_errors([f"{target_label(t)}: {r.error}" if len(outcomes) > 1 else r.error
                       for t, results in outcomes.items()
                       for r in results if r.error])  # type: ignore[union-attr]


def _table_answerers(route: RouteConfig) -> tuple[list[str], list[str]]:
    """The targets whose 409 or 404 to a table's creation is the caller's, and the others.
    A mirror route's primary answers; a shard route's `read` target when it has one, else
    no single shard (each is read, so create_table asks whether any lacked it); a single
    route's target."""
    if route.mode == "mirror":
        return list(route.targets[:1]), list(route.targets[1:])
    if route.mode == "shard":
        answering = [route.read] if route.read in route.targets else []
        return answering, [t for t in route.targets if t not in answering]
    return list(route.targets), []


async def create_table_on(router: Router, admin: AdminService, target: str, spec: TableSpec,
                          *, exists_ok: bool = False, credentials: PassCredentials | None = None
                          ) -> bool:
    """Create the table on one target (the native store, or an InfluxDB 3 through its API),
    live and on replay: True when made; one that has it already is a 409, or False when
    `exists_ok`."""
    try:
        if target == NATIVE:
            await admin.create_table(spec.database, spec.table, list(spec.tags),
                                     dict(spec.fields))
            return True
        name = router.namespace_for(target, Namespace(spec.database)).database
        await _applied(target, router.upstreams[target].create_table(
            name, spec.table, spec.tags, dict(spec.fields), credentials=credentials))
        return True
    except GatewayError as exc:
        if not (exists_ok and exc.category is Category.CONFLICT):
            raise
        return False


def _forwarded(route: RouteConfig, credentials: PassCredentials | None
               ) -> PassCredentials | None:
    return credentials if route.passthrough else None


async def _applied(target: str, reply: Awaitable[UpstreamReply]) -> None:
    answer = await reply
    if not answer.ok:
        raise RelayedError(target, answer)


def _raise_failures(outcomes: dict[str, Any]) -> None:
    """Raise what the targets failed with: one target's failure as it is, several joined
    under the first one's category, each naming its target."""
    failures = [o for o in outcomes.values() if isinstance(o, BaseException)]
    if not failures:
        return
    errors = [failure_error(f) if isinstance(f, UpstreamFailure) else f for f in failures]
    for error in errors:
        if not isinstance(error, GatewayError):
            raise error
    first = errors[0]
    assert isinstance(first, GatewayError)
    if len(outcomes) == 1:
        raise first
    raise GatewayError(first.category, "; ".join(describe_failure(f) for f in failures),
                       retry_after=first.retry_after)


def _raise_errors(errors: Sequence[str | None]) -> None:
    """Statement errors as the caller's 4xx: a 404 when each is a missing database."""
    if not errors:
        return
    message = "; ".join(e for e in errors if e)
    if all(e and "database not found" in e for e in errors):
        raise not_found(message)
    raise invalid(message)

