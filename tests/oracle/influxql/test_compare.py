"""The oracle's comparison: tolerance, types and the path it reports."""

from __future__ import annotations

from typing import Any

import pytest

from .compare import first_difference

ANSWER = {"results": [{"statement_id": 0, "series": [
    {"name": "cpu", "columns": ["time", "v"], "values": [["t0", 0.1], ["t1", 2]]}]}]}


def answer_with(value: Any) -> dict[str, Any]:
    return {"results": [{"statement_id": 0, "series": [
        {"name": "cpu", "columns": ["time", "v"], "values": [["t0", value], ["t1", 2]]}]}]}


@pytest.mark.parametrize("value", [0.1, 0.1 + 1e-12, 0.1000000000099])
def test_floats_within_tolerance_agree(value: float) -> None:
    assert first_difference(ANSWER, answer_with(value)) is None


def test_first_difference_names_the_path() -> None:
    assert first_difference(ANSWER, answer_with(0.10000001)) == (
        "results[0].series[0].values[0][1]: 0.1 != 0.10000001")


@pytest.mark.parametrize(("expected", "actual", "message"), [
    (12, 12.0, None),  # 1.x writes a whole float as 12
    (12, 13, "<root>: 12 != 13"),
    (True, 1, "<root>: True != 1"),
    (None, 0, "<root>: None != 0"),
    ("1", 1, "<root>: '1' != 1"),
    ([1, 2], [1], "<root>: 2 items != 1 items"),
    ({"a": 1}, {"a": 1, "b": 2}, "<root>: unexpected key 'b' = 2"),
    ({"a": 1, "b": 2}, {"a": 1}, "<root>: key 'b' missing (expected 2)"),
    ({"a": [{"b": "x"}]}, {"a": [{"b": "y"}]}, "a[0].b: 'x' != 'y'"),
    (float("nan"), float("nan"), None),
])
def test_differences(expected: Any, actual: Any, message: str | None) -> None:
    assert first_difference(expected, actual) == message
