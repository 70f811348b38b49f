"""InfluxQL on a sharded route: every shard asked at once, the answers merged exactly.

What each statement asks the shards and how their answers merge is decided by
`translators.influxql.shard_plan`; a statement that cannot be merged exactly is answered with
an error naming the limitation (and the statements after it are not run), never with part of
the data. A shard that cannot be reached fails the request (a 503 naming it): there is no
failover between shards, which hold different data. DROP DATABASE, the retention-policy
statements and CREATE DATABASE among others reach every shard too, as DELETE does: each
shard holds the database and its policies (but an InfluxDB 2 or 3 shard, which has no
policies, is not sent the policy statements, as a mirror of theirs is not, and a request it
cannot run whole, a DROP DATABASE on InfluxDB 2 or a CREATE DATABASE among others on either,
is refused before any shard runs it). Statements that read no series (SHOW RETENTION
POLICIES...) go to the first shard alone, so a request mixing both answers every statement in
order. On a route with a `read` target, the statements that change what the shards hold still
reach every shard, and the read target (put first) alone answers the others. A changing
statement one shard refused while another ran it is answered with that shard's error, named.
`now()` is read once per request and written into the statements as a time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence

from gateway.backends.upstream.base import Generation, UpstreamFailure
from gateway.services.influxql import InfluxQLAnswer, InfluxQLRequest
from gateway.services.mirror_statements import (
    refuse_creation_among_others,
    refuse_dropping_buckets,
    takes,
    target_label,
)
from gateway.services.routing import failure_error
from translators.influxql import ast
from translators.influxql.render import render
from translators.influxql.results import StatementResult
from translators.influxql.shard_index import index_statement, paged_tag_sets
from translators.influxql.shard_merge import merge_results
from translators.influxql.shard_plan import (
    Merge,
    NotShardable,
    ShardPlan,
    needs_tag_keys,
    pin_now,
    plan_statement,
    reaches_shards,
    tag_keys_statement,
)

# Statements that change a database or its policies, which every shard holds: sent to every
# shard and answered by the first error, else the first shard (as DELETE is). The plan sends
# them to the first shard alone, since they read no series. CREATE DATABASE alone goes
# through create_database.py; with other statements it is sent here, in its place among them,
# so that what follows it finds the database on every shard.
_POLICIES = (ast.CreateRetentionPolicy, ast.AlterRetentionPolicy, ast.DropRetentionPolicy)
_EVERY_SHARD = (ast.CreateDatabase, ast.DropDatabase, *_POLICIES)
# Every statement that changes what a shard holds, whichever shard the route reads.
_CHANGES = (ast.Delete, ast.DropSeries, ast.DropMeasurement, *_EVERY_SHARD)

# Asks one target the statements (already rewritten) and returns its results.
ShardFetch = Callable[[str, list[ast.Statement], InfluxQLRequest],
                      Awaitable[list[StatementResult]]]


def wants_shards(statements: Sequence[ast.Statement]) -> bool:
    """True when a request on a sharded route must reach every shard."""
    return any(reaches_shards(s) or isinstance(s, _EVERY_SHARD) for s in statements)


def changes_shards(statements: Sequence[ast.Statement]) -> bool:
    """True when a request changes what the shards hold, so that it must reach every shard
    even on a route that reads one target."""
    return any(isinstance(s, _CHANGES) for s in statements)


def _name_refusals(answers: dict[str, StatementResult | None]) -> None:
    """A changing statement's shard errors, by shard, each prefixed with its shard's name
    when another shard ran it (as a mirror's are), so the caller knows which one did not;
    when none ran it, 1.x's words alone, as one server would answer."""
    if all(a is not None and a.error is not None for a in answers.values()):
        return
    for target, answer in answers.items():
        if answer is not None and answer.error is not None:
            answers[target] = dataclasses.replace(
                answer, error=f"{target_label(target)}: {answer.error}")


class ShardedReads:
    def __init__(self, fetch: ShardFetch, generation_of: Callable[[str], Generation | None],
                 clock: Callable[[], int] = time.time_ns) -> None:
        self._fetch = fetch
        self._generation_of = generation_of  # None: the native store
        self._clock = clock

    def now(self) -> int:
        """The time `now()` reads for a request beginning now."""
        return self._clock()

    async def execute(self, targets: Sequence[str], statements: list[ast.Statement],
                      request: InfluxQLRequest, *, whole_series: bool,
                      read_first: bool = False, now: int | None = None) -> InfluxQLAnswer:
        """The request's answer from every shard in `targets`; with `read_first` (a route
        whose `read` target is the first of them) only the statements that change what the
        shards hold reach them all, and the first target alone answers the others. `now`:
        the time `now()` reads (when the request began, for statements sent one at a
        time), now otherwise."""
        self._refuse(targets, statements)
        now = self._clock() if now is None else now
        statements = [pin_now(s, now) for s in statements]
        tag_keys: dict[int, set[str]] = {}
        indexes: dict[int, dict[str, set[bytes]]] = {}
        if not read_first:
            tag_keys, indexes = await self._prefetch(targets, statements, request,
                                                     whole_series, now)
        plans: list[ShardPlan] = []
        refused: str | None = None
        for index, statement in enumerate(statements):
            try:
                if isinstance(statement, _EVERY_SHARD):
                    plans.append(ShardPlan(statement, Merge.FIRST))
                elif read_first:
                    plans.append(ShardPlan(statement, Merge.FIRST
                                           if isinstance(statement, _CHANGES) else Merge.ONE))
                else:
                    plans.append(plan_statement(statement, whole_series=whole_series,
                                                tag_keys=tag_keys.get(index)))
            except NotShardable as exc:
                refused = str(exc)
                break
        results: list[StatementResult] = []
        if plans:
            first_only = [p.merge is Merge.ONE for p in plans]
            asked_for = [p.statement for p in plans]
            sent = self._sent(targets, asked_for, first_only)
            answers = await self._ask(targets, asked_for, request, sent)
            for index, plan in enumerate(plans):
                asked = {t: a.get(index) for t, a, indices in zip(targets, answers, sent,
                                                                  strict=True)
                         if index in indices}
                if isinstance(plan.statement, _CHANGES):
                    _name_refusals(asked)
                paged = indexes.get(index)
                merged = merge_results(plan, index, list(asked.values()), paged)
                results.append(merged)
                if merged.error is not None:
                    break
        if refused is not None and (not results or results[-1].error is None):
            results.append(StatementResult(len(results), error=refused))
        return InfluxQLAnswer.of(results, statements)

    def _refuse(self, targets: Sequence[str], statements: Sequence[ast.Statement]) -> None:
        """A 400 before any shard runs the request, for a statement an InfluxDB 2 or 3 shard
        cannot run among others: CREATE DATABASE, which they take through their API alone
        (create_database.py), and DROP DATABASE on InfluxDB 2, whose buckets the gateway does
        not delete (its /query has no DROP DATABASE), so that no shard keeps the data."""
        refuse_dropping_buckets(statements, targets, self._generation_of, "a shard")
        refuse_creation_among_others(statements, targets, self._generation_of)

    def _sent(self, targets: Sequence[str], statements: Sequence[ast.Statement],
              first_only: Sequence[bool] = ()) -> list[list[int]]:
        """The indices of the statements each target is sent: those marked `first_only` the
        first target alone, the others every target that has what they change."""
        return [[i for i, statement in enumerate(statements)
                 if (n == 0 or not (first_only and first_only[i]))
                 and self._takes(target, statement)]
                for n, target in enumerate(targets)]

    def _takes(self, target: str, statement: ast.Statement) -> bool:
        # As a mirror of the same generation is sent it (no policies on InfluxDB 2 and 3).
        return takes(self._generation_of(target), statement)

    async def _ask(self, targets: Sequence[str], statements: list[ast.Statement],
                   request: InfluxQLRequest, asked: Sequence[Sequence[int]] | None = None
                   ) -> list[dict[int, StatementResult]]:
        """Each target's results by statement index, for the statements `asked` of it (by
        default, every one)."""
        if asked is None:
            asked = self._sent(targets, statements)
        return list(await asyncio.gather(
            *(self._one(t, [statements[i] for i in indices], request, indices)
              for t, indices in zip(targets, asked, strict=True))))

    async def _one(self, target: str, statements: list[ast.Statement],
                   request: InfluxQLRequest, indices: Sequence[int]
                   ) -> dict[int, StatementResult]:
        if not statements:
            return {}
        shard_request = dataclasses.replace(
            request, text=";".join(render(s) for s in statements), params=None,
            params_text=None)
        try:
            results = await self._fetch(target, statements, shard_request)
        except UpstreamFailure as exc:  # no failover between shards: the caller's 503 or 504
            raise failure_error(exc) from None
        # A target's statement ids count its own statements: map them back.
        return {indices[r.statement_id]: r for r in results
                if 0 <= r.statement_id < len(indices)}

    async def _prefetch(self, targets: Sequence[str], statements: list[ast.Statement],
                        request: InfluxQLRequest, whole_series: bool, now: int
                        ) -> tuple[dict[int, set[str]], dict[int, dict[str, set[bytes]]]]:
        """In one round over every shard: for each statement that needs them, its sources'
        tag keys, and the tag sets SLIMIT/SOFFSET pick from the shards' index."""
        keyed = [i for i, s in enumerate(statements) if needs_tag_keys(s, whole_series)]
        indexed = {i: r for i, s in enumerate(statements)
                   if isinstance(s, ast.SelectStatement)
                   and (r := index_statement(s, now)) is not None}
        asked: list[ast.Statement] = [tag_keys_statement(statements[i])  # type: ignore[arg-type]
                                      for i in keyed]
        asked += [r.statement for r in indexed.values()]
        if not asked:
            return {}, {}
        answers = await self._ask(targets, asked, request)
        keys: dict[int, set[str]] = {i: set() for i in keyed}
        series: dict[int, set[str] | None] = {i: set() for i in indexed}
        for answer in answers:
            for position, index in enumerate(keyed):
                result = answer.get(position)
                for found in result.series if result else ():
                    keys[index].update(str(row[0]) for row in found.values)
            for position, index in enumerate(indexed, len(keyed)):
                result, listed = answer.get(position), series[index]
                if result is None or result.error is not None or listed is None:
                    series[index] = None  # no index: paged by the series that answer rows
                    continue
                listed.update(str(row[0]) for found in result.series for row in found.values)
        paged = {i: paged_tag_sets(statements[i], indexed[i], listed)  # type: ignore[arg-type]
                 for i, listed in series.items() if listed is not None}
        return keys, paged
