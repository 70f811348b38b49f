"""The native store's writer thread: it owns the DuckDB connection and applies every change.

It takes every job waiting in its queue, applies them in one transaction and commits once
(group commit: DuckDB syncs its WAL at COMMIT), then answers each job. When writes pause it
rewrites settled rows sorted by series, one bounded piece at a time between queued writes
(`compaction.py`), and folds the WAL into the database file (a checkpoint). When DuckDB
invalidates the database (a FATAL error) it closes and reopens it, which replays the WAL,
backing off between attempts (`outage.py`).
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from gateway.errors import Category, GatewayError

from . import compaction, outage, series_index, transaction
from .catalog import Catalog, CatalogTxn
from .reads import ReadPool
from .series_times import SeriesWatch

log = logging.getLogger(__name__)

Job = Callable[[transaction.Transaction], Any]
Connect = Callable[[], tuple[duckdb.DuckDBPyConnection, Catalog]]
_STOP = object()
_WAKE = object()  # a reader met the fatal state: the writer reopens the database
_GROUP_LIMIT = 512
_CLOSE_PATIENCE = 5.0  # seconds the reopen waits for a call on the old connection to end
# WAL bytes at which clustering, which keeps the writer busy while writes pause, checkpoints
# between its windows rather than once it is done
_CLUSTER_WAL_BYTES = 64 << 20


def _out_of_memory(exc: Exception) -> bool:
    """Whether DuckDB refused a write for want of memory (a COMMIT says so in a
    TransactionException: 'could not allocate block', 'failed to pin block', each with the
    advice to raise memory_limit)."""
    return isinstance(exc, duckdb.OutOfMemoryException) or (
        isinstance(exc, duckdb.TransactionException) and "memory_limit" in str(exc))


def _close(con: duckdb.DuckDBPyConnection) -> None:
    """Close `con`. DuckDB refuses while another thread is in a call on it
    (ResourceInUseException), e.g. a read that took it just before the reopen, taking a
    cursor on the event loop; such a call is brief, so the close is tried again meanwhile.
    Left open, the invalidated database would be the one the reopen connects to again."""
    deadline = time.monotonic() + _CLOSE_PATIENCE
    while True:
        try:
            con.close()
            return
        except duckdb.ResourceInUseException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class Writer:
    """The store's one writer. `con` is the open connection (None while being reopened) and
    `catalog` the latest committed catalog; reads take both (`reads.py`)."""

    def __init__(self, connect: Connect, *, index: series_index.SeriesIndex,
                 watch: SeriesWatch, down: outage.Outage, reads: ReadPool, wal: Path,
                 idle_seconds: float, idle_bytes: int = 0,
                 cluster: compaction.Clusterer | None = None) -> None:
        self._connect = connect
        self.con: duckdb.DuckDBPyConnection | None = None
        self.catalog = Catalog()
        self._index = index
        self._watch = watch
        self._outage = down
        self._reads = reads
        self._wal = wal
        self._idle_seconds = idle_seconds
        self._idle_bytes = idle_bytes
        self._cluster = cluster
        self._clustering = False  # pieces remain: the writer goes on while no write waits
        self._loading: set[tuple[str, str]] = set()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.con, self.catalog = self._connect()
        if self._cluster is not None:
            self._cluster.load(self.con)
        self._thread = threading.Thread(target=self._loop, name="native-writer", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Finish the jobs queued so far, then end the thread."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    def close(self) -> None:
        """After `stop`: checkpoint (unless the database was invalidated) and close."""
        if self.con is not None and self._outage.reason is None:
            try:
                self.con.execute("CHECKPOINT")
            except duckdb.Error:  # e.g. a FatalException after a commit failed for memory
                log.exception("checkpoint at close failed; the WAL is replayed at next start")
        if self.con is not None:
            try:
                self.con.close()
            except duckdb.Error:
                log.exception("closing the store failed; the WAL is replayed at next start")
            self.con = None

    def submit(self, job: Job) -> concurrent.futures.Future[Any]:
        if self._thread is None:
            raise GatewayError(Category.UNAVAILABLE, "the store is closed")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._queue.put((job, future))
        return future

    def load_series(self, database: str, table: str) -> None:
        """Read a table's series index (reads use it: `series_times.py`)."""
        if (database, table) in self._loading:
            return
        self._loading.add((database, table))

        def job(tx: transaction.Transaction) -> None:
            self._loading.discard((database, table))
            found = tx.catalog.view.table(database, table)
            if found is not None:
                series_index.load_series(tx, self._index, database, found)

        try:
            self.submit(job)
        except GatewayError:  # closing
            self._loading.discard((database, table))

    def fall(self, error: BaseException) -> None:
        """DuckDB invalidated the database: refuse writes and reads until it is reopened."""
        if self._outage.mark(error):
            log.error("the native store's database was invalidated by a fatal error; writes "
                      "and reads are refused until it is reopened: %s", error)
            if threading.current_thread() is not self._thread:
                self._queue.put(_WAKE)

    def _loop(self) -> None:
        while True:
            due = self._outage.wait()
            if due == 0:
                try:
                    self._reopen()
                except Exception as exc:  # the writer must outlive it, to try again
                    log.exception("reopening the native store failed")
                    self._outage.attempt_failed(exc)
                continue
            try:
                wait = 0 if self._clustering else self._idle_seconds
                item = self._queue.get(timeout=wait if due is None else due)
            except queue.Empty:
                if due is None:
                    self._idle_work()
                continue
            if item is _STOP:
                return
            group = [] if item is _WAKE else [item]
            stopping = False
            while len(group) < _GROUP_LIMIT:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                if item is not _WAKE:
                    group.append(item)
            # clustering goes on only after writes pause again for `idle_seconds`
            self._clustering = False
            if group and self._outage.reason is not None:
                for _, future in group:  # queued before the store went down
                    future.set_exception(self._outage.refusal())
            elif group:
                self._run_group(group)
            if stopping:
                return

    def _reopen(self) -> None:
        """Close the invalidated database and open it again (DuckDB replays its WAL), then
        checkpoint it, which fails while the disk is still full."""
        attempt = self._outage.recovered + self._outage.failed + 1
        log.warning("reopening the native store (attempt %d) after: %s", attempt,
                    self._outage.reason)
        old, self.con = self.con, None  # no read takes a cursor of it from here on
        # running reads stop, refused as reads are during the outage (the whole request);
        # cursors of the old connection are dropped
        self._reads.renew(self._outage.refusal())
        if old is not None:
            try:
                _close(old)
            except duckdb.Error:
                log.exception("closing the invalidated database failed")
        self._index.clear()
        self._loading.clear()
        try:
            con, catalog = self._connect()
        except Exception as exc:  # the writer must outlive it, to try again
            delay = self._outage.attempt_failed(exc)
            log.error("reopening the native store failed (attempt %d), next attempt in "
                      "%.0f s: %s", attempt, delay, exc)
            return
        try:
            con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            con.close()
            delay = self._outage.attempt_failed(exc)
            log.error("the reopened native store could not checkpoint (attempt %d), next "
                      "attempt in %.0f s: %s", attempt, delay, exc)
            return
        if self._cluster is not None:
            try:
                self._cluster.load(con)
            except duckdb.Error:
                log.exception("reading the clustering watermarks failed; starting over")
        self.catalog = catalog
        self.con = con
        self._outage.attempt_recovered()
        log.warning("native store reopened (attempt %d, %d databases)", attempt,
                    len(catalog.databases))

    def _idle_work(self) -> None:
        """No write waits: one piece of clustering, else fold the WAL in."""
        self._clustering = False
        if self._cluster is not None and self.con is not None:
            try:
                self._clustering = self._cluster.step(self.con, self.catalog)
            except Exception as exc:  # the writer must outlive it
                if outage.is_fatal(exc):
                    self.fall(exc)
                    return
                # e.g. out of memory: the table is tried again after its next write
                log.exception("clustering rows by series failed")
                self._clustering = self._cluster.backlog > 0
            if self._clustering:
                # between windows: a checkpoint ends the row group being filled
                if self._cluster.finished:
                    self._checkpoint_if_needed(_CLUSTER_WAL_BYTES)
                return
        self._checkpoint_if_needed()

    def _checkpoint_if_needed(self, threshold: int | None = None) -> None:
        """Fold the WAL into the database file while no write is waiting, once it holds more
        than `threshold` bytes, by default once it holds `idle_bytes`: each checkpoint
        compresses the last, partly filled row group of a table again, so folding a few
        thousand rows at every pause costs several times the CPU per row of folding many."""
        try:
            pending = self._wal.stat().st_size
        except FileNotFoundError:
            return
        least = self._idle_bytes if threshold is None else threshold + 1
        if pending and pending >= least and self.con is not None:
            started = time.perf_counter()
            try:
                self.con.execute("CHECKPOINT")
            except duckdb.Error as exc:
                if outage.is_fatal(exc):  # e.g. it could not write the database file
                    self.fall(exc)
                    return
                # e.g. a full disk: writes go on, the WAL keeps growing
                log.exception("checkpoint failed; will retry when writes pause again")
                return
            log.debug("checkpointed %d WAL bytes in %.3f s", pending,
                      time.perf_counter() - started)

    def _run_group(self, group: list[tuple[Job, concurrent.futures.Future[Any]]]) -> None:
        """Run jobs in one transaction. If any job fails, nothing of the group is kept: the
        others run again on their own, so one bad job never costs another its write."""
        con = self.con
        assert con is not None
        tx = transaction.Transaction(con, CatalogTxn(self.catalog))
        results: list[Any] = []
        self._watch.begun += 1
        committing = False
        try:
            con.begin()
            for job, _ in group:
                results.append(job(tx))
            tx.flush()
            committing = True
            con.commit()
        except Exception as exc:
            try:
                con.rollback()
            except duckdb.Error:
                pass
            self._index.clear()  # may hold times of rows that were rolled back
            self._watch.ended += 1
            if outage.is_fatal(exc):  # no job of the group was committed, nor can run again
                self.fall(exc)
                for _, future in group:
                    future.set_exception(self._outage.refusal())
                return
            if len(group) > 1:
                for item in group:
                    self._run_group([item])
                return
            if _out_of_memory(exc):  # queries hold the memory
                log.warning("write refused: %s", exc)
                exc = GatewayError(Category.UNAVAILABLE, "the store is out of memory "
                                   "(storage.memory_limit); nothing was written, try again",
                                   retry_after=1)
            elif committing and isinstance(exc, duckdb.Error):
                # the store's state, not the write's fault: e.g. the WAL could not be
                # written on a full disk
                log.error("commit failed: %s", exc)
                exc = GatewayError(Category.UNAVAILABLE, f"the store could not commit the "
                                   f"write ({exc}); nothing was written, try again",
                                   retry_after=1)
            elif not isinstance(exc, GatewayError):
                log.exception("storage transaction failed")
                exc = GatewayError(Category.INTERNAL, f"storage error: {exc}")
            group[0][1].set_exception(exc)
            return
        self.catalog = tx.catalog.result()  # before `ended`: see _catalog_after
        self._watch.ended += 1
        if self._cluster is not None and tx.earliest:
            self._cluster.written(tx.earliest)
        for (_, future), result in zip(group, results, strict=True):
            future.set_result(result)
