"""Fixtures for the upstream clients: the fake servers and clients pointed at them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from gateway.backends.upstream import build_upstream
from gateway.backends.upstream.base import Upstream
from gateway.config import UpstreamConfig
from tests.support.fake_upstreams import FakeInfluxDB2, FakeInfluxDB3

SECRET_ENV = "UPSTREAM_TEST_SECRET"

MakeUpstream = Callable[..., Upstream]


@pytest.fixture
async def fake_v2() -> AsyncIterator[FakeInfluxDB2]:
    async with FakeInfluxDB2() as fake:
        yield fake


@pytest.fixture
async def fake_v3() -> AsyncIterator[FakeInfluxDB3]:
    async with FakeInfluxDB3() as fake:
        yield fake


@pytest.fixture
async def make_upstream(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[MakeUpstream]:
    """build(kind, url, secret=..., **UpstreamConfig fields): a client, closed at teardown.
    The secret is the password (influxdb1) or token (influxdb2/3) the gateway holds."""
    built: list[Upstream] = []

    def build(kind: str, url: str, *, secret: str | None = None, **fields: object) -> Upstream:
        if secret is None:
            monkeypatch.delenv(SECRET_ENV, raising=False)
        else:
            monkeypatch.setenv(SECRET_ENV, secret)
        config = UpstreamConfig(**{"name": f"up-{kind}", "type": kind, "url": url,
                                   "password_env": SECRET_ENV, "token_env": SECRET_ENV,
                                   **fields})  # type: ignore[arg-type]
        upstream = build_upstream(config)
        built.append(upstream)
        return upstream

    yield build
    for upstream in built:
        await upstream.close()
