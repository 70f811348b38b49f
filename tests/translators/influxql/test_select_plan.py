"""SelectPlan's questions about its sources, asked once per source by the engine."""

from __future__ import annotations

import gc
import time

from translators.influxql.parser import parse_statement
from translators.influxql.rewrite import plan_select
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.influxql.select_plan import SelectPlan
from translators.lineprotocol import FieldType

NOW = 1_704_067_200 * 1_000_000_000


def _plan(measurements: int) -> SelectPlan:
    schema = StaticSchema({"db": {f"m{i}": MeasurementSchema(
        f"m{i}", ("host", f"t{i % 7}"), {"v": FieldType.FLOAT}) for i in range(measurements)}})
    plan = plan_select(parse_statement("SELECT * FROM /^m/ GROUP BY *"), "db", schema, NOW)
    assert plan is not None and len(plan.sources) == measurements
    return plan


def _per_source_seconds(plan: SelectPlan, rounds: int) -> float:
    """What the engine's loop asks of the plan for each source, timed per source: this
    thread's CPU time (other processes on a loaded machine do not count), the least of three
    tries, with the garbage collector off (a collection of the plan's objects is not the
    plan's cost)."""
    costs = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            started = time.thread_time()
            for _ in range(rounds):
                for source in plan.sources:
                    plan.dimensions(source.schema)
                    assert not plan.reads_subquery
            costs.append(time.thread_time() - started)
    finally:
        gc.enable()
    return min(costs) / (rounds * len(plan.sources))


def test_dimensions_cover_every_sources_tags() -> None:
    plan = _plan(20)
    assert plan.dimensions(plan.sources[0].schema) == sorted(
        {"host", *(f"t{i}" for i in range(7))})


def test_a_sources_questions_cost_no_more_with_thousands_of_sources() -> None:
    # `SELECT * FROM /.*/` over 5,000 measurements: finding every source's tags afresh for
    # each source made the statement quadratic in its measurements (seconds of CPU)
    few = _per_source_seconds(_plan(40), rounds=100)
    many = _per_source_seconds(_plan(4000), rounds=1)
    assert many < 10 * few, (few, many)
