"""Integer literals past Int64 typed as DataFusion types them.

DataFusion reads an integer literal as Int64, else (when not negated) as UInt64, else as
Float64. DuckDB reads the larger ones as DECIMAL, HUGEINT or its own BIGNUM, which reach the
encoders as a wrapped-around decimal or opaque bytes; so they are written as UBIGINT casts and
DOUBLE literals here. The text is measured before Python's int() reads it: a literal of
thousands of digits is past int()'s digit limit.
"""

from __future__ import annotations

import math

from sqlglot import exp

INT64, UINT64, FLOAT64 = "Int64", "UInt64", "Float64"
_I64_MAX = 2**63 - 1
_U64_MAX = 2**64 - 1
_U64_DIGITS = len(str(_U64_MAX))


def integer_type(text: str) -> str | None:
    """The Arrow type DataFusion gives the integer literal `text` (optionally negated), or
    None if `text` is not an integer literal."""
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if not digits.isascii() or not digits.isdigit():
        return None
    if len(digits.lstrip("0")) > _U64_DIGITS:
        return FLOAT64
    value = int(digits)
    if value <= _I64_MAX + negative:
        return INT64
    return FLOAT64 if negative or value > _U64_MAX else UINT64


def type_big_integers(tree: exp.Expression) -> exp.Expression:
    """`tree` with each integer literal past Int64 written with DataFusion's type."""
    for node in list(tree.find_all(exp.Literal)):
        if node.is_string:
            continue
        negated = isinstance(node.parent, exp.Neg)
        kind = integer_type(("-" if negated else "") + node.name)
        if kind == UINT64:
            node.replace(exp.cast(node.copy(), exp.DataType.Type.UBIGINT))
        elif kind == FLOAT64:
            node.replace(_double(float(node.name)))
        elif kind == INT64 and negated and int(node.name) > _I64_MAX:
            # -9223372036854775808: DuckDB would negate a DECIMAL
            assert node.parent is not None
            node.parent.replace(exp.cast(node.parent.copy(), exp.DataType.Type.BIGINT))
    return tree


def _double(value: float) -> exp.Expression:
    text = repr(value) if math.isfinite(value) else "inf"
    return exp.cast(exp.Literal.string(text), exp.DataType.Type.DOUBLE)
