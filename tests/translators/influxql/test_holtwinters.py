"""holt_winters() and holt_winters_with_fit() against answers recorded from InfluxDB 1.6.7.

Inputs are the bucket values 1.6.7 fed its reducer (`mean(v)` per bucket of a series written
for the purpose); expected values are its JSON answer parsed as Python floats, compared exactly.
"""

from __future__ import annotations

from typing import Any

import pytest

from translators.cancel import CancelFlag, Cancelled
from translators.influxql import ast, holtwinters, neldermead
from translators.influxql.errors import QueryError

T0 = 1704067200
S = 10**9
TEN_MINUTES = 600 * S

#: `w`, one value per 10 minutes from T0, the eighth bucket empty.
W = [5, 7, 9, 6, 5.5, 7.5, 9.5, None, 6, 8, 10, 7, 6.5, 8.5]
W_BUCKETS = [((T0 + 600 * i) * S, v) for i, v in enumerate(W)]
#: `t` grouped by 1m and by 2m (means of pairs).
T_1M = [((T0 + 60 * i) * S, v) for i, v in enumerate([10, 11.5, 11, 12.25, 12.25, 9.5, 10, 13,
                                                        12.5, 14])]
T_2M = [((T0 + 120 * i) * S, v) for i, v in enumerate([10.75, 11.625, 10.875, 11.5, 13.25])]


def rows(*pairs: tuple[int, float]) -> list[tuple[int, float]]:
    return [(t * S, v) for t, v in pairs]


CASES = [
    pytest.param("holt_winters", W_BUCKETS, (3, 3), TEN_MINUTES, rows(
        (1704075600, 8.006743104420392), (1704076200, 8.017742582955089),
        (1704076800, 8.453659994608985)), id="seasonal-with-empty-bucket"),
    pytest.param("holt_winters_with_fit", W_BUCKETS, (2, 3), TEN_MINUTES, rows(
        (1704067200, 5), (1704067800, 7.224980066356734), (1704068400, 7.108509358333277),
        (1704069000, 7.118858601040383), (1704069600, 7.4887874070372105),
        (1704070200, 7.316840247054834), (1704070800, 7.325313751591111),
        (1704071400, 7.723309548120353), (1704072000, 7.537675528881046),
        (1704072600, 7.54716309266393), (1704073200, 7.960530432210451),
        (1704073800, 7.768443883014888), (1704074400, 7.778839032181148),
        (1704075000, 8.203981303291712), (1704075600, 8.006743104420392),
        (1704076200, 8.017742582955089)), id="with-fit-includes-the-empty-bucket"),
    pytest.param("holt_winters", W_BUCKETS, (2, 0), TEN_MINUTES, rows(
        (1704075600, 7.553560439717906), (1704076200, 7.553560439707628)),
        id="no-season"),
    pytest.param("holt_winters", [(t, 0 if v is None else v) for t, v in W_BUCKETS], (2, 0),
                 TEN_MINUTES, rows((1704075600, 9.178602741202731),
                                   (1704076200, 10.729464746057321)), id="fill-zero"),
    pytest.param("holt_winters", T_1M, (2, 1), 60 * S, rows(
        (1704067800, 18.077459285005556), (1704067860, 27.829744167055694)),
        id="season-one-is-no-season"),
    pytest.param("holt_winters", T_2M, (2, 0), 120 * S, rows(
        (1704067800, 19.203291164643165), (1704067920, 44.347102504540366)),
        id="two-minute-buckets"),
    pytest.param("holt_winters", W_BUCKETS[:3], (2, 0), TEN_MINUTES, rows(
        (1704069000, 11.359736530791539), (1704069600, 14.447123899376942)),
        id="three-buckets"),
    pytest.param("holt_winters", W_BUCKETS[:1], (2, 0), TEN_MINUTES, [], id="one-bucket"),
]


@pytest.mark.parametrize(("name", "points", "params", "interval", "expected"), CASES)
def test_matches_167(name: str, points: list[tuple[int, Any]], params: tuple[int, int],
                     interval: int, expected: list[tuple[int, float]]) -> None:
    assert holtwinters.compute(name, points, params, interval) == \
        [(t, float(v)) for t, v in expected]


def call(*args: ast.Expr) -> ast.Call:
    return ast.Call("holt_winters", (ast.Call("mean", (ast.VarRef("v"),)), *args))


ERRORS = [
    pytest.param(call(ast.IntegerLiteral(1)), TEN_MINUTES,
                 "invalid number of arguments for holt_winters, expected 3, got 2",
                 id="two-args"),
    pytest.param(call(ast.NumberLiteral(1.5), ast.IntegerLiteral(0)), TEN_MINUTES,
                 "expected integer argument as second arg in holt_winters", id="float-count"),
    pytest.param(call(ast.IntegerLiteral(0), ast.IntegerLiteral(0)), TEN_MINUTES,
                 "second arg to holt_winters must be greater than 0, got 0", id="zero-count"),
    pytest.param(call(ast.IntegerLiteral(1), ast.StringLiteral("x")), TEN_MINUTES,
                 "expected integer argument as third arg in holt_winters", id="string-season"),
    pytest.param(call(ast.IntegerLiteral(1), ast.IntegerLiteral(-2)), TEN_MINUTES,
                 "third arg to holt_winters cannot be negative, got -2", id="negative-season"),
    pytest.param(ast.Call("holt_winters", (ast.VarRef("v"), ast.IntegerLiteral(3),
                                           ast.IntegerLiteral(0))), None,
                 "must use aggregate function with holt_winters", id="raw-field"),
    pytest.param(call(ast.IntegerLiteral(1), ast.IntegerLiteral(0)), None,
                 "holt_winters aggregate requires a GROUP BY interval", id="no-group-by-time"),
]


@pytest.mark.parametrize(("expr", "interval", "message"), ERRORS)
def test_validate_errors(expr: ast.Call, interval: int | None, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        holtwinters.validate(expr, interval)
    assert str(caught.value) == message


def test_a_fit_looks_at_its_check_once_per_simplex_iteration() -> None:
    looks = 0

    def check() -> None:
        nonlocal looks
        looks += 1

    assert holtwinters.compute("holt_winters", W_BUCKETS, (3, 3), TEN_MINUTES, check) == \
        holtwinters.compute("holt_winters", W_BUCKETS, (3, 3), TEN_MINUTES)
    # 16 searches of at most 1,000 iterations each (not once per evaluation of the error)
    assert 16 <= looks <= 16 * neldermead.MAX_ITERATIONS


def test_a_cancelled_fit_stops() -> None:
    flag = CancelFlag()
    flag.cancel("query timed out after 1 s")
    with pytest.raises(Cancelled, match="query timed out after 1 s"):
        holtwinters.compute("holt_winters", W_BUCKETS, (3, 3), TEN_MINUTES, flag.check)
