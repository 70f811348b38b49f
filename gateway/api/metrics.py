"""GET /metrics (Prometheus text) and GET /admin/replay (JSON): upstream writes, the
mirrors' replay queues and the native store's state."""

from __future__ import annotations

from aiohttp import web

from gateway.backends.native.outage import StoreStatus
from gateway.services.target_report import mirror_report

from . import keys
from .errors import json_response

# (metric, type, help, path into a target's report)
_QUEUE_METRICS = [
    ("influx_gateway_replay_queue_entries", "gauge",
     "Entries waiting in a mirror's queue: write batches and statements changing data or "
     "schema.", "depth"),
    ("influx_gateway_replay_queue_bytes", "gauge", "Bytes a mirror's queue holds on disk.",
     "bytes"),
    ("influx_gateway_replay_oldest_entry_age_seconds", "gauge",
     "Age of the oldest entry waiting for a mirror.", "oldest_age_seconds"),
    ("influx_gateway_replay_appended_total", "counter",
     "Entries (batches and statements) queued for a mirror.", "appended"),
    ("influx_gateway_replay_queued_statements_total", "counter",
     "Statements changing data or schema queued for a mirror (part of appended).",
     "statements_appended"),
    ("influx_gateway_replay_replayed_total", "counter",
     "Queued entries a mirror has taken (rate() of it is the replay rate).", "replayed"),
    ("influx_gateway_replay_rejected_total", "counter",
     "Queued entries a mirror refused (logged, not retried).", "rejected"),
    ("influx_gateway_replay_dropped_total", "counter",
     "Queued write batches dropped at the queue's byte or age bound (drop_oldest; "
     "statements are never dropped).", "dropped"),
    ("influx_gateway_replay_refused_total", "counter",
     "Entries refused at the queue's bound (reject, or drop_oldest with a statement "
     "waiting first), answered 503.", "refused"),
]


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: object) -> str:
    """A sample value in full: `:g` would write 1234567 as 1.23457e+06."""
    if isinstance(value, int):
        return str(value)
    return repr(float(value or 0))  # type: ignore[arg-type]


def store_metrics(status: StoreStatus) -> list[str]:
    """The native store's state: down while DuckDB's database is invalidated (`outage.py`)."""
    return [
        "# HELP influx_gateway_native_store_up Whether the native store takes writes and "
        "reads (0 while its database, invalidated by a fatal error, is being reopened).",
        "# TYPE influx_gateway_native_store_up gauge",
        f"influx_gateway_native_store_up {int(status.up)}",
        "# HELP influx_gateway_native_store_fatal_errors_total Times DuckDB invalidated the "
        "native store's database (a fatal error: e.g. a checkpoint on a full disk).",
        "# TYPE influx_gateway_native_store_fatal_errors_total counter",
        f"influx_gateway_native_store_fatal_errors_total {status.fatal_errors}",
        "# HELP influx_gateway_native_store_reopens_total Attempts to reopen the native "
        "store after a fatal error, by outcome.",
        "# TYPE influx_gateway_native_store_reopens_total counter",
        f'influx_gateway_native_store_reopens_total{{outcome="recovered"}} {status.recovered}',
        f'influx_gateway_native_store_reopens_total{{outcome="failed"}} {status.failed}',
        "# HELP influx_gateway_native_store_clustering_backlog Tables that may still hold "
        "settled rows not yet rewritten sorted by series (-1 before the first look; 0 when "
        "caught up or off).",
        "# TYPE influx_gateway_native_store_clustering_backlog gauge",
        f"influx_gateway_native_store_clustering_backlog {status.clustering_backlog}",
    ]


def render_metrics(report: dict[str, dict[str, object]],
                   store: StoreStatus | None = None) -> str:
    lines: list[str] = [] if store is None else store_metrics(store)
    lines += ["# HELP influx_gateway_target_writes_total Batches a target stored.",
              "# TYPE influx_gateway_target_writes_total counter"]
    lines += [f'influx_gateway_target_writes_total{{target="{_label(t)}"}} {e["written"]}'
              for t, e in report.items()]
    lines += ["# HELP influx_gateway_target_write_failures_total Batches a target did not "
              "store, by reason (an HTTP status or refused, timeout, protocol).",
              "# TYPE influx_gateway_target_write_failures_total counter"]
    for target, entry in report.items():
        failed = entry["failed"]
        assert isinstance(failed, dict)
        lines += [f'influx_gateway_target_write_failures_total{{target="{_label(target)}",'
                  f'reason="{_label(str(reason))}"}} {count}'
                  for reason, count in sorted(failed.items())]
    lines += ["# HELP influx_gateway_mirror_rejected_total Mirrored batches a mirror refused "
              "with a 4xx, and queued statements it answered with an error.",
              "# TYPE influx_gateway_mirror_rejected_total counter"]
    lines += [f'influx_gateway_mirror_rejected_total{{target="{_label(t)}"}} {e["rejected"]}'
              for t, e in report.items()]
    queues = {t: e["queue"] for t, e in report.items() if isinstance(e.get("queue"), dict)}
    for metric, kind, text, key in _QUEUE_METRICS:
        lines += [f"# HELP {metric} {text}", f"# TYPE {metric} {kind}"]
        lines += [f'{metric}{{mirror="{_label(t)}"}} {_number(q[key])}'  # type: ignore[index]
                  for t, q in queues.items()]
    return "\n".join(lines) + "\n"


async def metrics(request: web.Request) -> web.Response:
    fanout = request.app[keys.FANOUT]
    report = mirror_report(fanout) if fanout is not None else {}
    return web.Response(text=render_metrics(report, request.app[keys.ADMIN].store_status()),
                        content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})


async def replay(request: web.Request) -> web.Response:
    fanout = request.app[keys.FANOUT]
    return json_response({"targets": mirror_report(fanout) if fanout is not None else {}})
