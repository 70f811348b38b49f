"""InfluxQL on routes with upstream targets: passed through with names rewritten.

A 1.x caller reading a 1.x upstream gets the upstream's bytes unchanged (status, type, body).
Other pairs go through the upstream's 1.x-compatible /query as JSON with nanosecond times and
are decoded into the gateway's results, which the caller's encoders then write: MessagePack
for a 1.x client of a 2.x or 3.x server, InfluxDB 3's tables for /api/v3/query_influxql.

Telegraf's side effects are handled here too: CREATE DATABASE reaches every write target of
its route, and SHOW DATABASES merges answers. Statements that change data or schema on a
mirror route reach its mirrors too (`mirror_statements.py`). Reads of a sharded database go
to every shard and are merged (`shard_read.py`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable

from gateway.backends.upstream.base import Generation, InfluxQLCall, Upstream, UpstreamFailure
from gateway.config import NATIVE
from gateway.errors import QueryTimedOut, invalid
from gateway.model import Namespace, PassCredentials
from gateway.services import influxql_sources as names
from gateway.services.create_database import create_everywhere, native_create
from gateway.services.influxdb3_drops import refuse_on_influxdb3
from gateway.services.influxql import (
    InfluxQLAnswer,
    InfluxQLRequest,
    InfluxQLService,
    parse_request,
)
from gateway.services.mirror_statements import StatementQueues, mirrored, on_write_targets
from gateway.services.routing import (
    RelayedError,
    Router,
    failure_error,
    merge_names,
    with_failover,
)
from gateway.services.shard_read import ShardedReads, changes_shards, wants_shards
from gateway.services.statement_steps import first_result, in_turn
from gateway.services.target_statements import TargetStatements, fetch_results
from gateway.services.unparsed_route import unparsed_route
from gateway.services.upstream_watch import (
    chunking_of,
    finished_json,
    json_statements,
    relays_json,
)
from gateway.watch import started, watched
from translators.encoders.influxql_format import V1Format, negotiate_v1_format
from translators.influxql import ast
from translators.influxql.decode import finished_v1_msgpack
from translators.influxql.render import render
from translators.influxql.results import Series, StatementResult, stopped_at

log = logging.getLogger(__name__)


class RoutedInfluxQL:
    """Sends each InfluxQL request to the native store or to its route's read target."""

    def __init__(self, router: Router, native: InfluxQLService,
                 queues: StatementQueues, timeout: float | None = None) -> None:
        self._router = router
        self._timeout = timeout  # query.timeout_seconds, for a read whoever answers it
        self._native = native
        self._queues = queues
        self._targets = TargetStatements(router, native)
        self._sharded = ShardedReads(self._targets.results, self._router.generation)

    async def execute(self, request: InfluxQLRequest, *, relay: bool = True,
                      since: float | None = None) -> InfluxQLAnswer:
        """`relay=False` asks for decoded results even where an upstream's bytes could be
        relayed (a request split over several databases is put back together from them).
        `since`: when the query timeout began for a request this one is part of (now
        otherwise); it bounds every upstream read of the request, failover targets included."""
        if not self._router.active:
            return await self._native.execute(request)
        since = started() if since is None else since
        unparsed = unparsed_route(self._router, request, self._timeout) if relay else None
        if unparsed is not None:
            # Relayed as is, without parsing (the upstream parses it anyway).
            if not unparsed.route.passthrough:
                request = dataclasses.replace(request, credentials=None)
            try:
                return await with_failover(
                    unparsed.targets, lambda target: self._read(
                        target, request, [], True, since, unparsed.count),
                    request.database or "every database")
            except RelayedError as exc:
                if exc.status == 400 and exc.reply.generation is not Generation.V1:
                    # 2.x and 3 word a syntax error their own way; the caller gets 1.x's
                    # wording, as the parsed path gives it. Parsing only then keeps the
                    # relay's cost off every query that succeeds.
                    await parse_request(request.text, request.params)
                raise
        statements = await parse_request(request.text, request.params)
        if request.single_statement and len(statements) != 1:
            raise invalid("must provide only one InfluxQl statement per query")
        if len(statements) == 1:
            statement = statements[0]
            if isinstance(statement, ast.ShowDatabases):
                return await self._show_databases()
            if isinstance(statement, ast.CreateDatabase):
                return await self._create_database(statement, request)
        elif any(isinstance(s, ast.ShowDatabases) for s in statements):
            return await self._with_databases_listed(statements, request, since)
        databases = sorted({d for s in statements for d in names.databases_of(s, request.database)})
        if len(databases) > 1:
            self._check_one_target_each(statements, request.database)
            for statement in statements:  # before any of them runs
                for named in names.databases_of(statement, request.database):
                    refuse_on_influxdb3([statement], self._influxdb3_targets(
                        named, names.addressed([statement], named)[1]))
            if len(statements) > 1:
                return await self._per_statement(statements, request, since)
            return await self._spanning(statements, request, databases, relay, since)
        database, measurement = names.addressed(statements, request.database)
        if database is None:
            return await self._native.execute(request)
        targets = self._router.read_targets(database, measurement)
        route = self._router.resolve(database, measurement).route
        if not route.passthrough:  # the caller's credentials stay here
            request = dataclasses.replace(request, credentials=None)
        refuse_on_influxdb3(statements, self._influxdb3_targets(database, measurement))
        if mirrored(route, statements):
            return InfluxQLAnswer.of(await on_write_targets(
                route, statements, self._router.generation,
                lambda target: self.results_on(target, statements, request), self._queues,
                Namespace(database, request.retention_policy)), statements)
        if route.mode == "shard" and not route.read and len(targets) > 1 and wants_shards(
                statements):
            # Each shard holds part of the data: all are asked and their answers merged.
            whole = route.shard_by == "measurement"
            if changes_shards(statements):  # not cut short: some shards would have run it
                return await self._sharded.execute(targets, statements, request,
                                                   whole_series=whole)
            return await self._sharded_reads(targets, statements, request, whole, since)
        if route.mode == "shard" and route.read and changes_shards(statements):
            # Reads come from the read target, but each shard holds part of the data: what
            # changes it reaches them all, or a DELETE leaves the other shards' points.
            return await self._sharded.execute(
                list(dict.fromkeys([route.read, *route.targets])), statements, request,
                whole_series=route.shard_by == "measurement", read_first=True)
        if targets == [NATIVE]:
            return await self._native.execute(request)

        return await with_failover(
            targets, lambda target: self._read(target, request, statements, relay, since),
            database)

    async def _per_statement(self, statements: list[ast.Statement],
                             request: InfluxQLRequest, since: float) -> InfluxQLAnswer:
        """Statements that read different databases, each answered by its own route, as 1.x
        answers them: in order, each under its id, none after the first error (`in_turn`)."""
        async def step(statement: ast.Statement) -> StatementResult:
            single = dataclasses.replace(request, text=render(statement))
            return first_result((await self.execute(single, relay=False, since=since)).results)

        return InfluxQLAnswer.of(await in_turn(
            statements, step, chunked=request.chunked, timeout=self._timeout, since=since),
            statements)

    async def _spanning(self, statements: list[ast.Statement], request: InfluxQLRequest,
                        databases: list[str], relay: bool, since: float) -> InfluxQLAnswer:
        """One statement reading several databases that one target serves: sent to it whole,
        as 1.x reads `FROM "db1".."m", "db2".."m"` itself. InfluxDB 2 and 3 are asked one
        database per query (2 takes the retention policy as a parameter, 3 has none), so
        such a statement has no form they answer: a 400 naming why."""
        routes = [self._router.resolve(d).route for d in databases]
        targets = self._router.read_targets(databases[0])
        if any(r.mode == "shard" and not r.read for r in routes) and len(targets) > 1:
            raise invalid(f"a statement reading several databases ({', '.join(databases)}) "
                          "is not supported on a sharded route; read each in its own "
                          "statement")
        if not all(r.passthrough for r in routes):  # the caller's credentials stay here
            request = dataclasses.replace(request, credentials=None)

        async def attempt(target: str) -> InfluxQLAnswer:
            generation = self._router.generation(target)
            if generation is not None and generation is not Generation.V1:
                raise invalid(
                    f"a statement reading several databases ({', '.join(databases)}) cannot "
                    f"be sent to upstream {target}: InfluxDB {generation.value[1:]} "
                    "reads one database per query; read each in its own statement")
            return await self._read(target, request, statements, relay, since)

        return await with_failover(targets, attempt, ", ".join(databases))

    async def _sharded_reads(self, targets: list[str], statements: list[ast.Statement],
                             request: InfluxQLRequest, whole_series: bool, since: float
                             ) -> InfluxQLAnswer:
        """Reads asked of every shard and merged, bounded by the query timeout; several are
        asked one at a time, so those finished when it passes are kept (`in_turn`), all
        reading one `now()`."""
        if len(statements) == 1 or self._timeout is None:
            return await self._watched(self._sharded.execute(
                targets, statements, request, whole_series=whole_series), statements, request,
                since)
        now = self._sharded.now()

        async def step(statement: ast.Statement) -> StatementResult:
            single = dataclasses.replace(request, text=render(statement), params=None,
                                         params_text=None)
            return first_result((await self._watched(self._sharded.execute(
                targets, [statement], single, whole_series=whole_series, now=now),
                [statement], single, since)).results)

        return InfluxQLAnswer.of(await in_turn(
            statements, step, chunked=request.chunked, timeout=self._timeout, since=since),
            statements)

    def _influxdb3_targets(self, database: str, measurement: str | None) -> list[str]:
        """The InfluxDB 3 upstreams among the write and read targets of the database's
        route."""
        route = self._router.resolve(database, measurement).route
        targets = [*route.targets, *self._router.read_targets(database, measurement)]
        return [t for t in dict.fromkeys(targets) if self._router.generation(t) is Generation.V3]

    def _check_one_target_each(self, statements: list[ast.Statement],
                               default: str | None) -> None:
        """A 400 for a statement whose databases are served by different targets: no one
        target can answer it, and its series cannot be split between them."""
        for number, statement in enumerate(statements, 1):
            databases = sorted(names.databases_of(statement, default))
            if len({tuple(self._router.read_targets(d, None)) for d in databases}) > 1:
                raise invalid(f"statement {number} reads databases {', '.join(databases)}, "
                              "which are served by different targets; read each in its own "
                              "statement")

    async def results_on(self, target: str, statements: list[ast.Statement],
                         request: InfluxQLRequest) -> list[StatementResult]:
        """The results of `statements` (the parse of `request.text`) on one target."""
        return await self._targets.results(target, statements, request)

    async def _read(self, target: str, request: InfluxQLRequest,
                    statements: list[ast.Statement], relay: bool, since: float,
                    count: int | None = None) -> InfluxQLAnswer:
        """One read target's answer: the native store's, or an upstream's (relayed as is
        where `relay` allows). `count`: how many statements a request relayed unparsed
        (`statements` empty) holds."""
        if target == NATIVE:
            return await self._native.execute(request)
        dropped = await self._targets.dropped_through_api(target, statements, request)
        if dropped is not None:
            return InfluxQLAnswer.of(dropped, statements)
        return await self._upstream(self._router.upstreams[target], statements, request,
                                    since, relay, count)

    async def _upstream(self, upstream: Upstream, statements: list[ast.Statement],
                        request: InfluxQLRequest, since: float, relay_allowed: bool = True,
                        count: int | None = None) -> InfluxQLAnswer:
        """`count`: how many statements a request relayed unparsed holds (`statements` is
        then empty)."""
        generation = upstream.generation
        count = len(statements) if count is None else count
        call = InfluxQLCall(
            text=request.text, database=request.database,
            retention_policy=request.retention_policy, epoch=request.epoch,
            params=request.params_text, accept=request.accept, chunked=request.chunked,
            chunk_size=request.chunk_size, write=not request.read_only, pretty=request.pretty)
        if generation is not Generation.V1 and len(statements) > 1 and (
                self._timeout is not None or generation is Generation.V3):
            return await self._in_turn(upstream, call, statements, request, since)
        if generation is not Generation.V1:
            call = names.unqualified(call, statements, generation)
        # Several statements under a timeout are read as 1.x finishes each (its chunked
        # answer), so that those done when the timeout passes are kept, as on the native
        # store and on 1.x itself; 2.x and 3 are sent them one at a time (above).
        received = (bytearray() if self._timeout is not None and count > 1
                    and generation is Generation.V1 else None)
        if received is not None and relay_allowed and request.caller is Generation.V1 \
                and relays_json(request):
            # Grafana's panels: 1.x's own JSON, relayed (upstream_watch.py), unparsed when
            # routing needs no parse
            answer = await self._watched(
                json_statements(upstream, call, statements, request, received), statements,
                request, since, lambda: finished_json(received, request), count)
            if answer.relay is None and not statements:  # decoded: encoded as each's kind
                answer.chunking = await chunking_of(request)
            return answer
        relay = received is None and relay_allowed and (request.caller is Generation.V1 and (
            generation is Generation.V1
            or negotiate_v1_format(request.accept) is not V1Format.MSGPACK))
        return await self._watched(
            self._upstream_answer(upstream, call, statements, request, relay, received),
            statements, request, since,
            None if received is None else lambda: finished_v1_msgpack(bytes(received)))

    async def _in_turn(self, upstream: Upstream, call: InfluxQLCall,
                       statements: list[ast.Statement], request: InfluxQLRequest,
                       since: float) -> InfluxQLAnswer:
        """Several statements for an InfluxDB 2 or 3, sent one at a time (`statement_steps`):
        neither is known to answer a request's statements as each finishes, and InfluxDB 3
        takes one statement per request. Their answers are decoded, then encoded for the
        caller as one answer."""
        async def step(statement: ast.Statement) -> StatementResult:
            single = names.unqualified(dataclasses.replace(
                call, text=render(statement), params=None), [statement], upstream.generation)
            return first_result((await self._watched(self._upstream_answer(
                upstream, single, [statement], request, relay=False), [statement], request,
                since)).results)

        return InfluxQLAnswer.of(await in_turn(
            statements, step, chunked=request.chunked, timeout=self._timeout, since=since),
            statements)

    async def _watched(self, call: Awaitable[InfluxQLAnswer], statements: list[ast.Statement],
                       request: InfluxQLRequest, since: float,
                       finished: Callable[[], list[StatementResult]] | None = None,
                       count: int | None = None) -> InfluxQLAnswer:
        """`call`'s answer, cancelled when the query timeout (counted from `since`) passes
        or the caller leaves. Timed out, the statements that had `finished` (read from a
        chunked answer's first part) are kept, and the next is cut short. `count`: how
        many statements the request holds, when not parsed into `statements`."""
        try:
            return await watched(call, request.gone, self._timeout, since=since)
        except QueryTimedOut as exc:  # a statement's error, as the native store answers it
            done = [] if finished is None else finished()
            return InfluxQLAnswer.of(cut_short(
                done, exc.message, len(statements) if count is None else count,
                request.chunked), statements)

    async def _upstream_answer(self, upstream: Upstream, call: InfluxQLCall,
                               statements: list[ast.Statement], request: InfluxQLRequest,
                               relay: bool, received: bytearray | None = None
                               ) -> InfluxQLAnswer:
        generation = upstream.generation
        if relay:
            reply = await upstream.influxql(call, credentials=request.credentials)
            if reply.retryable or (not reply.ok and generation is not Generation.V1):
                # Another generation's error body is re-worded in 1.x's shape.
                raise RelayedError(upstream.name, reply)
            return InfluxQLAnswer(relay=reply)
        return InfluxQLAnswer.of(
            await fetch_results(upstream, call, request.credentials, received), statements)

    async def databases(self) -> list[str]:
        """SHOW DATABASES' names: every target's, merged."""
        if not self._router.active:
            return self._native.databases()
        lists = await asyncio.gather(*(self._databases(t) for t in self._router.all_targets()))
        return merge_names(lists)

    async def _show_databases(self) -> InfluxQLAnswer:
        return InfluxQLAnswer(results=[_listed(0, await self.databases())])

    async def _with_databases_listed(self, statements: list[ast.Statement],
                                     request: InfluxQLRequest, since: float) -> InfluxQLAnswer:
        """SHOW DATABASES among other statements, merged from every target as a lone one is
        (the route of the others would ask one shard or read target): the others run as a
        request of their own, and each SHOW DATABASES is listed before them when it comes
        before the request's first CREATE or DROP DATABASE, after them otherwise. In order,
        none after the first error, as 1.x answers."""
        listing = [isinstance(s, ast.ShowDatabases) for s in statements]
        changed = next((i for i, s in enumerate(statements)
                        if isinstance(s, ast.CreateDatabase | ast.DropDatabase)), len(statements))
        before = await self.databases() if any(listing[:changed]) else []
        others = [s for s, listed in zip(statements, listing, strict=True) if not listed]
        ran = iter((await self.execute(dataclasses.replace(
            request, text=";".join(render(s) for s in others), params=None, params_text=None),
            relay=False, since=since)).results if others else ())
        after = await self.databases() if any(listing[changed:]) else []
        results: list[StatementResult] = []
        for index, listed in enumerate(listing):
            result = (_listed(index, before if index < changed else after) if listed
                      else next(ran, None))
            if result is None:  # the others stopped at an error
                break
            results.append(dataclasses.replace(result, statement_id=index))
            if result.error is not None:
                break
        return InfluxQLAnswer.of(results, statements)

    async def _databases(self, target: str) -> list[str]:
        try:
            return await self.databases_on(target)
        except UpstreamFailure as exc:
            raise failure_error(exc) from None

    async def databases_on(self, target: str, credentials: PassCredentials | None = None
                           ) -> list[str]:
        """One target's databases (as it names them): TargetStatements.databases_on."""
        return await self._targets.databases_on(target, credentials)

    async def _create_database(self, statement: ast.CreateDatabase,
                               request: InfluxQLRequest) -> InfluxQLAnswer:
        """CREATE DATABASE reaches every write target of the database's route
        (create_database.py)."""
        route = self._router.resolve(statement.name).route
        return InfluxQLAnswer(results=[await create_everywhere(
            route, statement, self._router, native_create(self._native, request),
            self._queues, request.credentials if route.passthrough else None)])


def cut_short(finished: list[StatementResult], error: str, count: int, chunked: bool
              ) -> list[StatementResult]:
    """The results of a request of `count` statements whose first `finished` answered and
    whose next failed with `error`, as 1.x and the native store answer it (`stopped_at`)."""
    return stopped_at(finished, StatementResult(len(finished), error=error), count, chunked)


def _listed(statement_id: int, names: list[str]) -> StatementResult:
    """SHOW DATABASES' result."""
    return StatementResult(statement_id,
                           series=[Series("databases", ["name"], [[n] for n in names])])
