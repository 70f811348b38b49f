"""What a read on the native store sees: the catalog at its start and a locked-down cursor."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from gateway.errors import Category, GatewayError

from . import statements as st
from .catalog import Catalog
from .series_times import SeriesWatch

# Small answers (most queries) come back about 0.25 ms sooner through execute() than through
# the relation API, whose Python layer binds each statement again; DuckDB warns that this path
# copies the rows once more, which costs a few percent only on answers of 100 K rows and more.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result",
                        category=UserWarning)


class Reader:
    """What a read sees: the catalog at its start and a cursor that runs SELECTs."""

    def __init__(self, call: QueryCall) -> None:
        self._call = call
        self.catalog = call.catalog
        self._pinned = False
        self._since: int | None = None  # write transactions begun when the snapshot was pinned

    def series_times(self, database: str, table: str) -> pa.Table | None:
        """Each series' latest time, for every series this read's snapshot holds, or None
        (`series_times.py`); the read keeps that snapshot from here on."""
        found = self.catalog.table(database, table)
        if found is None:
            return None
        watch = self._call.watch
        if self._since is None:
            since = watch.quiet()
            if since is None:
                return None
            self._call.cursor.execute("BEGIN TRANSACTION")
            self._pinned = True
            # DuckDB takes a database's snapshot when a transaction first reads from it.
            self.run(exp.select("1").from_(st.table_ref(database, table)).limit(0))
            self._since = since
        return watch.table(database, table, sorted(found.tags), self._since)

    def release(self) -> None:
        if self._pinned:
            self._pinned = False
            try:
                self._call.cursor.execute("ROLLBACK")  # reads only: nothing to keep
            except duckdb.Error:
                pass

    def run_sql(self, sql: str) -> pa.Table:
        if self._call.expired:
            raise GatewayError(Category.UNAVAILABLE, "query interrupted")
        try:
            # materialised rather than streamed: DuckDB's interrupt reaches it only this way
            return self._call.cursor.execute(sql).to_arrow_table()
        except duckdb.InterruptException as exc:
            raise GatewayError(Category.UNAVAILABLE, "query interrupted") from exc
        except duckdb.Error as exc:  # the query's own fault: bad column, bad cast, ...
            raise GatewayError(Category.INVALID, f"query error: {exc}") from exc

    def run(self, query: exp.Expression,
            tables: Mapping[str, pa.Table] | None = None) -> pa.Table:
        """Run a query the gateway built (InfluxQL, Flux): sqlglot tree to DuckDB SQL.

        `tables` are Arrow tables the query reads by name (an InfluxQL subquery's rows),
        registered on this cursor for this query only.
        """
        sql = query.sql(dialect=st.DIALECT, copy=False)  # built for this query alone
        if not tables:
            return self.run_sql(sql)
        cursor = self._call.cursor
        for name, table in tables.items():
            cursor.register(name, table)
        try:
            return self.run_sql(sql)
        finally:
            for name in tables:
                cursor.unregister(name)


def names_missing(error: BaseException) -> bool:
    """Whether DuckDB refused a read (anywhere in the error's chain) for naming a table,
    schema or function it does not have."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, duckdb.CatalogException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass(slots=True)
class QueryCall:
    catalog: Catalog
    watch: SeriesWatch
    cursor: Any = None
    expired: bool = False
