"""The MessagePack `values` of series held as Arrow columns (`Series.arrays`), by Arrow kernels.

Each cell's bytes are made from the column's own little-endian buffer, viewed as fixed-size
binary and reversed to big-endian, behind the type byte; the cells of a row are joined behind
the row's array header, so Python sees one `bytes` per series. The bytes are what
`influxql_msgpack` packs from the rows:

* integers take msgp's smallest *signed* form (fixint, `d0`..`d3`), unsigned ones past int64
  `cf`; floats `cb` (float64); booleans `c3`/`c2`; nulls `c0`;
* strings take the smallest header (fixstr, `d9`, `da`, `db`) as msgpack's packer writes;
* times are extension type 5 (seconds and nanoseconds, floored), or integers with `epoch`.

A column of any other type leaves its series to the rows (None); so does a big-endian host.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import msgpack
import pyarrow as pa
import pyarrow.compute as pc

from translators.influxql.results import Series

from .influxql_columns import column_groups, joined_rows
from .influxql_time import epoch_array
from .values import is_text

_NULL = pa.scalar(b"\xc0", pa.binary())
_EMPTY = pa.scalar(b"", pa.binary())
_TIME_HEADER = pa.scalar(b"\xc7\x0c\x05", pa.binary())  # ext 8, 12 bytes, type 5
_NANOS = 1_000_000_000
_INT64_MAX = 2**63 - 1
# (lowest, highest, type byte, bytes kept) of each signed integer form; fixints have no type byte.
_INT_FORMS = [(-32, 127, b"", 1), (-128, -33, b"\xd0", 1), (-(2**15), 2**15 - 1, b"\xd1", 2),
              (-(2**31), 2**31 - 1, b"\xd2", 4), (-(2**63), _INT64_MAX, b"\xd3", 8)]
_UNSIGNED = {1: pa.uint8(), 2: pa.uint16(), 4: pa.uint32()}
# (longest, type byte, length bytes) of each string form; fixstr holds its length itself.
_STRING_FORMS: list[tuple[int, bytes | None, int]] = [
    (31, None, 1), (255, b"\xd9", 1), (2**16 - 1, b"\xda", 2), (2**32 - 1, b"\xdb", 4)]


def msgpack_values(many: Sequence[Series], epoch: str | None) -> list[bytes | None]:
    """Each series' packed `values` (an array of row arrays), or None for a series holding a
    column this module does not write."""
    out: list[bytes | None] = [None] * len(many)
    if sys.byteorder != "little":
        return out
    for group in column_groups(many) or ():
        cells = [_time_cells(c, epoch) if p == 0 and group.has_time else _cells(c)
                 for p, c in enumerate(group.columns)]
        if any(c is None for c in cells):
            continue
        header = pa.scalar(msgpack.Packer().pack_array_header(len(cells)), pa.binary())
        rows = pc.binary_join_element_wise(header, *cells, _EMPTY)
        packed = joined_rows(rows, group.counts, _EMPTY).to_pylist()
        for index, count, body in zip(group.members, group.counts, packed, strict=True):
            out[index] = msgpack.Packer().pack_array_header(count) + body
    return out


def _bytes(column: pa.Array, width: int) -> pa.Array:
    """Each value's `width` bytes as they lie in memory (little-endian), nulls kept."""
    view = pa.Array.from_buffers(pa.binary(width), len(column), column.buffers()[:2],
                                 offset=column.offset)
    return view.cast(pa.binary())


def _big_endian(column: pa.Array, width: int) -> pa.Array:
    return pc.binary_reverse(_bytes(column, width))


def _tagged(tag: bytes, cells: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(pa.scalar(tag, pa.binary()), cells, _EMPTY)


def _time_cells(times: pa.Array, epoch: str | None) -> pa.Array | None:
    if not pa.types.is_integer(times.type):
        return None
    if epoch:
        return _int_cells(pc.cast(epoch_array(times, epoch), pa.int64()))
    times = pc.cast(times, pa.int64())
    seconds = pc.divide(times, _NANOS)  # toward zero; floored below, as msgp's time is
    fraction = pc.subtract(times, pc.multiply(seconds, _NANOS))
    before = pc.less(fraction, 0)
    seconds = pc.if_else(before, pc.subtract(seconds, 1), seconds)
    fraction = pc.cast(pc.if_else(before, pc.add(fraction, _NANOS), fraction), pa.uint32())
    cells = pc.binary_join_element_wise(_TIME_HEADER, _big_endian(seconds, 8),
                                        _big_endian(fraction, 4), _EMPTY)
    return pc.fill_null(cells, _NULL)


def _cells(column: pa.Array) -> pa.Array | None:
    kind = column.type
    if pa.types.is_float64(kind):
        cells = _tagged(b"\xcb", _big_endian(column, 8))
    elif pa.types.is_uint64(kind):
        cells = _unsigned_cells(column)
    elif pa.types.is_integer(kind):
        cells = _int_cells(pc.cast(column, pa.int64()))
    elif pa.types.is_boolean(kind):
        cells = pc.if_else(column, pa.scalar(b"\xc3"), pa.scalar(b"\xc2"))
    elif pa.types.is_null(kind):
        cells = pc.cast(column, pa.binary())
    elif is_text(kind):
        cells = _string_cells(pc.cast(column, pa.string()))
    else:
        return None
    return pc.fill_null(cells, _NULL)


def _first_form(conditions: list[pa.Array], make: Callable[[int], pa.Array]) -> pa.Array:
    """Per value, `make(i)`'s cell for the first condition i that holds (the last form's when
    none does); only the forms a column uses are built."""
    used = [i for i, when in enumerate(conditions[:-1]) if pc.any(when).as_py()]
    if not used:
        return make(len(conditions) - 1)
    chosen = pc.make_struct(*(conditions[i] for i in used), field_names=list(map(str, used)))
    return pc.case_when(chosen, *map(make, used), make(len(conditions) - 1))


def _int_cells(column: pa.Array) -> pa.Array:
    little = _bytes(column, 8)

    def make(form: int) -> pa.Array:
        _, _, tag, size = _INT_FORMS[form]
        low = pc.binary_slice(little, 0, size)
        return _tagged(tag, pc.binary_reverse(low) if size > 1 else low)

    return _first_form([pc.fill_null(pc.and_(pc.greater_equal(column, lowest),
                                             pc.less_equal(column, highest)), False)
                        for lowest, highest, _, _ in _INT_FORMS], make)


def _unsigned_cells(column: pa.Array) -> pa.Array:
    large = pc.fill_null(pc.greater(column, pa.scalar(_INT64_MAX, pa.uint64())), False)
    if not pc.any(large).as_py():
        return _int_cells(pc.cast(column, pa.int64()))
    wide = _tagged(b"\xcf", _big_endian(column, 8))  # msgp writes a uint64 past int64
    signed = _int_cells(pc.cast(pc.if_else(large, pa.scalar(0, pa.uint64()), column), pa.int64()))
    return pc.if_else(large, wide, signed)


def _string_cells(column: pa.Array) -> pa.Array:
    lengths = pc.cast(pc.binary_length(column), pa.int64())

    def make(form: int) -> pa.Array:
        _, tag, size = _STRING_FORMS[form]
        if tag is None:  # fixstr: 0xa0 | length, in one byte
            return _bytes(pc.cast(pc.add(lengths, 0xA0), pa.uint8(), safe=False), 1)
        return _tagged(tag, _big_endian(pc.cast(lengths, _UNSIGNED[size], safe=False), size))

    headers = _first_form([pc.fill_null(pc.less_equal(lengths, highest), False)
                           for highest, _, _ in _STRING_FORMS], make)
    return pc.binary_join_element_wise(headers, pc.cast(column, pa.binary()), _EMPTY)
