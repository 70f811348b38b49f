"""SQL rows rebuilt from a 1.x or 2.x upstream's InfluxQL answer, as a to_influxql
translation describes them (see to_influxql for what is emulated and what is not)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from translators.influxql import ast
from translators.influxql.errors import QueryError
from translators.influxql.regex import matcher
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
    types: dict[str, set[str]] = {}
    for series in field_keys.series:
        for row in series.values:
            types.setdefault(row[0], set()).add(str(row[1]) if len(row) > 1 else "")
    fields = set(types)
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
    for call in translation.statement.fields:
        _check_aggregate(call.expr, types)
    if translation.statement.condition is not None:
        for comparison in _comparisons(translation.statement.condition):
            _check_comparison(comparison, types)


# What an InfluxQL literal is, as the refusals name it.
_LITERAL_KINDS: dict[type, str] = {
    ast.StringLiteral: "text", ast.RegexLiteral: "a regular expression",
    ast.BooleanLiteral: "a boolean", ast.IntegerLiteral: "a number",
    ast.NumberLiteral: "a number", ast.UnsignedLiteral: "a number",
}
# The literals 1.x compares a field of each type with as SQL does (a tag takes text alone).
_COMPARABLE = {"float": "a number", "integer": "a number", "unsigned": "a number",
               "string": "text", "boolean": "a boolean"}
_NUMERIC_AGGREGATES = frozenset({"sum", "mean", "median", "stddev", "min", "max"})
_SQL_NAMES = {"mean": "avg"}


def _comparisons(condition: ast.Expr) -> list[ast.BinaryExpr]:
    """The column-and-value comparisons under a condition's ANDs and ORs."""
    if isinstance(condition, ast.ParenExpr):
        return _comparisons(condition.expr)
    if not isinstance(condition, ast.BinaryExpr):
        return []
    if condition.op in (ast.BinaryOp.AND, ast.BinaryOp.OR):
        return _comparisons(condition.lhs) + _comparisons(condition.rhs)
    return [condition] if isinstance(condition.lhs, ast.VarRef) else []


def _check_comparison(comparison: ast.BinaryExpr, types: dict[str, set[str]]) -> None:
    """1.x finds no point where a column is compared with a value of another type (SQL casts
    the value, or refuses), and takes a missing tag for "" (SQL's NULL equals nothing)."""
    name = comparison.lhs.name if isinstance(comparison.lhs, ast.VarRef) else ""
    kind = _LITERAL_KINDS.get(type(comparison.rhs))
    if name == "time" or kind is None:
        return
    if name not in types:  # a tag
        if kind not in ("text", "a regular expression"):
            raise Untranslatable(f"the tag '{name}' compared with {kind}")
        if comparison.op is ast.BinaryOp.EQ and comparison.rhs == ast.StringLiteral(""):
            raise Untranslatable(f"the tag '{name}' compared with ''")
        if (comparison.op is ast.BinaryOp.EQREGEX and isinstance(comparison.rhs, ast.RegexLiteral)
                and _may_match_empty(comparison.rhs.pattern)):
            raise Untranslatable(f"a regular expression matching '' on the tag '{name}'")
        return
    if isinstance(comparison.rhs, ast.UnsignedLiteral) and types[name] != {"unsigned"}:
        # 1.x reads a number past int64 as its 64 bits, wrapped (2**64 - 1 is -1)
        field_type = " or ".join(sorted(types[name]))
        raise Untranslatable(f"the {field_type} field '{name}' compared with "
                             f"{comparison.rhs.value}")
    wanted = {_COMPARABLE.get(t, "") for t in types[name]}
    if kind == "a regular expression":
        kind = "text"
    if wanted != {kind}:
        field_type = " or ".join(sorted(types[name]))
        raise Untranslatable(f"the {field_type} field '{name}' compared with {kind}")


def _may_match_empty(pattern: str) -> bool:
    """Whether an RE2 pattern matches '' (a point without the tag, to 1.x); one RE2 refuses is
    taken to match (1.x refuses it too)."""
    try:
        return matcher(pattern).search("") is not None
    except QueryError:
        return True


def _check_aggregate(expr: ast.Expr, types: dict[str, set[str]]) -> None:
    """1.x sums, averages and orders numbers alone; DataFusion also takes min and max of
    text and booleans."""
    for call in ast.calls(expr):
        if not isinstance(call, ast.Call) or call.name not in _NUMERIC_AGGREGATES:
            continue
        for ref in call.args:
            kinds = types.get(ref.name, set()) if isinstance(ref, ast.VarRef) else set()
            if kinds - {"float", "integer", "unsigned"}:
                function = _SQL_NAMES.get(call.name, call.name)
                field_type = " or ".join(sorted(kinds))
                raise Untranslatable(f"{function} of the {field_type} field '{ref.name}'")


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

