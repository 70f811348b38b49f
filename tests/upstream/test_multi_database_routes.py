"""A v1 /query whose statements read databases on different targets, over real HTTP: a real
InfluxDB 1.6.7 serves databases `md_up` and `md_up2`, the native store `md_native`. Each
statement is answered by its own route, under its own id and in order, as 1.x answers a
request over several of its databases; one statement spanning targets is a v1 400."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.config import RouteConfig, UpstreamConfig
from tests.conftest import GatewayTestServer, make_config
from tests.support.fake_upstreams import FakeInfluxDB2
from tests.support.influxd import Influxd

LINES = {"md_up": b"m,h=a v=1 1000000000\nm,h=b v=2 2000000000",
         "md_up2": b"m,h=c v=20 3000000000",
         "md_native": b"m,h=z v=10 1000000000\nm,h=z v=11 5000000000"}


@pytest.fixture
async def client(aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> TestClient:
    config = dataclasses.replace(
        make_config(tmp_path / "data"),
        upstreams=(UpstreamConfig(name="one", type="influxdb1", url=influxdb1.url),),
        routes=(RouteConfig(database="md_up*", mode="single", targets=("one",)),))
    gateway = await aiohttp_client(GatewayTestServer(create_app(config)))
    for database, body in LINES.items():
        answer = await gateway.post("/query", data={"q": f"CREATE DATABASE {database}"})
        assert answer.status == 200, await answer.text()
        answer = await gateway.post("/write", params={"db": database}, data=body)
        assert answer.status == 204, await answer.text()
    return gateway


async def query(client: TestClient, text: str, **params: str) -> tuple[int, dict]:
    answer = await client.get("/query", params={"q": text, "epoch": "s", **params})
    assert answer.headers["Content-Type"].startswith("application/json")
    return answer.status, json.loads(await answer.text())


def values(result: dict) -> list[list[object]]:
    return [row for series in result.get("series", []) for row in series["values"]]


async def test_each_statement_is_answered_by_its_databases_route(client: TestClient,
                                                                 influxdb1: Influxd) -> None:
    text = ('SELECT v FROM "md_up".."m"; SELECT v FROM "md_native".."m"; '
            'SELECT v FROM "md_up2".."m"; SELECT count(v) FROM "md_native".."m"')
    status, body = await query(client, text)
    assert status == 200, body
    results = body["results"]
    assert [r["statement_id"] for r in results] == [0, 1, 2, 3]
    assert [values(r) for r in results] == [
        [[1, 1.0], [2, 2.0]], [[1, 10.0], [5, 11.0]], [[3, 20.0]], [[0, 2]]]
    # The upstream's statements answer exactly what 1.6.7 answers them alone.
    async with client.session.get(f"{influxdb1.url}/query", params={
            "q": 'SELECT v FROM "md_up".."m"', "epoch": "s"}) as direct:
        assert (await direct.json())["results"][0]["series"] == results[0]["series"]


FAILING = ('SELECT v FROM "md_up".."m"; SELECT v FROM "md_native".."m" GROUP BY time(1m); '
           'SELECT v FROM "md_up2".."m"')


async def test_statements_after_an_error_are_not_answered(client: TestClient) -> None:
    """As 1.x answers (and the native store): the failed statement's error, then "not
    executed" under its id for the one left, which an unchunked answer keeps alone."""
    status, body = await query(client, FAILING)
    assert status == 200, body
    first, second = body["results"]
    assert values(first) == [[1, 1.0], [2, 2.0]]
    assert (first["statement_id"], second) == (0, {"statement_id": 1, "error": "not executed"})
    answer = await client.get("/query", params={"q": FAILING, "epoch": "s", "chunked": "true"})
    lines = [json.loads(line)["results"] for line in (await answer.text()).splitlines()]
    assert [r[0]["statement_id"] for r in lines] == [0, 1, 1]
    assert "aggregate" in lines[1][0]["error"]
    assert lines[2] == [{"statement_id": 1, "error": "not executed"}]


async def test_other_formats_carry_every_statement(client: TestClient) -> None:
    answer = await client.get("/query", params={
        "q": 'SELECT v FROM "md_native".."m"; SELECT v FROM "md_up".."m"', "epoch": "s"},
        headers={"Accept": "application/csv"})
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert (await answer.text()).splitlines() == [
        "name,tags,time,v", "m,,1,10", "m,,5,11", "", "name,tags,time,v", "m,,1,1", "m,,2,2"]


@pytest.mark.parametrize("text", [
    pytest.param('SELECT v FROM "md_up".."m", "md_native".."m"', id="two-targets"),
    pytest.param('SELECT v FROM "md_native".."m"; SELECT v FROM "md_up".."m", "md_native".."m"',
                 id="second-statement"),
])
async def test_one_statement_over_two_targets_is_a_v1_400(client: TestClient,
                                                          text: str) -> None:
    status, body = await query(client, text)
    assert status == 400
    assert list(body) == ["error"]
    assert "md_native, md_up" in body["error"] and "different targets" in body["error"]


@pytest.mark.parametrize("text", [
    pytest.param('SELECT v FROM "md_up"."autogen"."m", "md_up2"."autogen"."m"', id="raw"),
    pytest.param('SELECT count(v) FROM "md_up".."m", "md_up2".."m" GROUP BY h', id="grouped"),
])
async def test_one_statement_over_two_databases_of_one_upstream_is_relayed(
        client: TestClient, influxdb1: Influxd, text: str) -> None:
    status, body = await query(client, text)
    assert status == 200, body
    async with client.session.get(f"{influxdb1.url}/query",
                                  params={"q": text, "epoch": "s"}) as direct:
        assert direct.status == 200
        expected = await direct.json()
    assert body == expected
    assert values(body["results"][0]) and len(values(body["results"][0])) == 3
    # The same through /api/v3/query_influxql, decoded rather than relayed.
    answer = await client.get("/api/v3/query_influxql",
                              params={"db": "md_up", "q": text, "format": "json"})
    assert answer.status == 200, await answer.text()
    assert len(json.loads(await answer.text())) == len(values(expected["results"][0]))


async def test_two_databases_of_a_v2_upstream_in_one_statement_are_a_v1_400(
        aiohttp_client: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("V2_TOKEN", "fake-v2-token")
    async with FakeInfluxDB2(buckets=("a", "b")) as fake:
        config = dataclasses.replace(
            make_config(tmp_path / "data"),
            upstreams=(UpstreamConfig(name="two", type="influxdb2", url=fake.url,
                                      token_env="V2_TOKEN", org="my-org"),),
            routes=(RouteConfig(database="*", mode="single", targets=("two",)),))
        gateway = await aiohttp_client(GatewayTestServer(create_app(config)))
        status, body = await query(gateway, 'SELECT v FROM "a".."m", "b".."m"', db="a")
        assert status == 400 and list(body) == ["error"]
        assert "a, b" in body["error"] and "InfluxDB 2 reads one database" in body["error"]
        assert not fake.requests_to("/query")
