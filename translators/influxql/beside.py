"""Aggregates beside transformations of raw points, without GROUP BY time.

`SELECT count(x), cumulative_sum(x) FROM m`: 1.x builds one iterator per call and joins them
on time, as its cursor does under GROUP BY time (`cursor.py`). The aggregates answer one row
per series, at the range's lower bound (1970 when there is none; a lone selector too, not at
its point's time), the transformations one row per raw point; LIMIT and OFFSET cut each call
on its own, and a call without a point at a row's time reads the cursor's default (fill's
number, under fill(previous) its last value, otherwise null); math over calls of both kinds
(`count(x) + cumulative_sum(x)`) is computed on each joined row. The gateway answers the two
halves as statements of their own and joins their series here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any, cast

from . import ast
from .cursor import merge, missing_value
from .field_checks import check_fields
from .fill import UNTYPED
from .functions import FLOAT_CALLS, INTEGER_CALLS, MATH, SELECTORS, TRANSFORMS
from .outputs import evaluate_node
from .results import Series
from .select_list import (
    column_names,
    field_name,
    has_aggregate,
    strip_parens,
    wild_innermost,
)
from .select_plan import Lit, Math, Node, Op, PrimRef
from .timerange import split_condition

Select = Callable[[ast.SelectStatement], list[Series]]
Expand = Callable[[ast.SelectStatement], list[ast.Field]]  # calls' wildcards and regexes


@dataclasses.dataclass(frozen=True, slots=True)
class Halves:
    """What each half answers (`aggregates`, `transforms`: the SELECT list's expressions, or
    the parts of one that mixes the two, its time fields left out and calls' wildcards
    expanded), and each column (`outputs`) as a tree over those parts' values, aggregates
    first (`PrimRef(k)`: part k); `names`: the columns' names; `read_names`: the names a
    parent reads them by, never suffixed (`select_list.parent_columns`)."""

    aggregates: tuple[ast.Expr, ...]
    transforms: tuple[ast.Expr, ...]
    outputs: tuple[Node, ...]
    names: tuple[str, ...]
    read_names: tuple[str, ...]


def split(statement: ast.SelectStatement, expand: Expand) -> Halves | None:
    """The halves, when the statement is aggregates beside raw transformations (or math
    over either, or over both: `count(x) + cumulative_sum(x)`, which 1.x computes row by row
    after the join) and nothing else (no raw field, no GROUP BY time). A call of a wildcard
    or regex (`count(*)`, `difference(/co/)`) is one field per field it matches, as 1.x
    expands it (`count_code`, `count_latency`...): `expand` lists them, over the
    statement's measurements (a subquery's parent is asked again over its rows)."""
    if any(_is_time_call(d.expr) for d in statement.dimensions):
        return None
    fields = [f for f in statement.fields if not _is_time_ref(f.expr)]
    found = _classify(fields)
    if found is None or not any(_expands(f.expr) for f in fields):
        return found
    if any(isinstance(s, ast.SubQuery) for s in statement.sources):
        return None
    return _classify([f for f in expand(statement) if not _is_time_ref(f.expr)])


def _classify(fields: list[ast.Field]) -> Halves | None:
    sides: tuple[dict[ast.Expr, int], dict[ast.Expr, int]] = ({}, {})
    found = []
    for item in fields:
        expr = strip_parens(item.expr)
        if _expands(expr) and not _expanding_call(expr):
            return None
        parts = _parts(expr)
        if not parts:
            return None
        for side, part in parts:
            sides[side].setdefault(part, len(sides[side]))
        found.append(expr)
    if not sides[0] or not sides[1]:
        return None
    index = {**sides[0], **{e: len(sides[0]) + k for e, k in sides[1].items()}}
    read = [(f.alias, field_name(f.expr)) for f in fields]
    return Halves(tuple(sides[0]), tuple(sides[1]),
                  tuple(output_tree(e, index) for e in found), tuple(column_names(read)),
                  tuple(alias or name for alias, name in read))


def _parts(expr: ast.Expr) -> list[tuple[int, ast.Expr]] | None:
    """The calls an output reads, each with the half that answers it (0: aggregates, 1:
    transformations of raw points), or None when it reads something neither does (a raw
    field). Math over them is done after the join, as 1.x's cursor does: a call without a
    point at a row's time reads its default first (`count(x) * 2` under fill(3) is 6)."""
    expr = strip_parens(expr)
    if _raw_transform(expr):
        return [(1, expr)]
    if isinstance(expr, ast.BinaryExpr):
        lhs, rhs = _parts(expr.lhs), _parts(expr.rhs)
        return None if lhs is None or rhs is None else lhs + rhs
    if isinstance(expr, ast.Call) and expr.name in MATH:
        found: list[tuple[int, ast.Expr]] = []
        for arg in expr.args:
            parts = _parts(arg)
            if parts is None:
                return None
            found += parts
        return found
    if has_aggregate(expr) and not _reads_raw_transform(expr):
        return [(0, expr)]
    if isinstance(expr, _LITERALS):
        return []
    return None


_LITERALS = (ast.NumberLiteral, ast.IntegerLiteral, ast.UnsignedLiteral)


def output_tree(expr: ast.Expr, index: dict[ast.Expr, int]) -> Node:
    """An output over its parts' values (`index`: each part's position among them), for
    `outputs.evaluate_node`."""
    expr = strip_parens(expr)
    if expr in index:
        return PrimRef(index[expr])
    if isinstance(expr, ast.BinaryExpr):
        return Op(expr.op, output_tree(expr.lhs, index), output_tree(expr.rhs, index))
    if isinstance(expr, ast.Call):
        return Math(expr.name, tuple(output_tree(a, index) for a in expr.args))
    assert isinstance(expr, _LITERALS)
    return Lit(expr.value)


def select_beside(statement: ast.SelectStatement, halves: Halves, select: Select,
                  now: int, stored: Mapping[str, str] | None = None,
                  untyped: frozenset[str] = frozenset()) -> list[Series]:
    """Both halves answered by `select` and joined series by series. `stored`: the kind
    each field and tag is stored as, which types a call that answers no value (None over a
    subquery, whose parent types its calls by their values, but for the columns its
    subqueries leave `untyped`)."""
    check_fields(statement)  # the whole SELECT list's checks (top() beside anything fails)

    def half(parts: tuple[ast.Expr, ...]) -> ast.SelectStatement:
        chosen = tuple(ast.Field(e, f"_{k}") for k, e in enumerate(parts))
        return dataclasses.replace(statement, fields=chosen)

    aggregated = select(half(halves.aggregates))
    transformed = select(half(halves.transforms))
    if _lone_selector(halves.aggregates):
        # 1.x: beside another call a selector answers the range's start, not its point's time
        lower = split_condition(statement.condition, now, statement.timezone)[1].lower
        for found in aggregated:
            found.values = [[lower or 0, *row[1:]] for row in found.values]
    descending = bool(statement.sort_fields) and not statement.sort_fields[0].ascending
    by_key: dict[tuple[str, tuple[str, ...]], list[Series | None]] = {}
    for side, answered in enumerate((aggregated, transformed)):
        for found in answered:
            key = (found.name, tuple((found.tags or {}).values()))
            by_key.setdefault(key, [None, None])[side] = found
    counts = len(halves.aggregates), len(halves.transforms)
    positions = tuple(range(counts[0])), tuple(range(counts[0], sum(counts)))
    kinds = [_kind(part, [row[k + 1] for found in answered for row in found.values], stored,
                   untyped)
             for parts, answered in ((halves.aggregates, aggregated),
                                     (halves.transforms, transformed))
             for k, part in enumerate(parts)]
    if all(isinstance(p, ast.Call) and p.name == "percentile" for p in halves.aggregates):
        counted = select(half(tuple(ast.Call("count", p.args[:1]) for p in halves.aggregates
                                    if isinstance(p, ast.Call))))
        if (walked := _walk_nils(halves, by_key, kinds, statement, counted)) is not None:
            return walked
    out = []
    for key in sorted(by_key, reverse=descending):
        pair = by_key[key]
        known = next(s for s in pair if s is not None)
        streams = [(s.values if s is not None else [], at)
                   for s, at in zip(pair, positions, strict=True)]
        rows = [[time, *(evaluate_node(node, values) for node in halves.outputs)]
                for time, *values in join(streams, kinds, descending, statement.fill,
                                          statement.fill_value)]
        out.append(Series(known.name, ["time", *halves.names], rows, known.tags,
                          has_time=True, timezone=known.timezone))
    return out


def _walk_nils(halves: Halves, by_key: dict[tuple[str, tuple[str, ...]], list[Series | None]],
               kinds: list[str | None], statement: ast.SelectStatement,
               counted: list[Series]) -> list[Series] | None:
    """The joined series when the aggregates are percentile() calls and one selects no point
    of a series holding its field's points (a nil; `counted`: count() of each one's field),
    else None. 1.x's cursor walks every call over all series at once: a call that peeks a
    nil shows nothing for that scan and reads on at the next, so a transformation's row of
    a later series may come first and the percentile's point of an earlier one follow, a
    series answered in pieces (`late_fill._walk`; fuzz 324-1247)."""
    count = len(halves.aggregates)
    held = {(s.name, tuple((s.tags or {}).values())): [v or 0 for v in s.values[0][1:]]
            for s in counted if s.values}
    nils = {(key, k) for key, counts in held.items() for k in range(count) if counts[k]
            and not any(row[k + 1] is not None for row in _rows(by_key.get(key, [None])[0]))}
    if not nils:
        return None
    from .late_fill import Point, _walk  # late_fill imports nothing from here

    descending = bool(statement.sort_fields) and not statement.sort_fields[0].ascending
    keys = sorted(set(by_key) | set(held))  # the walk takes series by position
    streams: dict[int, list[Point | None]] = {k: [] for k in range(len(kinds))}
    for at in (range(len(keys) - 1, -1, -1) if descending else range(len(keys))):
        pair = by_key.get(keys[at], [None, None])
        for k in range(count):
            if (keys[at], k) in nils:
                streams[k].append(None)
            streams[k].extend(Point(at, row[0], row[k + 1]) for row in _rows(pair[0])
                              if row[k + 1] is not None)
        for k in range(count, len(kinds)):
            streams[k].extend(Point(at, row[0], row[k - count + 1]) for row in _rows(pair[1]))
    walker = SimpleNamespace(descending=descending, prims=kinds)
    rows = _walk(cast(Any, walker), streams, lambda at, call, last: missing_value(
        statement.fill, statement.fill_value, kinds[call], last))
    pieces: list[tuple[int, list[list[Any]]]] = []  # runs of one series' rows
    for at, time, values in rows:
        if not pieces or pieces[-1][0] != at:
            pieces.append((at, []))
        pieces[-1][1].append([time, *(evaluate_node(node, values) for node in halves.outputs)])
    out = []
    for at, piece in pieces:
        known = next(s for s in (*by_key.get(keys[at], ()), *counted) if s is not None and (
            s.name, tuple((s.tags or {}).values())) == keys[at])
        out.append(Series(known.name, ["time", *halves.names], piece, known.tags,
                          has_time=True, timezone=known.timezone))
    return out


def _rows(series: Series | None) -> list[list[Any]]:
    return series.values if series is not None else []


def join(streams: list[tuple[list[list[Any]], tuple[int, ...]]], kinds: list[str | None],
         descending: bool, fill: ast.FillOption, fill_value: float | int | None
         ) -> list[list[Any]]:
    """1.x's cursor (`cursor.merge`) over the halves' rows, each column (by position, its
    kind in `kinds`) a stream of its own: a half's columns share their times, so they move
    together, and a column without a point at a row's time reads the cursor's default."""
    columns = {position: [(row[0], row[k + 1]) for row in rows]
               for rows, positions in streams for k, position in enumerate(positions)}
    merged = merge(columns, dict(enumerate(kinds)), descending, fill, fill_value)
    return [[time, *(values[position] for position in range(len(kinds)))]
            for time, values in merged]


def _kind(part: ast.Expr, values: list[Any], stored: Mapping[str, str] | None,
          untyped: frozenset[str] = frozenset()) -> str | None:
    """The numeric kind 1.x's cursor casts fill's number to for a call: by its name
    (`elapsed()` answers integers, `derivative()` floats), else by the values it answered,
    else, for a call without any, by its field's cast or stored kind, as 1.x types calls
    (`difference(b)` of an integer field reads 2 under fill(2.5); `stored`: each field's
    and tag's kind, None over a subquery). A boolean or text call
    reads the number itself (`last(ok)` under fill(2.5) reads 2.5): this cursor casts only
    to numbers."""
    name = part.name if isinstance(part, ast.Call) else None
    if name in FLOAT_CALLS:
        return "float"
    if name in INTEGER_CALLS:
        return "integer"
    for value in values:
        if isinstance(value, bool | str):
            return None
        if isinstance(value, int):
            return "integer"
        if isinstance(value, float):
            return "float"
    target = strip_parens(part.args[0]) if isinstance(part, ast.Call) and part.args else None
    if isinstance(target, ast.VarRef) and target.type in (None, ast.DataType.FIELD) and (
            stored is not None and target.name not in stored or target.name in untyped):
        return UNTYPED  # a field no source knows: 1.x has no type, and no fill, for it
    if isinstance(target, ast.VarRef) and stored is not None:
        kind = target.type if target.type in _NUMERIC else stored.get(target.name)
        return {"float": "float", "integer": "integer", "unsigned": "integer"}.get(kind or "")
    return None


_NUMERIC = (ast.DataType.FLOAT, ast.DataType.INTEGER, ast.DataType.UNSIGNED)


def _raw_transform(expr: ast.Expr) -> bool:
    return (isinstance(expr, ast.Call) and expr.name in TRANSFORMS
            and not has_aggregate(expr))


def _reads_raw_transform(expr: ast.Expr) -> bool:
    return _anywhere(expr, _raw_transform)


def _expands(expr: ast.Expr) -> bool:
    """Whether a field holds a wildcard or regex, which expands into several columns."""
    return _anywhere(expr, lambda e: isinstance(e, ast.Wildcard | ast.RegexLiteral))


def _anywhere(expr: ast.Expr, test: Callable[[ast.Expr], bool]) -> bool:
    """Whether `expr` or a call argument or operand within it (parentheses aside) passes."""
    expr = strip_parens(expr)
    if test(expr):
        return True
    if isinstance(expr, ast.Call):
        return any(_anywhere(a, test) for a in expr.args)
    if isinstance(expr, ast.BinaryExpr):
        return _anywhere(expr.lhs, test) or _anywhere(expr.rhs, test)
    return False


def _expanding_call(expr: ast.Expr) -> bool:
    """A call of a wildcard or regex (`count(*)`, also in a call's first argument:
    `abs(count(*))`), which 1.x expands into one field per field; math over one
    (`count(*) + 1`) it refuses."""
    return isinstance(expr, ast.Call) and wild_innermost(expr) is not None


def _lone_selector(parts: tuple[ast.Expr, ...]) -> bool:
    """Whether the aggregates half is one selector (`_parts` leaves math over it out)."""
    return len(parts) == 1 and isinstance(parts[0], ast.Call) and parts[0].name in SELECTORS


def _is_time_ref(expr: ast.Expr) -> bool:
    expr = strip_parens(expr)
    return isinstance(expr, ast.VarRef) and expr.name.lower() == "time"


def _is_time_call(expr: ast.Expr) -> bool:
    return isinstance(expr, ast.Call) and expr.name == "time"
