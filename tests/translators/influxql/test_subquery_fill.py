"""A subquery's fill() runs: each parent group's series merged, a run per change of series."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.subquery_fill import call_runs, fills_in_runs, join_calls, runs


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


def test_calls_have_runs_of_their_own() -> None:
    # call 0 has points of a and b in buckets 1 and 2; call 1 only a's in bucket 2
    series = [("a", "g", [(1, [1, None]), (2, [2, 20])]), ("b", "g", [(1, [3, None]),
                                                                      (2, [4, None])])]
    per_call = call_runs(series, [0, 1], frozenset(), descending=False)
    assert per_call == {0: [("a", [(1, [1, None])]), ("b", [(1, [3, None])]),
                            ("a", [(2, [2, None])]), ("b", [(2, [4, None])])],
                        1: [("a", [(2, [None, 20])])]}


def test_calls_joined_at_the_least_tag_set_then_time() -> None:
    # filled runs: call 0 a, b, a; call 1 b only (tag set b sorts after a)
    filled = {0: [("a", [(1, [1, None]), (2, [-1, None])]),
                  ("b", [(1, [3, None]), (2, [-1, None])]),
                  ("a", [(1, [-1, None]), (2, [2, None])])],
              1: [("b", [(1, [None, 30]), (2, [None, -1])])]}
    rank = {"a": 0, "b": 1}.__getitem__
    joined = join_calls(filled, rank, lambda _: ["float", "float"], 2,
                        (ast.FillOption.NUMBER, -1), descending=False)
    assert joined == [("a", [(1, [1, -1]), (2, [-1, -1])]),
                      ("b", [(1, [3, 30]), (2, [-1, -1])]),
                      ("a", [(1, [-1, -1]), (2, [2, -1])])]
    # under DESC the greatest tag set first; fill(previous) keeps a call's last value in
    # the answer's order (the later time) for a null point or none, within a tag set only
    filled = {0: [("a", [(2, [5, None])])],
              1: [("b", [(1, [None, None]), (2, [None, 7])]), ("a", [(1, [None, 3])])]}
    joined = join_calls(filled, rank, lambda _: [None, None], 2,
                        (ast.FillOption.PREVIOUS, None), descending=True)
    assert joined == [("b", [(1, [None, 7]), (2, [None, 7])]),
                      ("a", [(1, [5, 3]), (2, [5, None])])]
