"""The names the InfluxQL engine's DuckDB queries share: quoted identifiers and columns, the
storage query's own output columns, and the stored field types that compute as numbers.

The storage query (`storage.py`) yields per row the time `__t`, the grouping tags `__d0`...,
one column per plan prim `__p0`... and, when aggregating, the count `__n` of the bucket's rows
that hold an aggregated field; the modules that read its rows (`shape.py`,
`columnar.py`, `recent.py`...) and the ones that build other queries over the same tables use
these names so they agree.
"""

from __future__ import annotations

from sqlglot import exp

from translators.lineprotocol import FieldType

TIME = "__t"
STORED_TIME = "time"  # the table's own TIMESTAMP_NS column, which raw reads sort on
SERIES = "__s"  # the series' sort key, for 1.x's tie-breaks between series
INPUT = "__in"  # the FROM mention a raw row is read from: 1.x's merge reads each one apart
SOURCE = "__src"  # the FROM database a row is read from, where 1.x reads each one apart
COUNTED = "__n"  # rows of a bucket with an aggregated field: 1.x has no bucket without one
VIRTUAL_DB = "__subquery"  # the database a subquery's rows are read from (`subquery.py`)
NUMERIC = (FieldType.FLOAT, FieldType.INTEGER, FieldType.UNSIGNED)


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def col(name: str) -> exp.Column:
    return exp.Column(this=ident(name))


def call(name: str, *args: exp.Expression) -> exp.Anonymous:
    """A DuckDB function call, built directly: `exp.func` looks the name up among sqlglot's
    function classes and copies every argument, a cost paid on every query."""
    return exp.Anonymous(this=name, expressions=list(args))


def cast(value: exp.Expression, kind: exp.DataType.Type | str) -> exp.Cast:
    """CAST(value AS kind), built from nodes: `exp.cast` parses the type's name each time.
    A name is one of sqlglot's type names (INT128 for DuckDB's HUGEINT; `FieldType.sql_type`
    gives such names)."""
    if isinstance(kind, str):
        kind = exp.DataType.Type[kind]
    return exp.Cast(this=value, to=exp.DataType(this=kind))


def dim_name(index: int) -> str:
    return f"__d{index}"


def prim_name(index: int) -> str:
    return f"__p{index}"
