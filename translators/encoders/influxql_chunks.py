"""How 1.x cuts a statement's answer into chunks, and what its unchunked answer keeps of them.

1.6.7 executes every statement as a stream of partial results and the HTTP handler either writes
each one (`chunked=true`) or merges them back. Both ends leave marks on the wire, so the encoders
replay them from a whole `StatementResult`:

* SELECT, SHOW SERIES and SHOW FIELD KEYS go through the emitter (`Chunking.ROWS`): a series is
  cut every `chunk_size` rows; a piece followed by more of its series has `"partial":true`, and
  every result but the statement's last has `"partial":true` too, except where 1.x's cursor
  found nothing (`Series.breaks`): the emitter ends the result there, not partial, and counts
  `chunk_size` afresh.
* SHOW TAG KEYS and SHOW TAG VALUES answer one result per series (`Chunking.SERIES`).
* Every other statement answers once (`Chunking.WHOLE`).

Unchunked, the handler glues the pieces back but keeps the first piece's `partial` flag, so any
series longer than 10000 rows is marked partial; and a statement that fails after emitting rows
answers with the error alone.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping

from translators.influxql.results import Series, StatementResult

# 1.x's httpd.DefaultChunkSize: the emitter's size when `chunked` is off or `chunk_size` is bad.
DEFAULT_CHUNK_SIZE = 10_000


class Chunking(enum.StrEnum):
    ROWS = "rows"
    SERIES = "series"
    WHOLE = "whole"

    @classmethod
    def of(cls, result: StatementResult) -> Chunking:
        """The guess when the executor says nothing: SELECT answers (timed series) go by rows."""
        return cls.ROWS if any(s.has_time for s in result.series) else cls.WHOLE


ChunkingMap = Mapping[int, Chunking]


def _chunking(result: StatementResult, chunking: ChunkingMap | None) -> Chunking:
    if chunking is not None and result.statement_id in chunking:
        return chunking[result.statement_id]
    return Chunking.of(result)


def _row_pieces(series: Series, chunk_size: int) -> Iterator[tuple[Series, bool]]:
    """A series cut as the emitter cuts it, each piece with whether it ends at one of the
    series' `breaks` (a scan that found nothing ends its result, not partial); between them
    every `chunk_size` rows, a piece followed by more of its stretch marked partial."""
    count = series.row_count
    stops = sorted({b for b in series.breaks if 0 < b < count})
    if not stops and count <= chunk_size:
        yield series, count in series.breaks
        return
    start = 0
    for stop in [*stops, count]:
        for first in range(start, stop, chunk_size):
            last = first + chunk_size >= stop
            yield (series.piece(first, min(first + chunk_size, stop), None if last else True),
                   last and stop in series.breaks)
        start = stop


def first_stretch(series: Series) -> int:
    """The rows of a series before its first break: its first piece's (`_row_pieces`)."""
    return min([b for b in series.breaks if b > 0] + [series.row_count])


def _split_one(result: StatementResult, mode: Chunking, chunk_size: int
               ) -> Iterator[StatementResult]:
    sid = result.statement_id
    if mode is Chunking.WHOLE or not result.series:
        yield result
        return
    if mode is Chunking.ROWS:
        pieces = [p for s in result.series for p in _row_pieces(s, chunk_size)]
    else:
        pieces = [(s, False) for s in result.series]
    if len(pieces) == 1 and result.error is None:
        yield result
        return
    for index, (piece, broken) in enumerate(pieces):
        last = index == len(pieces) - 1 and result.error is None
        # The emitter marks every result but the statement's last and those a scan that
        # found nothing ended; tag queries mark none.
        partial = (not last and mode is Chunking.ROWS and not broken) or (last and result.partial)
        yield StatementResult(sid, [piece], result.messages if index == 0 else [],
                              partial=partial)
    if result.error is not None:
        yield StatementResult(sid, error=result.error)


def split_chunks(results: Iterable[StatementResult], chunk_size: int = DEFAULT_CHUNK_SIZE,
                 chunking: ChunkingMap | None = None) -> Iterator[StatementResult]:
    """The results 1.6.7 writes one per line (JSON) or back to back (MessagePack) when
    `chunked=true`; `chunking` names each statement's kind (default: `Chunking.of`)."""
    size = chunk_size if chunk_size > 0 else DEFAULT_CHUNK_SIZE
    for result in results:
        yield from _split_one(result, _chunking(result, chunking), size)


def merge_chunks(results: Iterable[StatementResult],
                 chunking: ChunkingMap | None = None) -> list[StatementResult]:
    """What 1.6.7's unchunked answer holds: the statements as given, except for the marks its
    chunk-and-merge round trip leaves (see the module docstring)."""
    merged: list[StatementResult] = []
    for result in results:
        if result.error is not None and (result.series or result.messages):
            # A failure replaces whatever the statement had already answered.
            merged.append(StatementResult(result.statement_id, error=result.error))
            continue
        if _chunking(result, chunking) is not Chunking.ROWS or not any(
                first_stretch(s) > DEFAULT_CHUNK_SIZE and not s.partial for s in result.series):
            merged.append(result)
            continue
        series = [s if first_stretch(s) <= DEFAULT_CHUNK_SIZE or s.partial else
                  s.piece(partial=True) for s in result.series]
        merged.append(StatementResult(result.statement_id, series, result.messages,
                                      result.error, result.partial))
    return merged
