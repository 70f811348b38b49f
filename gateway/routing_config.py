"""The routing part of the configuration: upstream servers ([[upstreams]]), routes
([[routes]]) and DBRP mappings ([[dbrps]]), with the checks a route list must pass. Apart from
`config.py` because the router, the upstream back ends and the runtime routes API use these
alone; `config.py` loads them from the file with the rest and re-exports them.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass

UPSTREAM_TYPES = {"influxdb1": "influxdb1", "v1": "influxdb1", "influxdb2": "influxdb2",
                  "v2": "influxdb2", "influxdb3": "influxdb3", "v3": "influxdb3"}
NATIVE = "native"  # the target name of the built-in store


@dataclass(frozen=True, slots=True)
class UpstreamConfig:
    """One upstream server ([[upstreams]]); secrets by environment-variable name."""

    name: str = ""
    type: str = ""  # influxdb1 | influxdb2 | influxdb3 (or v1 | v2 | v3)
    url: str = ""
    username: str = ""  # v1 user
    password_env: str = ""  # v1 password
    token_env: str = ""  # v2 and v3 token
    org: str = ""  # v2 organization name
    ca_file: str = ""  # PEM bundle to verify the upstream's certificate
    insecure_skip_verify: bool = False
    connect_timeout_seconds: float = 5.0
    timeout_seconds: float = 30.0  # a request, connect to last byte (streamed: per chunk)
    max_connections: int = 100

    @property
    def kind(self) -> str:
        return UPSTREAM_TYPES.get(self.type, self.type)

    def secret(self) -> str | None:
        """The password (v1) or token (v2, v3), read from its environment variable."""
        name = self.password_env if self.kind == "influxdb1" else self.token_env
        return os.environ.get(name) or None if name else None


ROUTE_MODES = ("single", "mirror", "shard")
SHARD_KEYS = ("series", "measurement")


@dataclass(frozen=True, slots=True)
class RouteConfig:
    """Which targets serve a database ([[routes]]); the first matching route wins."""

    name: str = ""
    database: str = "*"  # glob over v1 db, v2 bucket, v3 database
    measurement: str = ""  # optional glob; empty matches every measurement
    mode: str = "single"  # single | mirror | shard
    # single: one target; mirror: the primary, then its mirrors; shard: every shard.
    # Target names are upstream names or "native".
    targets: tuple[str, ...] = ()
    shard_by: str = "series"  # shard mode: series | measurement
    read: str = ""  # the read target; empty = the first target
    failover: tuple[str, ...] = ()  # tried in order when the read target is unavailable
    passthrough: bool = False  # forward the caller's own credentials upstream

    def matches(self, database: str, measurement: str | None = None) -> bool:
        if not fnmatch.fnmatchcase(database, self.database):
            return False
        if self.measurement and measurement is not None:
            return fnmatch.fnmatchcase(measurement, self.measurement)
        return True

    @property
    def read_target(self) -> str:
        return self.read or (self.targets[0] if self.targets else NATIVE)

    @property
    def readers(self) -> list[str]:
        """The read target, then its failovers in order (the read target not again)."""
        return [self.read_target, *(t for t in self.failover if t != self.read_target)]


@dataclass(frozen=True, slots=True)
class DbrpConfig:
    """An explicit v1 database/retention policy -> v2 bucket mapping ([[dbrps]])."""

    database: str = ""
    retention_policy: str = "autogen"
    bucket: str = ""


def route_problems(routes: Sequence[RouteConfig], known: Collection[str]) -> list[str]:
    """Every problem of a route list, each naming its entry; targets must be in `known`
    (upstream names) or be the built-in store."""
    problems: list[str] = []
    for index, route in enumerate(routes):
        where = f"routes[{index}]"
        if route.mode not in ROUTE_MODES:
            problems.append(f"{where}.mode: expected single, mirror or shard, got {route.mode!r}")
        if not route.targets:
            problems.append(f"{where}.targets: at least one target")
        elif route.mode == "single" and len(route.targets) != 1:
            problems.append(f"{where}.targets: single mode takes exactly one target")
        elif route.mode in ("mirror", "shard") and len(route.targets) < 2:
            problems.append(f"{where}.targets: {route.mode} mode takes two or more targets")
        if len(set(route.targets)) != len(route.targets):
            problems.append(f"{where}.targets: a target is named twice")
        if route.shard_by not in SHARD_KEYS:
            problems.append(f"{where}.shard_by: expected series or measurement, "
                            f"got {route.shard_by!r}")
        for target in (*route.targets, *route.failover, *([route.read] if route.read else [])):
            if target != NATIVE and target not in known:
                problems.append(f"{where}: unknown target {target!r} (not an upstream name "
                                f"or {NATIVE!r})")
    return problems
