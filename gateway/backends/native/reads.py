"""The native store's read side: a pool of query workers and locked-down DuckDB cursors.

A read runs on a query worker (translation and execution both stay off the event loop) with a
cursor of the store's connection, under the query timeout, and sees the catalog as it was when
it began. A read that meets a table dropped meanwhile starts again with the newer catalog.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from gateway.errors import Category, GatewayError, not_found
from gateway.model import SqlQuery
from gateway.watch import watched
from translators.cancel import Cancelled
from translators.sql import (
    SqlRejected,
    Translation,
    apply_zones,
    engine_message,
    translate,
)

from .catalog import Catalog
from .reader import QueryCall, Reader, names_missing
from .schema import sql_columns
from .series_times import SeriesWatch

log = logging.getLogger(__name__)

_READ_ATTEMPTS = 3  # a read restarts when a concurrent drop removed a table it was reading


def _plan(reader: Reader, translation: Translation) -> pa.Table:
    """An EXPLAIN's answer in InfluxDB 3's shape (`plan_type`, `plan`), the plan DuckDB's: its
    physical plan, or with ANALYZE the plan it ran with its metrics (DataFusion's row name)."""
    analyze = translation.explain is not None and translation.explain.analyze
    plan = reader.explain(translation.sql, analyze=analyze)
    return pa.table({"plan_type": ["Plan with Metrics" if analyze else "physical_plan"],
                     "plan": [plan]})


class SpillGuard:
    """Bounds what queries spill to disk. Past its memory limit DuckDB writes intermediates
    (a DISTINCT over a cross join, a large sort) to `directory` without honouring its own
    max_temp_directory_size (3.2 GB in 45 s against a 300 MB bound), which could fill the
    disk the WAL needs; past `limit` bytes the running reads are interrupted (DuckDB then
    frees the files)."""

    def __init__(self, directory: Path, limit: int) -> None:
        self.directory = directory
        self.limit = limit

    def spilled(self) -> int:
        """Bytes the directory's files take on disk (files DuckDB removes meanwhile count 0)."""
        total = 0
        try:
            with os.scandir(self.directory) as entries:
                for entry in entries:
                    try:
                        total += entry.stat().st_blocks * 512
                    except FileNotFoundError:
                        pass
        except FileNotFoundError:
            pass
        return total

    def refusal(self, alone: bool) -> GatewayError:
        """What an interrupted read answers: a 400 for the one read that ran; when several
        ran, the files cannot tell whose they were, so each is told to try again."""
        words = (f"spilled more than {self.limit} bytes to disk past the memory limit "
                 "(query.max_spill_bytes, storage.memory_limit)")
        if alone:
            return GatewayError(Category.INVALID, f"the query {words}; narrow it with WHERE, "
                                "LIMIT or an aggregate")
        return GatewayError(Category.UNAVAILABLE, f"queries running together {words}; "
                            "this one was interrupted with them, try again", retry_after=1)


class ReadPool:
    """Runs reads for a NativeStore. `catalog` gives the store's latest published catalog and
    `connection` its open DuckDB connection, from which the pool takes cursors."""

    def __init__(self, catalog: Callable[[], Catalog],
                 connection: Callable[[], duckdb.DuckDBPyConnection], watch: SeriesWatch, *,
                 query_timeout: float, query_workers: int, max_rows: int,
                 max_bytes: int, spill: SpillGuard | None = None) -> None:
        self._catalog = catalog
        self._connection = connection
        self._watch = watch
        self._query_timeout = query_timeout
        self._max_rows = max_rows
        self._max_bytes = max_bytes
        self._query_pool = ThreadPoolExecutor(query_workers, thread_name_prefix="query")
        self._running: set[QueryCall] = set()
        self._readers: queue.SimpleQueue[duckdb.DuckDBPyConnection] = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._spill = spill
        if spill is not None:
            threading.Thread(target=self._guard_spill, args=(spill,), name="spill-guard",
                             daemon=True).start()

    def _guard_spill(self, spill: SpillGuard) -> None:
        """While reads run, interrupt them all once DuckDB's spill files pass the bound."""
        while not self._stopped.wait(0.2):
            try:
                if not self._running or spill.spilled() <= spill.limit:
                    continue
                calls = list(self._running)
                for call in calls:
                    if call in self._running:  # not ended meanwhile (its cursor moves on)
                        call.refusal = spill.refusal(alone=len(calls) == 1)
                        call.cursor.interrupt()
            except Exception:  # the bound must outlive a failed look
                log.exception("spill guard: looking at %s failed", spill.directory)

    def stop(self) -> None:
        """Interrupt running queries and drop waiting ones; returns once the running ones
        ended or after 5 s (interrupted queries end quickly; stragglers are ignored)."""
        self._stopped.set()
        self._query_pool.shutdown(wait=False, cancel_futures=True)
        self._interrupt("server shutting down")  # queries must not hold up shutdown

    def renew(self, refusal: GatewayError) -> None:
        """Before the store closes its connection to open it again: running queries are
        interrupted, each answered `refusal` (the outage's), and no cursor of that connection
        is handed out again."""
        self._readers = queue.SimpleQueue()  # reads return theirs to the queue they took
        self._interrupt(refusal.message, refusal)

    def _interrupt(self, reason: str, refusal: GatewayError | None = None) -> None:
        """Interrupt running queries; return once they ended or after 5 s."""
        for call in list(self._running):
            if refusal is not None:
                call.refusal = refusal
            call.cancel.cancel(reason)
            call.cursor.interrupt()
        deadline = time.monotonic() + 5
        while self._running and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self) -> None:
        """Close the pooled cursors (before the connection closes)."""
        while not self._readers.empty():
            try:
                self._readers.get().close()
            except duckdb.Error:  # still busy with an interrupted query: closed with the store
                pass

    async def query_sql(self, query: SqlQuery) -> pa.Table:
        database = query.namespace.database

        def work(reader: Reader) -> pa.Table:
            db = reader.catalog.databases.get(database)
            if db is None:
                raise not_found(f"database not found: {database}")
            tables = tuple(db.tables)
            columns = sql_columns(db)
            try:
                translation = translate(query.text, schema=database, tables=tables,
                                        params=query.params, row_limit=self._max_rows + 1,
                                        columns=columns, fill_limit=self._max_rows,
                                        size_limit=self._max_bytes)
            except SqlRejected as exc:
                raise GatewayError(Category.INVALID, str(exc)) from exc
            try:
                if translation.explain is not None:
                    return _plan(reader, translation)
                table = apply_zones(reader.run_sql(translation.sql), translation.zones)
            except GatewayError as exc:
                if exc.category is not Category.INVALID:
                    raise
                raise GatewayError(Category.INVALID,
                                   engine_message(exc.message, database)) from None
            if table.num_rows > self._max_rows:
                raise GatewayError(Category.INVALID, f"the query's result exceeds "
                                   f"{self._max_rows} rows (query.max_rows); narrow it with "
                                   "WHERE, LIMIT or an aggregate")
            names = table.column_names
            if len(set(names)) != len(names):
                duplicates = sorted({n for n in names if names.count(n) > 1})
                raise GatewayError(Category.INVALID, "result column names must be unique: "
                                                     + ", ".join(duplicates))
            return table

        return await self.read(work, query.gone)

    async def read(self, work: Callable[[Reader], Any],
                   gone: Callable[[], bool] | None = None) -> Any:
        """Run `work` on a query worker with a locked-down cursor, under the query timeout.

        `work` sees the catalog as it was when the read began; it may run several statements.
        `gone` tells whether the caller has left (its client disconnected): the read then
        stops as a timed-out one does.
        """
        call = QueryCall(self._catalog(), self._watch, self._max_bytes)
        readers = self._readers
        try:
            call.cursor = readers.get_nowait()
        except queue.Empty:
            call.cursor = self._connection().cursor()
        job = self._query_pool.submit(self._read, call, work)
        stopped = False

        def stop(reason: str) -> None:
            nonlocal stopped
            stopped = True
            self._abandon(call, job, reason, readers)

        try:
            return await watched(asyncio.wrap_future(job), gone, self._query_timeout, stop)
        finally:
            if not stopped:
                readers.put(call.cursor)

    @staticmethod
    def _abandon(call: QueryCall, job: Future[Any], reason: str,
                 readers: queue.SimpleQueue[duckdb.DuckDBPyConnection]) -> None:
        """Stop a read nobody waits for. One not started is dropped; a running one is
        interrupted (DuckDB at its next check, Python work at its next look at the cancel
        flag), and its cursor returns to the pool when it ends. `job` is asked, not the event
        loop's wrapper (which `watched` cancels), as that cancels even while the worker runs
        on."""
        call.cancel.cancel(reason)
        if job.cancel():
            readers.put(call.cursor)
        else:
            call.cursor.interrupt()
            job.add_done_callback(lambda _: readers.put(call.cursor))

    def _catalog_after(self, catalog: Catalog) -> Catalog:
        """The catalog, once it differs from `catalog` or no write transaction is open: one
        that has committed publishes its catalog (within moments) before it counts as ended."""
        deadline = time.monotonic() + 1
        while (self._catalog() is catalog and self._watch.begun != self._watch.ended
               and time.monotonic() < deadline):
            time.sleep(0.001)
        return self._catalog()

    def _read(self, call: QueryCall, work: Callable[[Reader], Any]) -> Any:
        """Runs on a query worker: translation and execution both stay off the event loop.

        A table or database the read's catalog names may be dropped before DuckDB reads it
        (the catalog is taken when the read begins, each statement's snapshot when it runs):
        the read then starts again with the catalog as it is now.
        """
        self._running.add(call)
        try:
            for attempt in range(_READ_ATTEMPTS):
                reader = Reader(call)
                try:
                    return work(reader)
                except Cancelled as exc:  # its caller has answered with this already
                    raise GatewayError(Category.UNAVAILABLE, str(exc)) from None
                except GatewayError as exc:
                    if attempt + 1 == _READ_ATTEMPTS or not names_missing(exc):
                        raise
                    latest = self._catalog_after(call.catalog)
                    if latest is call.catalog:
                        raise
                    call.catalog = latest
                finally:
                    reader.release()
            raise AssertionError("unreachable")
        except Exception as exc:
            # stopped on purpose (the spill bound, the store's reopen): whether DuckDB's
            # interrupt or the Python work's look at the cancel flag stopped it, its answer
            # is why
            if call.refusal is not None and exc is not call.refusal:
                raise call.refusal from exc
            raise
        finally:
            self._running.discard(call)
