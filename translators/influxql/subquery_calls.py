"""A parent's calls over a subquery grouped as 1.x's reduce iterators window them, and joined.

Each call of a parent reads the subquery's cursor through reduce iterators of its own: a row
null in the call's column is a nil point it skips, and a nil the cursor answers (a
percentile() window selecting nothing) closes its window once or twice over (`layers`:
median(), spread() and the like reduce once, count(), max() and the like twice). Calls
reading other columns, or through another number of layers, thus answer rows per batches of
their own (`subquery_batches.reduce_batches`); 1.x's cursor then joins the calls' points,
taking at each step the least time among their next points and one point of every call at
that time (`join_calls`). Math over calls windowed apart (`spread(a) - max(a)`) pairs its
operands' points the same way, so each such call is answered as a field of its own and the
math computed on the joined rows (`calls_apart`, `evaluate_apart`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import ast
from .beside import output_tree
from .functions import MATH
from .outputs import evaluate_node
from .results import Series, SeriesKey, series_identity
from .select_list import column_names, field_name, parent_columns, strip_parens
from .select_plan import Node
from .subquery_inner import descending, is_time

#: The calls 1.x reduces a subquery's rows with once, and those it reduces twice (each
#: reduce iterator's partials again).
_ONCE = frozenset({"median", "mode", "stddev", "spread", "percentile", "distinct", "top",
                   "bottom", "sample"})
_TWICE = frozenset({"count", "sum", "min", "max", "first", "last", "mean"})


@dataclass(frozen=True, slots=True)
class CallGroup:
    """Calls of a parent that 1.x's reduce iterators window alike."""

    layers: int  # through how many reduce iterators they read (`SelectPlan.reduce_layers`)
    names: frozenset[str]  # the subquery's columns they read
    fields: frozenset[int]  # the parent's fields (positions) made of them


def call_groups(statement: ast.SelectStatement) -> list[CallGroup]:
    """The parent's calls by how 1.x's reduce iterators window them: 1 layer for median(),
    spread() and the like, 2 for count(), sum(), min(), max(), first(), last() and mean(),
    which reduce each window of the first iterator again. Calls reading other columns are
    apart too, a column's nulls being nil points to its own calls only. Where a field reads
    calls of several groups, one group of them all if they are of one kind (their
    numbering that of a row null in every column they read); none where that is not
    matched: calls of both kinds in one field or of other kinds (math, integral()...),
    ORDER BY time DESC, SLIMIT/SOFFSET, several sources, and under GROUP BY time calls
    reducing twice alone. Under GROUP BY time a window closes at another bucket's point too
    (`subquery_batches.reduce_batches`), and calls reducing twice beside the others answer
    their filled buckets as usual (`filled_apart`)."""
    if (descending(statement)
            or len(statement.sources) != 1 or statement.slimit or statement.soffset):
        return []
    found: dict[tuple[int, frozenset[str]], set[int]] = {}
    apart = True  # every field reads the calls of one group
    for at, item in enumerate(statement.fields):
        keys = set()
        for call in ast.calls(item.expr):
            name = call.name if isinstance(call, ast.Call) else "distinct"
            layers = 1 if name in _ONCE else 2 if name in _TWICE else 0
            if not layers:
                return []
            keys.add((layers, frozenset(v.name for v in ast.var_refs(call))))
        apart = apart and len(keys) == 1
        for key in keys:
            found.setdefault(key, set()).add(at)
    if any(is_time(d) for d in statement.dimensions) and all(
            layers != 1 for layers, _ in found):
        # count(), max() and the like alone under GROUP BY time: 1.x fills their buckets
        # as usual, the statement's own run (beside median() and the like, `filled_apart`)
        return []
    if apart:
        return [CallGroup(layers, names, frozenset(fields))
                for (layers, names), fields in sorted(found.items(),
                                                      key=lambda item: min(item[1]))]
    kinds = {layers for layers, _ in found}
    if len(kinds) != 1:
        return []
    return [CallGroup(kinds.pop(), frozenset(n for _, names in found for n in names),
                      frozenset(range(len(statement.fields))))]


def filled_apart(statement: ast.SelectStatement, group: CallGroup) -> bool:
    """Whether a group's calls answer the parent's own run over the subquery's rows, unbatched:
    under GROUP BY time count(), max() and the like reduce each bucket's windows again into
    one point, and their fill iterator fills the buckets as usual, whatever median() or
    spread() beside them answer per batch."""
    return group.layers == 2 and any(is_time(d) for d in statement.dimensions)


def series_by_key(answers: list[list[Series]]) -> list[list[Series | None]]:
    """The series of several answers grouped by measurement and tag set, in key order: for
    each key, the series of each answer (None where an answer has none)."""
    by_key: dict[SeriesKey, list[Series | None]] = {}
    for at, answer in enumerate(answers):
        for series in answer:
            key = series_identity(series.name, series.tags)
            by_key.setdefault(key, [None] * len(answers))[at] = series
    return [by_key[key] for key in sorted(by_key)]


def join_calls(answers: list[list[Series]], groups: list[CallGroup],
               batched: list[bool], descending: bool = False) -> list[Series]:
    """The parent's series as 1.x's cursor joins its calls' points, from each group's answer
    (the whole statement run over the rows as that group's calls window them; only the
    group's own fields are read from it): by measurement and tag set, at each step the
    least time among the groups' next rows, one row of each group at that time. A row of a
    group whose batches were not cut apart (`batched`) holding no value in its fields is no
    point of its calls. `descending`: the rows run newest first, and the greatest time is
    taken."""
    out = []
    for pieces in series_by_key(answers):
        rows: list[list[list[object]]] = []
        for series, group, cut in zip(pieces, groups, batched, strict=True):
            mine = [] if series is None else series.values
            if not cut:
                mine = [r for r in mine if any(r[f + 1] is not None for f in group.fields)]
            rows.append(mine)
        first = next(s for s in pieces if s is not None)
        width = len(first.columns)
        places = [0] * len(rows)
        joined = []
        while True:
            times = [r[p][0] for r, p in zip(rows, places, strict=True) if p < len(r)]
            if not times:
                break
            time = max(times) if descending else min(times)
            row: list[object] = [time] + [None] * (width - 1)
            for at, (mine, group) in enumerate(zip(rows, groups, strict=True)):
                if places[at] < len(mine) and mine[places[at]][0] == time:
                    for f in group.fields:
                        row[f + 1] = mine[places[at]][f + 1]
                    places[at] += 1
            joined.append(row)
        if joined:
            out.append(Series(first.name, first.columns, joined, first.tags, first.has_time,
                              timezone=first.timezone))
    return out


@dataclass(frozen=True, slots=True)
class CallsApart:
    """A parent whose math reads calls of several `CallGroup`s, as a statement of one field
    per call (`_0`, `_1`...) and each of its own fields as a tree over those calls' values."""

    statement: ast.SelectStatement
    outputs: tuple[Node, ...]
    read: tuple[tuple[str | None, str], ...]  # each field's alias and generated name


def calls_apart(statement: ast.SelectStatement) -> CallsApart | None:
    """The parent split into its calls when a field's math reads calls that 1.x's reduce
    iterators window apart (`spread(a) - max(a)`, `floor(spread(a)), max(a)`): its binary
    expression iterator pairs the two sides' points as the cursor joins fields (by series,
    then the least time, one point of each), a side without a point there being nil. None
    where `call_groups` matches the statement as it stands or not its calls either."""
    if call_groups(statement):
        return None
    index: dict[ast.Expr, int] = {}
    for item in statement.fields:
        parts = _calls_of(item.expr)
        if not parts:
            return None
        for part in parts:
            index.setdefault(part, len(index))
    flat = dataclasses.replace(statement, fields=tuple(
        ast.Field(call, f"_{k}") for call, k in index.items()))
    if len(call_groups(flat)) < 2:
        return None
    return CallsApart(flat, tuple(output_tree(f.expr, index) for f in statement.fields),
                      tuple((f.alias, field_name(f.expr)) for f in statement.fields))


def _calls_of(expr: ast.Expr) -> list[ast.Expr] | None:
    """The calls a field's math reads (math functions and literals aside), or None when it
    reads something else (a field, a tag, time)."""
    expr = strip_parens(expr)
    if isinstance(expr, ast.Call) and expr.name in MATH or isinstance(expr, ast.BinaryExpr):
        operands = expr.args if isinstance(expr, ast.Call) else (expr.lhs, expr.rhs)
        found: list[ast.Expr] = []
        for operand in operands:
            parts = _calls_of(operand)
            if parts is None:
                return None
            found += parts
        return found
    if isinstance(expr, ast.Call | ast.Distinct):
        # a call of a wildcard or regex is a field per field it matches (`abs_a`, `abs_b`)
        return None if _expands(expr) else [expr]
    if isinstance(expr, ast.NumberLiteral | ast.IntegerLiteral | ast.UnsignedLiteral):
        return []
    return None


def _expands(expr: ast.Expr) -> bool:
    """Whether a call reads a wildcard or regex, however deep in its arguments."""
    expr = strip_parens(expr)
    if isinstance(expr, ast.Wildcard | ast.RegexLiteral):
        return True
    if isinstance(expr, ast.Call):
        return any(_expands(a) for a in expr.args)
    if isinstance(expr, ast.BinaryExpr):
        return _expands(expr.lhs) or _expands(expr.rhs)
    return False


def evaluate_apart(answer: list[Series], apart: CallsApart, nested: bool) -> list[Series]:
    """The parent's own fields computed on each joined row of its calls (`answer`), a call
    without a point there being null; `nested`: named as a grandparent reads them."""
    names = (parent_columns([alias or name for alias, name in apart.read]) if nested
             else column_names(apart.read))
    return [Series(series.name, ["time", *names],
                   [[row[0], *(evaluate_node(node, row[1:]) for node in apart.outputs)]
                    for row in series.values],
                   series.tags, series.has_time, timezone=series.timezone)
            for series in answer]
