"""/ping, /health, /ready, headers on every response, and the error shape of each generation."""

from __future__ import annotations

import time
import uuid

import pytest
from aiohttp.test_utils import TestClient

from gateway.api.errors import STATUS
from gateway.api.middleware import RequestIds
from gateway.errors import Category


async def test_ping(client: TestClient) -> None:
    for method in ("GET", "HEAD"):
        response = await client.request(method, "/ping")
        assert response.status == 204
        assert response.headers["X-Influxdb-Version"] == "1.8.10"
        assert response.headers["X-Influxdb-Build"] == "OSS"
        assert response.headers["X-Request-Id"] == response.headers["Request-Id"]
        assert await response.read() == b""


async def test_request_ids_are_time_uuids_that_never_repeat(client: TestClient) -> None:
    ids = [(await client.get("/ping")).headers["Request-Id"] for _ in range(3)]
    assert len(set(ids)) == 3
    for parsed in map(uuid.UUID, ids):
        assert (parsed.version, parsed.variant) == (1, uuid.RFC_4122)
        seconds = (parsed.time - 0x01B21DD213814000) / 1e7  # UUID time starts in 1582
        assert abs(seconds - time.time()) < 60
        assert parsed.node & 1 << 40  # a random node, marked as not a MAC address
    make = RequestIds()
    assert len({make() for _ in range(10_000)}) == 10_000  # faster than the clock moves


@pytest.mark.parametrize("path", ["/health", "/api/v1/health"])
async def test_health(client: TestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "pass"
    assert body["message"] == "ready for queries and writes"
    assert set(body) == {"name", "message", "status", "checks", "version", "commit"}


async def test_ready(client: TestClient) -> None:
    response = await client.get("/ready")
    body = await response.json()
    assert body["status"] == "ready"
    assert body["up"].endswith("s")
    assert body["started"].startswith("20")


@pytest.mark.parametrize(("method", "path", "status", "content_type", "body"), [
    ("GET", "/nope", 404, "text/plain", "404 page not found\n"),
    ("GET", "/write", 405, "application/json", '{"error":"method not allowed"}\n'),
    ("GET", "/api/v2/nope", 404, "application/json",
     '{"code":"not found","message":"404 page not found"}\n'),
    ("GET", "/api/v2/write", 405, "application/json",
     '{"code":"method not allowed","message":"method not allowed"}\n'),
    ("GET", "/api/v3/nope", 404, "application/json",
     '{"error":"404 page not found","data":null}\n'),
    ("GET", "/api/v3/write_lp", 405, "application/json",
     '{"error":"method not allowed","data":null}\n'),
])
async def test_error_shape_per_generation(client: TestClient, method: str, path: str,
                                          status: int, content_type: str, body: str) -> None:
    response = await client.request(method, path)
    assert response.status == status
    assert response.content_type == content_type
    assert await response.text() == body
    assert "X-Influxdb-Version" in response.headers


def test_every_category_has_a_status() -> None:
    assert set(STATUS) == set(Category)


async def test_a_long_query_string_is_read_as_1x_reads_it(client: TestClient) -> None:
    # Grafana and influxdb-python send InfluxQL with GET: a long host list passes 8 KiB
    hosts = "|".join(f"host{i:05d}" for i in range(3000))
    assert (await client.post("/query", data={"q": "CREATE DATABASE db"})).status == 200
    assert (await client.post("/write?db=db", data=b"cpu,host=host02999 v=1 1")).status == 204
    query = f"SELECT v FROM cpu WHERE host =~ /^({hosts})$/"
    response = await client.get("/query", params={"db": "db", "q": query})
    assert response.status == 200, await response.text()
    series = (await response.json())["results"][0]["series"]
    assert series == [{"name": "cpu", "columns": ["time", "v"],
                       "values": [["1970-01-01T00:00:00.000000001Z", 1]]}]
    # ... up to 1.x's limit: a request line beyond 1 MiB is refused, not read
    response = await client.get("/query", params={"db": "db", "q": "x" * (1 << 20)})
    assert response.status == 400
