"""Routed writes read line protocol as the parser (and 1.6.7) reads it, over real HTTP to a
real InfluxDB 1.6.7: a measurement route takes `\\"` in a measurement for a quote, and a body
rewritten for its upstream (v3's precision `auto` here) finds every point's timestamp, quotes
in strings and field keys and all."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.config import RouteConfig, UpstreamConfig
from tests.conftest import GatewayTestServer, make_config
from tests.support.influxd import Influxd


async def gateway(aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd,
                  *routes: RouteConfig) -> TestClient:
    config = dataclasses.replace(
        make_config(tmp_path / "data"), routes=routes,
        upstreams=(UpstreamConfig(name="one", type="influxdb1", url=influxdb1.url),))
    return await aiohttp_client(GatewayTestServer(create_app(config)))


async def influx(client: TestClient, influxdb1: Influxd, database: str, query: str) -> list:
    """The result of `query` asked of the InfluxDB 1.6.7 itself."""
    async with client.session.post(f"{influxdb1.url}/query", params={
            "db": database, "q": query, "epoch": "ns"}) as answer:
        assert answer.status == 200
        return (await answer.json())["results"][0].get("series", [])


async def test_a_measurement_route_reads_an_escaped_quote_as_a_quote(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> None:
    # 1.6.7 (and the parser) read `a\"b` as the measurement `a"b`
    client = await gateway(
        aiohttp_client, tmp_path, influxdb1,
        RouteConfig(database="quoted", measurement='a"b', targets=("one",)),
        RouteConfig(database="*", targets=("native",)))
    await influx(client, influxdb1, "", "CREATE DATABASE quoted")
    assert (await client.post("/query", data={"q": "CREATE DATABASE quoted"})).status == 200
    answer = await client.post("/write", params={"db": "quoted"},
                               data=b'a\\"b v=1 1\ncpu v=2 2')
    assert answer.status == 204, await answer.text()
    (series,) = await influx(client, influxdb1, "quoted", 'SELECT * FROM "a\\"b"')
    assert (series["name"], series["values"]) == ('a"b', [[1, 1]])
    (names,) = await influx(client, influxdb1, "quoted", "SHOW MEASUREMENTS")
    assert names["values"] == [['a"b']]  # cpu is the native store's


async def test_auto_precision_finds_timestamps_after_quotes_in_strings_and_keys(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> None:
    # Mixed magnitudes, so the body goes rewritten in nanoseconds: a timestamp the rewrite
    # does not find stays in its own unit and lands decades off. A field key may hold a
    # quote, escaped or not, after a string that spans lines (1.6.7 stores `"k` and `"`);
    # 1.x stores text after a closing quote (as `a"`), which the gateway's parser refuses.
    client = await gateway(aiohttp_client, tmp_path, influxdb1,
                           RouteConfig(database="autoquotes", targets=("one",)))
    await influx(client, influxdb1, "", "CREATE DATABASE autoquotes")
    body = (b'q,u=s s="two\nlines",\\"k=1 1600000000\n'
            b'q,u=ms s="\n","=2 1600000000001\n'
            b'q,u=us s="say \\"hi 5\\"" 1600000000000002\n'
            b'q,u=ns s="dir\\\\" 1600000000000000003\n'
            b'q,u=text s="a"b 1600000000')  # refused by the native store, stored by 1.x
    answer = await client.post("/api/v3/write_lp", params={"db": "autoquotes"}, data=body)
    assert answer.status == 204, await answer.text()
    series = await influx(client, influxdb1, "autoquotes", "SELECT * FROM q GROUP BY u")
    assert {s["tags"]["u"]: dict(zip(s["columns"], s["values"][0], strict=True))
            for s in series} == {
        "ms": {"time": 1600000000001000000, '"': 2, '"k': None, "s": "\n"},
        "ns": {"time": 1600000000000000003, '"': None, '"k': None, "s": "dir\\"},
        "s": {"time": 1600000000000000000, '"': None, '"k': 1, "s": "two\nlines"},
        "us": {"time": 1600000000000002000, '"': None, '"k': None, "s": 'say "hi 5"'},
        "text": {"time": 1600000000000000000, '"': None, '"k': None, "s": 'a"'},
    }


async def test_a_mirror_stamps_a_point_whose_string_takes_a_line_beginning_with_hash(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> None:
    # A point without a timestamp is stamped once, so that the mirror stores the time the
    # native store gives it. The string takes a line that begins with `#` (inside the point,
    # no comment), and 1.x's splitter runs on into the next line (`\\=`, then a quote).
    client = await gateway(aiohttp_client, tmp_path, influxdb1,
                           RouteConfig(database="hashed", mode="mirror",
                                       targets=("native", "one")))
    await influx(client, influxdb1, "", "CREATE DATABASE hashed")
    assert (await client.post("/query", data={"q": "CREATE DATABASE hashed"})).status == 200
    body = b'cpu s="a\n#",k\\\\="\nx"y\\\\,z=1\ncpu,p=plain v=2'
    answer = await client.post("/write", params={"db": "hashed"}, data=body)
    assert answer.status == 204, await answer.text()
    query = {"db": "hashed", "q": "SELECT * FROM cpu GROUP BY *", "epoch": "ns"}
    native = (await (await client.get("/query", params=query)).json())["results"][0]["series"]
    mirrored = await influx(client, influxdb1, "hashed", query["q"])
    assert [s["values"] for s in mirrored] == [s["values"] for s in native]
    (hashed,) = [s for s in mirrored if s["tags"]["p"] == ""]
    assert hashed["values"][0][1:] == [1, "a\n#", None]  # k\="\nx"y\,z, s, v
