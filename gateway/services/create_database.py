"""CREATE DATABASE on every write target of its route, as Telegraf expects before its first
write; on a mirror route, a mirror that is behind or cannot take it now gets it queued behind
its batches (mirror_statements), so it never overtakes a queued DROP DATABASE of the same name
and reaches a mirror that was down before the writes that follow it.

Upstreams are asked through their own API (InfluxDB 2 and 3 have no CREATE DATABASE over
/query), live and on replay (statement_replay); live with the caller's credentials on a
`passthrough` route, as writes there are.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from gateway.backends.replay import QueuedStatement
from gateway.backends.upstream.base import (
    Generation,
    UnexpectedReply,
    UpstreamFailure,
    UpstreamReply,
)
from gateway.config import NATIVE, RouteConfig
from gateway.errors import Category, GatewayError, conflict, invalid
from gateway.model import Namespace, PassCredentials
from gateway.services.influxql import InfluxQLRequest, InfluxQLService
from gateway.services.mirror_statements import (
    StatementQueues,
    held_back,
    outcomes_on,
    queue_where_needed,
)
from gateway.services.routing import RelayedError, Router, failure_error
from translators.influxql import ast
from translators.influxql.decode import decode_v1_json
from translators.influxql.render import render
from translators.influxql.results import StatementResult

__all__ = ["create_everywhere", "create_on_upstream", "create_outcomes", "describe_failure",
           "native_create"]

# The native store's error for the statement, None when it made (or had) the database.
NativeCreate = Callable[[], Awaitable[str | None]]


def native_create(native: InfluxQLService, request: InfluxQLRequest) -> NativeCreate:
    """The native store running `request`, a CREATE DATABASE."""
    async def create() -> str | None:
        answer = await native.execute(request)
        return answer.results[0].error if answer.results else None
    return create


async def create_everywhere(route: RouteConfig, statement: ast.CreateDatabase, router: Router,
                            native: NativeCreate, queues: StatementQueues,
                            credentials: PassCredentials | None = None) -> StatementResult:
    """The statement's one result: every target's error, if any, joined."""
    failed = [describe_failure(o) for o in (await create_outcomes(
        route, statement, router, native, queues, credentials)).values()
        if isinstance(o, BaseException)]
    return StatementResult(0, error="; ".join(failed) if failed else None)


async def create_outcomes(route: RouteConfig, statement: ast.CreateDatabase, router: Router,
                          native: NativeCreate, queues: StatementQueues,
                          credentials: PassCredentials | None = None,
                          exclusive: str | None = None) -> dict[str, Any]:
    """Each target that ran it now: None, or the failure it met (those queued are left out).
    The upstream named `exclusive` fails with a 409 where it answers that the database
    exists; every other target takes that as done."""
    entry = QueuedStatement(statement.name, None, render(statement), time.time_ns())
    mirrors = list(route.targets[1:]) if route.mode == "mirror" else []
    behind = await held_back(mirrors, queues, entry)
    live = [t for t in route.targets if t not in behind]

    async def create_on(target: str) -> None:
        if target != NATIVE:
            return await create_on_upstream(router, target, statement.name, credentials,
                                            exists_ok=target != exclusive)
        error = await native()
        if error:
            raise invalid(error)

    outcomes: dict[str, Any] = await outcomes_on(live, create_on)
    await queue_where_needed(mirrors, behind, queues, entry, outcomes)
    return outcomes


async def create_on_upstream(router: Router, target: str, database: str,
                             credentials: PassCredentials | None = None, *,
                             exists_ok: bool = True) -> None:
    """CREATE DATABASE on one upstream, idempotent as 1.x's is unless not `exists_ok`;
    raises its failure."""
    upstream = router.upstreams[target]
    name = router.namespace_for(target, Namespace(database)).database
    try:
        reply = await upstream.create_database(name, credentials=credentials)
    except UnexpectedReply as exc:
        raise GatewayError(Category.BAD_GATEWAY, f"upstream {target}: {exc.detail}") from None
    if _already_exists(reply) and not exists_ok:
        raise conflict(f"database {database!r} already exists")
    if reply.ok or _already_exists(reply):
        if reply.ok and upstream.generation is Generation.V1:
            results = decode_v1_json(reply.body)
            if results and results[0].error:
                raise invalid(f"upstream {target}: {results[0].error}")
        return
    raise RelayedError(target, reply)


def describe_failure(error: BaseException) -> str:
    """A target's failure in words that name it."""
    if isinstance(error, UpstreamFailure):
        return failure_error(error).message  # names the upstream already
    if isinstance(error, RelayedError):
        return f"upstream {error.upstream}: {error.reply.error_message()}"
    if isinstance(error, GatewayError):
        return error.message
    raise error


def _already_exists(reply: UpstreamReply) -> bool:
    # InfluxDB 2 answers 422 (or 409) and InfluxDB 3 answers 409 for a name that exists; 1.x's
    # CREATE DATABASE is idempotent, so the gateway's is too.
    return reply.status in (409, 422) and "exist" in reply.error_message().lower()
