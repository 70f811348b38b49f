"""Go's math.Pow replayed: the values 1.6.7 answers, where libm's pow differs."""

from __future__ import annotations

import math

import pytest

from translators.influxql.gopow import go_pow


@pytest.mark.parametrize(("x", "y", "expected"), [
    # pow(usage_user, y) as InfluxDB 1.6.7 answered it
    pytest.param(33.52, 2.3, 3222.546723683919, id="fraction-below-half"),
    pytest.param(15.0, 2.3, 507.0022606895972, id="whole-base"),
    pytest.param(99.5, -1.7, 0.0004015140645896741, id="negative-fraction-above-half"),
    pytest.param(2.04, -1.7, 0.29759711408792644, id="negative-small-base"),
    pytest.param(2.04, 3.0, 8.489664, id="integer-power-by-squaring"),
    pytest.param(17.04, 3.0, 4947.761663999999, id="integer-power-below-libm"),
    # Go's special cases
    pytest.param(0.0, -1.0, math.inf, id="zero-negative-odd"),
    pytest.param(-0.0, -3.0, -math.inf, id="minus-zero-negative-odd"),
    pytest.param(-2.0, 3.0, -8.0, id="negative-base-odd"),
    pytest.param(-1.0, math.inf, 1.0, id="minus-one-infinite"),
    pytest.param(0.5, math.inf, 0.0, id="fraction-to-infinity"),
    pytest.param(-math.inf, -3.0, -0.0, id="minus-infinity-negative-odd"),
    pytest.param(10.0, 400.0, math.inf, id="overflow"),
    pytest.param(10.0, -400.0, 0.0, id="underflow"),
    pytest.param(16.0, 0.5, 4.0, id="square-root"),
])
def test_go_pow(x: float, y: float, expected: float) -> None:
    assert go_pow(x, y) == expected


@pytest.mark.parametrize(("x", "y"), [(-2.0, 0.5), (-8.0, 1.0 / 3), (math.nan, 2.0)])
def test_nan(x: float, y: float) -> None:
    assert math.isnan(go_pow(x, y))


def test_close_to_libm_everywhere() -> None:
    for step in range(1, 3000, 7):
        x = step / 37
        for y in (-3.3, -1.0, 0.25, 1.5, 2.0, 7.75):
            assert math.isclose(go_pow(x, y), math.pow(x, y), rel_tol=1e-14), (x, y)
