"""InfluxQL on a sharded route: every shard asked at once, the answers merged exactly.

What each statement asks the shards and how their answers merge is decided by
`translators.influxql.shard_plan`; a statement that cannot be merged exactly is answered with
an error naming the limitation (and the statements after it are not run), never with part of
the data. A shard that cannot be reached fails the request: there is no failover between
shards, which hold different data.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence

from gateway.services.influxql import InfluxQLAnswer, InfluxQLRequest, chunking_for
from translators.influxql import ast
from translators.influxql.render import render
from translators.influxql.results import StatementResult
from translators.influxql.shard_merge import merge_results
from translators.influxql.shard_plan import (
    NotShardable,
    ShardPlan,
    needs_tag_keys,
    plan_statement,
    reaches_shards,
    tag_keys_statement,
)

# Asks one target the statements (already rewritten) and returns its results.
ShardFetch = Callable[[str, list[ast.Statement], InfluxQLRequest],
                      Awaitable[list[StatementResult]]]


def wants_shards(statements: Sequence[ast.Statement]) -> bool:
    """True when a request on a sharded route must reach every shard."""
    return any(reaches_shards(s) for s in statements)


class ShardedReads:
    def __init__(self, fetch: ShardFetch) -> None:
        self._fetch = fetch

    async def execute(self, targets: Sequence[str], statements: list[ast.Statement],
                      request: InfluxQLRequest, *, whole_series: bool) -> InfluxQLAnswer:
        tag_keys = await self._tag_keys(targets, statements, request, whole_series)
        plans: list[ShardPlan] = []
        refused: str | None = None
        for index, statement in enumerate(statements):
            try:
                plans.append(plan_statement(statement, whole_series=whole_series,
                                            tag_keys=tag_keys.get(index)))
            except NotShardable as exc:
                refused = str(exc)
                break
        results: list[StatementResult] = []
        if plans:
            answers = await self._ask(targets, [p.statement for p in plans], request)
            for index, plan in enumerate(plans):
                merged = merge_results(plan, index, [_statement(a, index) for a in answers])
                results.append(merged)
                if merged.error is not None:
                    break
        if refused is not None and (not results or results[-1].error is None):
            results.append(StatementResult(len(results), error=refused))
        answer = InfluxQLAnswer(results=results)
        answer.chunking = {i: chunking_for(s) for i, s in enumerate(statements)}
        return answer

    async def _ask(self, targets: Sequence[str], statements: list[ast.Statement],
                   request: InfluxQLRequest) -> list[list[StatementResult]]:
        shard_request = dataclasses.replace(
            request, text=";".join(render(s) for s in statements), params=None,
            params_text=None)
        return list(await asyncio.gather(
            *(self._fetch(t, statements, shard_request) for t in targets)))

    async def _tag_keys(self, targets: Sequence[str], statements: list[ast.Statement],
                        request: InfluxQLRequest, whole_series: bool) -> dict[int, set[str]]:
        """For each statement that needs them, its sources' tag keys on every shard."""
        wanted = [i for i, s in enumerate(statements) if needs_tag_keys(s, whole_series)]
        if not wanted:
            return {}
        asked = [tag_keys_statement(statements[i]) for i in wanted]  # type: ignore[arg-type]
        answers = await self._ask(targets, list(asked), request)
        keys: dict[int, set[str]] = {i: set() for i in wanted}
        for answer in answers:
            for position, index in enumerate(wanted):
                result = _statement(answer, position)
                for series in result.series if result else ():
                    keys[index].update(str(row[0]) for row in series.values)
        return keys


def _statement(answer: list[StatementResult], statement_id: int) -> StatementResult | None:
    for result in answer:
        if result.statement_id == statement_id:
            return result
    return None
