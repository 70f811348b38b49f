"""Retention on the native store as 1.x enforces it: which points of a write lie beyond the
policy it addresses, and which stored rows a retention check deletes.

1.x keeps points in shard groups of the policy's shard duration. A write drops a point older
than `now - duration` unless another point of the same batch, within the duration, has made
its shard group exist (PointsWriter.MapShards); the retention service deletes whole groups
that ended more than `duration` ago (RetentionPolicyInfo.ExpiredShardGroups).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from translators.influxql.readorder import group_start
from translators.lineprotocol import TIME_COLUMN, TableChunk

from . import ddl, series_index
from . import statements as st
from .catalog import Database, RetentionPolicy
from .transaction import Transaction

log = logging.getLogger(__name__)

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def addressed_policy(db: Database | None, name: str | None) -> RetentionPolicy | None:
    """The finite policy a write addresses (the named one, else the default); None when it
    keeps points forever or the database does not exist yet (its `autogen` is infinite)."""
    if db is None:
        return None
    policy = db.retention_policies.get(name or db.default_policy)
    return policy if policy is not None and policy.duration else None


def beyond_retention(chunks: Sequence[TableChunk], policy: RetentionPolicy | None,
                     now: int) -> list[pa.ChunkedArray | None] | None:
    """Per chunk, the mask of rows 1.x drops as beyond the policy (None for a chunk without
    any); None when no row of the batch is."""
    if policy is None or not policy.duration:
        return None
    low = now - policy.duration
    if low <= _INT64_MIN:
        return None
    times = [chunk.table.column(TIME_COLUMN) for chunk in chunks]
    earliest = [pc.min(t).as_py() for t in times]
    if all(e is None or e >= low for e in earliest):
        return None
    # An older point survives only in the group that holds `low`, and only when a point of
    # the batch within the duration lies in that group too.
    start = group_start(low, policy.shard_duration)
    end = min(start + policy.shard_duration, _INT64_MAX)
    covered = any(
        pc.any(pc.and_(pc.greater_equal(t, low), pc.less(t, end))).as_py() for t in times)
    bound = start if covered else low
    return [None if e is None or e >= bound else pc.less(t, bound)
            for t, e in zip(times, earliest, strict=True)]


def expiry_cutoff(db: Database, now: int) -> int | None:
    """Rows before this time (ns) are in shard groups that every policy of the database has
    expired (policies share the database's tables, so the longest one rules); None when a
    policy is infinite or there is none."""
    cutoffs = []
    for policy in db.retention_policies.values():
        if not policy.duration:
            return None
        # a group [s, s + shard) is expired when s + shard + duration < now
        boundary = now - policy.duration - 1
        if boundary <= _INT64_MIN:
            return None
        cutoffs.append(group_start(boundary, policy.shard_duration))
    return min(cutoffs, default=None)


def expire(tx: Transaction, index: series_index.SeriesIndex, now: int) -> int:
    """One retention check: delete, from every table of each database, the rows of shard
    groups all its policies have expired; return how many rows went."""
    total = 0
    for db in list(tx.catalog.view.databases.values()):
        cutoff = expiry_cutoff(db, now)
        if cutoff is None:
            continue
        for table in list(db.tables):
            deleted = ddl.delete_rows(tx, index, db.name, table, st.time_before(cutoff),
                                      index_kept=True)
            if deleted:
                series_index.forget_before(index, db.name, table, cutoff)
                log.info("retention: deleted %d rows before %d from %s.%s", deleted, cutoff,
                         db.name, table)
            total += deleted
    return total


class RetentionService:
    """1.x's retention service: a check every `interval` seconds (the first one an interval
    after start; 0 runs none). `check(now)` hands the check to the writer thread, so a
    delete never races a write, and returns its future."""

    def __init__(self, interval: float,
                 check: Callable[[int], concurrent.futures.Future[int]]) -> None:
        self._interval = interval
        self._check = check
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._interval <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="native-retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                future = self._check(time.time_ns())
            except Exception:  # the store is closing
                return
            try:
                future.result()
            except Exception:
                log.exception("retention check failed; the next one tries again")
