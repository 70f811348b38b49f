"""Refuse, in DataFusion's planning words, the type mixes DataFusion refuses and DuckDB casts.

DuckDB compares a boolean with a number (`b = 1`, `f = true`) and filters on a number
(`WHERE f`) by casting; DataFusion's type coercion finds no common type and its planner refuses
a filter that is not a boolean. Only columns of the database (one Arrow type in every table
read) and literals are typed here; anything else is left to DuckDB.
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
    arrow = _column_types(tree, columns)
    for node in tree.find_all(*_COMPARISONS):
        left, right = _arrow_type(node.this, arrow), _arrow_type(node.expression, arrow)
        if {left, right} & {"Boolean"} and {left, right} & _NUMBERS:
            raise Unsupported("Error during planning: Cannot infer common argument type for "
                              f"comparison operation {left} {_COMPARISONS[type(node)]} {right}")
    for call in tree.find_all(exp.Sum, exp.Avg):
        if isinstance(call.this, exp.Column) and _arrow_type(call.this, arrow) in _NOT_SUMMED:
            # DuckDB sums a boolean as a number and answers text with its binder's candidates
            name = "sum" if isinstance(call, exp.Sum) else "avg"
            raise Unsupported(f"the function {name} does not support inputs of type "
                              f"{_arrow_type(call.this, arrow)}")
    for where in tree.find_all(exp.Where):
        condition = where.this
        kind = _arrow_type(condition, arrow) if isinstance(condition, exp.Column) else None
        if kind in _NUMBERS:
            table = condition.table or _only_table(where)
            if table is None:
                continue
            raise Unsupported("Error during planning: Cannot create filter with non-boolean "
                              f"predicate '{table}.{condition.name}' returning {kind}")


def _column_types(tree: exp.Expression,
                  columns: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for name in {table.name for table in tree.find_all(exp.Table)}:
        for column, arrow in columns.get(name, ()):
            seen.setdefault(column, set()).add(arrow)
    return {column: next(iter(found)) for column, found in seen.items() if len(found) == 1}


def _arrow_type(node: exp.Expression, arrow: Mapping[str, str]) -> str | None:
    if isinstance(node, exp.Boolean):
        return "Boolean"
    if isinstance(node, exp.Literal) and not node.is_string:
        return "Int64" if node.is_int else "Float64"
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier):
        name = node.this.this if node.this.quoted else node.this.this.lower()
        return arrow.get(name)
    return None


def _only_table(where: exp.Where) -> str | None:
    """The one table the WHERE's SELECT reads, by the name DataFusion qualifies it with."""
    select = where.parent
    if not isinstance(select, exp.Select) or select.args.get("joins"):
        return None
    source = select.args.get("from_")
    table = source.this if source is not None else None
    if not isinstance(table, exp.Table):
        return None
    return table.alias or table.name
