"""/ping, /health, /ready, headers on every response, and the error shape of each generation."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from gateway.api.errors import STATUS
from gateway.errors import Category


async def test_ping(client: TestClient) -> None:
    for method in ("GET", "HEAD"):
        response = await client.request(method, "/ping")
        assert response.status == 204
        assert response.headers["X-Influxdb-Version"] == "1.8.10"
        assert response.headers["X-Influxdb-Build"] == "OSS"
        assert response.headers["X-Request-Id"] == response.headers["Request-Id"]
        assert await response.read() == b""


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
