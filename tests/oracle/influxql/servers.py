"""The module-scoped pair of servers the oracle's test modules share the shape of."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.influxd import InfluxdMissing

from .oracle import Servers, load, running_servers


def server_pair(work: Path, *, with_dataset: bool) -> Iterator[Servers]:
    """A private InfluxDB 1.6.7 and gateway; missing influxd fails in CI, as tests/conftest.py's
    `influxdb1` fixture does."""
    try:
        context = running_servers(work)
        servers = context.__enter__()
    except InfluxdMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    try:
        if with_dataset:
            load(servers)
        yield servers
    finally:
        context.__exit__(None, None, None)
