"""The write fuzzer's check that both servers gave a case's bodies without timestamps their
default times alike: the rule from request spans, and the race it guards against, seen on a
real InfluxDB 1.6.7 and the gateway."""

from __future__ import annotations

import time

import pytest

from tests.oracle import lpnow
from tests.oracle.lpgen import Batch
from tests.oracle.test_write_fuzz import run_case
from tests.support.gateway_process import GatewayProcess
from tests.support.influxd import Influxd

S, MS = 10**9, 10**6
M = 60 * S


@pytest.mark.parametrize(("first", "first_unit", "second", "second_unit", "one"), [
    pytest.param((10 * S + 1, 10 * S + 5), S, (10 * S + 9, 10 * S + 20), S, True,
                 id="one-second"),
    pytest.param((10 * S + 1, 10 * S + 5), S, (11 * S, 11 * S + 20), S, False,
                 id="next-second"),
    pytest.param((10 * S + 1, 11 * S + 5), S, (11 * S + 9, 11 * S + 20), S, None,
                 id="first-across-a-second"),
    pytest.param((10 * S + 1, 10 * S + 5), S, (10 * S + 9, 11 * S + 20), S, None,
                 id="second-across-a-second"),
    pytest.param((2 * M + 1, 2 * M + 5), S, (2 * M + 9, 2 * M + 20), 60 * S, True,
                 id="minute-starts-with-the-second"),
    pytest.param((2 * M + 1, 2 * M + 5), 60 * S, (2 * M + 9, 2 * M + 20), S, True,
                 id="second-starts-the-minute"),
    pytest.param((2 * M + S, 2 * M + S + 5), S, (2 * M + S + 9, 2 * M + S + 20), 60 * S,
                 False, id="minute-after-its-first-second"),
    pytest.param((2 * M + S - 2, 2 * M + S + 5), S, (2 * M + S + 9, 2 * M + S + 20), 60 * S,
                 None, id="minute-around-its-first-second"),
    pytest.param((5, 9), 1, (10, 20), 1, False, id="nanoseconds"),
    pytest.param((5 * MS + 1, 6 * MS), MS, (8 * MS, 9 * MS), MS, False, id="milliseconds"),
])
def test_one_default_time(first: lpnow.Span, first_unit: int, second: lpnow.Span,
                          second_unit: int, one: bool | None) -> None:
    assert lpnow.one_time(first, first_unit, second, second_unit) is one


def test_only_bodies_with_lines_without_timestamps_are_paired() -> None:
    batches = [Batch(b"cpu b=t", "s"), Batch(b"cpu v=1 1", "s"), Batch(b"mem v=1", "s"),
               Batch(b"cpu v=1\ncpu v=2 5", "ms")]
    spans = [(10 * S, 10 * S + 5), (10 * S + 9, 10 * S + 20), (10 * S + 30, 11 * S + 1),
             (12 * S, 12 * S + 5)]
    assert lpnow.pairs(batches, spans) == {(0, 2): None, (0, 3): False, (2, 3): False}
    sure = [*spans[:2], (10 * S + 30, 10 * S + 40), spans[3]]
    assert lpnow.pairs(batches, sure) == {(0, 2): True, (0, 3): False, (2, 3): False}
    assert lpnow.comparable(batches, sure, sure)
    assert not lpnow.comparable(batches, sure, spans)  # unsure on one side
    apart = [*spans[:2], (11 * S, 11 * S + 5), spans[3]]
    assert not lpnow.comparable(batches, sure, apart)  # one time on one side, two on the other


def _at(fraction: float) -> None:
    """Wait until the local clock is at `fraction` of a second."""
    while True:
        now = time.time_ns() % S / S
        if fraction <= now < fraction + 0.01:
            return
        time.sleep(0.002)


@pytest.mark.slow
def test_bodies_a_second_apart_on_one_server_only_are_not_compared(
        influxdb1: Influxd, gateway: GatewayProcess) -> None:
    """Two bodies without timestamps under precision=s: 1.6.7 given both in one second
    stores one point; the gateway given them across a second stores two, each without the
    other's field, as 1.6.7 would there. What the fuzzer saw once as `b=None` beside a
    stored `b=t`; `comparable` tells such runs apart."""
    batches = [Batch(b"cpu b=t", "s"), Batch(b"cpu v=1", "s")]
    theirs: list[lpnow.Span] = []
    _at(0.05)
    influx = run_case(influxdb1.url, "now_race", batches, theirs)
    assert lpnow.pairs(batches, theirs) == {(0, 1): True}
    assert influx[-1] == ([("cpu", ["time", "b", "v"], [["now", True, 1]])], influx[-1][1])
    # the same on the gateway, started ever earlier before a second ends until its two
    # writes fall on either side of it
    for fraction in (0.995, 0.99, 0.985, 0.98, 0.97, 0.96, 0.95, 0.93, 0.9):
        ours: list[lpnow.Span] = []
        _at(fraction)
        mine = run_case(gateway.url, "now_race", batches, ours)
        if len(mine[-1][0][0][2]) == 2:  # type: ignore[index]
            break
    else:
        pytest.fail("the gateway's two writes never fell on either side of a second")
    assert mine[-1][0] == [("cpu", ["time", "b", "v"], [["now", None, 1], ["now", True, None]])]
    assert lpnow.pairs(batches, ours) != {(0, 1): True}
    assert not lpnow.comparable(batches, theirs, ours)
    # ... and both in one second on both sides are compared, and store alike
    ours = []
    _at(0.05)
    mine = run_case(gateway.url, "now_race", batches, ours)
    assert lpnow.comparable(batches, theirs, ours)
    assert mine == influx
