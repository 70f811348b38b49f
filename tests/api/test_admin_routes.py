"""GET, PUT and DELETE /admin/routes over real HTTP: the config file's checks with every problem
listed, persistence that replaces the file's routes at start-up, mirrors' queues opened."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from gateway.api import keys
from gateway.app import create_app
from gateway.config import ConfigError, RouteConfig, UpstreamConfig
from tests.conftest import GatewayTestServer, make_config

ROUTES = "/admin/routes"
DEFAULTS = {"name": "", "database": "*", "measurement": "", "mode": "single", "targets": [],
            "shard_by": "series", "read": "", "failover": [], "passthrough": False}
CONFIGURED = UpstreamConfig(name="configured", type="influxdb1", url="http://127.0.0.1:9")
FILE_ROUTE = RouteConfig(name="from-file", database="file_*", targets=("configured",))

Build = Callable[..., TestClient]


@pytest.fixture
def build(aiohttp_client: Callable, tmp_path: Path) -> Callable:
    """An app with one configured upstream and one route in its config file; every app built
    shares one data directory, so a second one is a restart."""

    async def start(*, upstreams: tuple[UpstreamConfig, ...] = (CONFIGURED,),
                    routes: tuple[RouteConfig, ...] = (FILE_ROUTE,)) -> TestClient:
        config = dataclasses.replace(make_config(tmp_path / "data"), upstreams=upstreams,
                                     routes=routes)
        return await aiohttp_client(GatewayTestServer(create_app(config)))

    return start


async def test_the_config_files_routes_until_one_is_put(build: Build) -> None:
    client = await build()
    response = await client.get(ROUTES)
    assert response.status == 200 and response.content_type == "application/json"
    assert await response.json() == {
        "routes": [{**DEFAULTS, "name": "from-file", "database": "file_*",
                    "targets": ["configured"]}],
        "origin": "config", "version": 0, "updated_at": None}


async def test_put_replaces_the_list_and_counts_versions(build: Build) -> None:
    client = await build()
    wanted = [{"database": "a*", "mode": "mirror", "targets": ["native", "configured"],
               "failover": ["configured"]},
              {"database": "b", "measurement": "cpu", "targets": "configured",
               "passthrough": True}]
    response = await client.put(ROUTES, json={"routes": wanted})
    assert response.status == 200, await response.text()
    body = await response.json()
    expected = [{**DEFAULTS, **wanted[0]},
                {**DEFAULTS, **wanted[1], "targets": ["configured"]}]  # a string is one target
    assert body["routes"] == expected
    assert body["origin"] == "api" and body["version"] == 1 and body["updated_at"]
    assert await (await client.get(ROUTES)).json() == body
    router = client.app[keys.ROUTER]
    assert [r.route.targets for r in router.routes] == [("native", "configured"),
                                                         ("configured",)]
    assert router.resolve("b", "cpu").route.passthrough is True
    # GET's answer can be PUT back as it is.
    response = await client.put(ROUTES, json=body)
    assert response.status == 200
    assert (await response.json())["version"] == 2


async def test_every_problem_is_listed_and_nothing_changes(build: Build) -> None:
    client = await build()
    before = await (await client.get(ROUTES)).json()
    response = await client.put(ROUTES, json={"routes": [
        {"mode": "mirror", "targets": ["native"], "read": "nowhere"},
        {"mode": "sideways", "targets": ["configured"], "shard_by": "colour"},
        {"targets": ["native", "native"], "bogus": 1, "passthrough": "perhaps"},
        "not a table",
    ]})
    assert response.status == 400 and response.content_type == "application/json"
    message = (await response.json())["error"]
    for problem in ["routes[0].targets: mirror mode takes two or more targets",
                    "routes[0]: unknown target 'nowhere'",
                    "routes[1].mode: expected single, mirror or shard, got 'sideways'",
                    "routes[1].shard_by: expected series or measurement, got 'colour'",
                    "unknown key routes[2].bogus",
                    "routes[2].passthrough: expected bool, got 'perhaps'",
                    "routes[2].targets: single mode takes exactly one target",
                    "routes[2].targets: a target is named twice",
                    "routes[3]: expected a table"]:
        assert problem in message, problem
    assert message.startswith("invalid routes:")
    assert await (await client.get(ROUTES)).json() == before


@pytest.mark.parametrize(("body", "fragment"), [
    pytest.param(b"[", "not JSON", id="not-json"),
    pytest.param(b"[]", 'expected a JSON object {"routes"', id="bare-list"),
    pytest.param(b'{"routes": {"database": "x"}}', "routes: expected a list of tables",
                 id="routes-not-a-list"),
])
async def test_bodies_that_are_not_a_route_list(build: Build, body: bytes,
                                                fragment: str) -> None:
    client = await build()
    response = await client.put(ROUTES, data=body)
    assert response.status == 400 and response.content_type == "application/json"
    assert fragment in (await response.json())["error"]


async def test_a_put_mirror_gets_its_replay_queue(build: Build) -> None:
    client = await build()
    response = await client.get("/admin/replay")
    assert "configured" not in (await response.json())["targets"]
    await client.put(ROUTES, json={"routes": [{"database": "m", "mode": "mirror",
                                               "targets": ["native", "configured"]}]})
    targets = (await (await client.get("/admin/replay")).json())["targets"]
    assert targets["configured"]["queue"]["depth"] == 0


async def test_put_routes_replace_the_config_files_after_a_restart(
        build: Build, caplog: pytest.LogCaptureFixture) -> None:
    client = await build()
    put = await (await client.put(ROUTES, json={"routes": [
        {"name": "from-api", "database": "api_*", "targets": ["configured"]}]})).json()
    await client.close()

    with caplog.at_level(logging.INFO, logger="gateway.services.route_list"):
        client = await build()
    assert await (await client.get(ROUTES)).json() == put
    router = client.app[keys.ROUTER]
    assert [r.route.name for r in router.routes] == ["from-api"]
    assert router.resolve("file_1").route.name == "default"  # the file's route is gone
    assert any("replace the config file's" in r.getMessage() for r in caplog.records)


async def test_saved_routes_that_no_longer_hold_stop_the_start(build: Build,
                                                               tmp_path: Path) -> None:
    client = await build()
    response = await client.put(ROUTES, json={"routes": [{"database": "x",
                                                          "targets": ["configured"]}]})
    assert response.status == 200
    await client.close()
    # The upstream the saved route names is gone from the file; another one is there.
    other = dataclasses.replace(CONFIGURED, name="other")
    config = dataclasses.replace(make_config(tmp_path / "data"), upstreams=(other,))
    client = TestClient(GatewayTestServer(create_app(config)))
    with pytest.raises(ConfigError) as info:
        try:
            await client.start_server()
        finally:
            await client.close()
    assert "routes saved by PUT /admin/routes (version 1) no longer hold" in str(info.value)
    assert "unknown target 'configured'" in str(info.value)


async def test_delete_goes_back_to_the_config_files_routes_and_stays_there(
        build: Build, caplog: pytest.LogCaptureFixture) -> None:
    client = await build()
    file_listing = await (await client.get(ROUTES)).json()
    response = await client.delete(ROUTES)  # nothing saved yet: still 204
    assert response.status == 204 and await response.read() == b""
    await client.put(ROUTES, json={"routes": [
        {"name": "from-api", "database": "file_*", "mode": "mirror",
         "targets": ["native", "configured"]}]})
    router = client.app[keys.ROUTER]
    assert router.resolve("file_1").route.name == "from-api"

    with caplog.at_level(logging.INFO, logger="gateway.services.route_list"):
        response = await client.delete(ROUTES)
    assert response.status == 204 and await response.read() == b""
    assert any("deleted" in r.getMessage() for r in caplog.records)
    assert await (await client.get(ROUTES)).json() == file_listing
    assert router.resolve("file_1").route.name == "from-file"  # in force at once
    await client.close()

    client = await build()  # a restart: the file's routes, not the deleted ones
    assert await (await client.get(ROUTES)).json() == file_listing
    assert client.app[keys.ROUTER].resolve("file_1").route.name == "from-file"
    # A later PUT saves and is restored again.
    response = await client.put(ROUTES, json={"routes": [{"database": "x",
                                                          "targets": ["configured"]}]})
    assert response.status == 200
    put = await response.json()
    await client.close()
    client = await build()
    assert await (await client.get(ROUTES)).json() == put
