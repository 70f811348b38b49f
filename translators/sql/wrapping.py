"""Integer arithmetic that wraps around past 64 bits, as DataFusion 50 (InfluxDB 3's) computes it.

DataFusion adds, subtracts and multiplies Int64 and UInt64 values with Arrow's wrapping kernels
and sums them with wrapping accumulators: `9223372036854775807 + 1` is
`-9223372036854775808`, never an error. DuckDB fails on such a sum or product (and answers
a sum past Int64 as a HUGEINT). So each +, -, * or sum whose operands arrow_types.py types as
Int64 or UInt64 is computed in 128 bits and brought back into 64, modulo 2^64.

The nodes are marked while the tree is still the user's (mark_wrapping), where their types
can be told, and rewritten last (wrap_integers), after the rewrites that read aggregates and
time arithmetic in their written shape.
"""

from __future__ import annotations

from sqlglot import exp

from .arrow_types import Columns, Typer

_WRAP = "wraps_to"  # meta key: the 64-bit type a node's value is brought back into
_WIDE = "wide"  # meta key: a sum left in 128 bits for the sum around it to wrap
_NAME = "wrapped_name"  # meta key: the name DuckDB gave the unaliased select item as written
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul)
_DUCKDB = {"Int64": exp.DataType.Type.BIGINT, "UInt64": exp.DataType.Type.UBIGINT}


def mark_wrapping(tree: exp.Expression, columns: Columns | None) -> None:
    """Mark each +, -, * and sum of Int64 or UInt64 values in `tree`."""
    if columns is None:
        return
    arrow_type = Typer(columns, tree)
    for node in tree.find_all(*_ARITHMETIC, exp.Sum):
        if isinstance(node, exp.Sum):
            kind = arrow_type(node)
        else:
            left = arrow_type(node.this)
            kind = left if left == arrow_type(node.expression) else None
        if kind in _DUCKDB:
            node.meta[_WRAP] = kind
            item = _select_item(node)
            if item is not None and not isinstance(item, exp.Alias) and (
                    not item._meta or _NAME not in item.meta):
                # an unaliased item keeps it, rather than DuckDB's name of the rewrite
                item.meta[_NAME] = item.sql(dialect="duckdb")


def _select_item(node: exp.Expression) -> exp.Expression | None:
    """The select item `node` is, or lies in, up to the nearest SELECT; None elsewhere."""
    while node.parent is not None and not isinstance(node.parent, exp.Select):
        node = node.parent
    return node if node.parent is not None and node.arg_key == "expressions" else None


def wrap_integers(tree: exp.Expression) -> exp.Expression:
    """`tree` with every node mark_wrapping marked computed modulo 2^64."""
    marked = [node for node in tree.walk() if node._meta and node.meta.get(_WRAP)]
    for node in reversed(marked):  # children first
        kind = node.meta.pop(_WRAP)
        name = node.meta.pop(_NAME, None)
        if isinstance(node, exp.Sum):
            # OVER and FILTER belong to the aggregate: wrap what they make
            target: exp.Expression = node
            while isinstance(target.parent, exp.Window | exp.Filter) \
                    and target.parent.this is target:
                target = target.parent
            new = _modulo(target, kind, wide=target.copy())
            if target is not node and target._meta:  # sum(...) OVER (...) as the item
                name = target.meta.pop(_NAME, None) or name
        else:
            # (2^64 - 1)^2 is past a signed 128-bit integer: unsigned products are taken in
            # 128 unsigned bits, which hold it (a difference may be negative: signed)
            unsigned = isinstance(node, exp.Mul) and kind == "UInt64"
            wide = node.__class__(this=_hugeint(node.this, unsigned),
                                  expression=_hugeint(node.expression, unsigned))
            parent = node.parent
            if isinstance(node, exp.Add | exp.Sub) and isinstance(parent, exp.Add | exp.Sub) \
                    and parent._meta and parent.meta.get(_WRAP) == kind:
                # a sum inside a sum wraps once, at the outermost: 128 bits hold the terms,
                # and the nesting stays as deep as written
                wide.meta[_WIDE] = True
                node.replace(wide)
                continue
            new = _modulo(node, kind, wide=wide, unsigned=unsigned)
        replaced = target if isinstance(node, exp.Sum) else node
        if name is not None and isinstance(replaced.parent, exp.Select):
            new = exp.alias_(new, name, quoted=True)
        if node is tree:
            return new
        replaced.replace(new)
    # items that hold a wrapped node
    for item in [n for n in tree.walk() if n._meta and _NAME in n.meta]:
        name = item.meta.pop(_NAME)
        if isinstance(item.parent, exp.Select) and item.arg_key == "expressions":
            item.replace(exp.alias_(item, name, quoted=True))
    return tree


def _modulo(node: exp.Expression, kind: str, *, wide: exp.Expression,
            unsigned: bool = False) -> exp.Expression:
    """`wide` (a 128-bit integer, `unsigned` or not) as the 64-bit `kind` holds it after
    wrapping around."""
    modulus = _constant(2**64, unsigned)
    rest = exp.Mod(this=exp.paren(wide, copy=False), expression=modulus)
    if unsigned:  # never negative
        value: exp.Expression = rest
    elif kind == "UInt64":  # ((x % 2^64) + 2^64) % 2^64
        value = exp.Mod(
            this=exp.paren(exp.Add(this=rest, expression=modulus.copy()), copy=False),
            expression=modulus.copy())
    else:  # ((x % 2^64) + 2^64 + 2^63) % 2^64 - 2^63
        half = _constant(2**63)
        shifted = exp.Add(this=exp.Add(this=rest, expression=modulus.copy()), expression=half)
        value = exp.Sub(this=exp.Mod(this=exp.paren(shifted, copy=False),
                                     expression=modulus.copy()), expression=half.copy())
    return exp.Cast(this=value, to=exp.DataType(this=_DUCKDB[kind]))


def _hugeint(value: exp.Expression, unsigned: bool = False) -> exp.Expression:
    if value._meta and value.meta.get(_WIDE):
        return value
    return exp.Cast(this=value, to=_wide_type(unsigned))


def _constant(value: int, unsigned: bool = False) -> exp.Expression:
    # a string cast: an integer literal past Int64 is typed as DataFusion types it later
    return exp.Cast(this=exp.Literal.string(str(value)), to=_wide_type(unsigned))


def _wide_type(unsigned: bool) -> exp.DataType:
    return exp.DataType(this=exp.DataType.Type.UINT128 if unsigned else exp.DataType.Type.INT128)
