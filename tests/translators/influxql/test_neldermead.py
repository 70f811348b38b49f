"""The simplex search: the same walk as 1.x's, and a cycle skipped lands where the walk ends."""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.translators.influxql import holtwinters_reference as reference
from translators.influxql import holtwinters, neldermead

INTERVAL = 60 * 10**9


def bits(values: list[float]) -> bytes:
    return struct.pack(f"<{len(values)}d", *values)


def objective(values: list[float], season: int) -> tuple[Callable[[list[float]], float],
                                                        list[float]]:
    """A Holt-Winters error over `values` (the plain one, so that only the search differs)
    and the start a fit's first search takes."""
    model = reference._Model([(i * INTERVAL, v) for i, v in enumerate(values)], 3, season,
                             INTERVAL)
    fast = holtwinters._Model(model.points, 3, season, INTERVAL)
    assert fast.prepare()
    model.y, model.observed = fast.y, fast.observed
    return model._sse, [0.3, 0.3, 0.3, 0.3, *fast._initial()]


def wave(size: int, season: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [50 + 10 * math.sin(2 * math.pi * i / season) + rng.gauss(0, 3)
            for i in range(size)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(-100, 100), min_size=4, max_size=10), st.integers(0, 4))
def test_search_matches_reference(values: list[float], season: int) -> None:
    error, start = objective(values, season)
    sse, fitted = neldermead.minimise(error, list(start))
    expected_sse, expected = reference._nelder_mead(error, list(start))
    assert bits([sse, *fitted]) == bits([expected_sse, *expected])


@pytest.mark.parametrize(("size", "season", "seed"), [
    pytest.param(8, 2, 1, id="8-buckets-season-2"),
    pytest.param(12, 4, 2, id="12-buckets-season-4"),
    pytest.param(24, 7, 3, id="24-buckets-season-7"),
])
def test_skipped_cycle_ends_where_the_walk_ends(monkeypatch: pytest.MonkeyPatch, size: int,
                                                season: int, seed: int) -> None:
    error, start = objective(wave(size, season, seed), season)
    calls = [0, 0]

    def counted(slot: int) -> Callable[[list[float]], float]:
        def call(vertex: list[float]) -> float:
            calls[slot] += 1
            return error(vertex)
        return call

    v, f = neldermead.search(counted(0), list(start))
    monkeypatch.setattr(neldermead._History, "repeat", lambda *_: None)  # walk every step
    walked_v, walked_f = neldermead.search(counted(1), list(start))
    assert calls[0] < calls[1] / 2  # a cycle was found and skipped
    assert bits(f) == bits(walked_f)
    assert [bits(x) for x in v] == [bits(x) for x in walked_v]


def test_vertex_moved_by_its_evaluation_with_every_error_equal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """All errors infinite (a model whose every fit is NaN): the best vertex is also the worst,
    so a shrink re-evaluates it, and the evaluation changes it in place, as holt_winters' does.
    The search must see the change, or it takes the moved vertex for a state it was in."""
    def error(vertex: list[float]) -> float:
        vertex[0] = math.floor(vertex[0] * 4 + 1) % 7  # a small, periodic walk
        return math.inf

    v, f = neldermead.search(error, [0.5, 1.0, 2.0])
    monkeypatch.setattr(neldermead._History, "repeat", lambda *_: None)
    walked_v, walked_f = neldermead.search(error, [0.5, 1.0, 2.0])
    assert bits(f) == bits(walked_f)
    assert [bits(x) for x in v] == [bits(x) for x in walked_v]
