"""InfluxQL answers as 1.6.7's `/query` writes CSV (`Accept: application/csv` or `text/csv`).

1.6.7's csvFormatter, observed on the wire:

* each statement starts with a header `name,tags,<columns...>`; a blank line goes before every
  statement but the first written, and before a new header when a series' columns differ from
  the previous series' in the same result;
* statements without series are skipped, and so are per-statement errors: only a request-level
  error is written (`error` then the message);
* `tags` is the series key's tag part (`host=a,region=eu`, sorted, empty values left out, `,`
  `=` and space escaped with a backslash); times are integers (nanoseconds, or `epoch` units
  truncated toward zero), floats never use an exponent (`1000000000000000000000`, `-0`),
  booleans are `true`/`false`, nulls are empty;
* fields are quoted as Go's encoding/csv does: when they hold `"`, `,`, CR or LF, start with
  white space, or are exactly `\\.`; lines end with LF.

The state (last statement, current header) lives across the chunks of one response, as the Go
formatter's does, so a chunk continuing a statement repeats no header.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any

from translators.influxql.results import Series, StatementResult

from .influxql_chunks import DEFAULT_CHUNK_SIZE, ChunkingMap, merge_chunks, split_chunks
from .influxql_columns import piece_batches
from .influxql_csv_columns import GO_SPACES, QUOTE_CHARACTERS, csv_field, csv_lines
from .influxql_json import go_float_text
from .influxql_time import columns_of, epoch_times


def _text_column(column: Sequence[str]) -> Sequence[str]:
    joined = "\x00".join(column)
    if (not any(s in joined for s in QUOTE_CHARACTERS) and "\\." not in joined
            and not GO_SPACES.intersection(v[:1] for v in column)):
        return column  # nothing to quote: the common case, checked in bulk
    return [csv_field(v) for v in column]


def _raw_cell(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        return go_float_text(value)
    return str(value)


def _cell(value: Any) -> str:
    return csv_field(_raw_cell(value))


def _int_column(column: Sequence[Any]) -> list[str]:
    return ["" if v is None else str(v) for v in column]


def _format_column(column: Sequence[Any]) -> Sequence[str]:
    kinds = set(map(type, column))
    if kinds == {str}:
        return _text_column(column)
    if kinds <= {int, type(None)}:
        return _int_column(column)
    if kinds <= {float, type(None)}:
        return ["" if v is None else go_float_text(v) for v in column]
    return [_cell(v) for v in column]


def _escape_tag(text: str) -> str:
    return text.replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def tags_field(tags: dict[str, str] | None) -> str:
    """The series key's tag part, as models.Tags.HashKey() writes it (without the name)."""
    if not tags:
        return ""
    return ",".join(f"{_escape_tag(k)}={_escape_tag(v)}"
                    for k, v in sorted(tags.items()) if k and v)


# CSV lines already written, by id() of series still alive (the chunks of one batch).
Written = dict[int, str]


class CsvWriter:
    """1.6.7's csvFormatter for one response: feed it the response's results, chunk by chunk."""

    def __init__(self, epoch: str | None = None) -> None:
        self.epoch = epoch
        self._statement_id = -1
        # Go reuses one record for the header and every row: a shorter row keeps the tail of
        # whatever was there before. Reproduced for the rare rows narrower than the header.
        self._record: list[str] = []

    def _header(self, out: list[str], columns: list[str]) -> None:
        self._record = ["name", "tags", *columns]
        out.append(",".join(map(csv_field, self._record)) + "\n")

    def _rows(self, out: list[str], series: Series, written: Written) -> None:
        if not series.row_count:
            return
        text = written.get(id(series))
        if text is not None and len(series.columns) == len(self._record) - 2:
            out.append(text)
            last = [a[-1].as_py() for a in series.arrays or ()]
            if series.has_time and last[0] is not None:
                last[0] = epoch_times(last[:1], self.epoch)[0]
            self._record = [series.name, tags_field(series.tags), *map(_raw_cell, last)]
            return
        values = series.values
        columns: list[Sequence[Any]] | None = columns_of(values)  # type: ignore[assignment]
        if columns is None or len(columns) != len(self._record) - 2:
            self._ragged_rows(out, series)
            return
        if series.has_time:
            columns[0] = epoch_times(columns[0], self.epoch)
        cells = [_format_column(c) for c in columns]
        self._record = [series.name, tags_field(series.tags), *(_raw_cell(c[-1]) for c in columns)]
        name, tags = csv_field(series.name), csv_field(tags_field(series.tags))
        out.append("\n".join(map(",".join, zip(repeat(name), repeat(tags), *cells))) + "\n")

    def _ragged_rows(self, out: list[str], series: Series) -> None:
        record = self._record
        record[:2] = [series.name, tags_field(series.tags)]
        for row in series.values:
            if len(row) + 2 > len(record):  # Go would panic here; widen instead
                record.extend([""] * (len(row) + 2 - len(record)))
            for index, value in enumerate(row):
                if index == 0 and series.has_time and value is not None:
                    value = epoch_times([value], self.epoch)[0]
                record[index + 2] = _raw_cell(value)
            out.append(",".join(map(csv_field, record)) + "\n")

    def lines(self, results: Iterable[StatementResult]) -> Written:
        """The lines of the results' series held as Arrow columns, by id(), to give `write`
        (for the chunks of one batch: one pass per column for them all)."""
        many = [s for r in results for s in r.series if s.arrays is not None and s.row_count]
        prefixes = [f"{csv_field(s.name)},{csv_field(tags_field(s.tags))}" for s in many]
        texts = csv_lines(many, prefixes, self.epoch)
        return {id(s): t for s, t in zip(many, texts, strict=True) if t is not None}

    def write(self, results: Sequence[StatementResult],
              written: Written | None = None) -> bytes:
        """The CSV text 1.6.7 writes for one response (or one chunk of it)."""
        if written is None:
            written = self.lines(results)
        out: list[str] = []
        for result in results:
            if result.statement_id != self._statement_id:
                if not result.series:
                    continue
                if self._statement_id >= 0:
                    out.append("\n")
                self._statement_id = result.statement_id
                self._header(out, result.series[0].columns)
            for index, series in enumerate(result.series):
                if index > 0 and result.series[index - 1].columns != series.columns:
                    out.append("\n")
                    self._header(out, series.columns)
                self._rows(out, series, written)
        return "".join(out).encode()


def encode_csv(results: Sequence[StatementResult], *, epoch: str | None = None,
               chunking: ChunkingMap | None = None) -> bytes:
    """The unchunked `/query` CSV body for `results`."""
    return CsvWriter(epoch).write(merge_chunks(results, chunking))


def encode_csv_chunks(results: Iterable[StatementResult], *,
                      chunk_size: int = DEFAULT_CHUNK_SIZE, epoch: str | None = None,
                      chunking: ChunkingMap | None = None) -> Iterator[bytes]:
    """The `chunked=true` CSV body, piece by piece (a piece may be empty)."""
    writer = CsvWriter(epoch)
    for batch in piece_batches(split_chunks(results, chunk_size, chunking)):
        written = writer.lines(batch)
        for piece in batch:
            yield writer.write([piece], written)


def encode_csv_error(message: str) -> bytes:
    """A request-level failure: a one-field header `error`, then the message."""
    return f"error\n{csv_field(message)}\n".encode()
