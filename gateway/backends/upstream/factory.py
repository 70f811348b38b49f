"""Builds the client for an upstream from its configuration (called by the composition root)."""

from __future__ import annotations

from collections.abc import Callable

from gateway.config import UpstreamConfig

from .base import Upstream
from .influxdb1 import InfluxDB1Upstream
from .influxdb2 import InfluxDB2Upstream
from .influxdb3 import InfluxDB3Upstream

CLIENTS: dict[str, Callable[[UpstreamConfig], Upstream]] = {
    "influxdb1": InfluxDB1Upstream,
    "influxdb2": InfluxDB2Upstream,
    "influxdb3": InfluxDB3Upstream,
}


def build_upstream(config: UpstreamConfig) -> Upstream:
    """The client for `config.kind`; ValueError for a type no client speaks."""
    try:
        client = CLIENTS[config.kind]
    except KeyError:
        raise ValueError(f"upstream {config.name!r}: unknown type {config.type!r}") from None
    return client(config)
