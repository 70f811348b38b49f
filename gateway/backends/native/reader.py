"""What a read on the native store sees: the catalog at its start and a locked-down cursor."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from gateway.errors import Category, GatewayError
from translators.cancel import CancelFlag

from . import statements as st
from .catalog import Catalog
from .outage import is_fatal
from .series_times import SeriesWatch
from .sql_texts import render

# How a SELECT's rows come back as Arrow. The relation API (`cursor.sql(...)`) binds each
# statement twice; DuckDB 2's `execute(...).to_arrow_table()` keeps the rows and runs a second
# statement over them to make Arrow (and warns about the copy). The module both use inside,
# `duckdb._seam`, runs the statement once straight to Arrow: about 0.1 ms less per query, a
# fifth of a small query's time in DuckDB. It is internal to the duckdb package, so if a
# release drops it, reads fall back to execute().
_submit = getattr(getattr(duckdb, "_seam", None), "submit", None)
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result",
                        category=UserWarning)


def arrow_rows(cursor: duckdb.DuckDBPyConnection, sql: str,
               values: list[int] | None = None) -> pa.Table:
    """Run one SELECT on `cursor` (with the values of its parameters), its rows as an Arrow
    table (materialised: DuckDB's interrupt reaches a query only this way)."""
    if _submit is not None:
        return _submit(cursor, sql, values or None, "arrow").arrow_table()
    return cursor.execute(sql, values or None).to_arrow_table()


class Reader:
    """What a read sees: the catalog at its start and a cursor that runs SELECTs."""

    def __init__(self, call: QueryCall) -> None:
        self._call = call
        self.catalog = call.catalog
        self.cancel = call.cancel  # raised when the read's caller stops waiting for it
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
            self.run(exp.Select(expressions=[exp.Literal.number(1)]).from_(
                st.table_ref(database, table), copy=False).limit(0, copy=False))
            self._since = since
        return watch.table(database, table, sorted(found.tags), self._since)

    def release(self) -> None:
        if self._pinned:
            self._pinned = False
            try:
                self._call.cursor.execute("ROLLBACK")  # reads only: nothing to keep
            except duckdb.Error:
                pass

    def run_sql(self, sql: str, values: list[int] | None = None) -> pa.Table:
        table = self._engine(arrow_rows, self._call.cursor, sql, values)
        if table.nbytes > self._call.max_bytes:
            # Refused before any encoder copies the rows again (JSON and Python objects
            # take several times Arrow's bytes): one query must not exhaust memory.
            raise GatewayError(Category.INVALID, f"the query's result exceeds "
                               f"{self._call.max_bytes} bytes in memory (query.max_bytes); "
                               "narrow it with WHERE, LIMIT or an aggregate")
        return table

    def explain(self, sql: str, *, analyze: bool) -> str:
        """DuckDB's physical plan of the SELECT `sql`; with `analyze`, run, with its metrics."""
        return self._engine(lambda cursor: cursor.sql(sql).explain(
            type="analyze" if analyze else "standard"), self._call.cursor)

    def _engine(self, work: Callable[..., Any], *args: Any) -> Any:
        """`work(*args)` on DuckDB, its errors as the gateway's."""
        if self._call.cancel.reason is not None:
            raise GatewayError(Category.UNAVAILABLE, self._call.cancel.reason)
        try:
            return work(*args)
        except duckdb.InterruptException as exc:
            # stopped on purpose (the spill bound, a reopen): ReadPool._read answers its refusal
            raise GatewayError(Category.UNAVAILABLE, "query interrupted") from exc
        except duckdb.OutOfMemoryException as exc:
            raise GatewayError(Category.INVALID, "query error: the query needs more memory "
                               "than the store's memory limit leaves it (storage.memory_limit); "
                               "narrow it with WHERE, LIMIT or an aggregate") from exc
        except duckdb.Error as exc:
            if is_fatal(exc) or isinstance(exc, duckdb.ConnectionException):
                # the store's state (its database invalidated, or closed to be reopened)
                raise GatewayError(Category.UNAVAILABLE, f"the store is unavailable ({exc}); "
                                   "try again", retry_after=1) from exc
            # the query's own fault: bad column, bad cast, ...
            raise GatewayError(Category.INVALID, f"query error: {exc}") from exc

    def run(self, query: exp.Expression,
            tables: Mapping[str, pa.Table] | None = None) -> pa.Table:
        """Run a query the gateway built (InfluxQL, Flux): sqlglot tree to DuckDB SQL.

        `tables` are Arrow tables the query reads by name (an InfluxQL subquery's rows),
        registered on this cursor for this query only.
        """
        sql, values = render(query)  # the text kept for its shape of tree (`sql_texts`)
        if not tables:
            return self.run_sql(sql, values)
        cursor = self._call.cursor
        for name, table in tables.items():
            cursor.register(name, table)
        try:
            return self.run_sql(sql, values)
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


@dataclass(slots=True, eq=False)  # a read's own state: equal only to itself
class QueryCall:
    catalog: Catalog
    watch: SeriesWatch
    max_bytes: int  # the most bytes one statement's rows may hold (query.max_bytes)
    cursor: Any = None
    cancel: CancelFlag = field(default_factory=CancelFlag)
    refusal: GatewayError | None = None  # why the read was stopped (SpillGuard, a reopen)
