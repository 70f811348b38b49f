"""Statements that change data or schema on a `mirror` route reach its mirrors too.

A write on a mirror route goes to the primary and to every mirror; so must the statements
that change what they hold, or the mirror keeps points the primary deleted, or refuses writes
for a retention policy only the primary was given (1.x answers such a write 500, which the
replay counts as refused). DELETE, DROP SERIES and DROP MEASUREMENT reach every write target
(InfluxDB 2 and 3 run them over their 1.x-compatible /query too); CREATE, ALTER and DROP
RETENTION POLICY and DROP DATABASE reach the 1.x and native targets only, since InfluxDB 2 and 3
have no retention policies and drop databases through their own APIs.

The caller gets the read target's answer; a statement another target failed carries that
target's error as well, so a mirror that is down or refuses says so instead of diverging
silently. Unlike writes, these statements are not queued for a mirror that is down.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Awaitable, Callable, Sequence

from gateway.backends.upstream.base import Generation, UpstreamFailure
from gateway.config import NATIVE, RouteConfig
from gateway.errors import GatewayError
from gateway.services.routing import failure_error
from translators.influxql import ast
from translators.influxql.results import StatementResult

__all__ = ["may_change", "mirrored", "on_write_targets"]

# Statements each write target applies, and those only 1.x servers and the native store have.
_DATA = (ast.Delete, ast.DropSeries, ast.DropMeasurement)
_SCHEMA = (ast.CreateRetentionPolicy, ast.AlterRetentionPolicy, ast.DropRetentionPolicy,
           ast.DropDatabase)
# A lexical screen for the unparsed relay: a request without these words changes nothing.
_CHANGE_WORD = re.compile(r"\b(?:delete|drop|create|alter)\b", re.IGNORECASE)

Results = Callable[[str], Awaitable[list[StatementResult]]]


def may_change(text: str) -> bool:
    """True when `text` may hold a statement that `mirrored` would send to every target."""
    return _CHANGE_WORD.search(text) is not None


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
    """The read target's results for the request, run on every write target that takes it;
    another target's error for a changing statement is added to that statement's result."""
    answering = route.read_target
    others = [t for t in route.targets if t != answering
              and _takes(None if t == NATIVE else generation_of(t), statements)]
    outcomes = await asyncio.gather(results_on(answering),
                                    *(_errors_on(t, results_on) for t in others))
    results: list[StatementResult] = outcomes[0]
    for errors in outcomes[1:]:
        for index, statement in enumerate(statements):
            error = errors if isinstance(errors, str) else errors.get(index)
            if error is None or not isinstance(statement, _DATA + _SCHEMA):
                continue
            if index < len(results):
                mine = results[index].error
                results[index] = dataclasses.replace(
                    results[index], error=f"{mine}; {error}" if mine else error)
    return results


async def _errors_on(target: str, results_on: Results) -> str | dict[int, str]:
    """One other target's errors, each naming it: by statement index, or one message when
    the whole request failed there."""
    try:
        results = await results_on(target)
    except UpstreamFailure as exc:
        return failure_error(exc).message  # names the upstream already
    except GatewayError as exc:
        return f"{_label(target)}: {exc.message}"
    return {r.statement_id: f"{_label(target)}: {r.error}" for r in results if r.error}


def _label(target: str) -> str:
    return "the native store" if target == NATIVE else f"upstream {target}"
