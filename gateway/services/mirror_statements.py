"""Statements that change data or schema on a `mirror` route reach its mirrors too.

A write on a mirror route goes to the primary and to every mirror; so must the statements that
change what they hold, or the mirror keeps points the primary deleted, or refuses writes for a
retention policy only the primary was given (1.x answers such a write 500, which the replay
counts as refused). DELETE, DROP SERIES and DROP MEASUREMENT reach every write target (InfluxDB
2 runs them over its 1.x-compatible /query, InfluxDB 3 a DROP MEASUREMENT alone through its
configure API; a route with an InfluxDB 3 has DELETE and DROP SERIES refused before it gets
here, as influxdb3_drops says); CREATE, ALTER and DROP RETENTION POLICY reach the 1.x and
native targets only, since InfluxDB 2 and 3 have no retention policies, and DROP DATABASE those
and, alone, InfluxDB 3 (through its API; with other statements it is refused when a mirror is
one), while a route with an InfluxDB 2 has it refused before any target runs it (its buckets
are deleted through its own API, and a mirror skipped would keep what the others dropped).
CREATE DATABASE among other statements goes with them (alone it goes through create_database);
InfluxDB 2 and 3 create one through their API, alone, so such a request is refused when a
target is one of those.

The caller gets the read target's answer (a failover's while it is down); a statement another
target failed carries that target's error as well, so a target that refuses says so instead of
diverging silently. A mirror whose replay queue holds batches, or that cannot take the
statement now (mirror_outcomes: down, 5xx, 429, 401/403), gets the changing statements queued
behind its batches, durably and in order, as a write would be; the caller is then answered
as for a queued write, with no error for that mirror.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from gateway.backends.replay import QueuedStatement, ReplayQueue
from gateway.backends.upstream.base import Generation, UpstreamFailure
from gateway.config import NATIVE, RouteConfig
from gateway.errors import GatewayError, invalid
from gateway.model import Namespace
from gateway.services.mirror_outcomes import kept_for_later
from gateway.services.routing import failure_error, with_failover
from translators.influxql import ast
from translators.influxql.render import render
from translators.influxql.results import StatementResult
from translators.influxql.timerange import fix_now

__all__ = ["StatementQueues", "held_back", "mirrored", "on_write_targets", "outcomes_on",
           "queue_where_needed", "refuse_creation_among_others", "refuse_dropping_buckets",
           "takes", "target_label"]

# Statements each write target applies, and those only 1.x servers and the native store have.
_DATA = (ast.Delete, ast.DropSeries, ast.DropMeasurement)
_SCHEMA = (ast.CreateRetentionPolicy, ast.AlterRetentionPolicy, ast.DropRetentionPolicy,
           ast.DropDatabase)
# CREATE DATABASE alone goes through create_database.py; among other statements it goes with
# them, in its place, so that what follows it finds the database on every target.
_CHANGES = (*_DATA, *_SCHEMA, ast.CreateDatabase)

Results = Callable[[str], Awaitable[list[StatementResult]]]
T = TypeVar("T")


async def outcomes_on(targets: Iterable[str], call: Callable[[str], Awaitable[T]]
                      ) -> dict[str, T | BaseException]:
    """`call` on each target at once (each named once): what it returned or raised, by
    target."""
    named = list(dict.fromkeys(targets))
    return dict(zip(named, await asyncio.gather(*(call(t) for t in named),
                                                return_exceptions=True), strict=True))


def mirrored(route: RouteConfig, statements: Sequence[ast.Statement]) -> bool:
    """True when the request changes data or schema on a route with mirrors."""
    return (route.mode == "mirror" and len(route.targets) > 1
            and any(isinstance(s, _CHANGES) for s in statements))


def takes(generation: Generation | None, statement: ast.Statement) -> bool:
    """Whether a target of `generation` (None: the native store) is sent `statement`, where
    a route of several targets (a mirror's, a shard's) sends what changes data or schema to
    each: InfluxDB 2 and 3 have no retention policies, and InfluxDB 2 has no DROP DATABASE
    (its buckets are deleted through its own API), while InfluxDB 3 takes one alone through
    its configure API (influxdb3_drops, which refuses it among other statements)."""
    if generation in (None, Generation.V1):
        return True
    if isinstance(statement, ast.DropDatabase):
        return generation is Generation.V3
    return not isinstance(statement, _SCHEMA)


def refuse_creation_among_others(statements: Sequence[ast.Statement], targets: Iterable[str],
                                 generation_of: Callable[[str], Generation | None]) -> None:
    """A 400 before any target runs a request holding CREATE DATABASE among other statements
    when one of `targets` is an InfluxDB 2 or 3: they create databases through their API, one
    at a time (create_database), their /query having no CREATE DATABASE."""
    if len(statements) < 2 or not any(isinstance(s, ast.CreateDatabase) for s in statements):
        return
    named = ", ".join(f"upstream {t} (InfluxDB {g.value[1:]})" for t in dict.fromkeys(targets)
                      if t != NATIVE and (g := generation_of(t)) in (Generation.V2,
                                                                     Generation.V3))
    if named:
        raise invalid(f"CREATE DATABASE reaches {named} through its API, alone: send it in a "
                      "request of its own; nothing was run")


def refuse_dropping_buckets(statements: Sequence[ast.Statement], targets: Iterable[str],
                            generation_of: Callable[[str], Generation | None],
                            role: str) -> None:
    """A 400 before any target runs a request holding DROP DATABASE when one of `targets`
    (each `role` of the route) is an InfluxDB 2: its /query has no DROP DATABASE and the
    gateway does not delete its buckets, so it would keep the data the others dropped (as
    v3 configure's database delete refuses it)."""
    if not any(isinstance(s, ast.DropDatabase) for s in statements):
        return
    named = ", ".join(f"upstream {t} (InfluxDB 2)" for t in dict.fromkeys(targets)
                      if t != NATIVE and generation_of(t) is Generation.V2)
    if named:
        raise invalid(f"DROP DATABASE cannot reach {named}, {role} of the route: the gateway "
                      "does not delete InfluxDB 2 buckets (delete it there); nothing was "
                      "dropped")


def _takes(generation: Generation | None, statements: Sequence[ast.Statement]) -> bool:
    """Whether a target of `generation` is sent the request: every statement of it."""
    return all(takes(generation, s) for s in statements)


class StatementQueues(Protocol):
    """The mirrors' replay queues (Fanout)."""

    async def open_queue(self, target: str) -> ReplayQueue: ...

    async def enqueue_statement(self, target: str, entry: QueuedStatement) -> None: ...


async def on_write_targets(route: RouteConfig, statements: Sequence[ast.Statement],
                           generation_of: Callable[[str], Generation | None],
                           results_on: Results, queues: StatementQueues,
                           namespace: Namespace) -> list[StatementResult]:
    """The read target's results for the request (a failover's while it cannot answer), run
    on every write target that takes it; another target's error for a changing statement is
    added to that statement's result. A mirror with batches queued, or that cannot take the
    request now, gets its changing statements queued behind them instead."""
    reading = route.readers
    writing = [t for t in route.targets if t != reading[0]]
    refuse_creation_among_others(statements, [reading[0], *writing], generation_of)
    refuse_dropping_buckets(statements, [reading[0], *writing], generation_of,
                            "a write target")
    others = [t for t in writing if _takes(None if t == NATIVE else generation_of(t), statements)]
    if len(others) < len(writing) and any(isinstance(s, _DATA) for s in statements):
        # Sent without its DELETE, an InfluxDB 2 or 3 mirror would keep what the primary lost.
        skipped = ", ".join(t for t in writing if t not in others)
        raise invalid("DELETE, DROP SERIES and DROP MEASUREMENT reach every mirror, retention "
                      f"policy and database statements not {skipped} (InfluxDB 2 and 3 have "
                      "none): send them in requests of their own")
    sent = time.time_ns()
    entry = QueuedStatement(namespace.database, namespace.retention_policy, ";".join(
        render(_at(s, sent)) for s in statements if isinstance(s, _CHANGES)), sent)
    mirrors = [t for t in route.targets[1:] if t in others or t == reading[0]]
    behind = await held_back(mirrors, queues, entry)
    run = [t for t in dict.fromkeys([reading[0], *others]) if t not in behind]
    ran = await outcomes_on(run, results_on)
    held = await queue_where_needed(mirrors, behind, queues, entry, ran)

    async def attempt(target: str) -> tuple[str, list[StatementResult]]:
        outcome = ran[target] if target in ran else await results_on(target)
        if isinstance(outcome, BaseException):
            raise outcome
        return target, outcome

    # A mirror that queued it has no answer yet: the next read target answers, else a write
    # target that ran it, else (every one queued it) the caller is told it is accepted.
    answering = ([t for t in reading if t not in held]
                 or [t for t in route.targets if t in ran][:1])
    if not answering:
        return [StatementResult(i) for i in range(len(statements))]
    answered, results = await with_failover(answering, attempt, "a statement changing data")
    for target, outcome in ran.items():
        if target == answered:
            continue
        errors = _errors(target, outcome)
        for index, statement in enumerate(statements):
            error = errors if isinstance(errors, str) else errors.get(index)
            if error is None or not isinstance(statement, _CHANGES):
                continue
            if index < len(results):
                mine = results[index].error
                results[index] = dataclasses.replace(
                    results[index], error=f"{mine}; {error}" if mine else error)
    return results


async def held_back(mirrors: Sequence[str], queues: StatementQueues,
                    entry: QueuedStatement) -> list[str]:
    """The mirrors whose queue holds batches: run now, the statement would overtake them
    (and their replay write back points it deleted), so it waits behind them. A full queue
    is a 503 before any target runs it, as for a write."""
    behind = [t for t in mirrors if (await queues.open_queue(t)).backlogged]
    for target in behind:
        (await queues.open_queue(target)).check_room(entry)
    return behind


async def queue_where_needed(mirrors: Sequence[str], behind: Sequence[str],
                             queues: StatementQueues, entry: QueuedStatement,
                             outcomes: dict[str, Any]) -> set[str]:
    """Queue `entry` for the mirrors `behind` and for those whose outcome (a failure, among
    `outcomes` by target) keeps it for later; those queued leave `outcomes`, and one whose
    queue could not take it gets that failure as its outcome instead. The ones queued."""
    held: set[str] = set()
    for target in mirrors:
        outcome = outcomes.get(target)
        if target not in behind and not (isinstance(outcome, BaseException)
                                         and kept_for_later(outcome)):
            continue
        try:
            await queues.enqueue_statement(target, entry)
        except GatewayError as exc:  # not queued: named in the answer
            outcomes[target] = exc
        else:
            held.add(target)
            outcomes.pop(target, None)
    return held


def _at(statement: ast.Statement, now: int) -> ast.Statement:
    # A queued DELETE's now() is when it was sent: replayed an hour later, `time < now() - 1h`
    # would otherwise remove an hour more from the mirror than from the primary.
    if isinstance(statement, ast.Delete | ast.DropSeries) and statement.condition is not None:
        return dataclasses.replace(statement, condition=fix_now(statement.condition, now))
    return statement


def _errors(target: str, outcome: list[StatementResult] | BaseException
            ) -> str | dict[int, str]:
    """One other target's errors, each naming it: by statement index, or one message when
    the whole request failed there."""
    if isinstance(outcome, UpstreamFailure):
        return failure_error(outcome).message  # names the upstream already
    if isinstance(outcome, GatewayError):
        return f"{target_label(target)}: {outcome.message}"
    if isinstance(outcome, BaseException):
        raise outcome
    return {r.statement_id: f"{target_label(target)}: {r.error}" for r in outcome if r.error}


def target_label(target: str) -> str:
    return "the native store" if target == NATIVE else f"upstream {target}"
