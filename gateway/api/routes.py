"""The route table: every (method, path, handler) the gateway serves."""

from __future__ import annotations

from aiohttp import web

from . import admin_routes, health, metrics, paths, sources, v1, v2, v3

ROUTES: list[tuple[str, str, web.Handler]] = [
    ("GET", paths.PING, health.ping),
    ("GET", paths.HEALTH, health.health),
    ("GET", paths.HEALTH_V1, health.health),
    ("GET", paths.READY, health.ready),
    ("POST", paths.V1_WRITE, v1.write),
    ("GET", paths.V1_QUERY, v1.query),
    ("POST", paths.V1_QUERY, v1.query),
    ("POST", paths.V2_WRITE, v2.write),
    ("GET", paths.V2_SOURCES, sources.list_sources),
    ("POST", paths.V2_SOURCES, sources.create_source),
    ("GET", paths.V2_SOURCE, sources.get_source),
    ("PATCH", paths.V2_SOURCE, sources.patch_source),
    ("DELETE", paths.V2_SOURCE, sources.delete_source),
    ("GET", paths.V2_SOURCE_BUCKETS, sources.source_buckets),
    ("GET", paths.V2_SOURCE_HEALTH, sources.source_health),
    ("POST", paths.V3_WRITE_LP, v3.write_lp),
    ("GET", paths.V3_QUERY_SQL, v3.query_sql),
    ("POST", paths.V3_QUERY_SQL, v3.query_sql),
    ("GET", paths.V3_QUERY_INFLUXQL, v3.query_influxql),
    ("POST", paths.V3_QUERY_INFLUXQL, v3.query_influxql),
    ("GET", paths.V3_DATABASE, v3.list_databases),
    ("POST", paths.V3_DATABASE, v3.create_database),
    ("DELETE", paths.V3_DATABASE, v3.delete_database),
    ("POST", paths.V3_TABLE, v3.create_table),
    ("DELETE", paths.V3_TABLE, v3.delete_table),
    ("GET", paths.METRICS, metrics.metrics),
    ("GET", paths.ADMIN_REPLAY, metrics.replay),
    ("GET", paths.ADMIN_ROUTES, admin_routes.get_routes),
    ("PUT", paths.ADMIN_ROUTES, admin_routes.put_routes),
    ("DELETE", paths.ADMIN_ROUTES, admin_routes.delete_routes),
]


def add_routes(app: web.Application) -> None:
    # GET routes answer HEAD too (HEAD /ping must work).
    app.add_routes([web.route(method, path, handler) for method, path, handler in ROUTES])
