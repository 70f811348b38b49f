"""A subquery's fill() runs: each parent group's series merged, a run per change of series."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.subquery_fill import fills_in_runs, runs


def test_runs_follow_the_merged_stream() -> None:
    # a: buckets 1 and 2; b: bucket 1; c (another parent group): bucket 2
    series = [("a", ("m", ""), [(1, [10]), (2, [20])]),
              ("b", ("m", ""), [(1, [30])]),
              ("c", ("m", "x"), [(2, [40])])]
    assert runs(series, descending=False) == [
        ("a", [(1, [10])]), ("b", [(1, [30])]), ("a", [(2, [20])]), ("c", [(2, [40])])]


def test_runs_descending_meet_a_bucket_in_tag_order() -> None:
    series = [("a", "g", [(1, [10]), (2, [20]), (3, [25])]), ("b", "g", [(1, [30])])]
    assert runs(series, descending=True) == [
        ("a", [(1, [10]), (2, [20]), (3, [25])]), ("b", [(1, [30])])]
    series = [("a", "g", [(1, [10]), (2, [20])]), ("b", "g", [(2, [30])])]
    assert runs(series, descending=True) == [
        ("a", [(2, [20])]), ("b", [(2, [30])]), ("a", [(1, [10])])]


@pytest.mark.parametrize(("fill", "interval", "calls", "expected"), [
    (ast.FillOption.NUMBER, True, ["mean"], True),
    (ast.FillOption.LINEAR, True, ["max", None], True),
    (ast.FillOption.PREVIOUS, True, ["integral", "sum"], True),
    (ast.FillOption.NONE, True, ["mean"], False),
    (ast.FillOption.NULL, True, ["mean"], False),
    (ast.FillOption.NUMBER, False, ["mean"], False),
    (ast.FillOption.NUMBER, True, ["top"], False),
    (ast.FillOption.NUMBER, True, ["integral"], False),
    (ast.FillOption.NUMBER, True, [None], False),
])
def test_which_subqueries_fill_in_runs(fill: ast.FillOption, interval: bool,
                                       calls: list[str | None], expected: bool) -> None:
    assert fills_in_runs(fill, interval, calls) is expected
