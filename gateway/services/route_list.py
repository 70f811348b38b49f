"""The route list in force: the config file's [[routes]] until a list is PUT through
/admin/routes, then the saved one (at every start-up too) until it is deleted.

Changes take the lock that source changes take, so a route is never saved naming a source
that is being deleted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.config import ConfigError, RouteConfig, parse_routes
from gateway.errors import invalid
from gateway.services.routing import Router
from gateway.tenancy.metadata import MetadataStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RouteListing:
    """The routes in force and where they came from."""

    routes: tuple[RouteConfig, ...]
    origin: str  # "config" (the file's) or "api" (PUT /admin/routes)
    version: int = 0  # saves through the API; 0 for the file's
    updated_at: str = ""


def route_table(route: RouteConfig) -> dict[str, Any]:
    """A route with the config file's [[routes]] keys."""
    return {f.name: list(value) if isinstance(value := getattr(route, f.name), tuple) else value
            for f in dataclasses.fields(route)}


class RouteService:
    """The route list: the config file's until one is PUT, then the stored one until it is
    deleted."""

    def __init__(self, metadata: MetadataStore, router: Router, lock: asyncio.Lock,
                 open_queue: Callable[[str], Awaitable[object]]) -> None:
        self._metadata = metadata
        self._router = router
        self._lock = lock
        self._open_queue = open_queue
        self._file_routes = tuple(r.route for r in router.routes)
        self._listing = RouteListing(self._file_routes, "config")

    async def restore(self) -> None:
        """Stored routes replace the config file's; ConfigError if they no longer hold."""
        stored = await self._metadata.routes()
        if stored is None:
            return
        try:
            routes = parse_routes(stored.tables, self._router.upstreams)
        except ConfigError as exc:
            raise ConfigError([f"routes saved by PUT /admin/routes (version {stored.version}) "
                               f"no longer hold: {problem}" for problem in exc.problems]
                              ) from exc
        self._router.set_routes(routes)
        self._listing = RouteListing(routes, "api", stored.version, stored.updated_at)
        log.info("routes: %d saved by PUT /admin/routes (version %d, %s) replace the config "
                 "file's", len(routes), stored.version, stored.updated_at)

    def listing(self) -> RouteListing:
        return self._listing

    async def replace(self, tables: object) -> RouteListing:
        """Check `tables` as the config file's routes are, save them, then route by them."""
        return await asyncio.shield(self._replace(tables))

    async def _replace(self, tables: object) -> RouteListing:
        async with self._lock:
            try:
                routes = parse_routes(tables, self._router.upstreams)
            except ConfigError as exc:
                raise invalid("invalid routes:\n  " + "\n  ".join(exc.problems)) from None
            await self._open_mirror_queues(routes)
            stored = await self._metadata.save_routes([route_table(r) for r in routes])
            self._router.set_routes(routes)
            self._listing = RouteListing(routes, "api", stored.version, stored.updated_at)
            log.info("routes replaced by PUT /admin/routes (version %d): %d routes",
                     stored.version, len(routes))
            return self._listing

    async def reset(self) -> RouteListing:
        """Forget the saved list and route by the config file's again, now and after restarts."""
        return await asyncio.shield(self._reset())

    async def _reset(self) -> RouteListing:
        async with self._lock:
            await self._open_mirror_queues(self._file_routes)
            cleared = await self._metadata.clear_routes()
            self._router.set_routes(self._file_routes)
            self._listing = RouteListing(self._file_routes, "config")
            if cleared:
                log.info("routes saved by PUT /admin/routes deleted: the config file's %d "
                         "routes are in force", len(self._file_routes))
            return self._listing

    async def _open_mirror_queues(self, routes: Sequence[RouteConfig]) -> None:
        # Queues first: a mirror must be able to hold what it misses from the first write.
        for route in routes:
            if route.mode == "mirror":
                for target in route.targets[1:]:
                    await self._open_queue(target)
