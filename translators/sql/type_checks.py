"""Refuse, in DataFusion's planning words, the type mixes DataFusion refuses and DuckDB casts.

DuckDB compares a boolean with a number (`b = 1`, `f = true`) and filters on a number
(`WHERE f`) by casting; DataFusion's type coercion finds no common type and its planner refuses
a filter that is not a boolean; it refuses sum and avg of a boolean or text too. Only literals
and columns of a SELECT that reads database tables alone (the column's one Arrow type in the
tables it can come from) are typed here; a CTE's or subquery's columns and anything else are
left to DuckDB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlglot import exp

from .datafusion import Unsupported

_COMPARISONS = {exp.EQ: "=", exp.NEQ: "!=", exp.LT: "<", exp.LTE: "<=", exp.GT: ">",
                exp.GTE: ">="}
_NOT_SUMMED = frozenset({"Boolean", "Utf8", "LargeUtf8", "Utf8View", "Dictionary(Int32, Utf8)"})
_NUMBERS = frozenset({"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
                      "Float32", "Float64"})


def check_types(tree: exp.Expression,
                columns: Mapping[str, Sequence[tuple[str, str]]] | None) -> None:
    """Raise Unsupported for a comparison of a boolean with a number, a sum or average of a
    boolean or text column, or a WHERE that is a bare number column, as DataFusion refuses
    them."""
    if columns is None:
        return
    for node in tree.find_all(*_COMPARISONS):
        left, right = _arrow_type(node.this, columns), _arrow_type(node.expression, columns)
        if {left, right} & {"Boolean"} and {left, right} & _NUMBERS:
            raise Unsupported("Error during planning: Cannot infer common argument type for "
                              f"comparison operation {left} {_COMPARISONS[type(node)]} {right}")
    for call in tree.find_all(exp.Sum, exp.Avg):
        kind = _arrow_type(call.this, columns) if isinstance(call.this, exp.Column) else None
        if kind in _NOT_SUMMED:
            # DuckDB sums a boolean as a number and answers text with its binder's candidates
            name = "sum" if isinstance(call, exp.Sum) else "avg"
            raise Unsupported(f"the function {name} does not support inputs of type {kind}")
    for where in tree.find_all(exp.Where):
        condition = where.this
        kind = _arrow_type(condition, columns) if isinstance(condition, exp.Column) else None
        sources = _sources(where)
        if kind in _NUMBERS and sources is not None and len(sources) == 1:
            table = condition.table or sources[0].alias_or_name
            raise Unsupported("Error during planning: Cannot create filter with non-boolean "
                              f"predicate '{table}.{condition.name}' returning {kind}")


def _sources(node: exp.Expression) -> list[exp.Table] | None:
    """The tables the SELECT around `node` reads, or None unless it reads tables only (a CTE
    or subquery's columns are not typed here)."""
    select = node.find_ancestor(exp.Select)
    source = select.args.get("from_") if select is not None else None
    if select is None or source is None:
        return None
    found = [source.this, *(join.this for join in select.args.get("joins") or ())]
    tables = [t for t in found if isinstance(t, exp.Table)]
    return tables if len(tables) == len(found) else None


def _arrow_type(node: exp.Expression,
                columns: Mapping[str, Sequence[tuple[str, str]]]) -> str | None:
    if isinstance(node, exp.Boolean):
        return "Boolean"
    if isinstance(node, exp.Literal) and not node.is_string:
        return "Int64" if node.is_int else "Float64"
    if not isinstance(node, exp.Column) or not isinstance(node.this, exp.Identifier):
        return None
    tables = _sources(node)
    if tables is None:
        return None
    if node.table:  # only the table it names
        tables = [t for t in tables if t.alias_or_name == node.table]
    name = node.this.this if node.this.quoted else node.this.this.lower()
    # one type in every table read that has the column (a CTE's table is no database table)
    found = set()
    for table in tables:
        if table.name not in columns:
            return None
        found |= {arrow for column, arrow in columns[table.name] if column == name}
    return found.pop() if len(found) == 1 else None
