"""SQL over routes that send each measurement of a database to its own InfluxDB 1.6.7."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

from tests.upstream.test_influxdb1_routes import (  # noqa: F401 (a fixture)
    _http,
    start_gateway,
    write,
)


def _sql(url: str, database: str, text: str) -> tuple[int, object]:
    query = urllib.parse.urlencode({"db": database, "q": text})
    status, _, body = _http("GET", f"{url}/api/v3/query_sql?{query}")
    return status, json.loads(body)


def _measurements(url: str) -> list[str]:
    _, _, body = _http("GET", f"{url}/query?db=split&q=SHOW+MEASUREMENTS")
    return [row[0] for row in json.loads(body)["results"][0]["series"][0]["values"]]


def test_sql_is_answered_by_the_server_its_measurement_routes_to(
        servers, start_gateway, tmp_path: Path) -> None:  # noqa: F811 (fixtures)
    first, second = servers
    config = tmp_path / "by-measurement.toml"
    config.write_text("\n".join([
        "[[upstreams]]", 'name = "a"', 'type = "influxdb1"', f'url = "{first.url}"',
        "[[upstreams]]", 'name = "b"', 'type = "influxdb1"', f'url = "{second.url}"',
        "[[routes]]", 'database = "split"', 'measurement = "cpu"', 'mode = "single"',
        'targets = ["a"]',
        "[[routes]]", 'database = "split"', 'mode = "single"', 'targets = ["b"]',
    ]) + "\n")
    gateway = start_gateway(config, "gw-split")
    for server in servers:
        _http("POST", f"{server.url}/query?q=CREATE+DATABASE+split")
    assert write(gateway.url, "split", b"cpu,host=h1 usage=1 10\ncpu,host=h1 usage=3 20\n"
                 b"mem,host=h1 used=7 10\n", precision="s")[0] == 204

    assert _sql(gateway.url, "split", "SELECT avg(usage) AS a FROM cpu") == (200, [{"a": 2.0}])
    assert _sql(gateway.url, "split", "SELECT used FROM mem") == (200, [{"used": 7.0}])
    # each server holds only its own measurement: the route, not luck, found the rows
    assert _measurements(first.url) == ["cpu"] and _measurements(second.url) == ["mem"]
    status, answer = _sql(gateway.url, "split", "SELECT usage FROM cpu UNION ALL "
                          "SELECT used FROM mem")
    assert status == 400 and "UNION" in answer["error"], answer
