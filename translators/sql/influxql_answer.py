"""SQL rows rebuilt from a 1.x or 2.x upstream's InfluxQL answer, as a to_influxql
translation describes them (see to_influxql for what is emulated and what is not)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from translators.influxql.results import StatementResult

from .influxdb3 import SqlRejected
from .influxql_translation import Origin, OutputColumn, SqlTranslation, Untranslatable


def check_schema(field_keys: StatementResult, tag_keys: StatementResult,
                 translation: SqlTranslation) -> None:
    """Refuse what 1.x would answer wrongly, knowing the keys `translation.schema` found: a
    table 1.x lacks answers no rows there (an error in SQL), a column the table lacks is NULL
    to 1.x (an error too), 1.x groups by a field as by a tag no point has (all in one group)
    and answers nothing for an aggregate of a tag, where SQL groups by the field's values and
    aggregates the tag's."""
    fields = {row[0] for series in field_keys.series for row in series.values}
    if not fields:  # every point has a field: no fields, no such table
        source = translation.statement.sources[0]
        raise SqlRejected(f"table '{getattr(source, 'name', '')}' not found")
    tags = {row[0] for series in tag_keys.series for row in series.values}
    for name in translation.columns_named:
        if name not in fields and name not in tags:
            raise SqlRejected(f"Schema error: No field named {name}")
    for tag in translation.grouped_tags:
        if tag in fields:
            raise Untranslatable(f"GROUP BY the field '{tag}'")
    for name in translation.aggregated:
        if name not in fields:
            raise Untranslatable(f"an aggregate of the tag '{name}'")


def _typed(values: list[Any], floating: bool = False) -> pa.Array:
    kinds = {type(v) for v in values if v is not None}
    if kinds == {int, float} or (floating and kinds == {int}):
        # 1.x's JSON writes integral floats as integers
        values = [None if v is None else float(v) for v in values]
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def _cell(column: OutputColumn, row: Sequence[Any], tags: Mapping[str, str]) -> Any:
    value = _value(column, row, tags)
    # A group with points but none of the counted column's is a count of 0 in SQL; 1.x
    # answers null beside the other columns of that group's row.
    return 0 if value is None and column.count else value


def _value(column: OutputColumn, row: Sequence[Any], tags: Mapping[str, str]) -> Any:
    if column.origin is Origin.TIME:
        return row[0]
    if column.origin is Origin.TAG:
        return tags.get(column.tag) or None  # 1.x answers "" for a missing tag; SQL, NULL
    if column.origin is Origin.ROW_COUNT:
        return max((v for v in row[column.position:] if type(v) is int), default=0)
    return row[column.position] if column.position < len(row) else None


def _has_points(row: Sequence[Any], presence: int) -> bool:
    """Whether a grouped row stands for some points (see SqlTranslation.presence)."""
    return not presence or any(type(v) is int and v > 0 for v in row[presence:])


def _arrange(rows: list[tuple[Any, list[Any]]], translation: SqlTranslation,
             several: bool) -> list[list[Any]]:
    """Rows, each (its series' tags, its time) then its cells, in the ORDER BY's order (one
    series already is, by time) and cut by OFFSET and LIMIT."""
    if several:
        for key in reversed(translation.order):  # stable sorts, the last key first
            if key.tag is None:
                rows.sort(key=lambda r: r[0][1] or 0, reverse=key.descending)
            else:
                rows.sort(key=_tag_order(key.tag, key.descending, key.nulls_first),
                          reverse=key.descending)
    end = None if translation.limit is None else translation.offset + translation.limit
    return [r[1] for r in rows[translation.offset:end]]


def _tag_order(tag: str, descending: bool, nulls_first: bool) -> Any:
    # A missing tag is "" in 1.x and NULL in SQL; the sort is reversed as a whole when
    # descending, so NULL's rank is flipped with it.
    null_rank = 0 if nulls_first != descending else 1

    def key(row: tuple[Any, list[Any]]) -> tuple[int, str]:
        value = row[0][0].get(tag) or None
        return (null_rank, "") if value is None else (1 - null_rank, value)

    return key


def answer_table(results: Sequence[StatementResult], translation: SqlTranslation) -> pa.Table:
    """The SQL answer rebuilt from the upstream's answer to `translation.influxql`: columns in
    the SQL's order and names, times as timestamp[ns], tags as strings, values typed from the
    data. Raises ValueError with the statement's error if the upstream reported one."""
    series = []
    for result in results:
        if result.error is not None:
            raise ValueError(result.error)
        series.extend(result.series)
    if translation.columns and translation.columns[0].origin is Origin.ALL:
        return _star_table(series, translation)
    columns = translation.columns
    rows = [(((s.tags or {}), row[0] if s.has_time and row else None),
             [_cell(c, row, s.tags or {}) for c in columns])
            for s in series for row in s.values if _has_points(row, translation.presence)]
    if not rows and translation.global_aggregate:
        rows = [(({}, None), [0 if c.count else None for c in columns])]
    cells = _arrange(rows, translation, len(series) > 1)
    arrays = []
    for index, column in enumerate(columns):
        values = [row[index] for row in cells]
        if column.origin is Origin.TIME:
            arrays.append(pa.array(values, pa.timestamp("ns")))
        elif column.origin is Origin.TAG:
            arrays.append(pa.array(values, pa.string()))
        else:
            arrays.append(pa.array(values, pa.int64()) if column.count
                          else _typed(values, column.floating))
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def _star_table(series: list[Any], translation: SqlTranslation) -> pa.Table:
    """SELECT *: every column 1.x answered, sorted by name as InfluxDB 3 lists a table's."""
    names = sorted({name for s in series for name in s.columns})
    rows = []
    for s in series:
        for row in s.values:
            record = dict(zip(s.columns, row, strict=False))
            rows.append(((s.tags or {}, record.get("time")), [record.get(n) for n in names]))
    cells = _arrange(rows, translation, len(series) > 1)
    arrays = [pa.array([r[i] for r in cells], pa.timestamp("ns")) if name == "time"
              else _typed([r[i] for r in cells]) for i, name in enumerate(names)]
    return pa.Table.from_arrays(arrays, names=names)

