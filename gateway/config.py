"""Configuration: defaults < TOML file < INFLUX_GATEWAY_<SECTION>_<KEY> < flags, checked at once.

Secrets are never written in the file: a key ending in `_env` names the environment variable
that holds the secret.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any


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
    memory_limit: str = ""  # DuckDB memory_limit, e.g. "4GB"; empty = DuckDB's default
    # Threads that parse write bodies beside the writer thread; 0 = one per core but one, which
    # leaves a core to the writer (measured best on 2 cores: two workers contend with it).
    parse_workers: int = 0
    # WAL size at which DuckDB folds the WAL into the database file even under load; the
    # writer also does so after `idle_checkpoint_seconds` without writes.
    checkpoint_threshold: str = "256MB"
    idle_checkpoint_seconds: float = 1.0


@dataclass(frozen=True, slots=True)
class QueryConfig:
    timeout_seconds: float = 300.0  # a query running longer is interrupted (503)
    workers: int = 4  # queries that run at once; others wait for a worker
    max_rows: int = 1_000_000  # a larger result is an error, not a memory spike


@dataclass(frozen=True, slots=True)
class Config:
    server: ServerConfig = ServerConfig()
    auth: AuthConfig = AuthConfig()
    write: WriteConfig = WriteConfig()
    storage: StorageConfig = StorageConfig()
    query: QueryConfig = QueryConfig()

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
    elif isinstance(value, str):
        return value
    problems.append(f"{where}: expected {kind.__name__}, got {value!r}")
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
    for origin, layer in layers:
        for section, entries in layer.items():
            cls = SECTIONS.get(section)
            if cls is None or not isinstance(entries, dict):
                problems.append(f"{origin}: unknown section [{section}]")
                continue
            kinds = {f.name: f.type for f in fields(cls)}
            for key, value in entries.items():
                if value is None:
                    continue
                kind_name = kinds.get(key)
                if kind_name is None:
                    problems.append(f"{origin}: unknown key {section}.{key}")
                    continue
                kind = {"str": str, "int": int, "bool": bool, "float": float}[kind_name]
                coerced = _coerce(value, kind, f"{origin}: {section}.{key}", problems)
                if coerced is not None:
                    values[section][key] = coerced

    config = Config(**{s: SECTIONS[s](**v) for s, v in values.items()})
    _validate(config, problems)
    if problems:
        raise ConfigError(problems)
    return config


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
        (config.storage.threads >= 0, "storage.threads: 0 (auto) or positive"),
        (config.storage.parse_workers >= 0, "storage.parse_workers: 0 (auto) or positive"),
        (config.storage.idle_checkpoint_seconds > 0,
         "storage.idle_checkpoint_seconds: must be positive"),
    ]
    problems.extend(message for ok, message in bounds if not ok)
    if config.auth.admin_token_env and not os.environ.get(config.auth.admin_token_env):
        problems.append(
            f"auth.admin_token_env: environment variable {config.auth.admin_token_env} is not set"
        )
