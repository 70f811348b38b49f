"""Chunk splitting as 1.6.7's emitter does it, and the marks its merge leaves unchunked."""

from __future__ import annotations

import pytest

from translators.encoders.influxql_chunks import Chunking, merge_chunks, split_chunks
from translators.encoders.influxql_json import encode_json
from translators.influxql.results import Series, StatementResult

from . import influxql_results as R


def _handler_merge(pieces: list[StatementResult]) -> list[StatementResult]:
    """1.6.7's unchunked handler loop, restated: glue the pieces of each statement back."""
    merged: list[StatementResult] = []
    for piece in pieces:
        if not merged or merged[-1].statement_id != piece.statement_id:
            merged.append(StatementResult(piece.statement_id,
                                          [Series(s.name, s.columns, list(s.values), s.tags,
                                                  s.has_time, s.partial) for s in piece.series],
                                          list(piece.messages), piece.error, piece.partial))
            continue
        if piece.error is not None:
            merged[-1] = piece
            continue
        last = merged[-1]
        rest = list(piece.series)
        if last.series:
            tail = last.series[-1]
            while rest and (rest[0].name, rest[0].tags) == (tail.name, tail.tags):
                tail.values.extend(rest.pop(0).values)
        last.series.extend(rest)
        last.messages.extend(piece.messages)
        last.partial = piece.partial
    return merged


def _shape(result: StatementResult) -> tuple[int, list[tuple[str, int, bool]], bool]:
    return (result.statement_id, [(s.name, len(s.values), s.partial) for s in result.series],
            result.partial)


def test_rows_are_cut_per_series_and_marked() -> None:
    results, kinds = R.chunk_input()
    shapes = [_shape(p) for p in split_chunks(results[:1], 2, kinds)]
    assert shapes == [(0, [("cpu", 2, False)], True), (0, [("cpu", 2, True)], True),
                      (0, [("cpu", 1, False)], True), (0, [("cpu", 2, True)], True),
                      (0, [("cpu", 1, False)], False)]


def test_tag_statements_answer_per_series_and_others_once() -> None:
    results, kinds = R.chunk_input()
    assert [_shape(p) for p in split_chunks(results[3:5], 1, kinds)] == [
        (3, [("databases", 2, False)], False),
        (4, [("cpu", 3, False)], False), (4, [("mem", 2, False)], False)]


def test_a_failure_after_rows_comes_last_and_wins_unchunked() -> None:
    failed = StatementResult(0, R.cpu_by_host(), error="max-select-point limit exceeded")
    pieces = list(split_chunks([failed], 2))
    assert pieces[-1] == StatementResult(0, error="max-select-point limit exceeded")
    assert pieces[-2].partial is True
    assert merge_chunks([failed]) == [StatementResult(0, error="max-select-point limit exceeded")]


def test_messages_go_with_the_first_piece() -> None:
    result = StatementResult(0, R.cpu_by_host(), messages=[R.WARNING])
    pieces = list(split_chunks([result], 2))
    assert [p.messages for p in pieces] == [[R.WARNING]] + [[]] * (len(pieces) - 1)


@pytest.mark.parametrize("size", [1, 2, 3, 10000])
@pytest.mark.parametrize("build", [R.select, R.multi, R.shows, R.group_all, R.big],
                         ids=lambda f: f.__name__)
def test_merge_chunks_is_what_the_handler_glues_back(build, size: int) -> None:  # type: ignore[no-untyped-def]
    kinds = {2: Chunking.SERIES} if build is R.shows else None
    glued = _handler_merge(list(split_chunks(build(), 10000, kinds)))
    assert encode_json(merge_chunks(build(), kinds)) == encode_json(glued)
    # Whatever the chunk size, the pieces hold the same rows.
    rows = sum(len(s.values) for p in split_chunks(build(), size, kinds) for s in p.series)
    assert rows == sum(len(s.values) for r in build() for s in r.series)


def _broken(count: int, breaks: tuple[int, ...], host: str) -> Series:
    return Series("cpu", ["time", "v"], [[t, t] for t in range(count)], {"host": host},
                  has_time=True, breaks=breaks)


def test_a_scan_that_found_nothing_ends_a_result_not_partial() -> None:
    # a: 5 rows, batches end after 2 and after all 5; b: 3 rows, one batch
    result = StatementResult(0, [_broken(5, (2, 5), "a"), _broken(3, (), "b")])
    assert [_shape(p) for p in split_chunks([result], 2)] == [
        (0, [("cpu", 2, False)], False),  # the batch ends: not partial, counted afresh
        (0, [("cpu", 2, True)], True), (0, [("cpu", 1, False)], False),
        (0, [("cpu", 2, True)], True), (0, [("cpu", 1, False)], False)]
    # without breaks, b's start would mark a's last piece partial
    plain = StatementResult(0, [_broken(5, (), "a"), _broken(3, (), "b")])
    assert [p.partial for p in split_chunks([plain], 2)] == [True, True, True, True, False]


def test_unchunked_a_long_series_is_partial_only_if_its_first_batch_is() -> None:
    long_first = StatementResult(0, [_broken(10_001, (10_001,), "a")])
    short_first = StatementResult(0, [_broken(10_001, (3,), "a")])
    assert [s.partial for r in merge_chunks([long_first]) for s in r.series] == [True]
    assert [s.partial for r in merge_chunks([short_first]) for s in r.series] == [False]
    glued = _handler_merge(list(split_chunks([short_first], 10_000)))
    assert [_shape(r) for r in merge_chunks([short_first])] == [_shape(r) for r in glued]
