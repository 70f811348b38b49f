"""Which tag sets SLIMIT and SOFFSET pick on a sharded read, counted as 1.x's index counts them.

1.6.7 pages the tag sets its index holds for the measurement (in the shard groups the time
range reaches, filtered by the tag comparisons of WHERE), before it reads a point: a series
without a point in the time range still takes its place, and its page may come out shorter.
The merged answers of the shards only show series that have rows, so the shards are also asked
`SHOW SERIES` over the same sources and time range (`index_statement`), and `paged_tag_sets`
evaluates the WHERE clause's tag comparisons on those keys, as the index does: a comparison
on a field (or a name that is no tag key of the measurement) keeps every series.

1.x pages each shard group apart; the shards' keys are pooled here, which equals 1.x when the
time range lies within one shard group (7 days under autogen).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from . import ast
from .regex import matcher
from .results import Series
from .timerange import TimeConditionError, span_condition, split_condition

Tags = dict[str, str]


@dataclass(frozen=True, slots=True)
class IndexRequest:
    """What the shards are asked for one statement, and the tag condition to apply after."""

    statement: ast.ShowSeries
    condition: ast.Expr | None  # WHERE without its time comparisons


def index_statement(statement: ast.SelectStatement, now: int) -> IndexRequest | None:
    """SHOW SERIES over the sources and time range of a SELECT that pages series, or None
    when it pages none or its time range is invalid (the shards word that error)."""
    if not (statement.slimit or statement.soffset):
        return None
    sources = tuple(s for s in statement.sources if isinstance(s, ast.Measurement))
    if len(sources) != len(statement.sources):
        return None
    try:
        rest, span = split_condition(statement.condition, now, statement.timezone)
    except TimeConditionError:
        return None
    condition = span_condition(span.lower, span.upper)
    database = next((s.database for s in sources if s.database), None)
    show = ast.ShowSeries(database=database, condition=condition, sources=tuple(
        ast.Measurement(name=s.name, regex=s.regex, retention_policy=s.retention_policy)
        for s in sources))
    return IndexRequest(show, rest)


def paged_tag_sets(statement: ast.SelectStatement, request: IndexRequest,
                   keys: Iterable[str]) -> dict[str, set[bytes]]:
    """Per measurement, the tag-set keys (`tag_set_key`) SLIMIT/SOFFSET leave of the series
    `keys` the shards listed."""
    measurements: dict[str, list[Tags]] = {}
    for key in keys:
        name, tags = parse_series_key(key)
        measurements.setdefault(name, []).append(tags)
    grouped = groups_by(statement.dimensions)
    return {name: page_tag_sets(series, lambda tags: {k: v for k, v in tags.items()
                                                      if grouped(k)},
                                request.condition, statement.slimit, statement.soffset)
            for name, series in measurements.items()}


def page_tag_sets(series: list[Tags], grouped: Callable[[Tags], Tags],
                  condition: ast.Expr | None, slimit: int, soffset: int) -> set[bytes]:
    """The tag-set keys SLIMIT/SOFFSET leave of one measurement's indexed `series` (WHERE's
    tag comparisons applied as the index applies them): tag-set keys sorted, then cut (under
    ORDER BY time DESC too). SOFFSET without SLIMIT leaves none (1.x's LimitTagSets)."""
    if not slimit:
        return set()
    sets = sorted({tag_set_key(grouped(tags)) for tags in kept_series(series, condition)})
    return set(sets[soffset:soffset + slimit])


def kept_series(series: list[Tags], condition: ast.Expr | None) -> list[Tags]:
    """The indexed `series` WHERE's tag comparisons keep, as the index applies them."""
    if condition is None:
        return series
    tag_keys = {k for tags in series for k in tags}
    return [tags for tags in series if _holds(condition, tags, tag_keys)]


def page_answered(series: Sequence[Series], slimit: int, soffset: int) -> dict[str, set[bytes]]:
    """Per measurement, the tag sets SLIMIT/SOFFSET leave when no index can be read: the
    answered series counted as the index would count them (`page_tag_sets`)."""
    measurements: dict[str, list[Tags]] = {}
    for s in series:
        measurements.setdefault(s.name, []).append(s.tags or {})
    return {name: page_tag_sets(tags, lambda t: t, None, slimit, soffset)
            for name, tags in measurements.items()}


def keep_paged(series: list[Series], paged: dict[str, set[bytes]],
               grouped: Callable[[str], bool] | None = None) -> list[Series]:
    """The series whose tag sets SLIMIT/SOFFSET left, `paged` holding them per measurement.
    `grouped`: the tag keys the page is keyed by when they are not all the series' own (a
    subquery is paged by its parent's GROUP BY, `subquery.py`)."""
    keeps = paged_keeps(paged, grouped)
    return [s for s in series if keeps(s.name, s.tags or {})]


def paged_keeps(paged: dict[str, set[bytes]], grouped: Callable[[str], bool] | None = None
                ) -> Callable[[str, Tags], bool]:
    """Whether `paged` keeps a series of a measurement with tags (`keep_paged` for one)."""
    def keeps(name: str, tags: Tags) -> bool:
        kept = {k: v for k, v in tags.items() if grouped is None or grouped(k)}
        return tag_set_key(kept) in paged.get(name, ())

    return keeps


def tag_set_key(tags: Tags) -> bytes:
    """The key 1.x sorts tag sets by before it applies SLIMIT/SOFFSET (tsdb.MakeTagsKey): the
    grouped tag keys the series has, then their values, all joined by '|'. A tag the series
    lacks (answered as "") is left out, so `GROUP BY host, region` picks host=h6 without a
    region ('host|h6') before host=h0 in region us ('host|region|h0|us')."""
    present = sorted((k, v) for k, v in tags.items() if v != "")
    return "|".join([k for k, _ in present] + [v for _, v in present]).encode()


def parse_series_key(key: str) -> tuple[str, Tags]:
    """`cpu,host=a\\,b` as ("cpu", {"host": "a,b"}): line protocol's escapes undone."""
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(key):
        char = key[index]
        if char == "\\" and index + 1 < len(key):
            current.append(key[index:index + 2])
            index += 2
            continue
        if char == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    tags: Tags = {}
    for part in parts[1:]:
        name, _, value = _split_unescaped(part)
        tags[_unescape(name)] = _unescape(value)
    return _unescape(parts[0]), tags


def _split_unescaped(part: str) -> tuple[str, str, str]:
    index = 0
    while index < len(part):
        if part[index] == "\\":
            index += 2
            continue
        if part[index] == "=":
            return part[:index], "=", part[index + 1:]
        index += 1
    return part, "", ""


def _unescape(text: str) -> str:
    return re.sub(r"\\([,= \\])", r"\1", text)


def groups_by(dimensions: Sequence[ast.Dimension]) -> Callable[[str], bool]:
    """Whether GROUP BY takes in a tag key: by its name, a regex it matches, or `*`."""
    exprs = [d.expr for d in dimensions]
    if any(isinstance(e, ast.Wildcard) for e in exprs):
        return lambda key: True
    named = {e.name for e in exprs if isinstance(e, ast.VarRef)}
    patterns = [matcher(e.pattern) for e in exprs if isinstance(e, ast.RegexLiteral)]
    return lambda key: key in named or any(p.search(key) for p in patterns)


def _holds(expr: ast.Expr, tags: Tags, tag_keys: Collection[str]) -> bool:
    """Whether 1.x's index keeps a series with `tags` for this condition: comparisons on
    tags are evaluated, anything else keeps every series (it filters points, not series)."""
    match expr:
        case ast.ParenExpr(inner):
            return _holds(inner, tags, tag_keys)
        case ast.BinaryExpr(ast.BinaryOp.AND, lhs, rhs):
            return _holds(lhs, tags, tag_keys) and _holds(rhs, tags, tag_keys)
        case ast.BinaryExpr(ast.BinaryOp.OR, lhs, rhs):
            return _holds(lhs, tags, tag_keys) or _holds(rhs, tags, tag_keys)
        case ast.BinaryExpr(op, lhs, rhs):
            if not isinstance(lhs, ast.VarRef):
                lhs, rhs = rhs, lhs
            if not isinstance(lhs, ast.VarRef) or not _is_tag(lhs, tag_keys):
                return True
            value = tags.get(lhs.name, "")
            if op in (ast.BinaryOp.EQ, ast.BinaryOp.NEQ) and isinstance(rhs, ast.StringLiteral):
                return (value == rhs.value) == (op is ast.BinaryOp.EQ)
            if op in (ast.BinaryOp.EQ, ast.BinaryOp.NEQ) and isinstance(rhs, ast.VarRef):
                # a tag against a name: equal when it is set and equals that tag's value
                same = value != "" and value == tags.get(rhs.name, "")
                return same == (op is ast.BinaryOp.EQ)
            if op in (ast.BinaryOp.EQREGEX, ast.BinaryOp.NEQREGEX) and isinstance(
                    rhs, ast.RegexLiteral):
                found = matcher(rhs.pattern).search(value) is not None
                return found == (op is ast.BinaryOp.EQREGEX)
    return True


def _is_tag(ref: ast.VarRef, tag_keys: Collection[str]) -> bool:
    if ref.type is ast.DataType.TAG:
        return True
    return ref.type is None and ref.name in tag_keys
