"""`stopped_at`: the one rule for a request stopped at a failed statement, which the native
store (a statement's error) and the upstream routes (a statement cut short by the query
timeout, or failed when sent alone) both answer with."""

from __future__ import annotations

import pytest

from translators.influxql.results import Message, Series, StatementResult, stopped_at

DONE = [StatementResult(0, series=[Series("m", ["time", "v"], [[0, 1]], has_time=True)])]
NOTE = [Message("warning", "deprecated")]


def _failed(statement_id: int = 9) -> StatementResult:
    return StatementResult(statement_id, messages=list(NOTE), error="boom")


@pytest.mark.parametrize(("finished", "count", "chunked", "expected"), [
    pytest.param(DONE, 2, False, [*DONE, StatementResult(1, messages=NOTE, error="boom")],
                 id="last-unchunked"),
    pytest.param(DONE, 2, True, [*DONE, StatementResult(1, messages=NOTE, error="boom")],
                 id="last-chunked"),
    # unchunked, 1.x keeps an id's last result: the notice replaces the error
    pytest.param(DONE, 4, False, [*DONE, StatementResult(1, messages=NOTE,
                                                         error="not executed")],
                 id="others-left-unchunked"),
    pytest.param(DONE, 4, True, [*DONE, StatementResult(1, messages=NOTE, error="boom"),
                                 StatementResult(1, error="not executed"),
                                 StatementResult(1, error="not executed")],
                 id="others-left-chunked"),
    pytest.param([], 1, False, [StatementResult(0, messages=NOTE, error="boom")],
                 id="first-and-only"),
    pytest.param([], 0, True, [StatementResult(0, messages=NOTE, error="boom")],
                 id="no-statements-counted"),
    pytest.param([*DONE, StatementResult(1, error="earlier")], 4, True,
                 [*DONE, StatementResult(1, error="earlier")], id="already-stopped"),
    pytest.param(DONE, 1, False, DONE, id="all-finished"),
])
def test_a_request_stops_at_its_failed_statement(
        finished: list[StatementResult], count: int, chunked: bool,
        expected: list[StatementResult]) -> None:
    failed = _failed()
    assert stopped_at(finished, failed, count, chunked) == expected
    assert failed == _failed()  # the caller's result is not changed
