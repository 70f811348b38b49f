"""Several InfluxQL statements sent one at a time, in order, under one query timeout.

Where the gateway cannot read an answer statement by statement as it arrives (InfluxDB 2's and
3's /query, the shards of a sharded route, statements of databases on different routes), it
sends each statement alone, so that the statements finished when the timeout passes are kept
as 1.x and the native store keep them: the one cut short fails with the timeout and each after
it is "not executed" (`stopped_at`). InfluxDB 3's /query takes one statement per request
anyway ("must provide only one InfluxQl statement per query").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from gateway.errors import QueryTimedOut
from gateway.watch import started
from translators.influxql import ast
from translators.influxql.results import StatementResult, stopped_at

# One statement's result: its error when it failed, its timeout's when the timeout cut it.
Step = Callable[[ast.Statement], Awaitable[StatementResult]]


async def in_turn(statements: list[ast.Statement], step: Step, *, chunked: bool,
                  timeout: float | None, since: float) -> list[StatementResult]:
    """Each statement's result from `step`, in order, none after the first that fails. The
    timeout (counted from `since`, the loop's clock) bounds the whole request: a statement
    due once it has passed fails as one cut short does, however quickly each ran."""
    results: list[StatementResult] = []
    for index, statement in enumerate(statements):
        if timeout is not None and index and started() > since + timeout:
            result = StatementResult(index, error=QueryTimedOut(timeout).message)
        else:
            result = await step(statement)
        if result.error is not None:
            return stopped_at(results, result, len(statements), chunked)
        results.append(dataclasses.replace(result, statement_id=index))
    return results


def first_result(results: list[StatementResult]) -> StatementResult:
    """A lone statement's result (an empty one if its answer held none)."""
    return results[0] if results else StatementResult(0)
