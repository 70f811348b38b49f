"""Vectorised line-protocol parsing for blocks of lines with one shape.

A block qualifies when its lines have no quotes, backslashes, comments, tabs or carriage
returns, and the same "skeleton" (the sequence of space, comma and equals separators). Such a
block is rewritten so that every separator is a comma and read by Arrow's C++ CSV reader into
token columns; key columns must then be constant, and each value column is checked and typed
as a whole. Nothing here creates a Python object per value. Anything unexpected returns None,
and the caller sends the block to the line-at-a-time parser instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from .model import FIELD_KEY_SEPARATOR, MAX_KEY_LENGTH, TIME_COLUMN, FieldType, TableChunk
from .precision import Precision, TimestampOutOfRange, scale_array_to_nanos

# Bytes that survive into a line's skeleton: the three separators, plus every byte that rules
# a line out of the fast path (so that a skeleton containing one never matches the pattern).
_SKELETON_KEEP = b' ,=\n"\\#\r\t\x00'
SKELETON_DELETE = bytes(b for b in range(256) if b not in _SKELETON_KEEP)
_TO_COMMAS = bytes.maketrans(b" =", b",,")
_SKELETON = re.compile(rb"((?:,=)*) =((?:,=)*)( ?)")

MAX_KEY_SETS = 64
_BOM = b"\xef\xbb\xbf"
_FLOAT = r"^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_FLOAT_TOKEN = re.compile(rb"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE]-?[0-9]+)?")
_BOOL = pa.array(["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"])
_TRUE = pa.array(["t", "T", "true", "True", "TRUE"])
_BOOL_WORDS = frozenset(_BOOL.to_pylist())


@dataclass(frozen=True, slots=True)
class Shape:
    """Token layout of a skeleton: number of tags, number of fields, timestamp present."""

    tags: int
    fields: int
    timestamp: bool

    @property
    def columns(self) -> int:
        return 1 + 2 * self.tags + 2 * self.fields + int(self.timestamp)


def shape_of(skeleton: bytes) -> Shape | None:
    match = _SKELETON.fullmatch(skeleton)
    if match is None:
        return None
    return Shape(len(match[1]) // 2, 1 + len(match[2]) // 2, bool(match[3]))


def skeleton(body: bytes) -> bytes:
    return body.translate(None, SKELETON_DELETE)


def parse_block(
    data: bytes,
    shape: Shape,
    lines: Sequence[int],
    precision: Precision,
    default_time: int,
) -> list[TableChunk] | None:
    """Parse newline-separated lines that share `shape`; None means "use the slow path"."""
    if data.startswith(_BOM):  # the CSV reader would drop it; 1.x keeps it in the name
        return None
    # Arrow reads "0x10" as an integer, line protocol does not. Without any "x" in the block
    # (a memchr) there is nothing to check; with one, timestamps are read as text and checked.
    hexish = b"x" in data or b"X" in data
    commas = data.translate(_TO_COMMAS)
    ascii_only = data.isascii()  # then no value can be invalid UTF-8: the reader need not check
    names = [f"c{i}" for i in range(shape.columns)]
    types = {name: pa.string() for name in names}
    if shape.timestamp and not hexish:
        types[names[-1]] = pa.int64()
    # Columns whose first value is a float are read as floats straight away; if a later value
    # is not one, the block is read again with every value as text.
    newline = commas.find(b"\n")
    first = (commas if newline < 0 else commas[:newline]).split(b",")
    guessed = dict(types)
    value_start = 2 + 2 * shape.tags
    for index in range(value_start, value_start + 2 * shape.fields, 2):
        if _FLOAT_TOKEN.fullmatch(first[index]):
            guessed[names[index]] = pa.float64()
    tokens = _read(commas, names, guessed, ascii_only) if guessed != types else None
    if tokens is None:
        tokens = _read(commas, names, types, ascii_only)
    if tokens is None or tokens.num_rows != len(lines):
        return None
    plus = b"+" in data  # a leading plus is the one float syntax Arrow takes and LP does not
    key_indexes = [0]
    key_indexes += [1 + 2 * i for i in range(shape.tags)]
    key_indexes += [1 + 2 * shape.tags + 2 * i for i in range(shape.fields)]
    keys = [tokens.column(i) for i in key_indexes]
    if all(_constant(column) for column in keys):
        return _one_series_shape(tokens, shape, lines, precision, default_time, plus, hexish)
    # Several measurements or key sets share the skeleton: split by the joined keys. Many key
    # sets (each line naming other fields) are left to the line-at-a-time path.
    joined = pc.binary_join_element_wise(*keys, "\n")
    encoded = pc.dictionary_encode(joined).combine_chunks()
    if len(encoded.dictionary) > MAX_KEY_SETS:
        return None
    chunks: list[TableChunk] = []
    for code in range(len(encoded.dictionary)):
        rows = pc.indices_nonzero(pc.equal(encoded.indices, code))
        part = _one_series_shape(
            tokens.take(rows),
            shape,
            [lines[i] for i in rows.to_pylist()],
            precision,
            default_time,
            plus,
            hexish,
        )
        if part is None:
            return None
        chunks.extend(part)
    return chunks


def _read(data: bytes, names: list[str], types: dict[str, pa.DataType], ascii_only: bool
          ) -> pa.Table | None:
    # One thread: the reader's own thread pool spent about 2.5x the CPU for a 5,000-line
    # block (its threads wait on each other), CPU the writer thread and other requests need.
    try:
        return pcsv.read_csv(
            pa.py_buffer(data),
            read_options=pcsv.ReadOptions(
                column_names=names, use_threads=False, block_size=1 << 22
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=",", quote_char=False, double_quote=False, escape_char=False
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=types, null_values=[], strings_can_be_null=False,
                check_utf8=not ascii_only,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None


def _constant(column: pa.ChunkedArray) -> bool:
    return len(column) == 0 or pc.all(pc.equal(column, column[0])).as_py()


def _nonempty(column: pa.ChunkedArray) -> bool:
    return pc.min(pc.binary_length(column)).as_py() > 0


def _size_range(column: pa.ChunkedArray) -> tuple[int, int]:
    """The fewest and most bytes a value of the column has."""
    sizes = pc.min_max(pc.binary_length(column))
    return sizes["min"].as_py() or 0, sizes["max"].as_py() or 0


def _one_series_shape(
    tokens: pa.Table,
    shape: Shape,
    lines: Sequence[int],
    precision: Precision,
    default_time: int,
    plus: bool,
    hexish: bool,
) -> list[TableChunk] | None:
    measurement = tokens.column(0)[0].as_py()
    tag_keys = [tokens.column(1 + 2 * i)[0].as_py() for i in range(shape.tags)]
    base = 1 + 2 * shape.tags
    field_keys = [tokens.column(base + 2 * i)[0].as_py() for i in range(shape.fields)]
    names = [measurement, *tag_keys, *field_keys]
    if not all(names) or TIME_COLUMN in tag_keys or TIME_COLUMN in field_keys:
        return None
    if len(set(tag_keys)) != len(tag_keys) or len(set(field_keys)) != len(field_keys):
        return None
    if set(tag_keys) & set(field_keys):
        return None

    columns: dict[str, pa.ChunkedArray] = {}
    if shape.timestamp:
        stamps = tokens.column(shape.columns - 1)
        if hexish:
            if _has_x(stamps):
                return None
            try:
                stamps = pc.cast(stamps, pa.int64())
            except pa.ArrowInvalid:
                return None
        try:
            columns[TIME_COLUMN] = scale_array_to_nanos(stamps, precision)
        except TimestampOutOfRange:
            return None
    else:
        columns[TIME_COLUMN] = pa.repeat(pa.scalar(default_time, pa.int64()), tokens.num_rows)
    # The longest series key a line can have, with its longest field key: past 1.x's limit
    # (its bytes as written: no escapes here), the line-at-a-time path names the lines.
    key_size = len(measurement.encode()) + FIELD_KEY_SEPARATOR
    key_size += max(len(key.encode()) for key in field_keys)
    for i, key in enumerate(tag_keys):
        values = tokens.column(2 + 2 * i)
        shortest, longest = _size_range(values)
        if not shortest:
            return None
        key_size += 2 + len(key.encode()) + longest
        columns[key] = values
    if key_size > MAX_KEY_LENGTH:
        return None
    fields: dict[str, FieldType] = {}
    values = [tokens.column(base + 1 + 2 * i) for i in range(shape.fields)]
    # Columns the CSV reader already read as floats: one finiteness check for all of them
    read = [c for column in values if pa.types.is_floating(column.type) for c in column.chunks]
    if read and not pc.all(pc.is_finite(pa.chunked_array(read, pa.float64()))).as_py():
        return None
    for key, column in zip(field_keys, values, strict=True):
        typed = _type_values(column, plus, hexish)
        if typed is None:
            return None
        fields[key], columns[key] = typed
    table = pa.table(columns)
    return [TableChunk(measurement, table, tuple(sorted(tag_keys)), fields, lines)]


def _all_match(values: pa.ChunkedArray, pattern: str) -> bool:
    return pc.all(pc.match_substring_regex(values, pattern)).as_py()


def _has_x(values: pa.ChunkedArray) -> bool:
    return pc.any(pc.match_substring(values, "x", ignore_case=True)).as_py()


def _type_values(values: pa.ChunkedArray, plus: bool, hexish: bool
                 ) -> tuple[FieldType, pa.ChunkedArray] | None:
    """Type a column of raw field values as a whole, or None if it is mixed or invalid.

    The first value says which type to try; the whole column must then agree. Arrow's casts
    accept exactly the integer syntax of line protocol (digits with an optional minus), but
    for floats they also take "nan", "inf" and a leading "+", which line protocol does not.
    `plus` says whether the block contains a "+" at all.
    """
    if pa.types.is_floating(values.type):  # read as floats by the CSV reader, checked finite
        return (FieldType.FLOAT, values) if not plus else None
    first = values[0].as_py() if len(values) else ""
    if not first or not _nonempty(values):
        return None
    try:
        suffix = first[-1]
        if suffix in "iu":
            if not pc.all(pc.ends_with(values, suffix)).as_py():
                return None
            digits = pc.utf8_slice_codeunits(values, 0, -1)
            if hexish and _has_x(digits):
                return None
            if suffix == "i":
                return FieldType.INTEGER, pc.cast(digits, pa.int64())
            if pc.any(pc.starts_with(digits, "-")).as_py():
                return None
            return FieldType.UNSIGNED, pc.cast(digits, pa.uint64())
        if first in _BOOL_WORDS:
            if pc.all(pc.is_in(values, value_set=_BOOL)).as_py():
                return FieldType.BOOLEAN, pc.is_in(values, value_set=_TRUE)
            return None
        floats = pc.cast(values, pa.float64())
        if not pc.all(pc.is_finite(floats)).as_py():
            return None
        if plus and pc.any(pc.match_substring(values, "+")).as_py() and not _all_match(
            values, _FLOAT
        ):
            return None
        return FieldType.FLOAT, floats
    except pa.ArrowInvalid:  # not numbers, or out of range: let the slow path name the line
        return None
