"""The module-scoped pair of servers each oracle test module starts for itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.influxd import InfluxdMissing

from .oracle import Servers, load, running_servers


def server_pair(work: Path, *, with_dataset: bool) -> Iterator[Servers]:
    """A private InfluxDB 1.6.7 and gateway; a missing influxd fails in CI (skips elsewhere),
    as tests/conftest.py's `influxdb1` fixture does."""
    with ExitStack() as stack:
        try:
            servers = stack.enter_context(running_servers(work))
        except InfluxdMissing as exc:
            if os.environ.get("CI"):
                pytest.fail(str(exc))
            pytest.skip(str(exc))
        if with_dataset:
            load(servers)
        yield servers
