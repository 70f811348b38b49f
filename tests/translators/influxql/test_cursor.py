"""1.x's cursor join of GROUP BY time calls (translators/influxql/cursor.py)."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.cursor import join
from translators.influxql.select_plan import Prim, PrimRef, SelectPlan, Transform
from translators.influxql.timerange import TimeRange

MEAN = PrimRef(0)
DIFF = Transform("difference", PrimRef(1))
# mean's points at 1, 2, 3; difference's at 2, 3, 4
STREAMS = {MEAN: [(1, 10.0), (2, 20.0), (3, 30.0)], DIFF: [(2, 5), (3, 6), (4, 7)]}


def plan(fill: ast.FillOption = ast.FillOption.NULL, value: float | None = None,
         limit: int = 0, offset: int = 0, descending: bool = False) -> SelectPlan:
    return SelectPlan(sources=[], columns=["mean", "difference"], outputs=[MEAN, DIFF],
                      prims=[Prim("a", "field", "mean"), Prim("b", "field", "max")],
                      condition=None, time_range=TimeRange(), interval=1, aggregate=True,
                      fill=fill, fill_value=value, limit=limit, offset=offset,
                      descending=descending)


@pytest.mark.parametrize(("options", "expected"), [
    pytest.param({}, [(1, 10.0, None), (2, 20.0, 5), (3, 30.0, 6), (4, None, 7)],
                 id="null-default"),
    # the fill value, cast to the call's type (difference of an integer max: an integer)
    pytest.param({"fill": ast.FillOption.NUMBER, "value": 2.5},
                 [(1, 10.0, 2), (2, 20.0, 5), (3, 30.0, 6), (4, 2.5, 7)], id="number-cast"),
    pytest.param({"fill": ast.FillOption.PREVIOUS},
                 [(1, 10.0, None), (2, 20.0, 5), (3, 30.0, 6), (4, 30.0, 7)], id="previous"),
    # each call cut on its own: mean keeps 1, 2 and difference 2, 3
    pytest.param({"limit": 2}, [(1, 10.0, None), (2, 20.0, 5), (3, None, 6)], id="limit-each"),
    pytest.param({"limit": 1, "offset": 1}, [(2, 20.0, None), (3, None, 6)],
                 id="offset-each"),
    # newest first, and previous carries downwards in time
    pytest.param({"descending": True, "fill": ast.FillOption.PREVIOUS, "limit": 2},
                 [(4, None, 7), (3, 30.0, 6), (2, 20.0, 6)], id="descending-previous"),
])
def test_join(options: dict[str, object], expected: list[tuple[int, object, object]]) -> None:
    kinds = {MEAN: "float", DIFF: "integer"}
    # a transformation answers its points in read order (newest first under DESC)
    streams = {MEAN: STREAMS[MEAN],
               DIFF: STREAMS[DIFF][::-1] if options.get("descending") else STREAMS[DIFF]}
    rows = join(plan(**options), streams, kinds)  # type: ignore[arg-type]
    assert [(t, v[MEAN], v[DIFF]) for t, v in rows] == expected


def test_join_keeps_points_at_one_time() -> None:
    """A call with several points at one time (a transformation of merged series) answers a
    row for each, in its order; the other call's point joins the first of them, and LIMIT
    counts each point."""
    streams = {MEAN: [(1, 10.0), (2, 20.0)], DIFF: [(1, 3), (1, 1), (1, 2), (2, 9)]}
    rows = join(plan(limit=3), streams, {MEAN: "float", DIFF: "integer"})
    assert [(t, v[MEAN], v[DIFF]) for t, v in rows] == [
        (1, 10.0, 3), (1, None, 1), (1, None, 2), (2, 20.0, None)]


def test_join_takes_a_transformation_in_its_read_order() -> None:
    """A transformation of FROM's mentions one after the other answers points out of time
    order (one database's, then the other's): each row is at the earliest of the calls'
    next points, as 1.x's cursor takes them, not sorted."""
    streams = {MEAN: [(1, 10.0)], DIFF: [(1, 3), (2, 4), (1, 5)]}
    rows = join(plan(), streams, {MEAN: "float", DIFF: "integer"})
    assert [(t, v[MEAN], v[DIFF]) for t, v in rows] == [
        (1, 10.0, 3), (2, None, 4), (1, None, 5)]


def test_join_takes_an_emitted_call_in_its_order() -> None:
    """sample()'s points beside another call come in 1.x's emission order: under DESC the
    buckets newest first (interval 10 here), each bucket's points ascending, and the join
    keeps that order; sorted by time they would come newest first inside each bucket."""
    sample = PrimRef(0)
    streams = {sample: [(10, 1.0), (12, 2.0), (0, 3.0), (4, 4.0)], DIFF: [(10, 5), (0, 6)]}
    kinds = {sample: "float", DIFF: "integer"}
    rows = join(plan(descending=True), streams, kinds,  # type: ignore[arg-type]
                frozenset({sample}))
    assert [(t, v[sample], v[DIFF]) for t, v in rows] == [
        (10, 1.0, 5), (12, 2.0, None), (0, 3.0, 6), (4, 4.0, None)]
