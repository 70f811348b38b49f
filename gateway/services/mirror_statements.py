"""Statements that change data or schema on a `mirror` route reach its mirrors too.

A write on a mirror route goes to the primary and to every mirror; so must the statements
that change what they hold, or the mirror keeps points the primary deleted, or refuses writes
for a retention policy only the primary was given (1.x answers such a write 500, which the
replay counts as refused). DELETE, DROP SERIES and DROP MEASUREMENT reach every write target
(InfluxDB 2 and 3 run them over their 1.x-compatible /query too); CREATE, ALTER and DROP
RETENTION POLICY and DROP DATABASE reach the 1.x and native targets only, since InfluxDB 2 and 3
have no retention policies and drop databases through their own APIs (so a request holding
both kinds is refused when a mirror is one of those).

The caller gets the read target's answer (a failover's while it is down); a statement another
target failed carries that target's error as well, so a mirror that is down or refuses says so
instead of diverging silently. Unlike writes, these statements are not queued for a mirror
that is down.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence

from gateway.backends.upstream.base import Generation, UpstreamFailure
from gateway.config import NATIVE, RouteConfig
from gateway.errors import GatewayError, invalid
from gateway.services.routing import failure_error, with_failover
from translators.influxql import ast
from translators.influxql.results import StatementResult

__all__ = ["mirrored", "on_write_targets"]

# Statements each write target applies, and those only 1.x servers and the native store have.
_DATA = (ast.Delete, ast.DropSeries, ast.DropMeasurement)
_SCHEMA = (ast.CreateRetentionPolicy, ast.AlterRetentionPolicy, ast.DropRetentionPolicy,
           ast.DropDatabase)

Results = Callable[[str], Awaitable[list[StatementResult]]]


def mirrored(route: RouteConfig, statements: Sequence[ast.Statement]) -> bool:
    """True when the request changes data or schema on a route with mirrors."""
    return (route.mode == "mirror" and len(route.targets) > 1
            and any(isinstance(s, _DATA + _SCHEMA) for s in statements))


def _takes(generation: Generation | None, statements: Sequence[ast.Statement]) -> bool:
    """Whether a target of `generation` (None: the native store) is sent the request."""
    if generation in (None, Generation.V1):
        return True
    return not any(isinstance(s, _SCHEMA) for s in statements)


async def on_write_targets(route: RouteConfig, statements: Sequence[ast.Statement],
                           generation_of: Callable[[str], Generation | None],
                           results_on: Results) -> list[StatementResult]:
    """The read target's results for the request (a failover's while it cannot answer), run
    on every write target that takes it; another target's error for a changing statement is
    added to that statement's result."""
    reading = [route.read_target, *(t for t in route.failover if t != route.read_target)]
    writing = [t for t in route.targets if t != reading[0]]
    others = [t for t in writing if _takes(None if t == NATIVE else generation_of(t), statements)]
    if len(others) < len(writing) and any(isinstance(s, _DATA) for s in statements):
        # Sent without its DELETE, an InfluxDB 2 or 3 mirror would keep what the primary lost.
        skipped = ", ".join(t for t in writing if t not in others)
        raise invalid("DELETE, DROP SERIES and DROP MEASUREMENT reach every mirror, retention "
                      f"policy and database statements not {skipped} (InfluxDB 2 and 3 have "
                      "none): send them in requests of their own")
    ran = dict(zip([reading[0], *others], await asyncio.gather(
        *(results_on(t) for t in [reading[0], *others]), return_exceptions=True),
        strict=True))

    async def attempt(target: str) -> tuple[str, list[StatementResult]]:
        outcome = ran[target] if target in ran else await results_on(target)
        if isinstance(outcome, BaseException):
            raise outcome
        return target, outcome

    answered, results = await with_failover(reading, attempt, "a statement changing data")
    for target, outcome in ran.items():
        if target == answered:
            continue
        errors = _errors(target, outcome)
        for index, statement in enumerate(statements):
            error = errors if isinstance(errors, str) else errors.get(index)
            if error is None or not isinstance(statement, _DATA + _SCHEMA):
                continue
            if index < len(results):
                mine = results[index].error
                results[index] = dataclasses.replace(
                    results[index], error=f"{mine}; {error}" if mine else error)
    return results


def _errors(target: str, outcome: list[StatementResult] | BaseException
            ) -> str | dict[int, str]:
    """One other target's errors, each naming it: by statement index, or one message when
    the whole request failed there."""
    if isinstance(outcome, UpstreamFailure):
        return failure_error(outcome).message  # names the upstream already
    if isinstance(outcome, GatewayError):
        return f"{_label(target)}: {outcome.message}"
    if isinstance(outcome, BaseException):
        raise outcome
    return {r.statement_id: f"{_label(target)}: {r.error}" for r in outcome if r.error}


def _label(target: str) -> str:
    return "the native store" if target == NATIVE else f"upstream {target}"
