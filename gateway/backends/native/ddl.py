"""Databases and tables of the native store: names, creation, the catalog read back at start,
drops and deletes, each inside the writer's transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa
from sqlglot import exp

from gateway.errors import conflict, invalid, not_found
from translators.lineprotocol import FieldType

from . import statements as st
from .catalog import Catalog, Column, Database, Role, Table, new_table
from .series_index import SeriesIndex
from .transaction import Transaction, append_arrow

# DuckDB's own schemas (and ours) cannot be databases, nor can the store's catalog name: a
# schema named like its catalog is an ambiguous reference to DuckDB.
RESERVED_SCHEMAS = frozenset({st.META_SCHEMA, "information_schema", "pg_catalog", "temp", "main",
                              "system", st.STORE_CATALOG})


def check_name(name: str, what: str) -> None:
    """A name DuckDB can hold: not empty, at most 255 characters, valid UTF-8."""
    if not name:
        raise invalid(f"{what} name required")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(f"invalid {what} name: not valid UTF-8") from None
    if len(name) > 255:
        raise invalid(f"invalid {what} name: longer than 255 characters")


def check_database_name(name: str) -> None:
    check_name(name, "database")
    if name.casefold() in RESERVED_SCHEMAS:
        raise invalid(f"invalid database name: {name!r}")


def check_new_database(catalog: Catalog, name: str) -> None:
    """Refuse a database that does not exist but differs only in case from one that does."""
    if name not in catalog.databases:
        other = catalog.folded().get(name.casefold())
        if other is not None:
            raise conflict(f"database {name!r} differs only in case from existing {other!r}")


def ensure_database(
    tx: Transaction, name: str, *, create: bool, now_ns: int
) -> Database:
    db = tx.catalog.view.databases.get(name)
    if db is not None:
        return db
    check_database_name(name)
    if not create:
        raise not_found(f"database not found: {json.dumps(name)}")
    check_new_database(tx.catalog.view, name)
    tx.con.execute(st.create_schema(name))
    tx.con.execute(st.meta_insert(st.META_DATABASES, [name, now_ns]))
    work = tx.catalog.writable()
    work.databases[name] = Database(name)
    return work.databases[name]


def create_table(tx: Transaction, database: str, table: str, columns: Sequence[Column]) -> Table:
    """Create a table, refusing a name that clashes with one the database has."""
    db = tx.catalog.view.databases[database]
    other = db.folded().get(table.casefold())
    if other is not None:
        raise conflict(f"table {table!r} already exists" if other == table else
                       f"table {table!r} differs only in case from existing {other!r}")
    grow_schema(tx, database, {table: columns})
    return tx.catalog.view.databases[database].tables[table]


def grow_schema(tx: Transaction, database: str, columns: Mapping[str, Sequence[Column]]) -> None:
    """Create the tables the database lacks and add the given columns to those it has; the
    caller ruled out name clashes. A write can name thousands of new measurements, so
    everything but the CREATE and ALTER statements is done once: the catalog is copied once
    and every column is recorded in one INSERT."""
    if not columns:
        return
    db = tx.catalog.writable().databases[database]
    recorded: dict[str, list[Column]] = {}
    for name, cols in columns.items():
        table = db.tables.get(name)
        if table is None:
            table = new_table(name)
            table.columns.update((c.name, c) for c in cols)
            tx.con.execute(st.create_table(database, name, [(c.name, sql_type(c)) for c in
                                                            table.columns.values()]))
            db.tables[name] = table
            recorded[name] = list(table.columns.values())
        elif cols:
            table = tx.catalog.writable_table(database, name)
            for col in cols:
                tx.con.execute(st.add_column(database, name, col.name, sql_type(col)))
                table.columns[col.name] = col
            recorded[name] = list(cols)
    _record_columns(tx, database, recorded)


def _record_columns(tx: Transaction, database: str,
                    columns: Mapping[str, Sequence[Column]]) -> None:
    """One INSERT of the columns' catalog rows, from Arrow (literal VALUES rows for thousands
    of columns cost more to generate and parse than to store)."""
    rows = [(table, col) for table, cols in columns.items() for col in cols]
    if not rows:
        return
    text = pa.string()
    layout = pa.table([
        pa.array([database] * len(rows), text),
        pa.array([table for table, _ in rows], text),
        pa.array([col.name for _, col in rows], text),
        pa.array([str(col.role) for _, col in rows], text),
        pa.array([str(col.type) if col.type else None for _, col in rows], text),
    ], names=list(st.META_COLUMNS_LAYOUT))
    append_arrow(tx.con, st.META_SCHEMA, st.META_COLUMNS, layout)


def sql_type(col: Column) -> str:
    if col.role is Role.TIME:
        return st.TIME_TYPE
    if col.role is Role.TAG:
        return st.TAG_TYPE
    assert col.type is not None
    return col.type.sql_type


def load_catalog(con: duckdb.DuckDBPyConnection) -> dict[str, Database]:
    databases: dict[str, Database] = {}
    for (name,) in con.execute(st.meta_select(st.META_DATABASES, ["name"])).fetchall():
        databases[name] = Database(name)
    rows = con.execute(
        st.meta_select(st.META_COLUMNS, ["database", "table", "column", "role", "type"])
    ).fetchall()
    for database, table, column, role, ftype in rows:
        db = databases.setdefault(database, Database(database))
        info = db.tables.setdefault(table, Table(table))
        info.columns[column] = Column(column, Role(role), FieldType(ftype) if ftype else None)
    # Columns in the order DuckDB stores them: appends match columns by position.
    order: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in con.execute(st.physical_columns()).fetchall():
        order.setdefault((schema, table), []).append(column)
    for db in databases.values():
        for info in db.tables.values():
            stored = order.get((db.name, info.name), [])
            if sorted(stored) != sorted(info.columns):
                raise RuntimeError(f"catalog and storage disagree on the columns of "
                                   f"{db.name!r}.{info.name!r}")
            info.columns = {name: info.columns[name] for name in stored}
    return databases


def drop_database(tx: Transaction, index: SeriesIndex,
                  name: str) -> None:
    if name not in tx.catalog.view.databases:
        raise not_found(f"database not found: {json.dumps(name)}")
    tx.discard(name)
    tx.con.execute(st.drop_schema(name))
    tx.con.execute(st.meta_delete(st.META_DATABASES, name=name))
    tx.con.execute(st.meta_delete(st.META_COLUMNS, database=name))
    tx.con.execute(st.meta_delete(st.META_RETENTION_POLICIES, database=name))
    tx.con.execute(st.meta_delete(st.META_DEFAULT_POLICIES, database=name))
    tx.con.execute(st.meta_delete(st.META_CLUSTERED, database=name))
    del tx.catalog.writable().databases[name]
    for key in [k for k in index if k[0] == name]:
        del index[key]


def drop_table(tx: Transaction, index: SeriesIndex,
               database: str, table: str) -> None:
    db = tx.catalog.view.databases.get(database)
    if db is None:
        raise not_found(f"database not found: {json.dumps(database)}")
    if table not in db.tables:
        raise not_found(f"table not found: {table!r}")
    tx.discard(database, table)
    tx.con.execute(st.drop_table(database, table))
    tx.con.execute(st.meta_delete(st.META_COLUMNS, database=database, table=table))
    tx.con.execute(st.meta_delete(st.META_CLUSTERED, database=database, table=table))
    del tx.catalog.writable().databases[database].tables[table]
    index.pop((database, table), None)


def delete_rows(tx: Transaction, index: SeriesIndex, database: str, table: str,
                condition: exp.Expression | None, index_kept: bool = False) -> int:
    """DELETE the rows matching `condition` (all when None) and return how many; an emptied
    table is dropped, as 1.x forgets a measurement whose last series is gone. The table's
    entry in the series index may now name a series' deleted latest time, so it is dropped
    (read again when a read asks) unless the caller keeps it right (`index_kept`)."""
    if tx.catalog.view.table(database, table) is None:
        return 0
    tx.flush(database, table)
    delete = exp.Delete(this=st.table_ref(database, table))
    if condition is not None:
        delete.set("where", exp.Where(this=condition))
    row = tx.con.execute(st.sql(delete)).fetchone()
    deleted = row[0] if row is not None else 0
    if deleted:
        count = exp.select(exp.Count(this=exp.Star())).from_(st.table_ref(database, table))
        row = tx.con.execute(st.sql(count)).fetchone()
        if row is not None and row[0] == 0:
            drop_table(tx, index, database, table)
        elif not index_kept:
            index.pop((database, table), None)
    return deleted
