"""Composition root: config -> store -> services -> routes. The only place that names
concrete classes."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from aiohttp import web

from gateway.api import keys
from gateway.api.middleware import gateway_middleware
from gateway.api.routes import add_routes
from gateway.auth.admin import AdminTokenVerifier
from gateway.backends.native.statements import STORE_FILE
from gateway.backends.native.store import NativeStore
from gateway.backends.replay import ReplayQueue
from gateway.backends.upstream.factory import build_upstream
from gateway.compression import use_fast_zlib
from gateway.config import NATIVE, Config
from gateway.memory_limit import duckdb_memory_limit
from gateway.services.admin import AdminService
from gateway.services.configure import ConfigureService
from gateway.services.fanout import Fanout
from gateway.services.influxql import InfluxQLService
from gateway.services.query import QueryService
from gateway.services.route_list import RouteService
from gateway.services.routing import Router
from gateway.services.sources import SourceService
from gateway.services.statement_replay import StatementReplay
from gateway.services.upstream_query import RoutedInfluxQL
from gateway.services.upstream_sql import RoutedSql
from gateway.services.write import WriteService
from gateway.tenancy.metadata import MetadataStore
from translators.influxql.engine import Limits

log = logging.getLogger(__name__)
METADATA_FILE = "metadata.sqlite"
FORM_LIMIT = 10 * 1024 * 1024  # /query form bodies


# The longest request line read: 1.x (Go's net/http) reads up to 1 MiB of request line and
# headers, so queries sent with GET (influxdb-python, Grafana) may be far longer than the
# 8 KiB aiohttp reads by default.
MAX_REQUEST_LINE = 1 << 20


def server_kwargs() -> dict[str, Any]:
    """Runner settings the app relies on: request bodies are inflated by the gateway itself,
    under its size limit, never by aiohttp; request lines as long as 1.x reads."""
    return {"auto_decompress": False, "max_line_size": MAX_REQUEST_LINE}


def create_app(config: Config, *, freeze_heap: bool = False) -> web.Application:
    """The app; `freeze_heap` for the serving process (`_frozen_heap`), not for apps made
    and dropped again and again in one process, as tests do."""
    use_fast_zlib()
    app = web.Application(middlewares=[gateway_middleware],
                          client_max_size=max(FORM_LIMIT, config.write.max_body_bytes + 1))
    app[keys.CONFIG] = config
    token = config.admin_token()
    app[keys.VERIFIER] = AdminTokenVerifier(token) if token else None
    app[keys.STARTED] = time.time()
    app[keys.FANOUT] = None
    add_routes(app)
    app.cleanup_ctx.append(_native_store)
    app.cleanup_ctx.append(_metadata)
    app.cleanup_ctx.append(_upstreams)
    if freeze_heap:
        app.cleanup_ctx.append(_frozen_heap)  # last: once the others have opened everything
    return app


async def _frozen_heap(app: web.Application) -> AsyncIterator[None]:
    """What start-up left on the heap (modules, classes, the stores' state: about 100 K
    objects) kept out of the cyclic collector's walks until shutdown. A full collection
    walks every tracked object: with them, 45 ms of CPU (a pause of up to 150 ms on a busy
    machine) every few hundred small queries, in whichever request allocated last."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def _native_store(app: web.Application) -> AsyncIterator[None]:
    config = app[keys.CONFIG]
    store = NativeStore(
        Path(config.server.data_dir) / STORE_FILE,
        threads=config.storage.threads,
        memory_limit=duckdb_memory_limit(config.storage.memory_limit),
        auto_create=config.write.auto_create_databases,
        checkpoint_threshold=config.storage.checkpoint_threshold,
        idle_checkpoint_seconds=config.storage.idle_checkpoint_seconds,
        idle_checkpoint_bytes=config.storage.idle_checkpoint_bytes,
        max_columns=config.write.max_columns_per_table,
        query_timeout=config.query.timeout_seconds,
        query_workers=config.query.workers,
        max_rows=config.query.max_rows,
        max_bytes=config.query.max_bytes,
        max_spill_bytes=config.query.max_spill_bytes,
        retention_check_interval=config.storage.retention_check_seconds,
        cluster_series=config.storage.cluster_series,
        cluster_window_rows=config.storage.cluster_window_rows,
        cluster_piece_rows=config.storage.cluster_piece_rows,
    )
    await asyncio.to_thread(store.open)
    parse_pool = ThreadPoolExecutor(config.parse_workers, thread_name_prefix="parse")
    inflate_pool = ThreadPoolExecutor(1, thread_name_prefix="inflate")
    app[keys.WRITES] = WriteService(store, parse_pool, config.write.max_body_bytes,
                                    inflate_pool)
    app[keys.QUERIES] = QueryService(store)
    app[keys.ADMIN] = AdminService(store)
    app[keys.INFLUXQL] = InfluxQLService(
        store, Limits(max_buckets=config.query.max_rows, max_rows=config.query.max_rows),
        config.query.timeout_seconds)
    try:
        yield
    finally:
        inflate_pool.shutdown(wait=True)
        parse_pool.shutdown(wait=True)
        await store.close()
        log.info("native store closed")


async def _metadata(app: web.Application) -> AsyncIterator[None]:
    store = MetadataStore(Path(app[keys.CONFIG].server.data_dir) / METADATA_FILE)
    await store.open()
    app[keys.METADATA] = store
    try:
        yield
    finally:
        await store.close()


async def _upstreams(app: web.Application) -> AsyncIterator[None]:
    """Upstream clients, the router, the write fan-out and its replay queues; then the sources
    and routes saved through the API (saved routes replace the config file's).

    A queue left on disk by an earlier run is opened (and replayed) whenever its target is
    still configured, even if no route mirrors to it any more.
    """
    config = app[keys.CONFIG]
    upstreams = {u.name: build_upstream(u) for u in config.upstreams}
    router = Router(config.routes, upstreams, config.dbrps)
    for upstream in upstreams.values():
        await upstream.start()
    replay = config.replay
    root = Path(replay.dir or Path(config.server.data_dir) / "replay")

    def queue(name: str) -> ReplayQueue:
        return ReplayQueue(root / name, max_bytes=replay.max_bytes,
                           max_age_seconds=replay.max_age_seconds,
                           when_full=replay.when_full, name=name)

    native_influxql = app[keys.INFLUXQL]
    fanout = Fanout(router, app[keys.WRITES].write, queue,
                    StatementReplay(router, native_influxql, app[keys.ADMIN]).deliver,
                    max_body_bytes=config.write.max_body_bytes,
                    backoff_initial_seconds=replay.backoff_initial_seconds,
                    backoff_max_seconds=replay.backoff_max_seconds)
    lock = asyncio.Lock()  # one change to the router's upstreams or routes at a time
    sources = SourceService(app[keys.METADATA], router, build_upstream, lock,
                            native_databases=app[keys.ADMIN].databases,
                            native_status=app[keys.ADMIN].store_status,
                            config_upstreams=upstreams)
    routes = RouteService(app[keys.METADATA], router, lock, fanout.open_queue)
    try:
        await sources.restore()
        await routes.restore()
    except BaseException:
        for upstream in router.upstreams.values():
            await upstream.close()
        raise
    mirrors = {t for r in router.routes if r.mode == "mirror" for t in r.route.targets[1:]}
    left = {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()
    for name in sorted(mirrors | left):
        if name == NATIVE or name in router.upstreams:
            await fanout.open_queue(name)
        else:
            log.warning("replay queue %s is kept but not replayed: no upstream has that name",
                        root / name)
    app[keys.ROUTER] = router
    app[keys.FANOUT] = fanout
    app[keys.SOURCES] = sources
    app[keys.ROUTES] = routes
    app[keys.WRITES] = fanout  # type: ignore[assignment]
    routed_influxql = RoutedInfluxQL(router, native_influxql, fanout,
                                     config.query.timeout_seconds)
    app[keys.INFLUXQL] = routed_influxql  # type: ignore[assignment]
    app[keys.CONFIGURE] = ConfigureService(router, routed_influxql, native_influxql,
                                           app[keys.ADMIN], fanout)
    app[keys.QUERIES] = RoutedSql(router, app[keys.QUERIES],  # type: ignore[assignment]
                                  config.query.timeout_seconds)
    if router.active:
        log.info("routing to %s", ", ".join(n for n in router.all_targets() if n != NATIVE))
    try:
        yield
    finally:
        await fanout.close()
        await sources.close()
        for upstream in router.upstreams.values():
            await upstream.close()
