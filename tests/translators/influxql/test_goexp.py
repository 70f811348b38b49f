"""Go's amd64 math.Exp replayed: the values 1.6.7 answers, where libm's exp differs."""

from __future__ import annotations

import math

import pytest

from translators.influxql.goexp import go_exp


@pytest.mark.parametrize(("x", "expected"), [
    # exp(used_percent) and exp(integral(...) / 1000) as InfluxDB 1.6.7 answered them
    pytest.param(65.5, 2.7943999487401858e+28, id="one-ulp-above-libm"),
    pytest.param(40.3125, 3.217335135061571e+17, id="integral-over-1000"),
    pytest.param(56.5, 3.448563502138537e+24, id="half"),
    pytest.param(77.5, 4.548019807984841e+33, id="one-ulp-below-libm"),
    pytest.param(55.0, 7.694785265142018e+23, id="fused-multiply-add-decides"),
    pytest.param(0.0, 1.0, id="zero"),
    pytest.param(1.0, math.e, id="one"),
    pytest.param(-745.2, 0.0, id="underflow"),
    pytest.param(709.79, math.inf, id="overflow"),
    pytest.param(-1e300, 0.0, id="past-int32"),
    pytest.param(-math.inf, 0.0, id="minus-infinity"),
    pytest.param(math.inf, math.inf, id="infinity"),
])
def test_go_exp(x: float, expected: float) -> None:
    assert go_exp(x) == expected


def test_nan_stays_nan() -> None:
    assert math.isnan(go_exp(math.nan))


def test_close_to_libm_everywhere() -> None:
    for tenth in range(-7000, 7000, 7):
        x = tenth / 10
        assert math.isclose(go_exp(x), math.exp(x), rel_tol=1e-15), x
