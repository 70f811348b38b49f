"""Configuration: defaults < TOML file < INFLUX_GATEWAY_<SECTION>_<KEY> < flags, checked at once.

Secrets are never written in the file: a key ending in `_env` names the environment variable
that holds the secret.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from gateway.memory_limit import memory_share
from gateway.routing_config import (  # re-exported: the routing model is part of Config
    NATIVE,
    UPSTREAM_TYPES,
    DbrpConfig,
    RouteConfig,
    UpstreamConfig,
    route_problems,
)

_INTERVAL_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0,
                   "h": 3600.0}
_INTERVAL = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


_MIN_CHECK_SECONDS, _MAX_CHECK_SECONDS = 0.01, 365 * 86400.0


def interval_seconds(text: str) -> float:
    """A Go duration as 1.x's configuration writes them ("30m", "1h30m", "500ms"; "0" alone
    may go without a unit), in seconds; ValueError for anything else."""
    text = text.strip()
    if text == "0":
        return 0.0
    if not text:
        raise ValueError("not a duration such as 30m or 1h30m: empty")
    position, total = 0, 0.0
    while position < len(text):
        match = _INTERVAL.match(text, position)
        if match is None:
            raise ValueError(f"not a duration such as 30m or 1h30m: {text!r}")
        total += float(match.group(1)) * _INTERVAL_UNITS[match.group(2)]
        position = match.end()
    return total


class ConfigError(ValueError):
    """Every problem found in the configuration, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid configuration:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ServerConfig:
    bind: str = "127.0.0.1:8086"
    data_dir: str = "./data"
    # Sent as X-Influxdb-Version: clients such as Grafana and the v2 CLI switch features on it.
    advertised_version: str = "1.8.10"
    shutdown_timeout: float = 30.0
    access_log: bool = True


@dataclass(frozen=True, slots=True)
class AuthConfig:
    # Name of the environment variable holding the single admin token; empty = auth off.
    admin_token_env: str = ""


@dataclass(frozen=True, slots=True)
class WriteConfig:
    max_body_bytes: int = 25_000_000  # after decompression, as InfluxDB 1.x's max-body-size
    auto_create_databases: bool = True
    # Columns (time, tags and fields) a table may have, as InfluxDB 3 limits them; lines that
    # would add more are refused.
    max_columns_per_table: int = 500


@dataclass(frozen=True, slots=True)
class StorageConfig:
    # DuckDB threads (a database-wide setting). One thread appends small batches fastest and
    # leaves the other cores to parsing; raise it for large analytic queries. 0 = one per core.
    threads: int = 1
    # DuckDB's memory_limit: a share of the memory the process may use ("50%": of the
    # machine's RAM, or of its cgroup's limit when lower; see duckdb_memory_limit), a size
    # ("4GB"), or empty for DuckDB's own default, 80% of RAM, which leaves too little beside
    # it for the gateway's Python heap and the Arrow buffers of answers being encoded.
    memory_limit: str = "50%"
    # Threads that parse write bodies beside the writer thread; 0 = one per core but one, which
    # leaves a core to the writer (measured best on 2 cores: two workers contend with it).
    parse_workers: int = 0
    # WAL size at which DuckDB folds the WAL into the database file even under load; the
    # writer also does so after `idle_checkpoint_seconds` without writes, once the WAL holds
    # `idle_checkpoint_bytes`: each checkpoint compresses a table's last, partly filled row
    # group again, so folding a few thousand rows at every pause cost five to seven times the CPU
    # per row of folding a row group's worth (bench/README.md, sixteenth session).
    checkpoint_threshold: str = "256MB"
    idle_checkpoint_seconds: float = 1.0
    idle_checkpoint_bytes: int = 16_777_216
    # While writes pause, rewrite settled rows sorted by series (`compaction.py`). Off by
    # default: it speeds one-series reads but slows raw time-ordered reads across series
    # (bench/README.md, query.py, sixteenth session).
    cluster_series: bool = False
    cluster_window_rows: int = 737_280  # rows per window rewritten sorted (six row groups)
    cluster_piece_rows: int = 65_536  # rows per transaction: how long a write may wait
    # How often expired points are deleted (1.x's [retention] check-interval); "0" = never.
    retention_check_interval: str = "30m"

    @property
    def retention_check_seconds(self) -> float:
        return interval_seconds(self.retention_check_interval)


@dataclass(frozen=True, slots=True)
class QueryConfig:
    timeout_seconds: float = 300.0  # a query running longer is interrupted (503)
    workers: int = 4  # queries that run at once; others wait for a worker
    max_rows: int = 1_000_000  # a larger result is an error, not a memory spike
    # Bytes one read's rows may hold in memory (as Arrow holds them) before encoding.
    max_bytes: int = 268_435_456
    # Bytes DuckDB may spill to disk (<data_dir>/native.duckdb.tmp) past its memory limit
    # while queries run; beyond it the running queries are interrupted (DuckDB 2.0 does not
    # honour its own bound on that directory).
    max_spill_bytes: int = 1_073_741_824


@dataclass(frozen=True, slots=True)
class ReplayConfig:
    # Where each mirror's queue lives; empty = <data_dir>/replay.
    dir: str = ""
    # Bounds of one mirror's queue on disk, and the age of its oldest entry.
    max_bytes: int = 1_073_741_824
    max_age_seconds: float = 604_800.0
    # At a bound: "reject" answers writes 503 until the queue drains (nothing is lost);
    # "drop_oldest" drops the oldest entries and counts them in /metrics.
    when_full: str = "reject"
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class Config:
    server: ServerConfig = ServerConfig()
    auth: AuthConfig = AuthConfig()
    write: WriteConfig = WriteConfig()
    storage: StorageConfig = StorageConfig()
    query: QueryConfig = QueryConfig()
    replay: ReplayConfig = ReplayConfig()
    upstreams: tuple[UpstreamConfig, ...] = ()
    routes: tuple[RouteConfig, ...] = ()
    dbrps: tuple[DbrpConfig, ...] = ()

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = self.server.bind.rpartition(":")
        return host.strip("[]") or "0.0.0.0", int(port)

    @property
    def parse_workers(self) -> int:
        if self.storage.parse_workers:
            return self.storage.parse_workers
        return max(1, (os.cpu_count() or 2) - 1)

    def admin_token(self) -> str | None:
        name = self.auth.admin_token_env
        return os.environ.get(name) or None if name else None


SECTIONS: dict[str, type] = {
    "server": ServerConfig,
    "auth": AuthConfig,
    "write": WriteConfig,
    "storage": StorageConfig,
    "query": QueryConfig,
    "replay": ReplayConfig,
}
# Arrays of tables ([[upstreams]] ...): file only, no environment variables.
TABLES: dict[str, type] = {
    "upstreams": UpstreamConfig,
    "routes": RouteConfig,
    "dbrps": DbrpConfig,
}
ENV_PREFIX = "INFLUX_GATEWAY_"


def _coerce(value: Any, kind: type, where: str, problems: list[str]) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false",
                                                         "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
    elif kind is int:
        try:
            if not isinstance(value, bool):
                return int(value)
        except (TypeError, ValueError):
            pass
    elif kind is float:
        try:
            if not isinstance(value, bool):
                return float(value)
        except (TypeError, ValueError):
            pass
    elif kind is tuple:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
    elif isinstance(value, str):
        return value
    expected = "list of strings" if kind is tuple else kind.__name__
    problems.append(f"{where}: expected {expected}, got {value!r}")
    return None


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    environ: dict[str, str] | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Config:
    """Build the Config; raise ConfigError listing every problem."""
    environ = dict(os.environ) if environ is None else environ
    problems: list[str] = []
    layers: list[tuple[str, dict[str, dict[str, Any]]]] = []
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError([f"{path}: {exc}"]) from exc
        layers.append((str(path), data))
    env_layer: dict[str, dict[str, Any]] = {}
    for section, cls in SECTIONS.items():
        for f in fields(cls):
            name = f"{ENV_PREFIX}{section}_{f.name}".upper()
            if name in environ:
                env_layer.setdefault(section, {})[f.name] = environ[name]
    layers.append(("environment", env_layer))
    if overrides:
        layers.append(("flags", overrides))

    values: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
    tables: dict[str, list[Any]] = {}
    for origin, layer in layers:
        for section, entries in layer.items():
            if section in TABLES and isinstance(entries, list):
                tables[section] = [
                    TABLES[section](**_entries(TABLES[section], entry, origin,
                                               f"{section}[{index}]", problems))
                    for index, entry in enumerate(entries)
                ]
                continue
            cls = SECTIONS.get(section)
            if cls is None or not isinstance(entries, dict):
                problems.append(f"{origin}: unknown section [{section}]")
                continue
            values[section].update(_entries(cls, entries, origin, section, problems))

    config = Config(**{s: SECTIONS[s](**v) for s, v in values.items()},
                    **{name: tuple(items) for name, items in tables.items()})
    _validate(config, problems)
    if problems:
        raise ConfigError(problems)
    return config


_KINDS = {"str": str, "int": int, "bool": bool, "float": float, "tuple[str, ...]": tuple}


def _entries(cls: type, entries: Any, origin: str, where: str,
             problems: list[str]) -> dict[str, Any]:
    """The keys of one table checked against the dataclass `cls`, coerced to its types."""
    at = f"{origin}: " if origin else ""  # no origin: data given at runtime (the API)
    if not isinstance(entries, dict):
        problems.append(f"{at}{where}: expected a table")
        return {}
    kinds = {f.name: f.type for f in fields(cls)}
    out: dict[str, Any] = {}
    for key, value in entries.items():
        if value is None:
            continue
        kind_name = kinds.get(key)
        if kind_name is None:
            problems.append(f"{at}unknown key {where}.{key}")
            continue
        coerced = _coerce(value, _KINDS[kind_name], f"{at}{where}.{key}", problems)
        if coerced is not None:
            out[key] = coerced
    return out


def parse_routes(tables: object, known: Collection[str]) -> tuple[RouteConfig, ...]:
    """Routes given as data (the [[routes]] keys, e.g. from JSON) with the file's checks;
    ConfigError lists every problem."""
    if not isinstance(tables, list):
        raise ConfigError(["routes: expected a list of tables"])
    problems: list[str] = []
    routes = tuple(RouteConfig(**_entries(RouteConfig, entry, "", f"routes[{index}]", problems))
                   for index, entry in enumerate(tables))
    problems.extend(route_problems(routes, known))
    if problems:
        raise ConfigError(problems)
    return routes


def _validate_routing(config: Config, problems: list[str]) -> None:
    """Upstreams, routes and DBRP mappings: every problem, each naming its entry."""
    names: set[str] = set()
    for index, upstream in enumerate(config.upstreams):
        where = f"upstreams[{index}]"
        if not upstream.name:
            problems.append(f"{where}.name: required")
        elif upstream.name == NATIVE:
            problems.append(f"{where}.name: {NATIVE!r} is the built-in store's name")
        elif upstream.name in names:
            problems.append(f"{where}.name: {upstream.name!r} is used twice")
        names.add(upstream.name)
        if upstream.type not in UPSTREAM_TYPES:
            problems.append(f"{where}.type: expected influxdb1, influxdb2 or influxdb3, "
                            f"got {upstream.type!r}")
        if not upstream.url.startswith(("http://", "https://")):
            problems.append(f"{where}.url: expected an http:// or https:// URL, "
                            f"got {upstream.url!r}")
        for key in ("password_env", "token_env"):
            variable = getattr(upstream, key)
            if variable and not os.environ.get(variable):
                problems.append(f"{where}.{key}: environment variable {variable} is not set")
        if upstream.ca_file and not Path(upstream.ca_file).is_file():
            problems.append(f"{where}.ca_file: {upstream.ca_file} is not a file")
        if upstream.timeout_seconds <= 0 or upstream.connect_timeout_seconds <= 0:
            problems.append(f"{where}: timeouts must be positive")
        if upstream.max_connections < 1:
            problems.append(f"{where}.max_connections: at least 1")
    problems.extend(route_problems(config.routes, names))
    for index, dbrp in enumerate(config.dbrps):
        if not dbrp.database or not dbrp.bucket:
            problems.append(f"dbrps[{index}]: database and bucket are required")
    replay = config.replay
    if replay.when_full not in ("reject", "drop_oldest"):
        problems.append(f"replay.when_full: expected reject or drop_oldest, "
                        f"got {replay.when_full!r}")
    if replay.max_bytes < 1 or replay.max_age_seconds <= 0:
        problems.append("replay: max_bytes and max_age_seconds must be positive")
    if not 0 < replay.backoff_initial_seconds <= replay.backoff_max_seconds:
        problems.append("replay: need 0 < backoff_initial_seconds <= backoff_max_seconds")


def _validate(config: Config, problems: list[str]) -> None:
    try:
        _, port = config.host_port
        if not 0 <= port < 65536:
            problems.append(f"server.bind: port out of range in {config.server.bind!r}")
    except ValueError:
        problems.append(f"server.bind: expected HOST:PORT, got {config.server.bind!r}")
    bounds = [
        (config.write.max_columns_per_table >= 2, "write.max_columns_per_table: at least 2"),
        (config.write.max_body_bytes > 0, "write.max_body_bytes: must be positive"),
        (config.query.timeout_seconds > 0, "query.timeout_seconds: must be positive"),
        (config.query.workers >= 1, "query.workers: at least 1"),
        (config.query.max_rows >= 1, "query.max_rows: at least 1"),
        (config.query.max_bytes >= 1, "query.max_bytes: at least 1"),
        (config.query.max_spill_bytes >= 1, "query.max_spill_bytes: at least 1"),
        (config.storage.threads >= 0, "storage.threads: 0 (auto) or positive"),
        (config.storage.parse_workers >= 0, "storage.parse_workers: 0 (auto) or positive"),
        (config.storage.idle_checkpoint_seconds > 0,
         "storage.idle_checkpoint_seconds: must be positive"),
        (config.storage.idle_checkpoint_bytes >= 0,
         "storage.idle_checkpoint_bytes: 0 or positive"),
        (config.storage.cluster_window_rows > 0,
         "storage.cluster_window_rows: must be positive"),
        (config.storage.cluster_piece_rows > 0,
         "storage.cluster_piece_rows: must be positive"),
    ]
    problems.extend(message for ok, message in bounds if not ok)
    share = memory_share(config.storage.memory_limit)
    if share is not None and not 0 < share <= 100:
        problems.append("storage.memory_limit: a share of memory from 0% (excluded) to 100%")
    try:
        every = config.storage.retention_check_seconds
    except ValueError as exc:
        problems.append(f"storage.retention_check_interval: {exc}")
    else:  # back-to-back checks would keep the writer deleting; a wait past a year overflows
        if every and not _MIN_CHECK_SECONDS <= every <= _MAX_CHECK_SECONDS:
            problems.append("storage.retention_check_interval: 0 (off) or from 10ms to 8760h")
    _validate_routing(config, problems)
    if config.auth.admin_token_env and not os.environ.get(config.auth.admin_token_env):
        problems.append(
            f"auth.admin_token_env: environment variable {config.auth.admin_token_env} is not set"
        )
