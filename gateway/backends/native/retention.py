"""Retention on the native store as 1.x enforces it: which points of a write lie beyond the
policy it addresses, and which stored rows a retention check deletes.

1.x keeps points in shard groups of the policy's shard duration. A write drops a point older
than `now - duration` unless another point of the same batch, within the duration, has made
its shard group exist (PointsWriter.MapShards); the retention service deletes whole groups
that ended more than `duration` ago (RetentionPolicyInfo.ExpiredShardGroups).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from translators.lineprotocol import TIME_COLUMN, TableChunk

from .catalog import Database, RetentionPolicy

# Go's Time.Truncate counts from its zero time (1 January of year 1), not the Unix epoch, so
# 1.x's weekly shard groups start on Mondays.
_GO_ZERO_NS = 62_135_596_800 * 10**9
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def group_start(t: int, shard_duration: int) -> int:
    """The start of the shard group (of `shard_duration`) that holds time `t` (ns)."""
    return t - (t + _GO_ZERO_NS) % shard_duration


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
