"""build_upstream: one client per InfluxDB generation, named by any of the type's spellings."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.backends.upstream import build_upstream
from gateway.backends.upstream.base import Generation
from gateway.backends.upstream.influxdb1 import InfluxDB1Upstream
from gateway.backends.upstream.influxdb2 import InfluxDB2Upstream
from gateway.backends.upstream.influxdb3 import InfluxDB3Upstream
from gateway.config import UpstreamConfig


@pytest.mark.parametrize(("kind", "client", "generation"), [
    pytest.param("influxdb1", InfluxDB1Upstream, Generation.V1, id="influxdb1"),
    pytest.param("v1", InfluxDB1Upstream, Generation.V1, id="v1"),
    pytest.param("influxdb2", InfluxDB2Upstream, Generation.V2, id="influxdb2"),
    pytest.param("v2", InfluxDB2Upstream, Generation.V2, id="v2"),
    pytest.param("influxdb3", InfluxDB3Upstream, Generation.V3, id="influxdb3"),
    pytest.param("v3", InfluxDB3Upstream, Generation.V3, id="v3"),
])
def test_each_type_gets_its_client(kind: str, client: type, generation: Generation) -> None:
    upstream = build_upstream(UpstreamConfig(name="up", type=kind, url="http://127.0.0.1:1"))
    assert type(upstream) is client
    assert (upstream.name, upstream.generation) == ("up", generation)


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown type 'influxdb4'"):
        build_upstream(UpstreamConfig(name="up", type="influxdb4", url="http://127.0.0.1:1"))


def test_an_unreadable_ca_file_fails_when_built(tmp_path: Path) -> None:
    # At start-up, not on the first request to the upstream.
    with pytest.raises(OSError):
        build_upstream(UpstreamConfig(name="up", type="v3", url="https://127.0.0.1:1",
                                      ca_file=str(tmp_path / "missing.pem")))
