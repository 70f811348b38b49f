"""Per-target write counters and the report /metrics and /admin/replay render from them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.services.fanout import Fanout


@dataclass(slots=True)
class TargetCounters:
    """What happened to writes sent to one target (rendered at /metrics)."""

    written: int = 0
    failed: Counter[str] = field(default_factory=Counter)  # by status or failure kind
    rejected: int = 0  # 4xx answers to mirrored batches: logged, not retried
    queued: int = 0
    queued_statements: int = 0  # statements changing data or schema queued behind batches


def mirror_report(fanout: Fanout) -> dict[str, dict[str, object]]:
    """Per target: write counters, and for mirrors their replay queue (admin JSON, /metrics)."""
    report: dict[str, dict[str, object]] = {}
    for name in sorted(set(fanout.counters) | set(fanout.queues)):
        counters = fanout.counters.get(name, TargetCounters())
        entry: dict[str, object] = {
            "written": counters.written,
            "failed": dict(counters.failed),
            "rejected": counters.rejected,
            "queued": counters.queued,
            "queued_statements": counters.queued_statements,
        }
        queue = fanout.queues.get(name)
        if queue is not None:
            stats = queue.stats
            entry["queue"] = {
                "depth": stats.depth,
                "bytes": stats.bytes,
                "oldest_age_seconds": stats.oldest_age_seconds,
                "appended": stats.appended,
                "replayed": stats.replayed,
                "rejected": stats.rejected,
                "dropped": stats.dropped,
                "refused": stats.refused,
                "statements_appended": stats.statements_appended,
                "head": stats.head,
                "last_error": stats.last_error,
            }
        report[name] = entry
    return report
