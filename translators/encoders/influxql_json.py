"""InfluxQL answers as 1.6.7's `/query` writes JSON: whole, pretty, or one object per chunk.

1.6.7 marshals with Go's encoding/json (Go 1.19), which differs from Python's `json` in ways a
client can see, all reproduced here while leaving the bulk of the work to `json.dumps` (or,
for series held as Arrow columns, to `influxql_json_columns`):

* floats are written as ES6 numbers: `1` not `1.0`, `0.000025` not `2.5e-05`, `1e-7` not
  `1e-07`, `100000000000000000000` up to 1e21, `-0` for negative zero; NaN and ±Inf fail the
  whole body, which becomes Go's error text (status stays 200: the header is already out);
* `<`, `>`, `&`, U+2028 and U+2029 are escaped as `\\u003c`…, and backspace and form feed as
  `\\u0008` and `\\u000c` rather than `\\b` and `\\f`;
* keys appear in Go's struct order, empty members are left out (`omitempty`), tag maps are
  sorted by key, and every body ends with a newline; `pretty=true` indents by four spaces.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from translators.influxql.results import Series, StatementResult

from .gojson import go_escapes, go_float_text, go_json_float_text
from .influxql_chunks import DEFAULT_CHUNK_SIZE, ChunkingMap, merge_chunks, split_chunks
from .influxql_columns import piece_batches
from .influxql_json_columns import values_texts
from .influxql_time import columns_of, time_column

__all__ = ["encode_document", "encode_json", "encode_json_chunks", "encode_json_error",
           "go_float_text", "go_json_float_text", "json_rows", "json_rows_of",
           "result_object", "series_object"]

_MARSHAL_ERROR = ("json: error calling MarshalJSON for type httpd.Response: "
                  "json: error calling MarshalJSON for type *query.Result: "
                  "json: unsupported value: {}")
_TWO_POW_53 = float(2**53)
_FLOATS_AND_NULLS = {float, type(None)}
# Below this many values the Arrow checks' fixed cost (about 25 us) exceeds Python's per value
# (about 0.07 us): short columns, the answers of small dashboard queries, stay in Python.
_BULK_FROM = 400


class UnsupportedFloat(ValueError):
    """A NaN or infinity, which Go's encoding/json refuses; the text is Go's name for it."""


class _Raw:
    """JSON text written verbatim: a float whose Go text Python's `json` cannot produce, or a
    series' values written from its columns."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _json_float(value: float) -> object:
    if not math.isfinite(value):
        raise UnsupportedFloat(go_float_text(value))
    if value.is_integer():
        if abs(value) < _TWO_POW_53 and (value or math.copysign(1.0, value) > 0):
            return int(value)  # the same digits Go writes, without Python's ".0"
        return _Raw(go_json_float_text(value))
    if abs(value) < 1e-4:  # Python switches to an exponent earlier than Go
        return _Raw(go_json_float_text(value))
    return value  # 1e-4 <= |value| < 2**53, not integral: repr is Go's text


def _float_column(column: Sequence[Any]) -> list[Any]:
    return [_json_float(v) if type(v) is float else v for v in column]


def _bulk_float_column(column: Sequence[float | None]) -> Sequence[Any]:
    """`_float_column` for a column of floats and nulls, with the checks done in bulk: only
    the values Python would write differently from Go go through Python code."""
    if len(column) < _BULK_FROM:
        return _float_column(column)
    floats = pa.array(column, pa.float64())
    magnitude = pc.abs(floats)
    integral = pc.equal(pc.floor(floats), floats)
    differs = pc.fill_null(pc.or_(pc.invert(pc.is_finite(floats)),
                                  pc.or_(integral, pc.less(magnitude, 1e-4))), False)
    if not pc.any(differs).as_py():
        return column
    # Integral floats short of 2**53 (zeros aside, for -0) are written as the integer.
    as_int = pc.fill_null(pc.and_(integral, pc.and_(pc.less(magnitude, _TWO_POW_53),
                                                    pc.not_equal(floats, 0.0))), False)
    ints = pc.if_else(as_int, pc.cast(floats, pa.int64(), safe=False), None).to_pylist()
    if pc.all(pc.or_(as_int, pc.is_null(floats))).as_py():
        return ints  # type: ignore[no-any-return]
    rest = pc.indices_nonzero(pc.and_(differs, pc.invert(as_int))).to_pylist()
    out = [v if i is None else i for i, v in zip(ints, column, strict=True)]
    for index in rest:
        out[index] = _json_float(out[index])
    return out


def json_rows(series: Series, epoch: str | None) -> Sequence[Sequence[Any]]:
    """The series' rows ready for `json.dumps`: times rendered, floats in Go's form."""
    return json_rows_of([series], epoch)[0]


def json_rows_of(many: Sequence[Series], epoch: str | None) -> list[Sequence[Sequence[Any]]]:
    """`json_rows` for several series at once: the times of all of them are rendered, and
    their float columns checked, in one pass each (an answer of many one-row series, such as
    a last() per host, would otherwise pay the Arrow calls' overhead per series)."""
    out: list[Sequence[Sequence[Any]]] = [s.values for s in many]
    tables: dict[int, list[Sequence[Any]]] = {}
    for index, series in enumerate(many):
        if series.values:
            columns = columns_of(series.values)
            if columns is None:
                out[index] = [_json_row(series, row, epoch) for row in series.values]
            else:
                tables[index] = columns
    zones: dict[str | None, list[int]] = {}
    for index in tables:
        if many[index].has_time:
            zones.setdefault(many[index].timezone, []).append(index)
    for zone, indexes in zones.items():
        rendered = time_column([t for i in indexes for t in tables[i][0]], epoch, zone)
        _scatter(rendered, [(i, 0) for i in indexes], tables)
    bulk: list[tuple[int, int]] = []
    for index, columns in tables.items():
        for position in range(1 if many[index].has_time else 0, len(columns)):
            kinds = set(map(type, columns[position]))
            if float not in kinds:
                continue
            if kinds <= _FLOATS_AND_NULLS:
                bulk.append((index, position))
            else:
                columns[position] = _float_column(columns[position])
    if bulk:
        _scatter(_bulk_float_column([v for i, p in bulk for v in tables[i][p]]), bulk, tables)
    for index, columns in tables.items():
        out[index] = list(zip(*columns, strict=True))
    return out


def _scatter(values: Sequence[Any], places: list[tuple[int, int]],
             tables: dict[int, list[Sequence[Any]]]) -> None:
    """Cut `values`, the columns at `places` laid end to end, back into those columns."""
    start = 0
    for index, position in places:
        end = start + len(tables[index][position])
        tables[index][position] = values[start:end]
        start = end


def _json_row(series: Series, row: Sequence[Any], epoch: str | None) -> list[Any]:
    out = _float_column(row)
    if series.has_time and out:
        out[0] = time_column([out[0]], epoch, series.timezone)[0]
    return out


def series_object(series: Series, epoch: str | None,
                  rows: Sequence[Sequence[Any]] | None = None) -> dict[str, Any]:
    """models.Row's JSON: every member `omitempty`, in struct order."""
    out: dict[str, Any] = {}
    if series.name:
        out["name"] = series.name
    if series.tags:
        out["tags"] = dict(sorted(series.tags.items()))
    if series.columns:
        out["columns"] = series.columns
    if series.row_count:
        out["values"] = json_rows(series, epoch) if rows is None else rows
    if series.partial:
        out["partial"] = True
    return out


# Fewer rows than this, in all the series of a result, are written as rows: the Arrow kernels'
# fixed cost per call is more than json.dumps spends on them (measured: 1 row 0.16 against
# 0.09 ms, 60 rows 0.18 against 0.14 ms, 360 rows 0.24 against 0.42 ms).
_KERNEL_ROWS = 64

# Written texts of series, by id(), for series still alive (the chunks of one batch).
Written = dict[int, str]


def _values_of(many: Sequence[Series], epoch: str | None, pretty: bool,
               written: Written | None = None) -> list[Any]:
    """Each series' `values` for `series_object`: rows, or the text of series with arrays
    (from `written` when it has them all)."""
    by_columns = [i for i, s in enumerate(many) if s.arrays is not None and s.row_count]
    if sum(many[i].row_count for i in by_columns) < _KERNEL_ROWS and written is None:
        by_columns = []  # a few rows: json.dumps writes them sooner than kernels are set up
    if written is not None and all(id(many[i]) in written for i in by_columns):
        texts: list[str] | None = [written[id(many[i])] for i in by_columns]
    else:
        texts = values_texts([many[i] for i in by_columns], epoch, pretty) if by_columns else None
    if texts is None:  # including a NaN or ±Inf among them: the rows raise 1.6.7's error
        return json_rows_of(many, epoch)
    written = set(by_columns)
    by_rows = [i for i in range(len(many)) if i not in written]
    out: list[Any] = [None] * len(many)
    for index, text in zip(by_columns, texts, strict=True):
        out[index] = _Raw(text)
    for index, rows in zip(by_rows, json_rows_of([many[i] for i in by_rows], epoch),
                           strict=True):
        out[index] = rows
    return out


def result_object(result: StatementResult, epoch: str | None, pretty: bool = False,
                  written: Written | None = None) -> dict[str, Any]:
    """query.Result's JSON: statement_id always, then series, messages, partial, error.
    `pretty` says how the document will be written (series' values may be text already)."""
    out: dict[str, Any] = {"statement_id": result.statement_id}
    if result.series:
        rows = _values_of(result.series, epoch, pretty, written)
        out["series"] = [series_object(s, epoch, r)
                         for s, r in zip(result.series, rows, strict=True)]
    if result.messages:
        out["messages"] = [{"level": m.level, "text": m.text} for m in result.messages]
    if result.partial:
        out["partial"] = True
    if result.error is not None:
        out["error"] = result.error
    return out


def _dumps(document: object, pretty: bool) -> str:
    """json.dumps with Go's escapes, and each `_Raw` spliced in verbatim (indented to its
    place) through a marker string that no value of the document contains (tried until the
    count of markers found matches)."""
    raws: list[str] = []

    def default(value: object) -> object:
        if isinstance(value, _Raw):
            raws.append(value.text)
            return f"{marker}{len(raws) - 1}"
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    def splice(match: re.Match[str]) -> str:
        text = raws[int(match.group(1))]
        if pretty and "\n" in text:
            line = document_text[document_text.rfind("\n", 0, match.start()) + 1:match.start()]
            text = text.replace("\n", "\n" + " " * (len(line) - len(line.lstrip(" "))))
        return text

    for attempt in range(100):
        marker = f"\x00\x1f{attempt}:"
        raws.clear()
        document_text = go_escapes(json.dumps(
            document, ensure_ascii=False, default=default,
            **({"indent": 4} if pretty else {"separators": (",", ":")})))
        if not raws:
            return document_text
        if not pretty:  # no indenting: cut at the markers, without a pattern
            spliced = _spliced(document_text, json.dumps(marker)[:-1], raws)
            if spliced is not None:
                return spliced
            continue
        pattern = re.compile('"' + re.escape(json.dumps(marker)[1:-1]) + r'([0-9]+)"')
        text, found = pattern.subn(splice, document_text)
        if found == len(raws):
            return text
    raise RuntimeError("no free marker for raw values")  # pragma: no cover


def _spliced(text: str, opening: str, raws: list[str]) -> str | None:
    """`text` with each `opening` + N + `"` replaced by raws[N]; None when the count of
    openings is not the count of raws (a value of the document holds the marker)."""
    parts = text.split(opening)
    if len(parts) != len(raws) + 1:
        return None
    out = [parts[0]]
    for part in parts[1:]:
        number, _, rest = part.partition('"')
        out += (raws[int(number)], rest)
    return "".join(out)


def encode_document(document: dict[str, Any], pretty: bool = False) -> bytes:
    """A response object as 1.6.7's jsonFormatter writes it, newline included."""
    text = _dumps(document, pretty) + "\n"
    try:
        return text.encode()
    except UnicodeEncodeError:  # lone surrogates: Go writes U+FFFD for each invalid byte
        return re.sub("[\ud800-\udfff]", "\\\\ufffd", text).encode()


def _response(results: Iterable[StatementResult], epoch: str | None, pretty: bool,
              written: Written | None = None) -> bytes:
    try:
        objects = [result_object(r, epoch, pretty, written) for r in results]
        return encode_document({"results": objects} if objects else {}, pretty)
    except UnsupportedFloat as exc:
        return (_MARSHAL_ERROR.format(exc) + "\n").encode()


def encode_json(results: Sequence[StatementResult], *, epoch: str | None = None,
                pretty: bool = False, chunking: ChunkingMap | None = None) -> bytes:
    """The unchunked `/query` body for `results`."""
    return _response(merge_chunks(results, chunking), epoch, pretty)


def encode_json_chunks(results: Iterable[StatementResult], *,
                       chunk_size: int = DEFAULT_CHUNK_SIZE, epoch: str | None = None,
                       pretty: bool = False, chunking: ChunkingMap | None = None
                       ) -> Iterator[bytes]:
    """The `chunked=true` body, one newline-terminated object per piece."""
    for batch in piece_batches(split_chunks(results, chunk_size, chunking)):
        written = _written(batch, epoch, pretty)
        for piece in batch:
            yield _response([piece], epoch, pretty, written)


def _written(batch: list[StatementResult], epoch: str | None, pretty: bool) -> Written | None:
    many = [s for piece in batch for s in piece.series if s.arrays is not None and s.row_count]
    texts = values_texts(many, epoch, pretty) if len(many) > 1 else None
    return None if texts is None else {id(s): t for s, t in zip(many, texts, strict=True)}


def encode_json_error(message: str, pretty: bool = False) -> bytes:
    """A request-level failure: `{"error":"..."}` and a newline."""
    return encode_document({"error": message}, pretty)
