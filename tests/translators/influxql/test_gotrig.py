"""Go's math.Sin, Cos and Tan replayed: the values 1.6.7 answers, where libm's differ."""

from __future__ import annotations

import math

import pytest

from translators.influxql.gotrig import go_cos, go_sin, go_tan


@pytest.mark.parametrize(("function", "x", "expected"), [
    # sin(usage_user), cos(...), tan(...) as InfluxDB 1.6.7 answered them
    pytest.param(go_sin, 9.54, -0.11496725817687456, id="sin-9.54"),
    pytest.param(go_sin, 33.52, 0.8611457381979298, id="sin-33.52"),
    pytest.param(go_cos, 2.04, -0.452176162140912, id="cos-2.04"),
    pytest.param(go_cos, 15.0, -0.7596879128588212, id="cos-15"),
    pytest.param(go_tan, 26.02, 1.2277032729392499, id="tan-26.02"),
    pytest.param(go_tan, 46.53, -0.6752040064176001, id="tan-46.53"),
    pytest.param(go_sin, -9.54, 0.11496725817687456, id="sin-odd"),
    pytest.param(go_cos, -2.04, -0.452176162140912, id="cos-even"),
    pytest.param(go_sin, 0.0, 0.0, id="sin-zero"),
    pytest.param(go_cos, 0.0, 1.0, id="cos-zero"),
    pytest.param(go_tan, 1e-8, 1e-8, id="tan-tiny"),
])
def test_go_trig(function, x: float, expected: float) -> None:
    assert function(x) == expected


@pytest.mark.parametrize("function", [go_sin, go_cos, go_tan])
def test_infinity_is_nan(function) -> None:
    assert math.isnan(function(math.inf)) and math.isnan(function(math.nan))


def test_close_to_libm_everywhere() -> None:
    for step in range(-20000, 20000, 7):
        x = step / 13
        assert math.isclose(go_sin(x), math.sin(x), rel_tol=1e-12, abs_tol=1e-15), x
        assert math.isclose(go_cos(x), math.cos(x), rel_tol=1e-12, abs_tol=1e-15), x
        assert math.isclose(go_tan(x), math.tan(x), rel_tol=1e-12, abs_tol=1e-15), x
    assert go_sin(1e10) == math.sin(1e10)  # past 2^29: libm's (Go reduces otherwise)
