"""Which targets serve a database: routes matched in order, names mapped per generation.

A target is the native store (`NATIVE`) or an upstream, by name. The first route whose
database glob (and measurement glob, when it has one) matches decides; no match means the
native store, as a gateway without routes behaves. An upstream's answers and failures become
the caller's errors here, once: `upstream_error` and `RelayedError`.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from gateway.backends.upstream.base import (
    FailureKind,
    Generation,
    Upstream,
    UpstreamFailure,
    UpstreamReply,
)
from gateway.config import NATIVE, DbrpConfig, RouteConfig
from gateway.errors import Category, GatewayError
from gateway.model import Namespace

log = logging.getLogger(__name__)
T = TypeVar("T")
AUTOGEN = "autogen"
DEFAULT_ROUTE = RouteConfig(name="default", targets=(NATIVE,))

# An upstream's status as the category the caller's generation words it with.
_STATUS_CATEGORY = {
    400: Category.INVALID, 401: Category.UNAUTHORIZED, 403: Category.FORBIDDEN,
    404: Category.NOT_FOUND, 405: Category.METHOD_NOT_ALLOWED, 409: Category.CONFLICT,
    413: Category.TOO_LARGE, 415: Category.UNSUPPORTED_MEDIA_TYPE, 422: Category.INVALID,
    429: Category.TOO_MANY_REQUESTS, 503: Category.UNAVAILABLE, 504: Category.GATEWAY_TIMEOUT,
}
_FAILURE_CATEGORY = {
    FailureKind.REFUSED: Category.UNAVAILABLE,
    FailureKind.TIMEOUT: Category.GATEWAY_TIMEOUT,
    FailureKind.PROTOCOL: Category.BAD_GATEWAY,
}


class RelayedError(GatewayError):
    """An upstream's error answer: relayed byte for byte to a caller of the same generation,
    re-worded in the caller's format (with the upstream's status) otherwise."""

    def __init__(self, upstream: str, reply: UpstreamReply) -> None:
        category = _STATUS_CATEGORY.get(reply.status, Category.INTERNAL if reply.status < 500
                                        else Category.BAD_GATEWAY)
        super().__init__(category, reply.error_message(), retry_after=reply.retry_after())
        self.upstream = upstream
        self.reply = reply

    @property
    def status(self) -> int:
        return self.reply.status


def failure_error(failure: UpstreamFailure) -> GatewayError:
    """No answer from an upstream, as the caller's 503, 504 or 502."""
    words = {FailureKind.REFUSED: "is unavailable", FailureKind.TIMEOUT: "did not answer in time",
             FailureKind.PROTOCOL: "answered something unusable"}[failure.kind]
    return GatewayError(_FAILURE_CATEGORY[failure.kind],
                        f"upstream {failure.upstream} {words}: {failure.detail}")


def upstream_namespace(generation: Generation, namespace: Namespace,
                       dbrps: Sequence[DbrpConfig] = ()) -> Namespace:
    """A v1 database and retention policy in the terms of an upstream's generation.

    v2: an explicit DBRP mapping first, then the bucket "db/rp", then "db" for autogen or no
    retention policy. v3 has databases only: the retention policy is dropped.
    """
    database, policy = namespace.database, namespace.retention_policy
    if generation is Generation.V1:
        return namespace
    if generation is Generation.V3:
        return Namespace(database)
    wanted = policy or AUTOGEN
    for dbrp in dbrps:
        if dbrp.database == database and dbrp.retention_policy == wanted:
            return Namespace(dbrp.bucket)
    if policy and policy != AUTOGEN:
        return Namespace(f"{database}/{policy}")
    return Namespace(database)


class HashRing:
    """Consistent hashing over target names: adding a shard moves about 1/n of the keys."""

    REPLICAS = 64

    def __init__(self, targets: Sequence[str]) -> None:
        points = sorted((_hash(f"{target}#{i}".encode()), target)
                        for target in targets for i in range(self.REPLICAS))
        self._hashes = [h for h, _ in points]
        self._targets = [t for _, t in points]

    def target(self, key: bytes) -> str:
        index = bisect.bisect(self._hashes, _hash(key)) % len(self._hashes)
        return self._targets[index]


def _hash(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


@dataclass(frozen=True, slots=True)
class ResolvedRoute:
    route: RouteConfig
    ring: HashRing | None = None

    @property
    def mode(self) -> str:
        return self.route.mode


class Router:
    """Routes by database (and measurement); holds the upstream clients by name."""

    def __init__(self, routes: Sequence[RouteConfig], upstreams: Mapping[str, Upstream],
                 dbrps: Sequence[DbrpConfig] = ()) -> None:
        self._default = ResolvedRoute(DEFAULT_ROUTE)
        self.set_routes(routes)
        self.upstreams = dict(upstreams)
        self.dbrps = tuple(dbrps)

    def set_routes(self, routes: Sequence[RouteConfig]) -> None:
        """Replace the routes (already validated); requests that started keep their route."""
        self.routes = [ResolvedRoute(r, HashRing(r.targets) if r.mode == "shard" else None)
                       for r in routes]
        # Derived from the routes alone, once per change rather than on every request.
        self._active = any(t != NATIVE for r in self.routes
                           for t in (*r.route.targets, r.route.read_target))
        self._fixed = self._fixed_read_targets()

    def add_upstream(self, name: str, upstream: Upstream) -> Upstream | None:
        """Register (or replace) an upstream; the one it replaces is returned to be closed."""
        previous = self.upstreams.get(name)
        self.upstreams[name] = upstream
        return previous

    def remove_upstream(self, name: str) -> Upstream | None:
        """Forget an upstream no route names; the caller closes what is returned."""
        if any(name in (*r.route.targets, r.route.read_target, *r.route.failover)
               for r in self.routes):
            raise ValueError(f"upstream {name!r} is still named by a route")
        return self.upstreams.pop(name, None)

    @property
    def active(self) -> bool:
        """False when every request goes to the native store."""
        return self._active

    def resolve(self, database: str, measurement: str | None = None) -> ResolvedRoute:
        return self.resolver(database)(measurement)

    def resolver(self, database: str) -> Callable[[str | None], ResolvedRoute]:
        """`resolve` for `database` over the routes as they are now, for a write split in a
        worker thread: it keeps the routes it started with while they change meanwhile."""
        routes, default = self.routes, self._default

        def resolve(measurement: str | None) -> ResolvedRoute:
            for resolved in routes:
                if resolved.route.matches(database, measurement):
                    return resolved
            return default
        return resolve

    def by_measurement(self, database: str) -> bool:
        """True when some route for `database` also names a measurement, so a write must be
        split by measurement before routing."""
        return any(r.route.measurement and r.route.matches(database) for r in self.routes)

    def read_targets(self, database: str, measurement: str | None = None) -> list[str]:
        """The read target then its failovers (shard routes read from every shard)."""
        resolved = self.resolve(database, measurement)
        route = resolved.route
        if route.mode == "shard" and not route.read:
            if route.shard_by == "measurement" and measurement and resolved.ring:
                # One measurement lives whole on one shard: read it there.
                return [resolved.ring.target(measurement.encode())]
            return list(route.targets)
        return route.readers

    def all_targets(self) -> list[str]:
        """Every write target, the native store only when some database can reach it."""
        names: list[str] = [] if self._catch_all() else [NATIVE]
        for resolved in self.routes:
            names.extend(t for t in resolved.route.targets if t not in names)
        return names

    def _catch_all(self) -> RouteConfig | None:
        """The first route that matches every database and measurement, if any."""
        for resolved in self.routes:
            if resolved.route.database == "*" and not resolved.route.measurement:
                return resolved.route
        return None

    def fixed_read_targets(self) -> list[str] | None:
        """The read targets when every database reads from the same place (the first route
        matches everything and does not shard), so a request need not be parsed to route it."""
        return self._fixed

    def _fixed_read_targets(self) -> list[str] | None:
        if not self.routes:
            return None
        first = self.routes[0].route
        if first is self._catch_all() and first.mode != "shard":
            return self.read_targets("")
        return None

    def generation(self, target: str) -> Generation | None:
        """The target's InfluxDB generation; None for the native store (or a name no longer
        configured)."""
        upstream = self.upstreams.get(target)
        return upstream.generation if upstream else None

    def namespace_for(self, target: str, namespace: Namespace) -> Namespace:
        upstream = self.upstreams.get(target)
        if upstream is None:
            return namespace
        return upstream_namespace(upstream.generation, namespace, self.dbrps)


async def with_failover(targets: Sequence[str], attempt: Callable[[str], Awaitable[T]],
                        what: str) -> T:
    """`attempt` on each read target in turn until one answers; an upstream that cannot be
    reached or answers 5xx/429 passes the request on, any other answer is final."""
    failure: GatewayError | None = None
    for target in targets:
        try:
            return await attempt(target)
        except UpstreamFailure as exc:
            failure = failure_error(exc)
        except RelayedError as exc:
            if not exc.reply.retryable:
                raise
            failure = exc
        log.warning("read target %s failed for %s: %s", target, what, failure.message)
    if failure is None:
        raise GatewayError(Category.INTERNAL, f"no read target for {what}")
    raise failure


def merge_names(lists: Iterable[Iterable[str]]) -> list[str]:
    """Names from several targets, each once, in the order first seen."""
    seen: dict[str, None] = {}
    for names in lists:
        for name in names:
            seen.setdefault(name)
    return list(seen)
