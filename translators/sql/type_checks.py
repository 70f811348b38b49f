"""Type comparisons and sums as DataFusion plans them: refuse what it refuses, coerce as it does.

DuckDB compares a boolean with a number (`b = 1`, `f = true`) or with text (`b = 'true'`),
does arithmetic with booleans, and filters on a number or text (`WHERE f`, `WHERE s`) by
casting; DataFusion's type coercion finds no common type and its planner refuses a filter that
is not a boolean; it refuses sum and avg of a boolean or text too. DuckDB compares text with a
number by reading the text as a number (and fails on text that is none); DataFusion 50, as
InfluxDB 3 runs it, compares them as text. The types are those arrow_types.py can tell;
anything else is left to DuckDB.
"""

from __future__ import annotations

import math

from sqlglot import exp

from .arrow_types import BOOLEAN, NUMBERS, TEXTS, Columns, Typer, select_tables
from .datafusion import Unsupported
from .result_names import display

_COMPARISONS = {exp.EQ: "=", exp.NEQ: "!=", exp.LT: "<", exp.LTE: "<=", exp.GT: ">",
                exp.GTE: ">=", exp.NullSafeEQ: "IS NOT DISTINCT FROM",
                exp.NullSafeNEQ: "IS DISTINCT FROM"}
_NOT_SUMMED = TEXTS | {BOOLEAN}
_ARITHMETIC = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%"}


def check_types(tree: exp.Expression, columns: Columns | None) -> None:
    """Raise Unsupported for a comparison of a boolean with a number or text, AND, OR, NOT
    or IS TRUE of what is no boolean, arithmetic with a boolean or text, a sum or
    average of a boolean or text, or a WHERE that is no boolean (a column, a literal or
    arithmetic of them), as DataFusion refuses them."""
    if columns is None:
        return
    arrow_type = Typer(columns, tree)
    for node in tree.find_all(*_COMPARISONS):
        left, right = arrow_type(node.this), arrow_type(node.expression)
        if BOOLEAN in (left, right) and {left, right} & (NUMBERS | TEXTS):
            raise Unsupported("Error during planning: Cannot infer common argument type for "
                              f"comparison operation {left} {_COMPARISONS[type(node)]} {right}")
    for node in tree.find_all(exp.And, exp.Or):
        left, right = arrow_type(node.this), arrow_type(node.expression)
        if left is not None and right is not None and {left, right} != {BOOLEAN}:
            operator = "AND" if isinstance(node, exp.And) else "OR"
            raise Unsupported("Error during planning: Cannot infer common argument type for "
                              f"logical boolean operation {left} {operator} {right}")
    for node in tree.find_all(exp.Not, exp.Is):
        if isinstance(node, exp.Is) and not isinstance(node.expression, exp.Boolean):
            continue  # IS NULL takes any type
        kind = arrow_type(node.this)
        if kind not in (None, BOOLEAN):
            # DataFusion coerces NOT x and x IS TRUE as x IS DISTINCT FROM a boolean
            raise Unsupported("Error during planning: Cannot infer common argument type for "
                              f"comparison operation {kind} IS DISTINCT FROM Boolean")
    for node in tree.find_all(*_ARITHMETIC):
        left, right = arrow_type(node.this), arrow_type(node.expression)
        if left is not None and right is not None and {left, right} & _NOT_SUMMED:
            # DuckDB answers its binder's list of candidate functions
            raise Unsupported("Error during planning: Cannot coerce arithmetic expression "
                              f"{left} {_ARITHMETIC[type(node)]} {right} to valid types")
    for call in tree.find_all(exp.Sum, exp.Avg):
        kind = arrow_type(call.this)
        if kind in _NOT_SUMMED:
            # DuckDB sums a boolean as a number and answers text with its binder's candidates
            name = "sum" if isinstance(call, exp.Sum) else "avg"
            raise Unsupported(f"the function {name} does not support inputs of type {kind}")
    for where in tree.find_all(exp.Where):
        condition = where.this
        kind = arrow_type(condition)
        sources = select_tables(where)
        if kind in (None, BOOLEAN) or sources is None or len(sources) != 1:
            continue
        if isinstance(condition, exp.Column):
            printed: str | None = (f"{condition.table or sources[0].alias_or_name}."
                                   f"{condition.name}")
        elif isinstance(condition, exp.Literal):
            printed = display(condition)  # `Utf8("x")`, `Int64(1)`
        elif isinstance(condition, tuple(_ARITHMETIC)) and all(
                isinstance(side, exp.Column | exp.Literal)
                for side in (condition.this, condition.expression)):
            printed = display(condition)  # `cpu.f + Int64(1)`, as DataFusion prints it
        else:
            continue  # DataFusion's print of other expressions (casts, nesting) differs
        if printed is not None:
            raise Unsupported("Error during planning: Cannot create filter with non-boolean "
                              f"predicate '{printed}' returning {kind}")


def coerce_comparisons(tree: exp.Expression, columns: Columns | None) -> exp.Expression:
    """`tree` with every number compared with text (=, <, IN, BETWEEN...) made text, as
    DataFusion 50's comparison coercion casts it (`s = 3` is `s = '3'`, `s < 10` compares
    as text)."""
    if columns is None:
        return tree
    arrow_type = Typer(columns, tree)
    groups: list[list[exp.Expression]] = []
    for node in tree.find_all(*_COMPARISONS, exp.In, exp.Between):
        if isinstance(node, exp.In):
            if node.args.get("query") is not None or node.args.get("unnest") is not None:
                continue
            groups.append([node.this, *node.expressions])
        elif isinstance(node, exp.Between):
            groups.append([node.this, node.args["low"], node.args["high"]])
        else:
            groups.append([node.this, node.expression])
    for operands in groups:
        kinds = [arrow_type(operand) for operand in operands]
        if not set(kinds) & TEXTS or not set(kinds) & NUMBERS:
            continue
        for operand, kind in zip(operands, kinds, strict=True):
            if kind in NUMBERS:
                operand.replace(_as_text(operand))
    return tree


def _as_text(value: exp.Expression) -> exp.Expression:
    """`value` as the text Arrow's cast makes of it: a literal written out, as DataFusion
    folds the cast of a constant (`1.50` is `'1.5'`); anything else cast by DuckDB."""
    literal = value.this if isinstance(value, exp.Paren) else value
    if isinstance(literal, exp.Literal) and literal.is_int:
        return exp.Literal.string(str(int(literal.name)))
    if isinstance(literal, exp.Literal):
        number = float(literal.name)
        written = repr(number)
        if math.isfinite(number) and "e" not in written:
            return exp.Literal.string(written)
    return exp.Cast(this=value.copy(), to=exp.DataType.build("VARCHAR"))
