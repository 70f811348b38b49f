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
from itertools import repeat
from typing import Any

import pyarrow as pa

from translators.influxql.results import Series, StatementResult

from . import V3_ENCODERS
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


def _layout(series: Sequence[Series]) -> tuple[bool, list[str], list[str]]:
    has_time = any(s.has_time for s in series)
    selected: dict[str, None] = {}
    for s in series:
        selected.update(dict.fromkeys(s.columns[1:] if s.has_time else s.columns))
    tag_keys = sorted({k for s in series for k in (s.tags or {})} - selected.keys())
    return has_time, tag_keys, list(selected)


def statement_table(result: StatementResult,
                    first_column: str = MEASUREMENT_COLUMN) -> pa.Table:
    """The statement's series as one Arrow table, in InfluxDB 3's column order."""
    if result.error is not None:
        raise ValueError(f"statement {result.statement_id} failed: {result.error}")
    has_time, tag_keys, selected = _layout(result.series)
    names: list[str] = []
    times: list[int | None] = []
    tags: dict[str, list[str | None]] = {k: [] for k in tag_keys}
    columns: dict[str, list[Any]] = {c: [] for c in selected}
    for s in result.series:
        count = len(s.values)
        if not count:
            continue
        names.extend(repeat(s.name, count))
        by_position = columns_of(s.values)
        if by_position is None:
            raise ValueError(f"series {s.name!r} has rows of different lengths")
        own = s.columns[1:] if s.has_time else s.columns
        if has_time:
            times.extend(by_position[0] if s.has_time else repeat(None, count))
        for key in tag_keys:
            tags[key].extend(repeat((s.tags or {}).get(key), count))
        offset = 1 if s.has_time else 0
        for name in selected:
            if name in own:
                columns[name].extend(by_position[own.index(name) + offset])
            else:
                columns[name].extend(repeat(None, count))
    arrays: dict[str, pa.Array] = {first_column: pa.array(names, pa.string())}
    if has_time:
        arrays["time"] = pa.array(times, pa.timestamp("ns"))
    for key in tag_keys:
        arrays[key] = pa.array(tags[key], pa.string())
    for name in selected:
        arrays[name] = _array(columns[name])
    return pa.table(arrays)


def encode_table(result: StatementResult, format_name: str) -> bytes:
    """The statement in one of InfluxDB 3's formats (json, jsonl, csv, parquet, pretty)."""
    return V3_ENCODERS[format_name].encode(statement_table(result))
