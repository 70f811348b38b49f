"""Go's math.Atan, Atan2, Asin and Acos replayed: 1.6.7's answers, where libm's differ."""

from __future__ import annotations

import math

import pytest

from translators.influxql.goatan import go_acos, go_asin, go_atan, go_atan2


@pytest.mark.parametrize(("function", "args", "expected"), [
    # atan(usage_user), asin(usage_user / 100), ... as InfluxDB 1.6.7 answered them
    pytest.param(go_atan, (99.5,), 1.560746413901862, id="atan-above-tan-3pi-8"),
    pytest.param(go_atan, (34.01,), 1.541401679094114, id="atan-34.01"),
    pytest.param(go_asin, (0.2801,), 0.28389827745762397, id="asin-small"),
    pytest.param(go_asin, (0.34009999999999996,), 0.3470232344239315, id="asin-0.3401"),
    pytest.param(go_acos, (0.995,), 0.1000417136115399, id="acos-near-one"),
    pytest.param(go_acos, (0.075,), 1.49572583571818, id="acos-small"),
    pytest.param(go_atan2, (5.01, 3.51), 0.9596685946490812, id="atan2-first-quadrant"),
    pytest.param(go_atan2, (7.0, 4.0), 1.0516502125483735, id="atan2-whole"),
    pytest.param(go_atan2, (1.0, -1.0), 3 * math.pi / 4, id="atan2-second-quadrant"),
    pytest.param(go_atan2, (0.0, -1.0), math.pi, id="atan2-zero-over-negative"),
    pytest.param(go_atan2, (-2.0, 0.0), -math.pi / 2, id="atan2-over-zero"),
    pytest.param(go_atan2, (math.inf, -math.inf), 2.356194490192345, id="atan2-infinities"),
    pytest.param(go_atan, (0.0,), 0.0, id="atan-zero"),
    pytest.param(go_asin, (1.0,), math.pi / 2, id="asin-one"),
])
def test_go_arc_functions(function, args: tuple[float, ...], expected: float) -> None:
    assert function(*args) == expected


def test_asin_past_one_is_nan() -> None:
    assert math.isnan(go_asin(1.5)) and math.isnan(go_acos(-1.5))


def test_close_to_libm_everywhere() -> None:
    for step in range(-3000, 3000, 7):
        x = step / 29
        assert math.isclose(go_atan(x), math.atan(x), rel_tol=1e-14, abs_tol=1e-300), x
        assert math.isclose(go_atan2(x, 1.5), math.atan2(x, 1.5), rel_tol=1e-14,
                            abs_tol=1e-300), x
        if abs(x) <= 1:
            assert math.isclose(go_asin(x), math.asin(x), rel_tol=1e-14, abs_tol=1e-300), x
            assert math.isclose(go_acos(x), math.acos(x), rel_tol=1e-14, abs_tol=1e-15), x
