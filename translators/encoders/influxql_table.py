"""InfluxQL answers in InfluxDB 3's shape (`/api/v3/query_influxql`): one table per statement.

InfluxDB 3 Core flattens the series of an InfluxQL answer into one table, as its planner
(`iox_query_influxql`, `ProjectionInfo::new`) lays it out: `iox::measurement` first, then `time`,
then the GROUP BY tags not already selected (sorted by name), then the selected columns; rows
stay in series order (measurement, tag set, time). Times are timestamps without a zone, so the
v3 encoders print `1970-01-01T00:00:00.000000001` (no `Z`) and JSON leaves nulls out. It answers
one statement per request ("must provide only one InfluxQl statement per query"); refusing the
others, and failed statements, is the caller's job, before encoding.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate, repeat
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from translators.influxql.results import Series, StatementResult

from . import V3_ENCODERS
from .cells import kind_of
from .influxql_time import columns_of

MEASUREMENT_COLUMN = "iox::measurement"


def _array(values: list[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        # A column whose series disagree on its type (rare in InfluxQL): keep the text.
        return pa.array([None if v is None else _text(v) for v in values], pa.string())


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _python_type(kind: pa.DataType) -> pa.DataType | None:
    """The type `pa.array` infers from the Python values of an array of `kind`, where the
    array cast to it holds the same values (None: leave the column to `_array`)."""
    written = kind_of(kind)  # floats and texts as the v3 text encoders class them
    if written == "float":
        return pa.float64()
    if written == "string":
        return pa.string()
    if pa.types.is_integer(kind) and kind != pa.uint64():  # 2**63 and up do not infer
        return pa.int64()
    if pa.types.is_boolean(kind) or pa.types.is_null(kind):
        return kind
    return None


def _from_arrays(parts: list[pa.Array | int]) -> pa.Array | None:
    """One column from the series' arrays (an int: that many rows without the column), as
    `_array` would build it from their values; None when that needs the values."""
    kinds = {_python_type(p.type) for p in parts
             if not isinstance(p, int) and p.null_count < len(p)}
    if None in kinds or len(kinds) > 1:
        return None
    if not kinds:  # only nulls: pa.array infers the null type
        return pa.nulls(sum(p if isinstance(p, int) else len(p) for p in parts))
    (kind,) = kinds
    return pa.concat_arrays([pa.nulls(p, kind) if isinstance(p, int)
                             else pa.nulls(len(p), kind) if p.null_count == len(p)
                             else p.cast(kind) for p in parts])


def _column(parts: list[pa.Array | list[Any] | int]) -> pa.Array:
    if all(not isinstance(p, list) for p in parts):
        built = _from_arrays(parts)  # type: ignore[arg-type]
        if built is not None:
            return built
    values: list[Any] = []
    for part in parts:
        if isinstance(part, int):
            values.extend(repeat(None, part))
        else:
            values.extend(part if isinstance(part, list) else part.to_pylist())
    return _array(values)


def _repeated(values: list[str | None], counts: list[int]) -> pa.Array:
    """Each value repeated for its series' rows, as one string column."""
    if not counts:
        return pa.array([], pa.string())
    ends = pa.array(accumulate(counts), pa.int64())
    return pc.run_end_decode(pa.RunEndEncodedArray.from_arrays(ends, pa.array(values,
                                                                              pa.string())))


def _times(parts: list[pa.Array | list[Any] | int]) -> pa.Array:
    kind = pa.timestamp("ns")
    arrays = [pa.nulls(p, kind) if isinstance(p, int)
              else pa.array(p, kind) if isinstance(p, list)
              else p.cast(pa.int64()).cast(kind) if pa.types.is_integer(p.type)
              else pa.array(p.to_pylist(), kind) for p in parts]
    return pa.concat_arrays(arrays) if arrays else pa.array([], kind)


def _layout(series: Sequence[Series]) -> tuple[bool, list[str], list[str]]:
    has_time = any(s.has_time for s in series)
    selected: dict[str, None] = {}
    for s in series:
        selected.update(dict.fromkeys(s.columns[1:] if s.has_time else s.columns))
    tag_keys = sorted({k for s in series for k in (s.tags or {})} - selected.keys())
    return has_time, tag_keys, list(selected)


def statement_table(result: StatementResult,
                    first_column: str = MEASUREMENT_COLUMN) -> pa.Table:
    """The statement's series as one Arrow table, in InfluxDB 3's column order. Series held
    as Arrow columns (`Series.arrays`) are laid end to end as they are."""
    if result.error is not None:
        raise ValueError(f"statement {result.statement_id} failed: {result.error}")
    has_time, tag_keys, selected = _layout(result.series)
    counts: list[int] = []
    names: list[str] = []
    tags: dict[str, list[str | None]] = {k: [] for k in tag_keys}
    times: list[pa.Array | list[Any] | int] = []
    columns: dict[str, list[pa.Array | list[Any] | int]] = {c: [] for c in selected}
    for s in result.series:
        count = s.row_count
        if not count:
            continue
        by_position: Sequence[pa.Array | list[Any]] | None = s.arrays or columns_of(s.values)
        if by_position is None:
            raise ValueError(f"series {s.name!r} has rows of different lengths")
        counts.append(count)
        names.append(s.name)
        for key in tag_keys:
            tags[key].append((s.tags or {}).get(key))
        if has_time:
            times.append(by_position[0] if s.has_time else count)
        own = s.columns[1:] if s.has_time else s.columns
        offset = 1 if s.has_time else 0
        for name in selected:
            columns[name].append(by_position[own.index(name) + offset] if name in own
                                 else count)
    arrays: dict[str, pa.Array] = {first_column: _repeated(names, counts)}  # type: ignore[arg-type]
    if has_time:
        arrays["time"] = _times(times)
    for key in tag_keys:
        arrays[key] = _repeated(tags[key], counts)
    for name in selected:
        arrays[name] = _column(columns[name])
    return pa.table(arrays)


def encode_table(result: StatementResult, format_name: str) -> bytes:
    """The statement in one of InfluxDB 3's formats (json, jsonl, csv, parquet, pretty)."""
    return V3_ENCODERS[format_name].encode(statement_table(result))
