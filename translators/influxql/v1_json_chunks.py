"""A chunked 1.x JSON answer, as 1.6.7 sends it, turned into the unchunked answer 1.x sends for
the same request: by splicing its bytes, not by decoding and re-encoding its values.

1.x produces the same results in both modes (its chunk size defaults to 10,000 points either
way): chunked, it writes each as a line `{"results":[R]}`; unchunked, it merges the results of
one statement into one (`serveQuery`: series appended, a statement's error replacing what came
before it, the last result's `partial` kept) and writes `{"results":[R0,R1,...]}` once. Go's
encoding/json writes a result's keys in one order (statement_id, series, messages, partial,
error) and escapes every quote inside a string, so a result's series array is found between
known bytes, and a line's statement, its `partial` and its series' name and tags are read
from a few bytes at its start and end, never its values. Shapes this does not splice (a
series continued across results, as 1.x writes one past 10,000 points; several series in one
result, messages or an error beside series, within a statement of several results; a request
error) make `unchunk_v1_json` answer None: decode such an answer instead.
"""

from __future__ import annotations

from .decode import decode_v1_chunks
from .results import StatementResult

_LINE_HEAD = b'{"results":[{"statement_id":'
_SERIES = b',"series":[{'
_ERROR = b',"error":"'
_COLUMNS = b',"columns":['  # `,"` is never inside a Go string (its quotes are escaped)
_RESULT_PARTIAL = b',"partial":true}]}'  # a line whose result continues in the next
_PARTIAL_ROWS_END = b']}],"partial":true}]}'  # ...its last row whole, no messages after
_ROWS_END = b']}]}]}'  # a line ending its statement: rows, no messages nor error after
_RESULT_HEAD = b'{"statement_id":'


def _lines(body: bytes) -> list[bytes]:
    """The whole lines of a chunked answer (what follows the last newline is not one)."""
    return body.split(b"\n")[:-1]


def _statement_id(line: bytes) -> tuple[int, int] | None:
    """A line's statement id and where what follows it starts, or None for another line."""
    if not line.startswith(_LINE_HEAD):
        return None
    end = len(_LINE_HEAD)
    while end < len(line) and 48 <= line[end] <= 57:
        end += 1
    if end == len(_LINE_HEAD) or end - len(_LINE_HEAD) > 18:
        return None
    return int(line[len(_LINE_HEAD):end]), end


class _Declined(Exception):
    """A shape not spliced here."""


class _Statement:
    """One statement's results merged as 1.x's unchunked answer merges them."""

    def __init__(self, number: int, line: bytes, rest: int) -> None:
        self.number = number
        self.lines = [(line, rest)]

    def add(self, line: bytes, rest: int) -> None:
        if line.startswith(_ERROR, rest):
            self.lines = [(line, rest)]  # 1.x keeps a statement's error, not what came before
        else:
            self.lines.append((line, rest))

    def result(self) -> bytes:
        """The merged result's bytes."""
        if len(self.lines) == 1:
            line = self.lines[0][0]
            if line.endswith(_RESULT_PARTIAL):
                raise _Declined  # a statement left unfinished: not 1.x's usual answer
            return line[len(_LINE_HEAD) - len(_RESULT_HEAD):-2]
        rows: list[bytes] = []
        last_series: bytes | None = None
        for index, (line, rest) in enumerate(self.lines):
            final = index == len(self.lines) - 1
            end = _ROWS_END if final else _PARTIAL_ROWS_END
            if not (line.startswith(_SERIES, rest) and line.endswith(end)):
                raise _Declined
            inside = line[rest + len(_SERIES) - 1:len(line) - len(end) + 2]
            if inside.count(_COLUMNS) != 1:
                raise _Declined  # several series in one result: not read here
            series = inside[:inside.index(_COLUMNS)]  # name and tags: 1.x's SameSeries
            if series == last_series:
                raise _Declined  # 1.x appends these values to the series before
            last_series = series
            rows.append(inside)
        return b'%s%d,"series":[%s]}' % (_RESULT_HEAD, self.number, b",".join(rows))


def unchunk_v1_json(body: bytes) -> bytes | None:
    """The unchunked answer of the chunked 1.x JSON answer `body` (not pretty-printed), or
    None when it holds a shape not spliced here (see the module docstring). Only the bytes
    around each line's results are looked at, never its values."""
    if not body.endswith(b"\n"):
        return None  # 1.x ends every line: anything after the last is not its answer
    statements: list[_Statement] = []
    for line in _lines(body):
        found = _statement_id(line)
        if found is None or not line.endswith(b"}]}"):
            return None
        number, rest = found
        if statements and statements[-1].number == number:
            statements[-1].add(line, rest)
        elif statements and number < statements[-1].number:
            return None
        else:
            statements.append(_Statement(number, line, rest))
    if not statements:
        return None
    try:
        merged = [statement.result() for statement in statements]
    except _Declined:
        return None
    return b'{"results":[' + b",".join(merged) + b"]}\n"


def finished_v1_json(body: bytes, *, epoch: str | None = "ns") -> list[StatementResult]:
    """The statements that had finished in the first part of a chunked 1.x JSON answer (what
    arrived before the request was cut short): the whole lines up to the last one whose
    result is not `partial`, decoded. Which those are is read from each line's end (Go
    writes a result's `partial` last but for its error), so the rows of a statement cut
    short, however many, are not parsed."""
    end = position = 0
    for line in _lines(body):
        position += len(line) + 1
        if not line.endswith(_RESULT_PARTIAL):
            end = position
    return decode_v1_chunks(body[:end], epoch=epoch) if end else []
