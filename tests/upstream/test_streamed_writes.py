"""Writes on a `single` route are passed to the upstream as they arrive, over real HTTP: the
upstream sees the first bytes before the caller has sent the rest; a body past the size limit
is a 413 in the caller's format and the upstream stores none of it (a real InfluxDB 1.6.7);
the caller's answer is the upstream's own."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gzip
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from gateway.app import create_app
from gateway.config import RouteConfig, UpstreamConfig, WriteConfig
from tests.conftest import GatewayTestServer, make_config
from tests.support.influxd import Influxd

LIMIT = 4_000


class RawServer(TestServer):
    """A test server that hands request bodies over as sent (gzip left alone)."""

    async def _make_runner(self, **kwargs: object) -> web.AppRunner:
        return web.AppRunner(self.app, **{**kwargs, "auto_decompress": False})


class WatchedUpstream:
    """A 1.x /write that reads its body chunk by chunk and says when the first one came."""

    def __init__(self, answer_after: float = 0.0) -> None:
        self.answer_after = answer_after  # seconds between the body's end and the answer
        self.released = asyncio.Event()  # answers at once from then on (set before closing)
        self.first_chunk = asyncio.Event()
        self.bodies: list[tuple[dict[str, str], bytes]] = []  # (headers, body) of whole ones
        self.app = web.Application()
        self.app.router.add_post("/write", self._write)

    async def _write(self, request: web.Request) -> web.Response:
        chunks = []
        async for chunk in request.content.iter_any():
            chunks.append(chunk)
            self.first_chunk.set()
        self.bodies.append((dict(request.headers), b"".join(chunks)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.released.wait(), self.answer_after)
        return web.Response(status=204)


async def gateway(aiohttp_client: Callable, tmp_path: Path, url: str, *, mode: str = "single",
                  limit: int = LIMIT, timeout: float = 30.0) -> TestClient:
    targets = ("up",) if mode == "single" else ("up", "native")
    config = dataclasses.replace(
        make_config(tmp_path / "data"), write=WriteConfig(max_body_bytes=limit),
        upstreams=(UpstreamConfig(name="up", type="influxdb1", url=url,
                                  timeout_seconds=timeout),),
        routes=(RouteConfig(database="*", mode=mode, targets=targets),))
    return await aiohttp_client(GatewayTestServer(create_app(config)))


def lines(start: int, count: int, measurement: str = "cpu") -> bytes:
    return b"".join(f"{measurement},host=h{i % 3} v={i}i {1_600_000_000 + i}\n".encode()
                    for i in range(start, start + count))


async def test_the_upstream_reads_the_body_before_the_caller_has_sent_it_all(
        aiohttp_client: Callable, tmp_path: Path) -> None:
    upstream = WatchedUpstream()
    server = RawServer(upstream.app)
    await server.start_server()
    try:
        client = await gateway(aiohttp_client, tmp_path, str(server.make_url("")))
        first, rest = lines(0, 20), lines(20, 20)

        async def body() -> AsyncIterator[bytes]:
            yield first
            # A gateway that read the whole body before sending would never get here in time.
            await asyncio.wait_for(upstream.first_chunk.wait(), 60)
            yield rest

        answer = await client.post("/write", params={"db": "telegraf", "precision": "s"},
                                   data=body())
        assert answer.status == 204, await answer.text()
        [(headers, received)] = upstream.bodies
        assert received == first + rest
        # Gzip bytes go on as sent, marked as such.
        packed = gzip.compress(lines(40, 30))

        async def halves() -> AsyncIterator[bytes]:
            yield packed[:100]
            yield packed[100:]

        answer = await client.post("/write", params={"db": "telegraf"}, data=halves(),
                                   headers={"Content-Encoding": "gzip"})
        assert answer.status == 204, await answer.text()
        headers, received = upstream.bodies[1]
        assert (headers["Content-Encoding"], received) == ("gzip", packed)
    finally:
        await server.close()


async def test_the_upstream_gets_the_callers_framing(aiohttp_client: Callable,
                                                    tmp_path: Path) -> None:
    """A body the caller sent with a Content-Length goes on with that length, as it would to
    the upstream directly (1.x sizes its buffer from it); a chunked one goes on chunked."""
    upstream = WatchedUpstream()
    server = RawServer(upstream.app)
    await server.start_server()
    try:
        client = await gateway(aiohttp_client, tmp_path, str(server.make_url("")))
        sized = lines(0, 30)
        answer = await client.post("/write", params={"db": "telegraf"}, data=sized)
        assert answer.status == 204, await answer.text()
        packed = gzip.compress(lines(30, 30))
        answer = await client.post("/write", params={"db": "telegraf"}, data=packed,
                                   headers={"Content-Encoding": "gzip"})
        assert answer.status == 204, await answer.text()

        async def chunked() -> AsyncIterator[bytes]:
            yield lines(60, 10)

        answer = await client.post("/write", params={"db": "telegraf"}, data=chunked())
        assert answer.status == 204, await answer.text()
        framing = [(h.get("Content-Length"), h.get("Transfer-Encoding"), len(body))
                   for h, body in upstream.bodies]
        assert framing == [(str(len(sized)), None, len(sized)),
                           (str(len(packed)), None, len(packed)),
                           (None, "chunked", len(lines(60, 10)))]
    finally:
        await server.close()


async def count(client: TestClient, url: str, database: str, measurement: str) -> int:
    async with client.session.get(f"{url}/query", params={
            "db": database, "q": f'SELECT count("v") FROM "{measurement}"'}) as answer:
        series = (await answer.json())["results"][0].get("series", [])
    return series[0]["values"][0][1] if series else 0


async def test_a_body_past_the_limit_is_413_and_the_upstream_stores_none_of_it(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> None:
    client = await gateway(aiohttp_client, tmp_path, influxdb1.url)
    assert (await client.post("/query", data={"q": "CREATE DATABASE streamed"})).status == 200
    whole = lines(0, 120, "over")  # complete lines all the way to the cut
    assert LIMIT // 2 < len(whole) <= LIMIT

    async def too_much() -> AsyncIterator[bytes]:
        yield whole  # under the limit: already on its way to the upstream
        await asyncio.sleep(0.2)
        yield lines(120, 60, "over")

    answer = await client.post("/write", params={"db": "streamed"}, data=too_much())
    assert answer.status == 413
    assert await answer.json() == {"error": f"request body too large: limit is {LIMIT} bytes"}
    answer = await client.post("/api/v2/write", params={"bucket": "streamed"}, data=too_much())
    assert answer.status == 413
    assert (await answer.json())["code"] == "request too large"
    assert await count(client, influxdb1.url, "streamed", "over") == 0
    # The upstream connection that was cut does not spoil the next write.
    answer = await client.post("/write", params={"db": "streamed"}, data=whole)
    assert answer.status == 204, await answer.text()
    assert await count(client, influxdb1.url, "streamed", "over") == 120


async def test_the_callers_answer_is_the_upstreams_own(aiohttp_client: Callable, tmp_path: Path,
                                                      influxdb1: Influxd) -> None:
    client = await gateway(aiohttp_client, tmp_path, influxdb1.url)
    assert (await client.post("/query", data={"q": "CREATE DATABASE answered"})).status == 200
    bad = b"cpu,host=a v=1i 1600000000\ncpu,host=a v=\ncpu,host=b v=2i 1600000001\n"
    for database in ("answered", "not_there"):
        async def pieces() -> AsyncIterator[bytes]:
            for start in range(0, len(bad), 10):
                yield bad[start:start + 10]

        via = await client.post("/write", params={"db": database}, data=pieces())
        async with client.session.post(f"{influxdb1.url}/write", params={"db": database},
                                       data=bad) as direct:
            assert (via.status, await via.read()) == (direct.status, await direct.read())
        assert via.status in (400, 404)
        assert json.loads(await via.read())["error"]


async def test_mirror_routes_still_read_the_whole_body(aiohttp_client: Callable,
                                                       tmp_path: Path) -> None:
    upstream = WatchedUpstream()
    server = RawServer(upstream.app)
    await server.start_server()
    try:
        client = await gateway(aiohttp_client, tmp_path, str(server.make_url("")), mode="mirror")
        first, rest = lines(0, 20), lines(20, 20)
        sent_all = asyncio.Event()

        async def body() -> AsyncIterator[bytes]:
            yield first
            await asyncio.sleep(0.2)
            assert not upstream.first_chunk.is_set()  # nothing leaves before the whole body
            sent_all.set()
            yield rest

        answer = await client.post("/write", params={"db": "mirrored", "precision": "s"},
                                   data=body())
        assert answer.status == 204, await answer.text()
        assert sent_all.is_set()
        assert [received for _, received in upstream.bodies] == [first + rest]
    finally:
        await server.close()


async def test_the_upstream_timeout_starts_once_the_body_is_sent(aiohttp_client: Callable,
                                                                tmp_path: Path) -> None:
    upstream = WatchedUpstream()
    server = RawServer(upstream.app)
    await server.start_server()
    loop = asyncio.get_running_loop()
    sent: list[float] = []  # when the last bytes left
    try:
        client = await gateway(aiohttp_client, tmp_path, str(server.make_url("")), timeout=2.0)

        async def slowly() -> AsyncIterator[bytes]:
            # 3 s in all (more on a loaded machine), each step a twentieth of the timeout
            for start in range(0, 60, 2):
                yield lines(start, 2)
                await asyncio.sleep(0.1)
            sent.append(loop.time())

        answer = await client.post("/write", params={"db": "slow", "precision": "s"},
                                   data=slowly())
        assert answer.status == 204, await answer.text()
        assert [received for _, received in upstream.bodies] == [lines(0, 60)]
        # The answer itself is still bounded: an upstream silent past the timeout is a 504,
        # long before this one would answer.
        upstream.answer_after = 60.0
        answer = await client.post("/write", params={"db": "slow", "precision": "s"},
                                   data=slowly())
        assert answer.status == 504
        assert "did not answer in time" in (await answer.json())["error"]
        assert loop.time() - sent[-1] < 2.0 + 20  # the timeout and a loaded machine's slack
        assert len(upstream.bodies) == 2
    finally:
        upstream.released.set()
        await server.close()
