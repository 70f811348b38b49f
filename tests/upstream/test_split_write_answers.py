"""Error answers of writes split among targets, over real HTTP to real InfluxDB 1.6.7: the
caller gets what the native store answers for the same whole body on a database no route
splits, line numbers counted in the caller's body."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.config import RouteConfig, UpstreamConfig
from tests.conftest import GatewayTestServer, make_config
from tests.support.influxd import Influxd

WRITES = {
    "v1": ("/write", "db"),
    "v2": ("/api/v2/write", "bucket"),
    "v3": ("/api/v3/write_lp", "db"),
}


async def gateway(aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd,
                  *routes: RouteConfig) -> TestClient:
    config = dataclasses.replace(
        make_config(tmp_path / "data"), routes=routes,
        upstreams=(UpstreamConfig(name="one", type="influxdb1", url=influxdb1.url),))
    return await aiohttp_client(GatewayTestServer(create_app(config)))


async def answer(client: TestClient, api: str, database: str, body: bytes
                 ) -> tuple[int, object]:
    path, name = WRITES[api]
    params = {name: database}
    if api == "v2":
        params["org"] = "my-org"
    reply = await client.post(path, params=params, data=body)
    text = await reply.text()
    return reply.status, (await reply.json() if text.strip() else None)


async def databases(client: TestClient, influxdb1: Influxd, routed: str) -> None:
    """`routed` made on the 1.x upstream and through the gateway, beside an unrouted "whole"
    whose answer is the reference."""
    async with client.session.post(f"{influxdb1.url}/query",
                                   params={"q": f"CREATE DATABASE {routed}"}) as created:
        assert created.status == 200
    for database in (routed, "whole"):
        assert (await client.post("/query", data={"q": f"CREATE DATABASE {database}"})
                ).status == 200


@pytest.mark.parametrize("api", list(WRITES))
async def test_a_native_part_numbers_its_lines_in_the_callers_body(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    client = await gateway(
        aiohttp_client, tmp_path, influxdb1,
        RouteConfig(database="split", measurement="up", targets=("one",)),
        RouteConfig(database="*", targets=("native",)))
    await databases(client, influxdb1, "split")
    body = b"up v=1 1\ncpu v=1 2\nup v=2 3\n\ncpu v=x 4\nup v=3 5\ncpu v=2 6"
    split = await answer(client, api, "split", body)
    whole = await answer(client, api, "whole", body)
    assert split[0] == 400
    assert split == whole


@pytest.mark.parametrize("body", [
    pytest.param(b"cpu v=1 1\nup v=x 2\ncpu v=y 3\nup v=z 4\ncpu v=2 5", id="some-stored"),
    pytest.param(b"up v=x 1\ncpu v=y 2\nup v=z 3", id="none-stored"),
])
@pytest.mark.parametrize("api", list(WRITES))
async def test_every_refusing_part_is_named_and_a_wholly_refused_part_is_a_partial_write(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str,
        body: bytes) -> None:
    # 1.x refuses the `up` part whole (its bare `unable to parse`) while the native store
    # writes some of its part and refuses one line: both parts' lines are named, in the
    # caller's order, in the partial write the native store gives for the whole body.
    client = await gateway(
        aiohttp_client, tmp_path, influxdb1,
        RouteConfig(database="both", measurement="up", targets=("one",)),
        RouteConfig(database="*", targets=("native",)))
    await databases(client, influxdb1, "both")
    split = await answer(client, api, "both", body)
    whole = await answer(client, api, "whole", body)
    assert split[0] == 400
    assert split == whole


@pytest.mark.parametrize("api", list(WRITES))
async def test_a_shard_refusing_all_its_lines_makes_a_partial_write_beside_stored_shards(
        aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd],
        api: str) -> None:
    config = dataclasses.replace(
        make_config(tmp_path / "data"),
        routes=(RouteConfig(database="sharded", mode="shard", shard_by="measurement",
                            targets=("a", "b")),),
        upstreams=tuple(UpstreamConfig(name=name, type="influxdb1", url=server.url)
                        for name, server in zip("ab", servers, strict=True)))
    client = await aiohttp_client(GatewayTestServer(create_app(config)))
    for server in servers:
        async with client.session.post(f"{server.url}/query",
                                       params={"q": "CREATE DATABASE sharded"}) as created:
            assert created.status == 200
    assert (await client.post("/query", data={"q": "CREATE DATABASE whole"})).status == 200
    # every other measurement's line refused: each shard's 1.x refuses its own (with or
    # without points stored beside them), and the caller gets all of them in one answer
    body = b"\n".join(
        f"m{k} v={'x' if k % 2 else k} {k + 1}".encode() for k in range(8))
    split = await answer(client, api, "sharded", body)
    whole = await answer(client, api, "whole", body)
    assert split[0] == 400
    assert split == whole


@pytest.mark.parametrize("api", list(WRITES))
async def test_a_point_kept_from_1x_is_named_in_the_callers_order_beside_refused_lines(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd, api: str) -> None:
    # the point that crashes 1.x (blanked out before the split) comes after a line the
    # native store refuses: the whole body's answer names them in body order
    client = await gateway(
        aiohttp_client, tmp_path, influxdb1,
        RouteConfig(database="hazard", measurement="up", targets=("one",)),
        RouteConfig(database="*", targets=("native",)))
    await databases(client, influxdb1, "hazard")
    body = b'cpu v=x 1\nup v=1 2\nup f\\\\="=a" 3\ncpu v=2 4'
    split = await answer(client, api, "hazard", body)
    whole = await answer(client, api, "whole", body)
    assert split[0] == 400
    assert split == whole
