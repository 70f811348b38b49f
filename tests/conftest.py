"""Shared fixtures: the app over real HTTP, gateway subprocesses, a real InfluxDB 1.6.7."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import settings

from gateway.app import create_app, server_kwargs
from gateway.config import Config, ServerConfig, WriteConfig
from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.support.influxd import Influxd, InfluxdMissing, influxd
from tests.support.required import unavailable

# CI replays the same examples every run (main stays green deterministically); local runs keep
# exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def no_gateway_settings_from_the_environment() -> Iterator[None]:
    """The tests' gateways are configured by the tests alone: INFLUX_GATEWAY_* variables of
    the shell or CI runner the tests run in (a developer's own settings) are taken away."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("INFLUX_GATEWAY_")]:
            patch.delenv(name)
        yield


def make_config(data_dir: Path, **sections: dict[str, object]) -> Config:
    config = Config(server=ServerConfig(data_dir=str(data_dir), access_log=False))
    for name, values in sections.items():
        config = dataclasses.replace(
            config, **{name: dataclasses.replace(getattr(config, name), **values)}
        )
    return config


class GatewayTestServer(TestServer):
    """A test server run the way `serve` runs the app (aiohttp's own TestServer drops
    runner settings given to its constructor)."""

    async def _make_runner(self, **kwargs: object) -> web.AppRunner:
        return web.AppRunner(self.app, **{**kwargs, **server_kwargs()})


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path / "data")


@pytest.fixture
async def client(aiohttp_client: Callable, config: Config) -> TestClient:
    return await aiohttp_client(GatewayTestServer(create_app(config)))


@pytest.fixture
def make_client(aiohttp_client: Callable, tmp_path: Path) -> Callable:
    """A client for an app built with changed config sections, e.g. write={...}."""

    async def build(**sections: dict[str, object]) -> TestClient:
        app = create_app(make_config(tmp_path / "data", **sections))
        return await aiohttp_client(GatewayTestServer(app))

    return build


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[GatewayProcess]:
    process = gateway_process(tmp_path / "gw").start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def influxdb1(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Influxd]:
    """A real InfluxDB 1.6.7. Missing in CI is a failure, never a skip."""
    try:
        server = influxd(tmp_path_factory.mktemp("influxd")).start()
    except InfluxdMissing as exc:
        unavailable(str(exc))
    yield server
    server.stop()


__all__ = ["WriteConfig", "make_config"]
