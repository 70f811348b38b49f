"""InfluxDB 3's `information_schema` views and its SHOW TABLES / SHOW COLUMNS commands.

The views are built from the addressed database's own schema as inline VALUES, so a query
that reads them still reaches no catalog of the storage engine (which would show every
database). Column types are named as Arrow names them, as InfluxDB 3 shows them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlglot import exp
from sqlglot.errors import SqlglotError

from translators.lineprotocol import FieldType

SCHEMA = "information_schema"
TIME_TYPE = "Timestamp(Nanosecond, None)"
TAG_TYPE = "Dictionary(Int32, Utf8)"
FIELD_TYPES = {
    FieldType.FLOAT: "Float64",
    FieldType.INTEGER: "Int64",
    FieldType.UNSIGNED: "UInt64",
    FieldType.STRING: "Utf8",
    FieldType.BOOLEAN: "Boolean",
}
# table name -> [(column name, Arrow type name)]
Columns = Mapping[str, Sequence[tuple[str, str]]]

_VIEWS = {
    "tables": ("table_catalog", "table_schema", "table_name", "table_type"),
    "columns": ("table_catalog", "table_schema", "table_name", "column_name",
                "ordinal_position", "is_nullable", "data_type"),
}
_SHOW_TABLES = re.compile(r"\s*show\s+tables\s*;?\s*", re.IGNORECASE)
_SHOW_COLUMNS = re.compile(r"\s*show\s+columns\s+(?:from|in)\s+(.+?)\s*;?\s*",
                           re.IGNORECASE | re.DOTALL)


def show_query(text: str) -> exp.Query | str | None:
    """The information_schema query a SHOW command stands for (None if `text` is not one);
    for SHOW COLUMNS, the table is returned as text to be checked by the caller."""
    if _SHOW_TABLES.fullmatch(text):
        return exp.select(*_VIEWS["tables"]).from_(exp.table_("tables", db=SCHEMA))
    match = _SHOW_COLUMNS.fullmatch(text)
    if match is None:
        return None
    try:
        table = exp.to_table(match.group(1), dialect="postgres")
    except SqlglotError:
        return match.group(1)
    if not isinstance(table.this, exp.Identifier):
        return match.group(1)
    name = table.this.this if table.this.quoted else table.this.this.lower()
    columns = ("table_catalog", "table_schema", "table_name", "column_name", "data_type",
               "is_nullable")
    return (exp.select(*columns).from_(exp.table_("columns", db=SCHEMA))
            .where(exp.column("table_name").eq(exp.Literal.string(name)))
            .order_by("ordinal_position"))


def view(name: str, columns: Columns) -> exp.Query | None:
    """The rows of information_schema.`name` for a database with `columns` (None when there
    is no such view)."""
    if name == "tables":
        rows = [("public", "iox", table, "BASE TABLE") for table in sorted(columns)]
        rows += [("public", SCHEMA, v, "VIEW") for v in _VIEWS]
    elif name == "columns":
        rows = []
        for table in sorted(columns):
            for position, (column, kind) in enumerate(sorted(columns[table]), start=1):
                nullable = "NO" if kind == TIME_TYPE and column == "time" else "YES"
                rows.append(("public", "iox", table, column, position, nullable, kind))
    else:
        return None
    return _values(rows, _VIEWS[name])


def _values(rows: list[tuple[object, ...]], names: tuple[str, ...]) -> exp.Query:
    if not rows:  # VALUES needs a row: one typed row, filtered out
        nulls = [exp.alias_(exp.Cast(this=exp.Null(), to=exp.DataType.build("VARCHAR")), n)
                 for n in names]
        return exp.select(*nulls).where(exp.false())
    values = exp.values([tuple(_literal(v) for v in row) for row in rows],
                        alias="v", columns=list(names))
    return exp.select(*names).from_(values)


def _literal(value: object) -> exp.Expression:
    if isinstance(value, int):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))
