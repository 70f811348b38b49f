"""The fast Holt-Winters fit gives the bits the plain one gave (`holtwinters_reference.py`).

Three layers, each compared bit for bit (0.0 against -0.0 and NaN payloads included): the
damping sums against Go's powers added one by one; one evaluation of the error (its value and
how it leaves the vertex) against the reference's on any series and any vertex, however
absurd; and whole fits, on generated series live against the reference (small ones: it is
slow) and on a recorded corpus of larger ones (`holtwinters_recorded.json`, written by
`record_holtwinters.py` from the reference).
"""

from __future__ import annotations

import json
import math
import random
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.translators.influxql import holtwinters_reference as reference
from translators.influxql import dampingsums, holtwinters
from translators.influxql.gopow import go_pow

S = 10**9
INTERVAL = 60 * S
RECORDED = Path(__file__).with_name("holtwinters_recorded.json")


def bits(values: list[float]) -> bytes:
    """The values' bits, every NaN written as one: a NaN's sign and payload change no later
    step (every NaN propagates and compares alike) and no answer, and x86 gives inf - inf a
    negative NaN where a NaN written at once is positive."""
    return struct.pack(f"<{len(values)}d", *(math.nan if v != v else v for v in values))


def answer_bits(points: list[tuple[int, float]]) -> list[tuple[int, str]]:
    return [(t, v.hex()) for t, v in points]


# -- the damping sums -------------------------------------------------------------------------

def plain_damping(phi: float, count: int) -> list[float]:
    """1.x's loop: damping starts at phi and each step adds math.Pow(phi, t)."""
    sums = [phi]
    total = phi
    for t in range(1, count):
        total += go_pow(phi, float(t))
        sums.append(total)
    return sums


phis = st.one_of(
    st.floats(0, 1),
    st.sampled_from([0.0, -0.0, 1.0, math.nan, 5e-324, 2.0**-500, 2.0**-501, 0.5, 0.3,
                     0.7000000000000001, 1 - 2.0**-53, 0.999, 0.9999999]),
    st.floats(0, 2.0**-400),
    st.floats(0.99, 1),
)


@settings(max_examples=300, deadline=None)
@given(phis, st.integers(1, 800))
@example(0.999, 800)
@example(2.0**-500, 5)
@example(-0.0, 6)
def test_damping_sums_are_go_pow_sums(phi: float, count: int) -> None:
    assert bits(dampingsums.damping_sums(phi, count)) == bits(plain_damping(phi, count))


# -- one evaluation of the error ----------------------------------------------------------------

def models(values: list[float | None], season: int) -> tuple[Any, Any] | None:
    """The fast model and the reference one over the same buckets, or None when 1.x fits
    nothing to them."""
    points = [(i * INTERVAL, v) for i, v in enumerate(values) if v is not None]
    fast = holtwinters._Model(points, 3, season, INTERVAL)
    if not fast.prepare():
        return None
    plain = reference._Model(points, 3, season, INTERVAL)
    plain.y, plain.observed = fast.y, fast.observed
    return fast, plain


bucket_values = st.one_of(
    st.none(),
    st.floats(-1e6, 1e6),
    st.sampled_from([0.0, -0.0, 1.0, 1e300, -1e300, math.inf, -math.inf, 1e-310]),
)
# Vertices mostly like the search's, with the absurd ones it can reach mixed in.
SPECIAL = [0.0, -0.0, 1.0, math.nan, math.inf, -math.inf, 1e-320, 1e308]
units = st.one_of(st.floats(-0.5, 1.5), st.floats(0, 1), st.sampled_from(SPECIAL))
scales = st.one_of(st.floats(-1e3, 1e3), st.floats(-10, 10), st.sampled_from(SPECIAL),
                   st.floats(allow_nan=False))
factors = st.one_of(st.floats(0.2, 3), st.floats(-3, 3), st.sampled_from(SPECIAL))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bucket_values, min_size=2, max_size=40), st.integers(0, 6), st.data())
def test_one_evaluation_matches(values: list[float | None], season: int,
                                data: st.DataObject) -> None:
    pair = models(values, season)
    if pair is None:
        return
    fast, plain = pair
    m = season if season >= 2 else 0
    vertex = [*data.draw(st.lists(units, min_size=4, max_size=4)),
              *data.draw(st.lists(scales, min_size=2, max_size=2)),
              *data.draw(st.lists(factors, min_size=m, max_size=m))]
    if data.draw(st.booleans()):
        vertex[4:] = fast._initial()  # level, trend and factors as the search starts them
    fast_vertex, plain_vertex = list(vertex), list(vertex)
    assert bits([fast._sse(fast_vertex)]) == bits([plain._sse(plain_vertex)])
    assert bits(fast_vertex) == bits(plain_vertex)
    # The final forecast goes the plain way; it shares the damping sums.
    fast_vertex, plain_vertex = list(vertex), list(vertex)
    assert bits(fast._forecast(3, fast_vertex)) == bits(plain._forecast(3, plain_vertex))
    assert bits(fast_vertex) == bits(plain_vertex)


@pytest.mark.parametrize("season", [3, 4, 6])
def test_blown_up_model_leaves_the_vertex_as_the_plain_one(season: int) -> None:
    """A level and trend near the largest float overflow, then turn NaN within a few steps;
    the fast error stops there, and must still leave NaN in each factor the plain walk would
    have written (for an odd season, every one; for an even one, every other)."""
    values: list[float | None] = [10.0 + (i % season) for i in range(40)]
    pair = models(values, season)
    assert pair is not None
    fast, plain = pair
    vertex = [0.5, 0.5, 0.5, 0.5, 1e308, 1e308, *fast._initial()[2:]]
    fast_vertex, plain_vertex = list(vertex), list(vertex)
    assert fast._sse(fast_vertex) == plain._sse(plain_vertex) == math.inf
    assert [math.isnan(x) for x in fast_vertex] == [math.isnan(x) for x in plain_vertex]
    assert bits(fast_vertex) == bits(plain_vertex)
    assert sum(math.isnan(x) for x in fast_vertex) == (season if season % 2 else season // 2)


def test_damping_sums_of_zero_keep_its_sign() -> None:
    """The sums for phi -0.0 start -0.0, -0.0, 0.0 (Go's Pow(-0, 1) is -0): a model that met
    phi 0.0 first must not reuse its sums, and the sign reaches a fitted value here."""
    points = [(i * INTERVAL, v) for i, v in enumerate([-0.0, 0.0, 0.0, 0.0])]
    fast = holtwinters._Model(points, 3, 0, INTERVAL)
    assert fast.prepare()
    for phi in (0.0, -0.0):
        plain = reference._Model(points, 3, 0, INTERVAL)
        plain.y, plain.observed = fast.y, fast.observed
        vertex = [0.5, 0.5, 0.5, phi, -0.0, 0.0]
        assert bits(fast._forecast(3, list(vertex))) == bits(plain._forecast(3, list(vertex)))
    assert math.copysign(1.0, fast._forecast(0, [0.5, 0.5, 0.5, -0.0, -0.0, 0.0])[1]) == -1


# -- whole fits ---------------------------------------------------------------------------------

def fit(module: Any, name: str, values: list[float | None], horizon: int,
        season: int) -> list[tuple[int, str]]:
    points = [(i * INTERVAL, v) for i, v in enumerate(values)]
    return answer_bits(module.compute(name, points, (horizon, season), INTERVAL))


small_values = st.one_of(st.none(), st.floats(-100, 100), st.integers(-5, 5).map(float))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(small_values, min_size=2, max_size=10), st.integers(0, 4),
       st.sampled_from(sorted(holtwinters.NAMES)))
def test_fits_match_reference(values: list[float | None], season: int, name: str) -> None:
    assert fit(holtwinters, name, values, 3, season) == fit(reference, name, values, 3, season)


def corpus() -> list[tuple[str, list[float | None], int, int]]:
    """(id, bucket values, horizon, season): seeded series, the same on every run."""
    rng = random.Random(20261122)
    cases: list[tuple[str, list[float | None], int, int]] = []
    for size, seasons in ((3, (0, 2)), (8, (0, 2, 4, 7)), (24, (0, 2, 4, 7, 12)),
                          (48, (0, 5, 12))):
        for season in seasons:
            wave = [50 + 0.1 * i + 10 * math.sin(2 * math.pi * i / max(season, 5))
                    + rng.gauss(0, 3) for i in range(size)]
            cases.append((f"wave-{size}-{season}", list(wave), 5, season))
            if size < 48 and season < 12:
                gappy: list[float | None] = [None if rng.random() < 0.2 else v for v in wave]
                gappy[0] = wave[0]
                cases.append((f"gaps-{size}-{season}", gappy, 4, season))
    cases.append(("constant", [7.0] * 30, 3, 0))
    cases.append(("constant-seasonal", [7.0] * 30, 3, 5))
    cases.append(("zeros-seasonal", [0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 4.0], 3, 2))
    cases.append(("huge", [1e300 * (1 + (i % 3)) for i in range(20)], 3, 0))
    cases.append(("huge-seasonal", [1e300 * (1 + (i % 3)) for i in range(20)], 3, 3))
    cases.append(("negative-ramp", [-5.0 * i for i in range(40)], 6, 4))
    cases.append(("steps-from-zero", [float(i // 5) for i in range(30)], 5, 5))  # NaN factors
    cases.append(("steps", [float(1 + i // 5) for i in range(30)], 5, 5))
    cases.append(("integers", [float(rng.randint(1, 4)) for _ in range(30)], 4, 6))
    return cases


def recorded() -> dict[str, list[list[Any]]]:
    with RECORDED.open() as file:
        loaded: dict[str, list[list[Any]]] = json.load(file)
    return loaded


@pytest.mark.parametrize(("values", "horizon", "season"),
                         [pytest.param(v, h, s, id=i) for i, v, h, s in corpus()])
def test_corpus_matches_recorded_reference(request: pytest.FixtureRequest,
                                           values: list[float | None], horizon: int,
                                           season: int) -> None:
    expected = recorded()[request.node.callspec.id]
    answer = fit(holtwinters, "holt_winters_with_fit", values, horizon, season)
    assert answer == [(t, v) for t, v in expected]
