"""1.x's cursor walk over a percentile() whose fill answers nil (late_fill.py)."""

from __future__ import annotations

from typing import Any

import pytest

from translators.influxql import ast
from translators.influxql.late_fill import Series, applies, rows
from translators.influxql.select_plan import Prim, PrimRef, SelectPlan
from translators.influxql.timerange import TimeRange

NIL = None  # a window holding points the percentile selects none of


def plan(fill: ast.FillOption = ast.FillOption.NUMBER, value: float | None = 7,
         descending: bool = False, lower: int | None = 0, limit: int = 0,
         pct_only: bool = False, slimit: int = 0, soffset: int = 0) -> SelectPlan:
    prims = [Prim("v", "field", "percentile", (40,)),
             Prim("v", "field", "percentile" if pct_only else "max", (90,) if pct_only else ())]
    return SelectPlan(sources=[], columns=["percentile", "max"],
                      outputs=[PrimRef(0), PrimRef(1)], prims=prims, condition=None,
                      time_range=TimeRange(lower=lower, upper=5), interval=1,
                      aggregate=True, fill=fill, fill_value=value, descending=descending,
                      limit=limit, slimit=slimit, soffset=soffset)


def series(windows: list[tuple[int, Any]], maxes: list[tuple[int, Any]],
           descending: bool = False) -> Series:
    """One series over buckets 0..5: the percentile's windows (value or NIL) and max's
    filled rows, both in the answer's order."""
    filled = [(t, [None, v]) for t, v in maxes]
    if descending:
        filled, windows = filled[::-1], windows[::-1]
    return Series(lambda: filled, {}, frozenset(), {0: windows}, ["float", "float"])


MAXES = [(t, 10.0 + t) for t in range(6)]


def walk(options: dict[str, Any], *one: Series) -> list[list[tuple[int, Any, Any]]] | None:
    found = rows(plan(**options), one, 0, 5)
    if found is None:
        return None
    return [[(t, v[0], v[1]) for t, v in s] for s in found]


@pytest.mark.parametrize(("options", "windows", "expected"), [
    # m = 2: one row as usual (the percentile reads fill's 7), then its fill starts at the
    # range's first bucket, a row of its own before max's next
    pytest.param({}, [(0, NIL), (1, NIL), (2, 2.5), (4, 4.5)],
                 [(0, 7, 10.0), (0, 7, 7), (1, 7, 11.0), (2, 2.5, 12.0), (3, 7, 13.0),
                  (4, 4.5, 14.0), (5, 7, 15.0)], id="two-nils"),
    # m = 3: two nils on the first row, the third on the next peek; the fill's first
    # bucket read at the second row comes back as a row after it
    pytest.param({}, [(0, NIL), (1, NIL), (2, NIL), (3, 3.5)],
                 [(0, 7, 10.0), (1, 7, 11.0), (0, 7, 7), (1, 7, 7), (2, 7, 12.0),
                  (3, 3.5, 13.0), (4, 7, 14.0), (5, 7, 15.0)], id="three-nils"),
    # fill(previous): a call without a point reads what it held in the row before
    pytest.param({"fill": ast.FillOption.PREVIOUS, "value": None},
                 [(0, NIL), (1, NIL), (2, 2.5)],
                 [(0, None, 10.0), (0, None, 10.0), (1, None, 11.0), (2, 2.5, 12.0),
                  (3, 2.5, 13.0), (4, 2.5, 14.0), (5, 2.5, 15.0)], id="previous"),
    # fill(linear) peeks its input for the next point: a nil there (the second of two in a
    # row) leaves the bucket null, and is used up
    pytest.param({"fill": ast.FillOption.LINEAR, "value": None},
                 [(0, NIL), (1, NIL), (2, 2.0), (3, NIL), (4, NIL), (5, 5.0)],
                 [(0, None, 10.0), (0, None, None), (1, None, 11.0), (2, 2.0, 12.0),
                  (3, None, 13.0), (4, 4.0, 14.0), (5, 5.0, 15.0)], id="linear-peek"),
])
def test_one_series(options: dict[str, Any], windows: list[tuple[int, Any]],
                    expected: list[tuple[int, Any, Any]]) -> None:
    assert walk(options, series(windows, MAXES)) == [expected]


def test_descending_starts_at_the_last_bucket() -> None:
    one = series([(0, 0.5), (3, 3.5), (4, NIL), (5, NIL)], MAXES, descending=True)
    assert walk({"descending": True}, one) == [[
        (5, 7, 15.0), (5, 7, 7), (4, 7, 14.0), (3, 3.5, 13.0), (2, 7, 12.0), (1, 7, 11.0),
        (0, 0.5, 10.0)]]


def test_descending_reads_the_last_series_first() -> None:
    # under DESC every call reads the series last first: the second series walks as it
    # would alone, then the first, none of whose windows selects, is filled
    first = series([(t, NIL) for t in range(6)], MAXES, descending=True)
    second = series([(0, 0.5), (3, 3.5), (4, NIL), (5, NIL)], MAXES, descending=True)
    alone = walk({"descending": True}, second)
    assert alone is not None
    assert walk({"descending": True}, first, second) == [
        [(t, 7, 10.0 + t) for t in range(5, -1, -1)], alone[0]]

def test_nils_after_a_series_are_used_up_by_its_trailing_buckets() -> None:
    # the first series' percentile has points up to 3: its fill's buckets 4 and 5 each ask
    # the input once, using up the next series' first two nils; the other two reach the
    # cursor (a peek and a read), so its fill starts a row late
    first = series([(t, t + 0.5) for t in range(4)], MAXES)
    second = series([(0, NIL), (1, NIL), (2, NIL), (3, NIL), (4, 4.5)], MAXES)
    found = walk({}, first, second)
    assert found is not None
    assert found[0] == [(t, t + 0.5 if t < 4 else 7, 10.0 + t) for t in range(6)]
    assert found[1] == [(0, 7, 10.0), (0, 7, 7), (1, 7, 11.0), (2, 7, 12.0), (3, 7, 13.0),
                        (4, 4.5, 14.0), (5, 7, 15.0)]


@pytest.mark.parametrize(("options", "windows"), [
    pytest.param({}, [(0, 0.5), (1, NIL), (2, 2.5)], id="nil-inside-filled"),
    pytest.param({}, [(0, 0.5), (4, NIL), (5, NIL)], id="nils-at-the-end"),
])
def test_usual_joins_answer(options: dict[str, Any], windows: list[tuple[int, Any]]) -> None:
    assert walk(options, series(windows, MAXES)) is None


def percentiles_only(windows: list[tuple[int, Any]]) -> Series:
    rows = [(t, [v, v]) for t, v in windows if v is not None]
    return Series(lambda: rows, {}, frozenset(), {0: windows, 1: windows}, ["float", "float"])


@pytest.mark.parametrize(("second", "expected"), [
    # past the first series' last bucket its fill hands the cursor the next series' first
    # nil (a scan that finds nothing ends a batch of rows); the executor's next scan reads
    # the second nil: the read ends there
    pytest.param([(0, NIL), (1, NIL), (2, 2.5)], [], id="two-nils-end-the-read"),
    # one nil only ends a batch: the next scan reads on, the nil's bucket filled
    pytest.param([(0, NIL), (1, 1.5), (2, 2.5)],
                 [(0, 7, 7), (1, 1.5, 1.5), (2, 2.5, 2.5), (3, 7, 7), (4, 7, 7), (5, 7, 7)],
                 id="one-nil-reads-on"),
])
def test_every_call_a_percentile(second: list[tuple[int, Any]],
                                 expected: list[tuple[int, Any, Any]]) -> None:
    first = percentiles_only([(t, t + 0.5) for t in range(6)])
    found = walk({"pct_only": True}, first, percentiles_only(second))
    assert found is not None
    assert found[0] == [(t, t + 0.5, t + 0.5) for t in range(6)]
    assert found[1] == expected


def test_series_are_filled_only_when_the_walk_answers() -> None:
    calls = []

    def counted(windows: list[tuple[int, Any]]) -> Series:
        filled = series(windows, MAXES)
        return Series(lambda: calls.append(1) or filled.rows(), {}, frozenset(),
                      filled.windows, filled.kinds)

    assert walk({}, counted([(0, 0.5), (1, NIL), (2, 2.5)])) is None
    assert calls == []
    assert walk({}, counted([(0, NIL), (1, NIL), (2, 2.5)])) is not None
    assert calls == [1]


def test_limit_cuts_each_call_and_keeps_its_nils() -> None:
    found = walk({"limit": 2}, series([(0, NIL), (1, NIL), (2, 2.5)], MAXES))
    assert found == [[(0, 7, 10.0), (0, 7, 7), (1, 7, 11.0)]]


@pytest.mark.parametrize(("options", "expected"), [
    pytest.param({}, True, id="fill-number"),
    pytest.param({"fill": ast.FillOption.NONE}, False, id="fill-none-no-fill-iterator"),
    pytest.param({"descending": True, "lower": None}, False, id="desc-without-lower-bound"),
    pytest.param({"slimit": 1, "soffset": 1}, True, id="slimit-page-walked"),
])
def test_applies(options: dict[str, Any], expected: bool) -> None:
    assert applies(plan(**options)) is expected


def test_no_nil_window_skips_the_fill_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    # a nil reaches the cursor only from a window that selects nothing: without one the
    # percentile's fill is not walked at all
    from translators.influxql import late_fill

    walked = []
    monkeypatch.setattr(late_fill, "_filled", lambda *args: walked.append(1) or [])
    assert walk({}, series([(0, 0.5), (2, 2.5)], MAXES)) is None
    assert walked == []
    assert walk({}, series([(0, NIL), (2, 2.5)], MAXES)) is None
    assert walked == [1]
