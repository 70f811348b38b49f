"""InfluxDB 3's configure endpoints on databases routed to two real InfluxDB 1.6.7 servers:
a single route beside native databases, and a mirror route whose mirror is down.

The gateway runs as `python -m gateway serve`; comparisons are against what the servers hold.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

from tests.support.gateway_process import GatewayProcess
from tests.support.influxd import Influxd
from tests.upstream.test_influxdb1_routes import (
    _http,
    batch,
    counts,
    mirror_config,
    query,
    replay_depth,
    start_gateway,
    wait_until,
    write,
)

__all__ = ["start_gateway"]  # the fixture, imported for the tests here


def configure(gateway: GatewayProcess, method: str, what: str, **values: object
              ) -> tuple[int, object]:
    """One /api/v3/configure request: a JSON body for POST, the query string otherwise."""
    url = f"{gateway.url}/api/v3/configure/{what}"
    if method == "POST":
        status, _, body = _http(method, url, json.dumps(values).encode(),
                                {"Content-Type": "application/json"})
    else:
        status, _, body = _http(method, f"{url}?{urllib.parse.urlencode(values)}")
    return status, json.loads(body) if body.strip() else None


def databases(server: Influxd) -> list[str]:
    status, _, body = query(server.url, "SHOW DATABASES")
    assert status == 200, body
    series = json.loads(body)["results"][0].get("series", [])
    return sorted(v[0] for v in series[0].get("values", [])) if series else []


def measurements(server: Influxd, database: str) -> list[str]:
    status, _, body = query(server.url, "SHOW MEASUREMENTS", database=database)
    assert status == 200, body
    series = json.loads(body)["results"][0].get("series", [])
    return sorted(v[0] for v in series[0]["values"]) if series else []


def single_config(path: Path, server: Influxd) -> Path:
    """Databases `up*` to the server alone; every other database stays native."""
    path.write_text("\n".join([
        "[[upstreams]]", 'name = "a"', 'type = "influxdb1"', f'url = "{server.url}"',
        "timeout_seconds = 5.0", "[[routes]]", 'database = "up*"', 'mode = "single"',
        'targets = ["a"]']) + "\n")
    return path


def test_a_single_route_to_influxdb1_beside_native_databases(
        servers, start_gateway, tmp_path: Path) -> None:
    first, _ = servers
    gateway = start_gateway(single_config(tmp_path / "single.toml", first), "gw-single")
    assert configure(gateway, "POST", "database", db="up_conf") == (201, None)
    assert configure(gateway, "POST", "database", db="local_conf") == (201, None)
    assert "up_conf" in databases(first) and "local_conf" not in databases(first)
    # InfluxDB 3 answers 409 for a database that exists (1.x's CREATE DATABASE succeeds).
    assert configure(gateway, "POST", "database", db="up_conf") == (
        409, {"error": "database 'up_conf' already exists", "data": None})
    status, listed = configure(gateway, "GET", "database", format="json")
    assert status == 200
    assert {"up_conf", "local_conf"} <= set(listed["databases"])  # type: ignore[index]
    assert set(databases(first)) <= set(listed["databases"])  # type: ignore[index]

    assert write(gateway.url, "up_conf", batch(0, 10)) == (204, b"")
    assert write(gateway.url, "up_conf", batch(0, 3, "mem")) == (204, b"")
    assert measurements(first, "up_conf") == ["cpu", "mem"]
    assert configure(gateway, "DELETE", "table", db="up_conf", table="cpu") == (200, None)
    assert measurements(first, "up_conf") == ["mem"]
    # And 404 for a table or database that does not (1.x's DROPs succeed).
    assert configure(gateway, "DELETE", "table", db="up_conf", table="cpu") == (
        404, {"error": "table not found: 'cpu'", "data": None})
    assert configure(gateway, "DELETE", "table", db="up_none", table="cpu") == (
        404, {"error": 'database not found: "up_none"', "data": None})
    assert "up_none" not in databases(first)

    status, error = configure(gateway, "POST", "table", db="up_conf", table="disk",
                              tags=["host"])
    assert status == 400
    assert "upstream a (InfluxDB 1.x)" in error["error"]  # type: ignore[index]
    assert measurements(first, "up_conf") == ["mem"]

    assert configure(gateway, "DELETE", "database", db="up_conf") == (200, None)
    assert "up_conf" not in databases(first)
    assert configure(gateway, "DELETE", "database", db="up_conf") == (
        404, {"error": 'database not found: "up_conf"', "data": None})
    assert configure(gateway, "DELETE", "database", db="local_conf") == (200, None)
    status, listed = configure(gateway, "GET", "database", format="json")
    assert not {"up_conf", "local_conf"} & set(listed["databases"])  # type: ignore[index]


def test_a_mirror_that_is_down_gets_the_deletes_queued_behind_its_writes(
        servers, start_gateway, tmp_path: Path) -> None:
    first, second = servers
    gateway = start_gateway(mirror_config(tmp_path / "mirror.toml", servers), "gw-mirror")
    assert configure(gateway, "POST", "database", db="conf_m") == (201, None)
    assert "conf_m" in databases(first) and "conf_m" in databases(second)
    assert write(gateway.url, "conf_m", batch(0, 10)) == (204, b"")
    second.stop()
    try:
        assert write(gateway.url, "conf_m", batch(10, 10)) == (204, b"")
        assert write(gateway.url, "conf_m", batch(0, 5, "mem")) == (204, b"")
        # Answered by the primary; queued for the mirror behind the writes before it, so
        # their replay does not bring the table back.
        assert configure(gateway, "DELETE", "table", db="conf_m", table="cpu") == (200, None)
        assert measurements(first, "conf_m") == ["mem"]
        assert replay_depth(gateway) == 3
    finally:
        second.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=30)
    assert measurements(second, "conf_m") == ["mem"]
    assert counts(second.url, "conf_m", "mem") == counts(first.url, "conf_m", "mem")

    second.stop()
    try:
        assert write(gateway.url, "conf_m", batch(20, 5, "mem")) == (204, b"")
        assert configure(gateway, "DELETE", "database", db="conf_m") == (200, None)
        # Made again at once: queued behind the drop, not run past it.
        assert configure(gateway, "POST", "database", db="conf_m") == (201, None)
        assert replay_depth(gateway) == 3
        assert measurements(first, "conf_m") == []
    finally:
        second.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=30)
    assert "conf_m" in databases(second)
    assert measurements(second, "conf_m") == []
