"""The SQL text of the query trees the gateway builds, written once per shape of tree.

sqlglot writes a storage query in 0.1 to 0.4 ms, walking its tree through its generator; a
dashboard's refresh builds the same tree again with new time bounds. So the text is kept,
keyed on the tree itself: every node's class and comments, every argument in order, each
value with its type (a string's case, an identifier's quoting, a flag), a key exact by
construction whatever sqlglot's own equality does. Only the stored time bounds are left out
of the key: the integer argument of each `make_timestamp_ns(...)` (`readrange.timestamp_literal`)
is written as a DuckDB parameter (`$1`, `$2`... in the order the key's walk meets them) and
passed as a value, which DuckDB binds as the BIGINT that function takes, as it reads the
literal; its zone maps prune the same. A walk that builds the key costs a fifth of the writing.
"""

from __future__ import annotations

import threading
from typing import Any

import cachetools
from sqlglot import exp

from .statements import DIALECT

# The call whose integer argument is passed as a parameter.
_TIMES = "make_timestamp_ns"
_INT64 = range(-(1 << 63), 1 << 63)

_TEXTS: cachetools.LRUCache[Any, str] = cachetools.LRUCache(512)
# The longest text kept: a key holds its whole tree, and a statement of thousands of tag
# values (a dashboard variable's) is not worth its memory; it is written each time.
_KEPT_LENGTH = 16 * 1024
_LOCK = threading.Lock()  # reads run on several worker threads


def render(query: exp.Expression) -> tuple[str, list[int]]:
    """The SQL of `query` and the values of its parameters."""
    bounds: list[exp.Literal] = []
    try:
        key = (_key(query, bounds), query.parent is None)
        values = [int(bound.this) for bound in bounds]
        hash(key)
    except (TypeError, ValueError, RecursionError):  # an argument no key can hold
        return query.sql(dialect=DIALECT, copy=False), []
    with _LOCK:
        sql = _TEXTS.get(key)
    if sql is None:
        sql = _parameterized(query)
        if len(sql) <= _KEPT_LENGTH:
            with _LOCK:
                _TEXTS[key] = sql
    return sql, values


def _parameterized(query: exp.Expression) -> str:
    written = query.copy()
    bounds: list[exp.Literal] = []
    _key(written, bounds)  # the same walk: the same bounds in the same order
    for number, bound in enumerate(bounds, start=1):
        bound.replace(exp.Placeholder(this=str(number)))
    return written.sql(dialect=DIALECT, copy=False)


def _key(node: exp.Expression, bounds: list[exp.Literal]) -> tuple[Any, ...]:
    """`node`'s key; the time-bound literals found are appended to `bounds`."""
    if isinstance(node, exp.Anonymous) and _is_bound_call(node):
        bounds.append(node.expressions[0])
        return (exp.Anonymous, _TIMES)
    # the generator also reads a node's annotated type and its meta (`_type`, `_meta`)
    kind = node._type
    meta = node._meta
    parts: list[Any] = [type(node), tuple(node.comments) if node.comments else None,
                        None if kind is None else _key(kind, bounds),
                        tuple(sorted(meta.items())) if meta else None]
    for name, value in node.args.items():
        if isinstance(value, exp.Expression):
            parts.append((name, _key(value, bounds)))
        elif isinstance(value, list):
            parts.append((name, tuple(_key(item, bounds) if isinstance(item, exp.Expression)
                                      else (type(item), item) for item in value)))
        else:
            parts.append((name, type(value), value))
    return tuple(parts)


def _is_bound_call(node: exp.Anonymous) -> bool:
    args = node.expressions
    if type(node.this) is not str or node.this != _TIMES or len(node.args) != 2 \
            or len(args) != 1 or node.comments:
        return False
    literal = args[0]
    return (type(literal) is exp.Literal and literal.args.get("is_string") is False
            and not literal.comments and len(literal.args) == 2
            and type(literal.this) is str and literal.this.lstrip("-").isdigit()
            and int(literal.this) in _INT64)
