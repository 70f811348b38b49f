"""The JSON `values` of series held as Arrow columns (`Series.arrays`), written by Arrow kernels.

A large answer (100 hosts x 288 buckets) spends most of its encoding time turning Python rows
into JSON. Series the engine shaped a column at a time skip that: every column of every such
series is written as JSON text at once, the cells of a row joined, and the rows of a series
joined, all in Arrow, so Python sees one string per series. The text is what `json.dumps` of
the rows writes after `influxql_json`'s Go rules, byte for byte:

* Arrow's shortest float text is Go's within [1e-6, 1e10) and for zeros (`1`, `0.000025`,
  `-0`); the few floats outside that range are written by `go_json_float_text`;
* strings are quoted with `\\` and `"` escaped; the rare ones holding a control character or
  one of Go's HTML escapes are written by `go_json_string`;
* a NaN or an infinity, or a column of a type not listed here, gives up (None): the caller
  then writes the rows as before, which reproduces 1.6.7's error for the whole body.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import accumulate

import pyarrow as pa
import pyarrow.compute as pc

from translators.influxql.results import Series

from .gojson import go_json_float_text, go_json_string
from .influxql_columns import column_groups
from .influxql_time import epoch_array, rfc3339_stem, rfc3339_text, zoned_times
from .values import is_text

# Where Arrow's float text (double-conversion's shortest, no exponent) is Go's.
_ARROW_LOW, _ARROW_HIGH = 1e-6, 1e10
# Characters that json.dumps escapes as \uXXXX or \n..., or that Go escapes for HTML.
_SPECIAL = r"[\x00-\x1f<>&\x{2028}\x{2029}]"


def values_texts(many: Sequence[Series], epoch: str | None,
                 pretty: bool = False) -> list[str] | None:
    """The JSON text of each series' `values` (all given with arrays and rows), or None when
    one of them holds a value this module does not write. Pretty text is indented as if the
    `values` key started its line unindented: the caller indents it to its place."""
    groups = column_groups(many, by_zone=True)
    if groups is None:
        return None
    out = [""] * len(many)
    for group in groups:
        columns = group.columns
        cells: list[list[pa.Array | str]] = []
        if group.has_time:
            time = _time_cells(columns[0], epoch, group.timezone, len(group.members) > 1)
            if time is None:
                return None
            cells.append(time)
            columns = columns[1:]
        texts = _cells_by_type(columns)
        if texts is None:
            return None
        cells.extend([text] for text in texts)
        for index, text in zip(group.members, _joined(cells, group.counts, pretty),
                               strict=True):
            out[index] = text
    return out


# Each row's text before and after its cells, and between cells; and the text around the
# rows of a series.
_ROW = {False: ("[", "],", ","), True: ("[\n        ", "\n    ],\n    ", ",\n        ")}
_SERIES = {False: ("[", "]"), True: ("[\n    ", "\n]")}


def _joined(cells: list[list[pa.Array | str]], counts: list[int], pretty: bool) -> list[str]:
    """Each series' rows as one JSON array, in one Arrow call: every row is written with
    its brackets and the comma after it, so the rows of a series lie end to end in the
    result's data buffer and are cut from it (the last row's comma left out) rather than
    joined again. `cells`: each cell's pieces, arrays of text and the scalar text between
    them (`_time_text`)."""
    before, after, between = _ROW[pretty]
    opening, closing = _SERIES[pretty]
    parts: list[pa.Array | str] = [before]
    for index, pieces in enumerate(cells):
        parts.extend([between, *pieces] if index else pieces)
    parts.append(after)
    rows = pc.binary_join_element_wise(*parts, "")
    data = rows.buffers()[2]
    offsets = memoryview(rows.buffers()[1]).cast("q" if pa.types.is_large_string(rows.type)
                                                 else "i")
    trailing = len(after) - len(after.rstrip(" \n,"))  # the text between two rows' brackets
    out = []
    start = rows.offset
    for count in counts:
        first, last = offsets[start], offsets[start + count]
        body = b"" if data is None or not count else data[first:last - trailing].to_pybytes()
        out.append(opening + body.decode() + closing)
        start += count
    return out


def _time_cells(times: pa.Array, epoch: str | None, zone: str | None,
                several: bool) -> list[pa.Array | str] | None:
    """The time cells' pieces (`_joined`). `several`: the times of several series, which
    may hold the same buckets again."""
    if not pa.types.is_integer(times.type):
        return None
    if several:
        distinct = pc.dictionary_encode(times)
        if len(distinct.dictionary) * 2 <= len(times):  # GROUP BY time: the same buckets again
            pieces = _time_text(distinct.dictionary, epoch, zone)
            text = pieces[0] if len(pieces) == 1 else pc.binary_join_element_wise(*pieces, "")
            return [_nulls_written(pc.take(text, distinct.indices))]
    return _time_text(times, epoch, zone)


def _time_text(times: pa.Array, epoch: str | None, zone: str | None) -> list[pa.Array | str]:
    """The pieces of each time's JSON text: an array, with the text around it as scalars
    (written by the one call that joins a row's cells) where no time is null."""
    if epoch:
        return [_nulls_written(pc.cast(epoch_array(times, epoch), pa.string()))]
    if zone:
        text = pa.array(zoned_times(times.to_pylist(), zone), pa.string())
        if not times.null_count:
            return ['"', text, '"']
        return [_nulls_written(pc.binary_join_element_wise('"', text, '"', ""))]
    if not times.null_count:
        return ['"', rfc3339_stem(times), 'Z"']
    return [_nulls_written(rfc3339_text(times, quoted=True))]


def _nulls_written(text: pa.Array) -> pa.Array:
    # each Arrow call costs microseconds even with nothing to do: most columns have no nulls
    return pc.fill_null(text, "null") if text.null_count else text


def _cells_by_type(columns: list[pa.Array]) -> list[pa.Array] | None:
    """Each column's cells. Columns of one type (the ten floats of a `SELECT *`) are written
    end to end in one pass and cut apart again: an Arrow call costs microseconds whatever its
    length, and a float column takes about a dozen."""
    positions: dict[pa.DataType, list[int]] = {}
    for position, column in enumerate(columns):
        positions.setdefault(column.type, []).append(position)
    out: list[pa.Array] = [None] * len(columns)  # type: ignore[list-item]
    for kind, same in positions.items():
        if len(same) == 1 or pa.types.is_dictionary(kind):  # dictionaries differ per column
            pieces = [_cells(columns[p]) for p in same]
        else:
            pieces = _cut(_cells(pa.concat_arrays([columns[p] for p in same])),
                          [len(columns[p]) for p in same])
        for position, text in zip(same, pieces, strict=True):
            if text is None:
                return None
            out[position] = text
    return out


def _cut(text: pa.Array | None, lengths: list[int]) -> list[pa.Array | None]:
    if text is None:
        return [None] * len(lengths)
    starts = accumulate(lengths, initial=0)  # one more than lengths: the end
    return [text.slice(start, length) for start, length in zip(starts, lengths, strict=False)]


def _cells(column: pa.Array) -> pa.Array | None:
    kind = column.type
    if pa.types.is_float64(kind):
        text = _float_cells(column)
    elif pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind):
        text = pc.cast(column, pa.string())  # Arrow writes `true`, `-12`... as json does
    elif is_text(kind):
        text = _string_cells(pc.cast(column, pa.string()))
    else:
        return None
    return None if text is None else _nulls_written(text)


def _float_cells(column: pa.Array) -> pa.Array | None:
    # the common case in three Arrow calls, not eleven: every value finite (a NaN or ±Inf
    # makes the sum one, as does a sum past the largest float) and, the column's values all
    # of one sign, within Arrow's range (a zero takes the longer way)
    total = pc.sum(column).as_py()
    if total is None:  # nothing but nulls
        return pc.cast(column, pa.string())
    if math.isfinite(total):
        least, most = (v.as_py() for v in pc.min_max(column).values())
        if _ARROW_LOW <= least and most < _ARROW_HIGH or (
                -_ARROW_HIGH < least and most <= -_ARROW_LOW):
            return pc.cast(column, pa.string())
    magnitude = pc.abs(column)
    if math.isfinite(total):  # of both signs: their magnitudes decide
        least, most = (v.as_py() for v in pc.min_max(magnitude).values())
        if _ARROW_LOW <= least and most < _ARROW_HIGH:
            return pc.cast(column, pa.string())
    if pc.all(pc.is_finite(column)).as_py() is False:
        return None  # NaN or ±Inf: the caller reproduces 1.6.7's marshalling error
    text = pc.cast(column, pa.string())
    elsewhere = pc.fill_null(pc.or_(
        pc.greater_equal(magnitude, _ARROW_HIGH),
        pc.and_(pc.less(magnitude, _ARROW_LOW), pc.not_equal(column, 0.0))), False)
    if pc.any(elsewhere).as_py():
        fixed = [go_json_float_text(v) for v in pc.filter(column, elsewhere).to_pylist()]
        text = pc.replace_with_mask(text, elsewhere, pa.array(fixed, pa.string()))
    return text


def _string_cells(column: pa.Array) -> pa.Array:
    quoted = pc.replace_substring(pc.replace_substring(column, "\\", "\\\\"), '"', '\\"')
    quoted = pc.binary_join_element_wise('"', quoted, '"', "")
    special = pc.fill_null(pc.match_substring_regex(column, _SPECIAL), False)
    if pc.any(special).as_py():
        fixed = [go_json_string(v) for v in pc.filter(column, special).to_pylist()]
        quoted = pc.replace_with_mask(quoted, special, pa.array(fixed, pa.string()))
    return quoted
