"""Refuse the LIMIT, OFFSET and ORDER BY positions DataFusion refuses, before DuckDB words it.

DuckDB answers `LIMIT -1` and `ORDER BY 5` past the select list with its binder's errors and
`LIMIT 1e20` with a conversion error; DataFusion refuses all three while planning. Only literal
counts and positions are read here (after parameters are bound); anything else is DuckDB's.
"""

from __future__ import annotations

from sqlglot import exp

from .datafusion import Unsupported

_INT64_MAX = 2**63 - 1


def check_clauses(tree: exp.Expression) -> None:
    """Raise Unsupported for a literal LIMIT or OFFSET that is not a count of rows, or a
    literal ORDER BY position outside its SELECT's result columns."""
    for clause in tree.find_all(exp.Limit, exp.Offset):
        _check_count(clause.key.upper(), clause.expression)
    for select in tree.find_all(exp.Select):
        order = select.args.get("order")
        if order is None or any(isinstance(p, exp.Star) or isinstance(p, exp.Column)
                                and isinstance(p.this, exp.Star) for p in select.expressions):
            continue  # the width of `*` is the engine's to know
        for key in order.expressions:
            value = key.this if isinstance(key, exp.Ordered) else key
            if isinstance(value, exp.Literal) and value.is_int:
                _check_position(int(value.name), len(select.expressions))


def _check_count(clause: str, value: exp.Expression | None) -> None:
    negative = isinstance(value, exp.Neg)
    if negative:
        value = value.this
    if not isinstance(value, exp.Literal) or not value.is_number:
        return
    written = ("-" if negative else "") + value.name
    if negative and float(value.name) != 0 or not value.is_int \
            or int(value.name) > _INT64_MAX:
        raise Unsupported(f"{clause} must be a count of rows from 0 to "
                          f"{_INT64_MAX}, not {written}")


def _check_position(position: int, width: int) -> None:
    # DataFusion's planner words, for a position below 1 or past the select list
    if position < 1:
        raise Unsupported("Error during planning: Order by index starts at 1 for column "
                          "indexes")
    if position > width:
        raise Unsupported("Error during planning: Order by column out of bounds, specified: "
                          f"{position}, max: {width}")
