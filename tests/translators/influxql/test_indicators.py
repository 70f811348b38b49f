"""The technical-analysis transformations against answers recorded from InfluxDB 1.6.7.

Every expected value below is 1.6.7's JSON answer for the same input (series `S`, one point a
minute from 2024-01-01T00:00:00Z), parsed as Python floats; the comparison is exact.
"""

from __future__ import annotations

from typing import Any

import pytest

from translators.influxql import ast, indicators
from translators.influxql.errors import QueryError

T0 = 1704067200
S = [10, 11.5, 11, 12.25, 12.25, 9.5, 10, 13, 12.5, 14]
POINTS = [((T0 + 60 * i) * 10**9, v) for i, v in enumerate(S)]


def at(minute: int) -> int:
    return (T0 + 60 * minute) * 10**9


def series(first_minute: int, values: list[float]) -> list[tuple[int, float]]:
    return [(at(first_minute + i), v) for i, v in enumerate(values)]


CASES = [
    pytest.param("chande_momentum_oscillator", (3,), series(2, [
        50, 69.23076923076923, 42.857142857142854, -37.5, -69.23076923076923, 12, 75, 80]),
        id="cmo-plain-default-hold"),
    pytest.param("chande_momentum_oscillator", (3, 0, "simple"), series(0, [
        100, 100, 91.66666666666667, 92.45283018867924, 92.45283018867923,
        18.604651162790702, 26.315789473684216, 60.22727272727273, 43.69426751592356,
        61.5484993475424]), id="cmo-smoothed-simple"),
    pytest.param("chande_momentum_oscillator", (3, 0, "exponential"), series(0, [
        100, 100, 79.3103448275862, 84.61538461538463, 84.6153846153846,
        -10.280373831775687, 3.2786885245901685, 54.08560311284047, 36.19948409286329,
        58.090934764190905]), id="cmo-smoothed-exponential"),
    pytest.param("exponential_moving_average", (3, 0, "simple"), series(0, [
        10, 10.75, 10.833333333333334, 11.541666666666668, 11.895833333333334,
        10.697916666666668, 10.348958333333334, 11.674479166666668, 12.087239583333334,
        13.043619791666668]), id="ema-simple-warmup"),
    pytest.param("double_exponential_moving_average", (3, 0, "simple"), series(0, [
        10, 10.75, 10.833333333333334, 11.895833333333336, 12.368055555555555,
        10.335069444444446, 9.993055555555557, 12.159288194444446, 12.536024305555557,
        13.746202256944446]), id="dema-simple-warmup"),
    pytest.param("double_exponential_moving_average", (3,), series(2, [
        11.166666666666668, 12.020833333333334, 12.291666666666668, 10.286458333333334,
        9.963541666666668, 12.141927083333334, 12.526041666666668, 13.740559895833334]),
        id="dema-default-hold"),
    pytest.param("triple_exponential_moving_average", (2, 0, "simple"), series(0, [
        10, 10.75, 11.083333333333332, 12.129629629629628, 12.269547325102884,
        9.60631001371742, 9.873113854595337, 12.866178936137791, 12.634633948077017,
        13.970837778793888]), id="tema-simple-warmup"),
    pytest.param("triple_exponential_derivative", (2, -1, "simple"), series(4, [
        4.40756108805902, -4.421678589302013, -4.552314657960399, 5.381837999863759,
        5.122412340243598, 6.869141082253849]), id="trix-simple-warmup"),
    pytest.param("relative_strength_index", (3, 0, "simple"), series(0, [
        100, 100, 95.83333333333333, 96.22641509433963, 96.22641509433963,
        59.30232558139535, 63.15789473684211, 80.11363636363636, 71.84713375796179,
        80.77424967377121]), id="rsi-first-point-counts-as-gain"),
    pytest.param("kaufmans_efficiency_ratio", (3, 0), series(0, [
        1, 1, 0.9166666666666666, 0.6923076923076923, 0.42857142857142855, 0.375,
        0.6923076923076923, 0.12, 0.75, 0.8]), id="ker-window-starts-at-zero"),
    pytest.param("kaufmans_efficiency_ratio", (1,), series(1, [1, 1, 1, 0, 1, 1, 1, 1, 1]),
                 id="ker-period-one"),
    pytest.param("kaufmans_adaptive_moving_average", (3, 0), series(0, [
        4.4444444444444455, 10.666666666666666, 11.309971608792281, 11.289669907455867,
        11.389600198043185, 11.230331086657651, 10.945219173047892, 10.983658327880997,
        11.387595339392407, 12.167069956498475]), id="kama-no-hold"),
]


@pytest.mark.parametrize(("name", "params", "expected"), CASES)
def test_matches_167(name: str, params: tuple[Any, ...],
                     expected: list[tuple[int, float]]) -> None:
    assert indicators.compute(name, POINTS, params) == [(t, float(v)) for t, v in expected]


def test_null_buckets_are_skipped() -> None:
    """1.6.7, GROUP BY time(1m) over values at minutes 0, 2, 4: empty buckets neither count
    nor reset the average."""
    buckets = [(at(0), 10.0), (at(1), None), (at(2), 12.0), (at(3), None), (at(4), 11.0)]
    assert indicators.compute("exponential_moving_average", buckets, (2,)) == [
        (at(2), 11.333333333333334), (at(4), 11.11111111111111)]


def test_integers_read_as_floats() -> None:
    ints = [(at(i), int(v * 4)) for i, v in enumerate(S)]
    floats = [(at(i), float(v * 4)) for i, v in enumerate(S)]
    assert indicators.compute("relative_strength_index", ints, (3,)) == \
        indicators.compute("relative_strength_index", floats, (3,))


@pytest.mark.parametrize("hold", [1, -1])
def test_infinite_trix_is_dropped(hold: int) -> None:
    """TRIX's first rate divides by a previous value of 0; 1.6.7 drops the infinite result."""
    assert indicators.compute("triple_exponential_derivative", series(0, [5.0, 5.0]),
                              (1, hold)) == [(at(1), 0.0)]


def test_trix_hold_one() -> None:
    assert indicators.compute("triple_exponential_derivative", POINTS, (2, 1)) == series(1, [
        4.444444444444451, 2.8368794326241176, 4.827586206896561, 3.8742690058479523,
        -4.6211588083509225, -4.648303000491872, 5.327716160834539, 5.099949209113319,
        6.859741627042015])


def call(name: str, *args: ast.Expr) -> ast.Call:
    return ast.Call(name, (ast.VarRef("v"), *args))


def integer(value: int) -> ast.IntegerLiteral:
    return ast.IntegerLiteral(value)


ERRORS = [
    pytest.param(call("exponential_moving_average"), None,
                 "invalid number of arguments for exponential_moving_average, expected at "
                 "least 2 but no more than 4, got 1", id="too-few"),
    pytest.param(call("kaufmans_efficiency_ratio", integer(2), integer(1),
                      ast.StringLiteral("none")), None,
                 "invalid number of arguments for kaufmans_efficiency_ratio, expected at "
                 "least 2 but no more than 3, got 4", id="kaufmans-at-most-three"),
    pytest.param(call("exponential_moving_average", ast.NumberLiteral(2.5)), None,
                 "exponential_moving_average period must be an integer", id="float-period"),
    pytest.param(call("exponential_moving_average", integer(0)), None,
                 "exponential_moving_average period must be greater than or equal to 1",
                 id="zero-period"),
    pytest.param(call("relative_strength_index", integer(2), ast.StringLiteral("x")), None,
                 "relative_strength_index hold period must be an integer", id="string-hold"),
    pytest.param(call("triple_exponential_derivative", integer(2), integer(0)), None,
                 "triple_exponential_derivative hold period must be greater than or equal "
                 "to 1", id="trix-hold-zero"),
    pytest.param(call("exponential_moving_average", integer(2), integer(1), integer(5)),
                 None, "exponential_moving_average warmup type must be a string",
                 id="warmup-not-string"),
    pytest.param(call("chande_momentum_oscillator", integer(2), integer(1),
                      ast.StringLiteral("bad")), None,
                 "chande_momentum_oscillator warmup type must be one of: 'none' "
                 "'exponential' 'simple'", id="cmo-warmup-unknown"),
    pytest.param(call("exponential_moving_average", integer(5), integer(2),
                      ast.StringLiteral("none")), None,
                 "exponential_moving_average warmup type must be one of: 'exponential' "
                 "'simple'", id="ema-warmup-none"),
    pytest.param(ast.Call("exponential_moving_average",
                          (ast.Call("mean", (ast.VarRef("v"),)), integer(2))), None,
                 "exponential_moving_average aggregate requires a GROUP BY interval",
                 id="aggregate-without-group-by-time"),
    pytest.param(call("exponential_moving_average", integer(2)), 60 * 10**9,
                 "aggregate function required inside the call to exponential_moving_average",
                 id="group-by-time-without-aggregate"),
]


@pytest.mark.parametrize(("expr", "interval", "message"), ERRORS)
def test_validate_errors(expr: ast.Call, interval: int | None, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        indicators.validate(expr, interval)
    assert str(caught.value) == message


def test_validate_accepts_hold_minus_one_and_period_one() -> None:
    """1.6.7 runs relative_strength_index(price, 5, -1) and exponential_moving_average(x, 1)."""
    indicators.validate(call("relative_strength_index", integer(5), integer(-1)), None)
    indicators.validate(call("exponential_moving_average", integer(1)), None)
