"""Go's math.Log, Log2 and Log10 replayed: the values 1.6.7 answers, where libm's differ."""

from __future__ import annotations

import math

import pytest

from translators.influxql.golog import go_log, go_log2, go_log10


@pytest.mark.parametrize(("function", "x", "expected"), [
    # ln(usage_user), log2(...), log10(...) and log(2, 3) as InfluxDB 1.6.7 answered them
    pytest.param(go_log, 3.0, 1.0986122886681096, id="ln-3"),
    pytest.param(go_log, 17.04, 2.83556352140117, id="ln-one-ulp-above-libm"),
    pytest.param(go_log, 38.04, 3.6386382376771893, id="ln-one-ulp-below-libm"),
    pytest.param(go_log2, 20.51, 4.358255586705127, id="log2-below-libm"),
    pytest.param(go_log2, 17.04, 4.090853430451114, id="log2-above-libm"),
    pytest.param(go_log10, 39.03, 1.5913985512812485, id="log10-below-libm"),
    pytest.param(go_log10, 7.5, 0.8750612633917, id="log10-of-fraction"),
    pytest.param(go_log, 1.0, 0.0, id="ln-one"),
    pytest.param(go_log2, 1024.0, 10.0, id="log2-power-of-two-exact"),
    pytest.param(go_log2, 0.125, -3.0, id="log2-negative-power-of-two"),
    pytest.param(go_log10, 1000.0, 3.0, id="log10-of-power-of-ten"),
])
def test_go_logs(function, x: float, expected: float) -> None:
    assert function(x) == expected


def test_log_of_two_base_three() -> None:
    assert go_log(2.0) / go_log(3.0) == 0.6309297535714575  # libm: ...574


def test_close_to_libm_everywhere() -> None:
    for step in range(1, 20000, 3):
        x = step / 97
        assert math.isclose(go_log(x), math.log(x), rel_tol=1e-15, abs_tol=1e-300), x
        assert math.isclose(go_log2(x), math.log2(x), rel_tol=1e-15, abs_tol=1e-15), x
    assert math.isclose(go_log(5e-324), math.log(5e-324), rel_tol=1e-15)  # subnormal
