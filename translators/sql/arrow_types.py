"""The Arrow type DataFusion plans an expression as, where the query and the catalog tell it.

Literals, the database's columns (one Arrow type in every table read that has the column),
and the expressions built on them whose type DataFusion derives from their operands alone:
comparisons and logic (Boolean), arithmetic (its numeric coercion), casts to numbers and
booleans, CASE and COALESCE whose branches agree, lower, upper and character_length of
plain text, and the aggregates count, sum, avg, min, max. Anything else, and any column of a
CTE or subquery, is None: left to DuckDB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlglot import exp

Columns = Mapping[str, Sequence[tuple[str, str]]]

BOOLEAN = "Boolean"
TEXTS = frozenset({"Utf8", "LargeUtf8", "Utf8View", "Dictionary(Int32, Utf8)"})
SIGNED = ("Int8", "Int16", "Int32", "Int64")
UNSIGNED = ("UInt8", "UInt16", "UInt32", "UInt64")
FLOATS = ("Float32", "Float64")
NUMBERS = frozenset({*SIGNED, *UNSIGNED, *FLOATS})
_INT64_MAX = 2**63 - 1

_TYPES = exp.DataType.Type
_CASTS = {
    _TYPES.TINYINT: "Int8", _TYPES.SMALLINT: "Int16", _TYPES.INT: "Int32",
    _TYPES.BIGINT: "Int64", _TYPES.UTINYINT: "UInt8", _TYPES.USMALLINT: "UInt16",
    _TYPES.UINT: "UInt32", _TYPES.UBIGINT: "UInt64", _TYPES.FLOAT: "Float32",
    _TYPES.DOUBLE: "Float64", _TYPES.BOOLEAN: BOOLEAN,
}
_PREDICATES = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.NullSafeEQ,
               exp.NullSafeNEQ, exp.And, exp.Or, exp.Not, exp.Is, exp.In, exp.Between,
               exp.Like, exp.ILike, exp.RegexpLike, exp.RegexpILike, exp.Exists)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)


class Typer:
    """arrow_type for the nodes of one tree, each typed once (a chain of thousands of `+`
    would otherwise be typed again under every one of its operators)."""

    def __init__(self, columns: Columns, tree: exp.Expression | None = None) -> None:
        self.columns = columns
        self._seen: dict[int, tuple[exp.Expression, str | None]] = {}
        if tree is not None:  # children before parents: no typing recurses more than a level
            for node in reversed(list(tree.walk())):
                self(node)

    def __call__(self, node: exp.Expression) -> str | None:
        seen = self._seen.get(id(node))
        if seen is not None and seen[0] is node:
            return seen[1]
        kind = _type(node, self)
        self._seen[id(node)] = (node, kind)  # the node is kept: its id is not reused
        return kind


def arrow_type(node: exp.Expression, columns: Columns) -> str | None:
    """The Arrow type DataFusion gives `node` (see the module's list), or None."""
    return Typer(columns)(node)


def _type(node: exp.Expression, typer: Typer) -> str | None:
    columns = typer.columns
    if isinstance(node, exp.Paren):
        return typer(node.this)
    if isinstance(node, exp.Boolean) or isinstance(node, _PREDICATES):
        return BOOLEAN
    if isinstance(node, exp.Literal):
        if node.is_string:
            return "Utf8"
        if not node.is_int:
            return "Float64"
        return "Int64" if int(node.name) <= _INT64_MAX else None
    if isinstance(node, exp.Column):
        return column_type(node, columns)
    if isinstance(node, exp.Neg):
        inner = typer(node.this)
        return inner if inner in NUMBERS else None
    if isinstance(node, _ARITHMETIC):
        return _arithmetic(typer(node.this), typer(node.expression))
    if isinstance(node, exp.Cast):
        return None if node.to.expressions else _CASTS.get(node.to.this)
    if isinstance(node, exp.Case):
        branches = [*(branch.args.get("true") for branch in node.args.get("ifs") or ()),
                    node.args.get("default")]
        return _agreed(branches, typer)
    if isinstance(node, exp.Coalesce):
        return _agreed([node.this, *node.expressions], typer)
    if isinstance(node, exp.Count):
        return "Int64"
    if isinstance(node, exp.Avg):
        return "Float64" if typer(node.this) in NUMBERS else None
    if isinstance(node, exp.Sum):
        inner = typer(node.this)
        return {"Int64": "Int64", "UInt64": "UInt64", "Float64": "Float64"}.get(inner or "")
    if isinstance(node, exp.Lower | exp.Upper):  # of plain text, as its type stays
        return "Utf8" if typer(node.this) == "Utf8" else None
    if isinstance(node, exp.Length):  # character_length of Utf8
        return "Int32" if typer(node.this) == "Utf8" else None
    if isinstance(node, exp.Min | exp.Max | exp.Abs):
        return typer(node.this)
    return None


def _agreed(branches: list[exp.Expression | None], typer: Typer) -> str | None:
    """The one type of the branches that are not NULL, or None if they differ."""
    found = {typer(branch) for branch in branches
             if branch is not None and not isinstance(branch, exp.Null)}
    return found.pop() if len(found) == 1 else None


def _arithmetic(left: str | None, right: str | None) -> str | None:
    # DataFusion's numerical coercion for + - * / %, for the types the store and literals have
    if left not in NUMBERS or right not in NUMBERS:
        return None
    if left == right:
        return left
    for wide in ("Float64", "Float32"):
        if wide in (left, right):
            return wide
    if "UInt64" in (left, right):  # with a signed integer DataFusion widens to a decimal
        return "UInt64" if {left, right} <= set(UNSIGNED) else None
    if "Int64" in (left, right):
        return "Int64"
    return None


def column_type(node: exp.Column, columns: Columns) -> str | None:
    """The Arrow type of a database column, if the SELECT around it reads tables only and
    the column has one type in every one of them it can come from."""
    if not isinstance(node.this, exp.Identifier):
        return None
    tables = select_tables(node)
    if tables is None:
        return None
    if node.table:  # only the table it names
        tables = [t for t in tables if t.alias_or_name == node.table]
    name = node.this.this if node.this.quoted else node.this.this.lower()
    found = set()
    for table in tables:
        if table.name not in columns:  # a CTE's table is no database table
            return None
        found |= {arrow for column, arrow in columns[table.name] if column == name}
    return found.pop() if len(found) == 1 else None


def select_tables(node: exp.Expression) -> list[exp.Table] | None:
    """The tables the SELECT around `node` reads, or None unless it reads tables only (a CTE
    or subquery's columns are not typed here)."""
    select = node.find_ancestor(exp.Select)
    source = select.args.get("from_") if select is not None else None
    if select is None or source is None:
        return None
    found = [source.this, *(join.this for join in select.args.get("joins") or ())]
    tables = [t for t in found if isinstance(t, exp.Table)]
    return tables if len(tables) == len(found) else None
