"""Which write targets of a mirror route a changing statement reaches, and how their errors
reach the caller's answer (the servers' side: tests/upstream/test_influxdb1_routes.py)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.backends.replay import QueuedStatement, QueuedWrite, ReplayQueue
from gateway.backends.upstream.base import FailureKind, Generation, UpstreamFailure
from gateway.config import NATIVE, RouteConfig
from gateway.errors import invalid
from gateway.model import Namespace
from gateway.services.mirror_statements import mirrored, on_write_targets, takes
from translators.influxql.parser import parse_query
from translators.influxql.results import StatementResult
from translators.influxql.screen import may_change
from translators.influxql.timerange import evaluate_time

ROUTE = RouteConfig(mode="mirror", targets=("a", "b", "c", NATIVE))
GENERATIONS = {"a": Generation.V1, "b": Generation.V1, "c": Generation.V3}


class Targets:
    """Each target's answer by name: results with errors by statement index, or a failure."""

    def __init__(self, errors: dict[str, dict[int, str] | Exception] | None = None) -> None:
        self.errors = errors or {}
        self.asked: list[str] = []

    async def results_on(self, target: str, count: int) -> list[StatementResult]:
        self.asked.append(target)
        errors = self.errors.get(target, {})
        if isinstance(errors, Exception):
            raise errors
        return [StatementResult(i, error=errors.get(i)) for i in range(count)]


class Queues:
    """Real replay queues, one directory per mirror, as Fanout keeps them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.opened: dict[str, ReplayQueue] = {}

    async def open_queue(self, target: str) -> ReplayQueue:
        if target not in self.opened:
            self.opened[target] = ReplayQueue(self.root / target, max_bytes=1 << 20,
                                              max_age_seconds=3600.0, when_full="reject"
                                              ).open()
        return self.opened[target]

    async def enqueue_statement(self, target: str, entry: QueuedStatement) -> None:
        await (await self.open_queue(target)).append(entry)

    async def taken(self, target: str) -> list[object]:
        """What the mirror's queue holds, oldest first (taken out of it)."""
        queue, found = await self.open_queue(target), []
        while (entry := queue.peek()) is not None:
            found.append(entry)
            await queue.ack()
        return found


@pytest.fixture
async def queues(tmp_path: Path) -> AsyncIterator[Queues]:
    made = Queues(tmp_path)
    yield made
    for queue in made.opened.values():
        await queue.close()


async def run(text: str, targets: Targets, queues: Queues, route: RouteConfig = ROUTE
              ) -> list[StatementResult]:
    statements = parse_query(text)
    return await on_write_targets(route, statements, GENERATIONS.get,
                                  lambda t: targets.results_on(t, len(statements)), queues,
                                  Namespace("d", "rp"))


@pytest.mark.parametrize(("text", "expected"), [
    ("DELETE FROM cpu WHERE host = 'a'", True),
    ("DROP SERIES FROM cpu", True),
    ("DROP MEASUREMENT cpu", True),
    ("SELECT * FROM cpu; DROP MEASUREMENT cpu", True),
    ('CREATE RETENTION POLICY "p" ON "d" DURATION 1h REPLICATION 1', True),
    ('ALTER RETENTION POLICY "p" ON "d" DURATION 2h', True),
    ('DROP RETENTION POLICY "p" ON "d"', True),
    ("DROP DATABASE d", True),
    ("SELECT * FROM cpu", False),
    ("SHOW RETENTION POLICIES ON d", False),
])
def test_what_is_mirrored(text: str, expected: bool) -> None:
    statements = parse_query(text)
    assert mirrored(ROUTE, statements) is expected
    assert may_change(text) or not expected  # the relay's screen lets none of them through
    assert not mirrored(RouteConfig(mode="single", targets=("a",)), statements)
    assert not mirrored(RouteConfig(mode="shard", targets=("a", "b")), statements)


async def test_data_statements_reach_every_target_schema_ones_skip_2_and_3(
        queues: Queues) -> None:
    targets = Targets()
    await run("DELETE FROM cpu", targets, queues)
    assert sorted(targets.asked) == sorted(["a", "b", "c", NATIVE])
    targets = Targets()
    await run('CREATE RETENTION POLICY "p" ON "d" DURATION 1h REPLICATION 1', targets, queues)
    assert sorted(targets.asked) == sorted(["a", "b", NATIVE])


async def test_the_read_target_answers_and_other_targets_errors_are_added(
        queues: Queues) -> None:
    refused = invalid("database not found: d")
    targets = Targets({"a": {1: "primary says no"}, "b": refused, "c": {1: "not supported"}})
    read_c = RouteConfig(mode="mirror", targets=("a", "b", "c"), read="c")
    results = await run("SELECT * FROM cpu; DELETE FROM cpu", targets, queues, read_c)
    # c answers; the SELECT's result keeps only its own; the DELETE names a and b.
    assert results[0].error is None
    assert results[1].error == ("not supported; upstream a: primary says no; "
                                "upstream b: database not found: d")
    assert (await run("DELETE FROM cpu", Targets(), queues))[0].error is None
    assert await queues.taken("b") == []  # refused for good: nothing kept for it


async def test_a_mirror_that_is_down_gets_the_changing_statements_queued(
        queues: Queues) -> None:
    down = UpstreamFailure("b", FailureKind.REFUSED, "connection refused")
    targets = Targets({"b": down})
    results = await run("SELECT * FROM cpu; DELETE FROM cpu WHERE host = 'h1'", targets, queues)
    # Answered as a queued write is: no error for the mirror that will get it later.
    assert [r.error for r in results] == [None, None]
    [held] = await queues.taken("b")
    assert isinstance(held, QueuedStatement)
    assert (held.database, held.retention_policy) == ("d", "rp")
    assert parse_query(held.text) == parse_query("DELETE FROM cpu WHERE host = 'h1'")
    assert await queues.taken("c") == [] and await queues.taken(NATIVE) == []


async def test_a_mirror_with_batches_queued_gets_the_statement_behind_them(
        queues: Queues) -> None:
    write = QueuedWrite("d", None, "s", b"cpu,host=h1 v=1 1", False, time.time_ns())
    await (await queues.open_queue("b")).append(write)
    targets = Targets()
    results = await run("DROP SERIES FROM cpu", targets, queues)
    assert [r.error for r in results] == [None]
    assert "b" not in targets.asked  # not run now: it would overtake the batch
    assert sorted(targets.asked) == sorted(["a", "c", NATIVE])
    taken = await queues.taken("b")
    assert taken[0] == write
    assert isinstance(taken[1], QueuedStatement) and taken[1].text == "DROP SERIES FROM cpu"


async def test_a_read_target_that_queued_the_statement_leaves_the_answer_to_another(
        queues: Queues) -> None:
    await (await queues.open_queue("b")).append(
        QueuedWrite("d", None, "s", b"cpu v=1 1", False, time.time_ns()))
    targets = Targets({"a": {0: "primary says no"}})
    read_b = RouteConfig(mode="mirror", targets=("a", "b"), read="b")
    results = await run("DELETE FROM cpu", targets, queues, read_b)
    assert targets.asked == ["a"]
    assert [r.error for r in results] == ["primary says no"]  # the primary's own answer


async def test_a_queued_statement_keeps_the_now_it_was_sent_at(queues: Queues) -> None:
    """now() in a queued DELETE is the time the caller sent it, not the replay's: replayed an
    hour later, `time < now() - 1h` would delete an hour more on the mirror than the primary
    did (points written before the DELETE, which the primary kept)."""
    down = UpstreamFailure("b", FailureKind.REFUSED, "connection refused")
    before = time.time_ns()
    await run("DELETE FROM cpu WHERE time < now() - 1h AND host = 'h1'", Targets({"b": down}),
              queues)
    after = time.time_ns()
    [held] = await queues.taken("b")
    assert "now()" not in held.text
    [statement] = parse_query(held.text)
    sent = evaluate_time(statement.condition.lhs.rhs, now=0)  # time < '<sent>' - 1h
    assert before - 3_600_000_000_000 <= sent <= after - 3_600_000_000_000


@pytest.mark.parametrize(("text", "native_or_v1", "v2", "v3"), [
    pytest.param("DELETE FROM cpu", True, True, True, id="delete"),
    pytest.param("DROP MEASUREMENT cpu", True, True, True, id="drop-measurement"),
    pytest.param("DROP DATABASE db", True, False, True, id="drop-database"),
    pytest.param('CREATE RETENTION POLICY "r" ON "db" DURATION 1h REPLICATION 1', True, False,
                 False, id="create-policy"),
    pytest.param('DROP RETENTION POLICY "r" ON "db"', True, False, False, id="drop-policy"),
    pytest.param("SELECT * FROM cpu", True, True, True, id="read"),
])
def test_which_generation_takes_a_statement(text: str, native_or_v1: bool, v2: bool,
                                            v3: bool) -> None:
    """One rule for a mirror's and a shard's targets (shard_read uses it too)."""
    (statement,) = parse_query(text)
    assert [takes(g, statement) for g in (None, Generation.V1, Generation.V2,
                                          Generation.V3)] == [native_or_v1, native_or_v1, v2, v3]
