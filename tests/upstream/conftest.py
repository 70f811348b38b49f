"""Fixtures shared by the upstream tests: two real InfluxDB 1.6.7 servers per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.influxd import Influxd, InfluxdMissing, influxd
from tests.support.required import unavailable


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Influxd, Influxd]]:
    """Two InfluxDB 1.6.7 servers of the module's own; missing influxd fails in CI, skips
    elsewhere."""
    try:
        first = influxd(tmp_path_factory.mktemp("influxd-a")).start()
        second = influxd(tmp_path_factory.mktemp("influxd-b")).start()
    except InfluxdMissing as exc:
        unavailable(str(exc))
    yield first, second
    first.stop()
    second.stop()
