"""Typed application state keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from gateway.auth.admin import AdminTokenVerifier
    from gateway.config import Config
    from gateway.services.admin import AdminService
    from gateway.services.configure import ConfigureService
    from gateway.services.fanout import Fanout
    from gateway.services.influxql import InfluxQLService
    from gateway.services.query import QueryService
    from gateway.services.route_list import RouteService
    from gateway.services.routing import Router
    from gateway.services.sources import SourceService
    from gateway.services.write import WriteService
    from gateway.tenancy.metadata import MetadataStore

CONFIG: web.AppKey[Config] = web.AppKey("config")
WRITES: web.AppKey[WriteService] = web.AppKey("writes")
QUERIES: web.AppKey[QueryService] = web.AppKey("queries")
ADMIN: web.AppKey[AdminService] = web.AppKey("admin")
CONFIGURE: web.AppKey[ConfigureService] = web.AppKey("configure")
INFLUXQL: web.AppKey[InfluxQLService] = web.AppKey("influxql")
VERIFIER: web.AppKey[AdminTokenVerifier | None] = web.AppKey("verifier")
STARTED: web.AppKey[float] = web.AppKey("started")
FANOUT: web.AppKey[Fanout | None] = web.AppKey("fanout")
ROUTER: web.AppKey[Router] = web.AppKey("router")
METADATA: web.AppKey[MetadataStore] = web.AppKey("metadata")
SOURCES: web.AppKey[SourceService] = web.AppKey("sources")
ROUTES: web.AppKey[RouteService] = web.AppKey("routes")
