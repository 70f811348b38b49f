"""Runtime changes to the router: sources (upstreams registered through the API), persisted
in the metadata store and restored at start-up (the route list is `route_list.py`'s).

A source of type v1, v2 or v3 is an upstream registered on the router under the source's
name, so routes can name it like a [[upstreams]] entry. The built-in `self` source is the
native store: it is never stored and cannot be changed or deleted. Every change takes one
lock, so a route can never be saved naming a source that is being deleted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gateway.backends.native.outage import StoreStatus
from gateway.backends.upstream.base import UnexpectedReply, Upstream, UpstreamFailure
from gateway.config import NATIVE, ConfigError, UpstreamConfig
from gateway.errors import Category, GatewayError, conflict, invalid, not_found
from gateway.services.routing import Router, failure_error
from gateway.tenancy.metadata import MetadataStore, Source

log = logging.getLogger(__name__)

T = TypeVar("T")
SELF_ID = "020f755c3c082000"  # the id InfluxDB OSS gives its built-in source
SELF_TYPE = "self"
# "v3" is the gateway's extension of the documented v1 | v2 | self.
UPSTREAM_TYPES = ("v1", "v2", "v3")
BuildUpstream = Callable[[UpstreamConfig], Upstream]


@dataclass(frozen=True, slots=True)
class HeldSecretConfig(UpstreamConfig):
    """An upstream's settings whose secret is held in memory: a source has no environment
    variable to name, its secret comes from the API and the metadata store."""

    held_secret: str = field(default="", repr=False)

    def secret(self) -> str | None:
        return self.held_secret or None


@dataclass(frozen=True, slots=True)
class SourceChange:
    """Fields given by a create or an update; None means not given (kept on update)."""

    name: str | None = None
    type: str | None = None
    url: str | None = None
    org_id: str | None = None
    is_default: bool | None = None
    insecure_skip_verify: bool | None = None
    telegraf: str | None = None
    username: str | None = None
    meta_url: str | None = None
    default_rp: str | None = None
    org: str | None = None
    token: str | None = None
    password: str | None = None
    shared_secret: str | None = None

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) is not None}


@dataclass(frozen=True, slots=True)
class SourceHealth:
    name: str
    ok: bool
    message: str
    version: str = ""


def upstream_config(source: Source) -> UpstreamConfig:
    return HeldSecretConfig(
        name=source.name, type=source.type, url=source.url, username=source.username,
        org=source.org, insecure_skip_verify=source.insecure_skip_verify,
        held_secret=source.password if source.type == "v1" else source.token)


def _reply_error(exc: UnexpectedReply) -> GatewayError:
    """An upstream's unusable answer to a call the gateway made for itself: never the
    caller's own 401 or 404, which would blame the caller's request."""
    category = Category.UNAVAILABLE if exc.reply.retryable else Category.BAD_GATEWAY
    return GatewayError(category, f"upstream {exc.upstream} {exc.detail}",
                        retry_after=exc.reply.retry_after())


def _body_version(body: bytes) -> str:
    """The "version" of a 2.x or 3 /health answer, if it has one."""
    try:
        document = json.loads(body)
    except ValueError:
        return ""
    version = document.get("version") if isinstance(document, dict) else None
    return version if isinstance(version, str) else ""


class SourceService:
    """Sources: stored in the metadata store, registered on the router by name."""

    def __init__(self, metadata: MetadataStore, router: Router, build: BuildUpstream,
                 lock: asyncio.Lock, *, native_databases: Callable[[], list[str]],
                 native_status: Callable[[], StoreStatus],
                 config_upstreams: Collection[str], retire_seconds: float = 30.0) -> None:
        self._metadata = metadata
        self._router = router
        self._build = build
        self._lock = lock
        self._native_databases = native_databases
        self._native_status = native_status
        self._config_upstreams = frozenset(config_upstreams)
        # A replaced or deleted source's client is closed this much later, so requests that
        # already hold it can finish (a source's requests time out after 30 s).
        self._retire_seconds = retire_seconds
        self._retiring: set[asyncio.Task[None]] = set()
        self._sources: dict[str, Source] = {}

    async def restore(self) -> None:
        """Register every stored source; ConfigError when one has a config upstream's name."""
        stored = await self._metadata.sources()
        taken = [s for s in stored if s.name in self._config_upstreams]
        if taken:
            raise ConfigError([
                f"source {s.id} (registered through /api/v2/sources) is named {s.name!r}, as "
                f"an [[upstreams]] entry is: rename the [[upstreams]] entry" for s in taken])
        for source in stored:
            upstream = self._build(upstream_config(source))
            await upstream.start()
            self._router.add_upstream(source.name, upstream)
            self._sources[source.id] = source
        if stored:
            log.info("sources registered: %s", ", ".join(s.name for s in stored))

    async def close(self) -> None:
        """Close the clients still waiting to be retired (the router's are closed by their
        owner)."""
        for task in list(self._retiring):
            task.cancel()
        await asyncio.gather(*self._retiring, return_exceptions=True)

    # -- reading ------------------------------------------------------------------------------

    def sources(self) -> list[Source]:
        return list(self._sources.values())

    def source(self, source_id: str) -> Source | None:
        """The stored source with this id; None for the self source's id; not found else."""
        if source_id == SELF_ID:
            return None
        source = self._sources.get(source_id)
        if source is None:
            raise not_found("source not found")
        return source

    def self_is_default(self) -> bool:
        """The self source is the default until a stored source claims it."""
        return not any(s.is_default for s in self._sources.values())

    # -- changing -----------------------------------------------------------------------------

    async def create(self, change: SourceChange) -> Source:
        return await asyncio.shield(self._locked(self._create, change))

    async def update(self, source_id: str, change: SourceChange) -> Source:
        return await asyncio.shield(self._locked(self._update, source_id, change))

    async def delete(self, source_id: str) -> None:
        await asyncio.shield(self._locked(self._delete, source_id))

    async def _locked(self, call: Callable[..., Awaitable[T]], *args: Any) -> T:
        async with self._lock:
            return await call(*args)

    async def _create(self, change: SourceChange) -> Source:
        values = change.given()
        missing = [key for key in ("name", "type", "url") if not values.get(key)]
        if missing:
            raise invalid(f"{missing[0]}: required")
        source = Source(id=self._new_id(), **values)
        self._check(source)
        upstream = self._build(upstream_config(source))
        stored = await self._metadata.insert_source(source)
        await upstream.start()
        self._router.add_upstream(stored.name, upstream)
        self._sources[stored.id] = stored
        log.info("source %s registered: %s %s", stored.name, stored.type, stored.url)
        return stored

    async def _update(self, source_id: str, change: SourceChange) -> Source:
        current = self._changeable(source_id, "change")
        candidate = dataclasses.replace(current, **change.given())
        self._check(candidate)
        upstream = self._build(upstream_config(candidate))
        renamed = candidate.name != current.name
        old = self._unregister(current) if renamed else None
        try:
            stored = await self._metadata.update_source(candidate)
        except BaseException:
            if old is not None:
                self._router.add_upstream(current.name, old)
            await upstream.close()
            raise
        await upstream.start()
        replaced = self._router.add_upstream(stored.name, upstream)
        for client in (old, replaced):
            if client is not None:
                self._retire(client)
        self._sources[stored.id] = stored
        log.info("source %s changed: %s %s", stored.name, stored.type, stored.url)
        return stored

    async def _delete(self, source_id: str) -> None:
        source = self._changeable(source_id, "delete")
        upstream = self._unregister(source)
        try:
            await self._metadata.delete_source(source.id)
        except BaseException:
            if upstream is not None:
                self._router.add_upstream(source.name, upstream)
            raise
        del self._sources[source.id]
        if upstream is not None:
            self._retire(upstream)
        log.info("source %s deleted", source.name)

    def _changeable(self, source_id: str, verb: str) -> Source:
        source = self.source(source_id)
        if source is None:
            raise GatewayError(Category.FORBIDDEN, f"cannot {verb} the built-in self source")
        return source

    def _new_id(self) -> str:
        while True:
            candidate = secrets.token_hex(8)
            if candidate not in self._sources and candidate != SELF_ID:
                return candidate

    def _check(self, source: Source) -> None:
        """What only the registry can tell: names and the default are unique."""
        if source.name == NATIVE:
            raise conflict(f"name {NATIVE!r} is the built-in self source's")
        others = [s for s in self._sources.values() if s.id != source.id]
        if source.name in self._config_upstreams or any(s.name == source.name for s in others):
            raise conflict(f"an upstream named {source.name!r} already exists")
        default = next((s for s in others if s.is_default), None)
        if source.is_default and default is not None:
            raise conflict(f"source {default.name!r} is already the default")

    def _unregister(self, source: Source) -> Upstream | None:
        try:
            return self._router.remove_upstream(source.name)
        except ValueError:
            raise conflict(f"source {source.name!r} is named by a route: change the routes "
                           "first (PUT /admin/routes)") from None

    def _retire(self, upstream: Upstream) -> None:
        async def close_later() -> None:
            try:
                await asyncio.sleep(self._retire_seconds)
            finally:
                await upstream.close()

        task = asyncio.get_running_loop().create_task(close_later())
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    # -- asking the upstream ------------------------------------------------------------------

    async def databases(self, source_id: str) -> list[str]:
        """The database (1.x, 3) or bucket (2.x) names the source really holds."""
        source = self.source(source_id)
        if source is None:
            return self._native_databases()
        upstream = self._router.upstreams[source.name]
        try:
            return await upstream.databases()
        except UpstreamFailure as exc:
            raise failure_error(exc) from exc
        except UnexpectedReply as exc:
            raise _reply_error(exc) from exc

    async def health(self, source_id: str) -> SourceHealth:
        """Ask the source itself: the native store, or the upstream's health endpoint."""
        source = self.source(source_id)
        if source is None:
            status = self._native_status()
            return SourceHealth(NATIVE, status.up, status.message)
        upstream = self._router.upstreams[source.name]
        try:
            reply = await upstream.ping()
        except UpstreamFailure as exc:
            return SourceHealth(source.name, False, f"{exc.kind.value}: {exc.detail}")
        version = reply.headers.get("x-influxdb-version") or _body_version(reply.body)
        if reply.ok:
            return SourceHealth(source.name, True, f"{source.url} answered {reply.status}",
                                version)
        return SourceHealth(source.name, False, f"{source.url} answered {reply.status}: "
                                                f"{reply.error_message()}", version)
