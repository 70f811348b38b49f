"""The module-scoped pair of servers each oracle test module starts for itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from tests.support.influxd import InfluxdMissing
from tests.support.required import unavailable

from .oracle import Servers, load, running_servers


def server_pair(work: Path, *, with_dataset: bool) -> Iterator[Servers]:
    """A private InfluxDB 1.6.7 and gateway; a missing influxd fails in CI (skips elsewhere),
    as tests/conftest.py's `influxdb1` fixture does."""
    with ExitStack() as stack:
        try:
            servers = stack.enter_context(running_servers(work))
        except InfluxdMissing as exc:
            unavailable(str(exc))
        if with_dataset:
            load(servers)
        yield servers
