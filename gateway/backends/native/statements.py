"""DuckDB statements for the native store, built as sqlglot expressions (never pasted strings).

Every identifier goes through `exp.to_identifier(..., quoted=True)`, so no database, table or
column name can change the meaning of a statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from translators.lineprotocol import TIME_COLUMN

DIALECT = "duckdb"
#: The store's file in the data directory. DuckDB names its catalog after the file's stem.
STORE_FILE = "native.duckdb"
STORE_CATALOG = STORE_FILE.removesuffix(".duckdb")
META_SCHEMA = "__influx_gateway"
TIME_TYPE = "TIMESTAMP_NS"
TAG_TYPE = "VARCHAR"


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def table_ref(schema: str, table: str, alias: str | None = None) -> exp.Table:
    ref = exp.Table(this=ident(table), db=ident(schema))
    if alias:
        ref.set("alias", exp.TableAlias(this=ident(alias)))
    return ref


def column(name: str, table: str | None = None) -> exp.Column:
    return exp.Column(this=ident(name), table=ident(table) if table else None)


@lru_cache(maxsize=64)
def _data_type(sql_type: str) -> exp.DataType:
    return exp.DataType.build(sql_type, dialect=DIALECT)


def _column_def(name: str, sql_type: str) -> exp.ColumnDef:
    # A copy of the type parsed once: parsing it again for every column of every new table
    # was most of the cost of generating a CREATE TABLE.
    return exp.ColumnDef(this=ident(name), kind=_data_type(sql_type).copy())


# One dialect instance: `Expression.sql(dialect=...)` builds a new one at every call.
_GENERATOR = Dialect.get_or_raise(DIALECT)


def sql(expression: exp.Expression, *, fresh: bool = False) -> str:
    """DuckDB SQL for the expression; `fresh` says it was built for this call alone, so
    generation need not copy it first."""
    return _GENERATOR.generate(expression, copy=not fresh)


def create_schema(schema: str) -> str:
    return sql(exp.Create(this=exp.Table(this=ident(schema)), kind="SCHEMA", exists=True))


def drop_schema(schema: str) -> str:
    return sql(exp.Drop(tables=[exp.Table(db=ident(schema))], kind="SCHEMA", exists=True,
                        cascade=True))


def create_table(schema: str, table: str, columns: Sequence[tuple[str, str]]) -> str:
    defs = [_column_def(name, sql_type) for name, sql_type in columns]
    return sql(exp.Create(this=exp.Schema(this=table_ref(schema, table), expressions=defs),
                          kind="TABLE", exists=True), fresh=True)


def drop_table(schema: str, table: str) -> str:
    return sql(exp.Drop(tables=[table_ref(schema, table)], kind="TABLE", exists=True))


def add_column(schema: str, table: str, name: str, sql_type: str) -> str:
    return sql(exp.Alter(this=table_ref(schema, table), kind="TABLE",
                         actions=[_column_def(name, sql_type)]), fresh=True)


def _nanos(value: int) -> exp.Expression:
    nanos = exp.Anonymous(this="make_timestamp_ns", expressions=[exp.Literal.number(value)])
    return exp.Cast(this=nanos, to=_data_type(TIME_TYPE).copy())


def _and(left: exp.Expression, right: exp.Expression) -> exp.Expression:
    """`left AND right` as `exp.and_` writes it, without its copies of both sides (a merge
    builds three statements per table, and a write naming thousands of tables again merges
    into each)."""
    return exp.And(this=exp.Paren(this=left) if isinstance(left, exp.Connector) else left,
                   expression=exp.Paren(this=right) if isinstance(right, exp.Connector)
                   else right)


def time_before(value: int) -> exp.Expression:
    """Rows whose time is before `value` (ns)."""
    return exp.LT(this=column(TIME_COLUMN), expression=_nanos(value))


def time_at_or_after(value: int) -> exp.Expression:
    """Rows whose time is `value` (ns) or later."""
    return exp.GTE(this=column(TIME_COLUMN), expression=_nanos(value))


def time_window(low: int, high: int) -> exp.Expression:
    """Rows whose time is in [low, high) (ns)."""
    return _and(time_at_or_after(low), time_before(high))


@dataclass(frozen=True, slots=True)
class Merge:
    """Staged rows to merge into a table: its tags, the staged columns, their time window."""

    schema: str
    table: str
    stage: str
    tags: Sequence[str]
    staged_columns: Sequence[str]
    low: int
    high: int

    def same_point(self, target: str, staged: str) -> exp.Expression:
        """A target row with the staged row's tag set and time, within [low, high] (zone maps
        then skip older row groups)."""
        condition: exp.Expression = column(TIME_COLUMN, target).eq(column(TIME_COLUMN, staged))
        present = set(self.staged_columns)
        for tag in self.tags:
            if tag in present:
                same = exp.NullSafeEQ(this=column(tag, target), expression=column(tag, staged))
            else:
                same = exp.Is(this=column(tag, target), expression=exp.Null())
            condition = _and(condition, same)
        window = exp.Between(this=column(TIME_COLUMN, target), low=_nanos(self.low),
                             high=_nanos(self.high))
        return _and(condition, window)

    def staged_as(self, alias: str) -> exp.Expression:
        return exp.Table(this=ident(self.stage), alias=exp.TableAlias(this=ident(alias)))


# Aliases of the stored table and the staged rows in merge statements; measurement names may
# not start with the reserved prefix, so no table can be named like them.
RESERVED_PREFIX = "__influx_gateway"
STORED = f"{RESERVED_PREFIX}_stored"
STAGED = f"{RESERVED_PREFIX}_staged"


def merge_update(merge: Merge, fields: Sequence[str]) -> str:
    """Overwrite the fields a staged point names on the stored point with the same identity."""
    assignments = {
        ident(f): exp.func("COALESCE", column(f, STAGED), column(f, STORED)) for f in fields
    }
    update = exp.update(
        table_ref(merge.schema, merge.table, STORED),
        assignments,
        where=merge.same_point(STORED, STAGED),
        from_=exp.From(this=merge.staged_as(STAGED)),
    )
    return sql(update, fresh=True)


def merge_insert(merge: Merge) -> str:
    """Insert the staged points that have no stored point with the same identity."""
    exists = (
        exp.select("1")
        .from_(table_ref(merge.schema, merge.table, STORED))
        .where(merge.same_point(STORED, STAGED))
    )
    select = (
        exp.select(*(column(c, STAGED) for c in merge.staged_columns))
        .from_(merge.staged_as(STAGED))
        .where(exp.Not(this=exp.Exists(this=exists)))
    )
    columns = [ident(c) for c in merge.staged_columns]
    return sql(exp.insert(select, table_ref(merge.schema, merge.table), columns=columns),
               fresh=True)


def merge_probe(merge: Merge) -> str:
    """How many staged points already have a stored point with the same identity."""
    matches = (
        exp.select(exp.Count(this=exp.Star()))
        .from_(merge.staged_as(STAGED))
        .join(table_ref(merge.schema, merge.table, STORED), on=merge.same_point(STORED, STAGED))
    )
    return sql(matches, fresh=True)


def series_last_times(schema: str, table: str, tags: Sequence[str]) -> str:
    """Each stored series (tag set) with its latest time, for the append/merge decision."""
    latest = exp.Max(this=column(TIME_COLUMN)).as_(TIME_COLUMN)  # no tag can be named `time`
    select = exp.select(*(column(t) for t in tags), latest).from_(table_ref(schema, table))
    if tags:
        select = select.group_by(*(column(t) for t in tags))
    return sql(select)


# -- catalog tables -------------------------------------------------------------------------

META_DATABASES = "databases"
META_COLUMNS = "columns"
META_COLUMNS_LAYOUT = ("database", "table", "column", "role", "type")
# v1 retention policies (position keeps 1.x's creation order) and each database's default; a
# database without a default row predates them and has 1.x's `autogen` alone.
META_RETENTION_POLICIES = "retention_policies"
META_DEFAULT_POLICIES = "default_retention_policies"
# Per table, the time before which its rows were rewritten sorted by series (`compaction.py`).
META_CLUSTERED = "clustered"


def meta_setup() -> list[str]:
    return [
        create_schema(META_SCHEMA),
        create_table(META_SCHEMA, META_DATABASES, [("name", "VARCHAR"), ("created_ns", "BIGINT")]),
        create_table(META_SCHEMA, META_COLUMNS,
                     [(name, "VARCHAR") for name in META_COLUMNS_LAYOUT]),
        create_table(
            META_SCHEMA,
            META_RETENTION_POLICIES,
            [("database", "VARCHAR"), ("name", "VARCHAR"), ("duration_ns", "BIGINT"),
             ("shard_duration_ns", "BIGINT"), ("replication", "BIGINT"),
             ("position", "BIGINT")],
        ),
        create_table(META_SCHEMA, META_DEFAULT_POLICIES,
                     [("database", "VARCHAR"), ("name", "VARCHAR")]),
        create_table(META_SCHEMA, META_CLUSTERED,
                     [("database", "VARCHAR"), ("table", "VARCHAR"), ("through_ns", "BIGINT")]),
    ]


def meta_insert(table: str, *rows: Sequence[str | int | None]) -> str:
    """One INSERT of every row given (a new table's columns: one statement, not one each)."""
    tuples = [
        exp.Tuple(expressions=[
            exp.Null() if v is None
            else exp.Literal.number(v) if isinstance(v, int)
            else exp.Literal.string(v)
            for v in row
        ])
        for row in rows
    ]
    return sql(exp.insert(exp.values(tuples), table_ref(META_SCHEMA, table)))


def meta_delete(meta_table: str, **equal: str) -> str:
    condition = exp.and_(*(column(k).eq(exp.Literal.string(v)) for k, v in equal.items()))
    return sql(exp.delete(table_ref(META_SCHEMA, meta_table), where=condition))


@lru_cache(maxsize=4096)
def qualified(schema: str, table: str) -> str:
    """A table's quoted two-part name, as the relation API's `insert_into` takes it."""
    return sql(table_ref(schema, table))


@lru_cache(maxsize=4096)
def append_from_source(schema: str, table: str) -> str:
    """Every row of a registered source, whose name is the statement's one parameter,
    appended to a stored table by position. The text depends on the table alone, so it is
    generated once per table rather than once per batch (0.1 to 0.5 ms of sqlglot each)."""
    source = exp.Table(this=exp.Anonymous(this="query_table", expressions=[exp.Placeholder()]))
    select = exp.Select(expressions=[exp.Star()], from_=exp.From(this=source))
    # Built as nodes, not through the builders (which copy their arguments): a write that
    # creates thousands of tables generates this once for each.
    return sql(exp.Insert(this=table_ref(schema, table), expression=select), fresh=True)


def physical_columns() -> str:
    """(schema, table, column) of every table of the store's own database, in column order."""
    names = ["schema_name", "table_name", "column_name"]
    return sql(
        exp.select(*(column(c) for c in names))
        .from_(exp.Table(this=exp.Anonymous(this="duckdb_columns")))
        .where(column("database_name").eq(exp.func("current_database")))
        .order_by(*(column(c) for c in names[:2]), column("column_index"))
    )


def meta_select(table: str, columns: Sequence[str]) -> str:
    return sql(exp.select(*(column(c) for c in columns)).from_(table_ref(META_SCHEMA, table)))
