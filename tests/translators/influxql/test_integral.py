"""integral() as 1.6.7's reducer walks a group's points (translators/influxql/integral.py)."""

from __future__ import annotations

import pytest

from translators.influxql.integral import areas, join
from translators.influxql.timerange import MAX_TIME, MIN_TIME

S = 1_000_000_000
M = 60 * S


def ten_minutes(time: int) -> tuple[int, int]:
    start = time - time % (10 * M)
    return start, start + 10 * M


@pytest.mark.parametrize(("points", "bucket", "lower", "upper", "descending", "expected"), [
    # no GROUP BY time: a float field's area is stamped at the epoch
    pytest.param([(0 * M, 1.0), (2 * M, 3.0)], None, 0, 10 * M - 1, False, [(0, 4.0)],
                 id="float-at-epoch"),
    # an integer field's window is the range: stamped with its lower bound
    pytest.param([(1 * M, 1), (3 * M, 3)], None, 30 * S, 10 * M - 1, False, [(30 * S, 4.0)],
                 id="integer-at-lower-bound"),
    pytest.param([(1 * M, 1), (3 * M, 3)], None, MIN_TIME, MAX_TIME, False, [(0, 4.0)],
                 id="integer-no-lower-bound-at-epoch"),
    # under DESC: the upper bound plus 1 ns, a negative area, and a point on the lower bound
    # closes the window and opens it again (a second row of 0)
    pytest.param([(3 * M, 3), (0, 1)], None, 0, 10 * M - 1, True,
                 [(10 * M, -6.0), (10 * M, 0.0)], id="integer-descending"),
    pytest.param([(3 * M, 3), (1 * M, 1)], None, 0, MAX_TIME, True,
                 [(MAX_TIME + 1, -4.0)], id="integer-descending-no-upper-bound"),
    # a lone point on the window's start has no area and no row
    pytest.param([(0, 5)], None, 0, 10 * M - 1, False, [], id="lone-point-on-bound"),
    pytest.param([(1 * M, 5)], None, 0, 10 * M - 1, False, [(0, 0.0)], id="lone-point"),
    # of points at one time the last read counts; nulls are skipped
    pytest.param([(0, 1.0), (0, 3.0), (1 * M, None), (2 * M, 3.0)], None, 0, 0, False,
                 [(0, 6.0)], id="same-time-last-counts"),
    # GROUP BY time: the line across an edge is cut there, each part to its window
    pytest.param([(8 * M, 0.0), (12 * M, 4.0)], ten_minutes, 0, 20 * M - 1, False,
                 [(0, 2.0), (10 * M, 6.0)], id="float-cut-at-edge"),
    # integers: the part past the edge averages the edge value with the old point's
    pytest.param([(8 * M, 0), (12 * M, 4)], ten_minutes, 0, 20 * M - 1, False,
                 [(0, 2.0), (10 * M, 2.0)], id="integer-cut-at-edge"),
    # empty windows between: all of the rest goes to the later window
    pytest.param([(8 * M, 0.0), (32 * M, 24.0)], ten_minutes, 0, 40 * M - 1, False,
                 [(0, 2.0), (30 * M, 286.0)], id="empty-windows-between"),
    pytest.param([(12 * M, 4.0), (8 * M, 0.0)], ten_minutes, 0, 20 * M - 1, True,
                 [(20 * M, -6.0), (10 * M, -2.0)], id="descending-by-window-end"),
])
def test_areas(points: list[tuple[int, object]], bucket: object, lower: int, upper: int,
               descending: bool, expected: list[tuple[int, float]]) -> None:
    found = areas(points, M, bucket=bucket, lower=lower, upper=upper,  # type: ignore[arg-type]
                  descending=descending)
    assert found == expected


def test_join_splits_rows_at_different_times() -> None:
    # the mean's row at the lower bound, the float integral's at the epoch: two rows
    rows = [(5, [None, 2.5])]
    assert join(rows, {0: [(0, 9.0)]}, descending=False, defaults=[None, None]) == [
        (0, [9.0, None]), (5, [None, 2.5])]


def test_join_under_desc_pairs_the_first_area_of_a_time() -> None:
    rows = [(10, [None, 1.0]), (20, [None, 2.0])]
    areas_desc = [(30, -4.0), (30, 0.0), (20, -3.0), (20, 0.0)]
    joined = join(rows, {0: areas_desc}, descending=True, defaults=[None, None])
    # answered ascending; the caller reverses it for DESC
    assert joined[::-1] == [(30, [-4.0, None]), (30, [0.0, None]), (20, [-3.0, 2.0]),
                            (20, [0.0, None]), (10, [None, 1.0])]


def test_join_fills_rows_of_integral_alone_with_the_fill_number() -> None:
    # fill(0): the mean reads 0 on the rows only integral() has (1.x's scanner default);
    # the other rows come filled (fill_rows), integral()'s slot included
    rows = [(10, [0, 1.0]), (20, [0, 2.0])]
    joined = join(rows, {0: [(30, -4.0), (30, 0.0), (20, -3.0)]}, descending=True,
                  defaults=[0, 0])
    assert joined[::-1] == [(30, [-4.0, 0]), (30, [0.0, 0]), (20, [-3.0, 2.0]),
                            (10, [0, 1.0])]


def test_join_reads_each_column_its_own_default() -> None:
    # fill(2.5) as the cursor reads it: an integer sum 2, a boolean last() 2.5 as written
    rows = [(10, [None, 5, True])]
    joined = join(rows, {0: [(0, 9.0)]}, descending=False, defaults=[2.5, 2, 2.5])
    assert joined == [(0, [9.0, 2, 2.5]), (10, [None, 5, True])]


def test_join_under_fill_previous_keeps_what_the_row_before_held() -> None:
    rows = [(10, [None, 1.0]), (20, [None, 2.0])]
    joined = join(rows, {0: [(30, -4.0), (30, 0.0), (20, -3.0)]}, descending=True,
                  defaults=[None, None], carry=True)
    assert joined[::-1] == [(30, [-4.0, None]), (30, [0.0, None]), (20, [-3.0, 2.0]),
                            (10, [-3.0, 1.0])]
