"""NativeStore: the embedded DuckDB database, its writer thread and its read connections.

All changes go through one writer thread, which commits waiting jobs together (`writer.py`).
A write is acknowledged only after that COMMIT, so a 204 means durable and queryable. Reads
run on separate DuckDB cursors in worker threads (DuckDB releases the GIL): `reads.py`.

When DuckDB invalidates the database (a FATAL error), the store refuses writes and reads with a
503 and the writer thread closes and reopens it, which replays the WAL (`outage.py`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from gateway.backends.base import Backend
from gateway.errors import Category, GatewayError, not_found
from gateway.model import Namespace, SqlQuery, WriteOutcome
from translators.lineprotocol import FieldType, LineError, ParsedBatch

from . import compaction, ddl, outage, policies, retention, series_index, transaction, writes
from . import statements as st
from .catalog import Catalog, Column, Role
from .reader import Reader
from .reads import ReadPool, SpillGuard
from .series_times import SeriesWatch
from .writer import Job, Writer

log = logging.getLogger(__name__)


class NativeStore(Backend):
    def __init__(
        self,
        path: Path,
        *,
        threads: int = 1,
        memory_limit: str = "",
        auto_create: bool = True,
        checkpoint_threshold: str = "256MB",
        idle_checkpoint_seconds: float = 1.0,
        idle_checkpoint_bytes: int = 16_777_216,
        max_columns: int = 500,
        query_timeout: float = 300.0,
        query_workers: int = 4,
        max_rows: int = 1_000_000,
        max_bytes: int = 268_435_456,
        max_spill_bytes: int = 1_073_741_824,
        retention_check_interval: float = 1800.0,
        cluster_series: bool = False,
        cluster_window_rows: int = compaction.WINDOW_ROWS,
        cluster_piece_rows: int = compaction.PIECE_ROWS,
    ) -> None:
        self.path = path
        self.auto_create = auto_create
        self._threads = threads
        self._memory_limit = memory_limit
        self._checkpoint_threshold = checkpoint_threshold
        self.max_columns = max_columns
        self._index: series_index.SeriesIndex = {}
        self._watch = SeriesWatch(self._index, lambda database, table:
                                  self._writer.load_series(database, table))
        self._outage = outage.Outage()
        self._retention = retention.RetentionService(
            retention_check_interval, lambda now: self.submit(
                lambda tx: retention.expire(tx, self._index, now)))
        self._reads = ReadPool(lambda: self._writer.catalog, self._connection, self._watch,
                               query_timeout=query_timeout, query_workers=query_workers,
                               max_rows=max_rows, max_bytes=max_bytes,
                               spill=SpillGuard(Path(f"{path}.tmp"), max_spill_bytes))
        self._cluster = compaction.Clusterer(cluster_window_rows, cluster_piece_rows) \
            if cluster_series else None
        self._writer = Writer(self._connect, index=self._index, watch=self._watch,
                              down=self._outage, reads=self._reads, wal=Path(f"{path}.wal"),
                              idle_seconds=idle_checkpoint_seconds,
                              idle_bytes=idle_checkpoint_bytes, cluster=self._cluster)

    # -- life cycle --------------------------------------------------------------------------

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer.start()
        self._retention.start()
        assert self._writer.con is not None
        # On a cursor: the writer thread may be using the connection already (clustering).
        # fetchall: a result left unfinished keeps DuckDB 2 from any other call on it.
        cursor = self._writer.con.cursor()
        try:
            limit = cursor.execute("SELECT current_setting('memory_limit')").fetchall()
        finally:
            cursor.close()
        log.info("native store open at %s (%d databases, memory_limit %s)", self.path,
                 len(self.catalog.databases), limit[0][0] if limit else "?")

    def _connect(self) -> tuple[duckdb.DuckDBPyConnection, Catalog]:
        """Open the database file (DuckDB replays its WAL) locked down; with its catalog."""
        # Checkpoints (WAL -> compressed columns) cost far less per row in large units, so the
        # automatic one is rare and the writer checkpoints itself when writes pause.
        config: dict[str, Any] = {"checkpoint_threshold": self._checkpoint_threshold}
        if self._threads:
            config["threads"] = self._threads
        if self._memory_limit:
            config["memory_limit"] = self._memory_limit
        con = duckdb.connect(str(self.path), config=config)
        try:
            return con, _lock_down(con)
        except BaseException:
            con.close()
            raise

    async def close(self) -> None:
        await asyncio.to_thread(self.close_sync)

    def close_sync(self) -> None:
        self._reads.stop()
        self._retention.stop()
        self._writer.stop()
        self._reads.close()
        self._writer.close()

    async def ping(self) -> bool:
        return self.status().up

    def status(self) -> outage.StoreStatus:
        status = self._outage.status(self._writer.running())
        if self._cluster is None:
            return status
        return dataclasses.replace(status, clustering_backlog=self._cluster.backlog)

    @property
    def catalog(self) -> Catalog:
        return self._writer.catalog

    # -- writer thread (`writer.py`) --------------------------------------------------------

    def submit(self, job: Job) -> concurrent.futures.Future[Any]:
        return self._writer.submit(job)

    async def run(self, job: Job) -> Any:
        self._refuse_if_down()
        return await asyncio.wrap_future(self.submit(job))

    def _refuse_if_down(self) -> None:
        if self._outage.reason is not None:
            raise self._outage.refusal()

    # -- writes ------------------------------------------------------------------------------

    def prepare(self, batch: ParsedBatch) -> writes.PreparedBatch:
        return writes.prepare(batch)

    async def write(self, namespace: Namespace, batch: writes.PreparedBatch, *,
                    sync: bool = True, all_or_nothing: bool = False) -> WriteOutcome:
        database = namespace.database
        ddl.check_database_name(database)
        self._refuse_if_down()
        if not self.auto_create and database not in self.catalog.databases:
            raise not_found(f"database not found: {json.dumps(database)}")
        policy = policies.resolve_policy(self.catalog.databases.get(database),
                                         namespace.retention_policy)
        now = time.time_ns()

        def job(tx: transaction.Transaction) -> tuple[int, writes.Refusals]:
            return writes.apply_write(tx, self._index, database, batch,
                                      create=self.auto_create, now_ns=now, policy=policy,
                                      all_or_nothing=all_or_nothing,
                                      max_columns=self.max_columns)

        if not sync:
            # v3 no_sync answers once the writer has checked the batch against the catalog,
            # before COMMIT, as InfluxDB 3 answers once the batch is validated and buffered.
            # Checked in the writer, it sees the columns of batches queued before it, so a
            # line is never acknowledged and refused afterwards.
            checked: concurrent.futures.Future[tuple[int, writes.Refusals]] = \
                concurrent.futures.Future()

            def checked_job(tx: transaction.Transaction) -> tuple[int, writes.Refusals]:
                result = job(tx)
                if not checked.done():  # a failed group runs its jobs again
                    checked.set_result(result)
                return result

            committed = self.submit(checked_job)
            committed.add_done_callback(lambda done: _after_no_sync(done, checked))
            written, rejected = await asyncio.wrap_future(checked)
            return _outcome(written, rejected)
        written, rejected = await asyncio.wrap_future(self.submit(job))
        return _outcome(written, rejected)

    # -- schema ------------------------------------------------------------------------------

    async def create_database(self, name: str) -> None:
        def job(tx: transaction.Transaction) -> None:
            if name in tx.catalog.view.databases:
                raise GatewayError(Category.CONFLICT, f"database {name!r} already exists")
            ddl.ensure_database(tx, name, create=True, now_ns=time.time_ns())

        await self.run(job)

    async def ensure_database(self, name: str) -> None:
        """Create the database if missing (InfluxQL CREATE DATABASE is idempotent)."""
        if name in self.catalog.databases:
            return
        await self.run(lambda tx: ddl.ensure_database(tx, name, create=True,
                                                         now_ns=time.time_ns()))

    async def drop_database(self, name: str) -> None:
        await self.run(lambda tx: ddl.drop_database(tx, self._index, name))

    async def create_table(self, database: str, table: str, tags: list[str],
                           fields: dict[str, FieldType]) -> None:
        for name, what in ((table, "table"), *((n, "column") for n in [*tags, *fields])):
            ddl.check_name(name, what)
        if table.startswith(st.RESERVED_PREFIX):
            raise GatewayError(Category.INVALID, f"table names may not start with "
                                                 f"{st.RESERVED_PREFIX}")
        if 1 + len(tags) + len(fields) > self.max_columns:
            raise GatewayError(Category.INVALID, f"a table may have at most {self.max_columns}"
                                                 " columns, the time column included")
        columns = [Column(t, Role.TAG) for t in tags]
        columns += [Column(f, Role.FIELD, ftype) for f, ftype in fields.items()]

        def job(tx: transaction.Transaction) -> None:
            if database not in tx.catalog.view.databases:
                raise not_found(f"database not found: {json.dumps(database)}")
            ddl.create_table(tx, database, table, columns)
            self._index[(database, table)] = {}

        await self.run(job)

    async def drop_table(self, database: str, table: str) -> None:
        await self.run(lambda tx: ddl.drop_table(tx, self._index, database, table))

    async def delete_rows(self, database: str, table: str,
                          condition: exp.Expression | None) -> None:
        """DELETE the rows matching `condition` (all when None); an emptied table is dropped,
        as 1.x forgets a measurement whose last series is gone."""
        await self.run(lambda tx: ddl.delete_rows(tx, self._index, database, table,
                                                  condition))

    def databases(self) -> list[str]:
        return sorted(self.catalog.databases)

    async def setting(self, name: str) -> str:
        """A DuckDB setting's value as DuckDB reports it (e.g. memory_limit "9.4 GiB")."""
        query = exp.select(exp.func("current_setting", exp.Literal.string(name)).as_("value"))
        table = await self.read(lambda reader: reader.run(query))
        return str(table.column("value")[0].as_py())

    # -- reads (`reads.py`) ---------------------------------------------------------------

    async def query_sql(self, query: SqlQuery) -> pa.Table:
        return await self._watched(lambda: self._reads.query_sql(query))

    async def read(self, work: Callable[[Reader], Any],
                   gone: Callable[[], bool] | None = None) -> Any:
        """Run `work` on a query worker with a locked-down cursor (`ReadPool.read`)."""
        return await self._watched(lambda: self._reads.read(work, gone))

    async def _watched(self, read: Callable[[], Awaitable[Any]]) -> Any:
        """A read, refused while the store is down; one that meets DuckDB's fatal state
        takes the store down (the reader answers it as unavailable)."""
        self._refuse_if_down()
        try:
            return await read()
        except (GatewayError, duckdb.Error) as exc:  # a read's own statements raise bare
            if outage.is_fatal(exc):
                self._writer.fall(exc)
            elif not isinstance(exc, duckdb.ConnectionException):  # closed to be reopened
                raise
            raise self._outage.refusal() from exc

    def _connection(self) -> duckdb.DuckDBPyConnection:
        con = self._writer.con
        if con is None:  # being reopened
            raise self._outage.refusal()
        return con


def _lock_down(con: duckdb.DuckDBPyConnection) -> Catalog:
    """Settings every connection of the store runs with, then locked; the stored catalog."""
    # DataFusion reads a text time without an offset as UTC, whatever zone the process runs
    # in; DuckDB would read it (in casts to TIMESTAMPTZ) in the machine's zone. Global, so
    # every reader cursor has it, and set before the configuration is locked below.
    con.execute("SET GLOBAL TimeZone = 'UTC'")
    for statement in st.meta_setup():
        con.execute(statement)
    # From here on no SQL on any connection can reach files, attach databases, load
    # extensions or change settings.
    con.execute("SET enable_external_access = false")
    # Nor name a Python variable of the process as a table (DuckDB's replacement scans).
    con.execute("SET GLOBAL python_enable_replacements = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET lock_configuration = true")
    databases = ddl.load_catalog(con)
    policies.load_policies(con, databases)
    return Catalog(databases)


def _outcome(written: int, rejected: writes.Refusals) -> WriteOutcome:
    return WriteOutcome(
        written=written,
        dropped=rejected.count,
        errors=[LineError(line, "", reason, parsed=True) for line, reason in rejected.kept],
        beyond_retention=rejected.beyond_retention,
    )


def _after_no_sync(committed: concurrent.futures.Future[Any],
                   checked: concurrent.futures.Future[Any]) -> None:
    """A no_sync batch that failed before the writer checked it gets its error; one that was
    acknowledged and then failed can only be logged."""
    error = committed.exception()
    if error is None:
        return
    if not checked.done():
        checked.set_exception(error)
    else:
        log.error("no_sync write failed after acknowledgement: %s", error)
