"""Which write targets of a mirror route a changing statement reaches, and how their errors
reach the caller's answer (the servers' side: tests/upstream/test_influxdb1_routes.py)."""

from __future__ import annotations

import pytest

from gateway.backends.upstream.base import FailureKind, Generation, UpstreamFailure
from gateway.config import NATIVE, RouteConfig
from gateway.services.mirror_statements import mirrored, on_write_targets
from translators.influxql.parser import parse_query
from translators.influxql.results import StatementResult
from translators.influxql.screen import may_change

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


async def run(text: str, targets: Targets, route: RouteConfig = ROUTE
              ) -> list[StatementResult]:
    statements = parse_query(text)
    return await on_write_targets(route, statements, GENERATIONS.get,
                                  lambda t: targets.results_on(t, len(statements)))


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


async def test_data_statements_reach_every_target_schema_ones_skip_2_and_3() -> None:
    targets = Targets()
    await run("DELETE FROM cpu", targets)
    assert sorted(targets.asked) == sorted(["a", "b", "c", NATIVE])
    targets = Targets()
    await run('CREATE RETENTION POLICY "p" ON "d" DURATION 1h REPLICATION 1', targets)
    assert sorted(targets.asked) == sorted(["a", "b", NATIVE])


async def test_the_read_target_answers_and_other_targets_errors_are_added() -> None:
    down = UpstreamFailure("b", FailureKind.REFUSED, "connection refused")
    targets = Targets({"a": {1: "primary says no"}, "b": down, "c": {1: "not supported"}})
    read_b = RouteConfig(mode="mirror", targets=("a", "b", "c"), read="c")
    results = await run("SELECT * FROM cpu; DELETE FROM cpu", targets, read_b)
    # c answers; the SELECT's result keeps only its own; the DELETE names a and b.
    assert results[0].error is None
    assert results[1].error == ("not supported; upstream a: primary says no; "
                                "upstream b is unavailable: connection refused")
    assert (await run("DELETE FROM cpu", Targets()))[0].error is None
