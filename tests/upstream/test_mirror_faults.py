"""Dual-write under an upstream that misbehaves: odd Retry-After values on a mirror and on a
primary, a read target that is down when a statement changes data. The gateway runs
in-process (aiohttp test client) against fake upstreams."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.config import ReplayConfig, RouteConfig
from tests.conftest import GatewayTestServer, make_config
from tests.support.fake_upstreams import FakeInfluxDB2
from tests.upstream.test_translation_routes import routed, v1, v2, wait_for

__all__ = ["routed"]  # the fixture, imported for the tests here

# Not RFC 9110 delay-seconds: float() takes them all, and none of them may stop a replay.
ODD_RETRY_AFTER = ["inf", "nan", "-5", "1e400", "Infinity", "9" * 400]


@pytest.mark.parametrize("value", ODD_RETRY_AFTER)
async def test_a_mirror_retry_after_that_is_no_delay_does_not_stop_the_replay(
        routed, value: str) -> None:
    async with FakeInfluxDB2() as fake:
        route = RouteConfig(database="*", mode="mirror", targets=("native", "two"))
        client = await routed([v2(fake.url)], [route])
        fake.fail(503, retry_after=value, times=2)  # the direct send, then the first replay
        answer = await client.post("/write", params={"db": "telegraf"}, data=b"m v=1 1")
        assert answer.status == 204
        await wait_for(lambda: fake.lines["telegraf"] == ["m v=1 1"], timeout=5)


@pytest.mark.parametrize("value", ODD_RETRY_AFTER)
async def test_a_primary_retry_after_that_is_no_delay_is_not_passed_on(routed,
                                                                     value: str) -> None:
    async with FakeInfluxDB2() as fake:
        route = RouteConfig(database="*", mode="mirror", targets=("two", "native"))
        client = await routed([v2(fake.url)], [route])
        fake.fail(503, retry_after=value, times=1)
        answer = await client.post("/write", params={"db": "telegraf"}, data=b"m v=1 1")
        assert answer.status == 503, await answer.text()
        assert "Retry-After" not in answer.headers
        assert "error" in json.loads(await answer.text())


async def test_metrics_give_exact_numbers_past_a_million(routed) -> None:
    async with FakeInfluxDB2() as fake:
        route = RouteConfig(database="*", mode="mirror", targets=("native", "two"))
        client = await routed([v2(fake.url)], [route])
        fake.fail(503)  # queued: the queue then holds over a million bytes
        body = b"\n".join(b"m,host=h%06d v=%di %d" % (i, i, i) for i in range(60_000))
        answer = await client.post("/write", params={"db": "telegraf"}, data=body)
        assert answer.status == 204
        queue = (await (await client.get("/admin/replay")).json())["targets"]["two"]["queue"]
        assert queue["bytes"] > 1_000_000
        metrics = await (await client.get("/metrics")).text()
        assert f'influx_gateway_replay_queue_bytes{{mirror="two"}} {queue["bytes"]}\n' in metrics


# Nothing listens on port 1: a connection there is refused at once.
DOWN = "http://127.0.0.1:1"


@pytest.mark.parametrize("text", ["DELETE FROM cpu", "SELECT * FROM cpu; DROP MEASUREMENT cpu"])
async def test_a_changing_statement_whose_read_target_is_down_is_a_503(routed,
                                                                       text: str) -> None:
    route = RouteConfig(database="*", mode="mirror", targets=("one", "native"))
    client = await routed([v1(DOWN)], [route])
    answer = await client.post("/query", params={"db": "d", "q": text})
    assert answer.status == 503, await answer.text()
    assert "upstream one is unavailable" in json.loads(await answer.text())["error"]


async def test_a_changing_statement_fails_over_to_a_write_target(routed) -> None:
    route = RouteConfig(database="*", mode="mirror", targets=("native", "one"), read="one",
                        failover=("native",))
    client = await routed([v1(DOWN)], [route])
    assert (await client.post("/write", params={"db": "d"}, data=b"cpu v=1 1")).status == 204
    answer = await client.post("/query", params={"db": "d", "q": "DELETE FROM cpu"})
    assert answer.status == 200, await answer.text()
    # The native store answered (it ran the statement once); the read target, a mirror that
    # is down, has the DELETE queued behind the write, as a write would be: no error.
    assert json.loads(await answer.text()) == {"results": [{"statement_id": 0}]}
    answer = await client.post("/query", params={"db": "d", "q": "SELECT * FROM cpu"})
    assert json.loads(await answer.text())["results"] == [{"statement_id": 0}]
    one = (await (await client.get("/admin/replay")).json())["targets"]["one"]
    assert (one["queued"], one["queued_statements"]) == (1, 1)
    assert (one["queue"]["depth"], one["queue"]["head"]) == (2, "write")
    assert one["queue"]["statements_appended"] == 1
    metrics = await (await client.get("/metrics")).text()
    assert 'influx_gateway_replay_queue_entries{mirror="one"} 2\n' in metrics
    assert 'influx_gateway_replay_queued_statements_total{mirror="one"} 1\n' in metrics


async def test_a_mirror_whose_queue_another_gateway_holds_is_refused_with_a_409(
        aiohttp_client: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("V2_TOKEN", "token")
    async with FakeInfluxDB2() as fake:
        def gateway(name: str, route: RouteConfig) -> Awaitable[TestClient]:
            config = dataclasses.replace(
                make_config(tmp_path / name), upstreams=(v2(fake.url),), routes=(route,),
                replay=ReplayConfig(dir=str(tmp_path / "replay")))  # one dir: a mistake
            return aiohttp_client(GatewayTestServer(create_app(config)))

        single = RouteConfig(database="*", mode="single", targets=("native",))
        mirror = {"database": "*", "mode": "mirror", "targets": ["native", "two"]}
        second = await gateway("second", single)
        await gateway("first", RouteConfig(**{**mirror, "targets": ("native", "two")}))
        # The first holds replay/two: the second may not add a route that would append there.
        answer = await second.put("/admin/routes", json={"routes": [mirror]})
        assert answer.status == 409, await answer.text()
        assert "in use by another gateway" in json.loads(await answer.text())["error"]
        listed = await (await second.get("/admin/routes")).json()
        assert [r["mode"] for r in listed["routes"]] == ["single"]


async def test_data_and_policy_statements_together_are_refused_with_a_2x_mirror(
        routed) -> None:
    async with FakeInfluxDB2() as fake:
        route = RouteConfig(database="*", mode="mirror", targets=("native", "two"))
        client = await routed([v2(fake.url)], [route])
        assert (await client.post("/write", params={"db": "d"}, data=b"cpu v=1 1")).status == 204
        # InfluxDB 2 takes the DELETE but has no retention policies: sent nowhere rather than
        # leave the mirror holding the points the primary deleted.
        text = 'DELETE FROM cpu; CREATE RETENTION POLICY "p" ON "d" DURATION 1h REPLICATION 1'
        answer = await client.post("/query", params={"db": "d", "q": text})
        assert answer.status == 400, await answer.text()
        assert "in requests of their own" in json.loads(await answer.text())["error"]
        assert fake.requests_to("/query") == []
        answer = await client.post("/query", params={"db": "d", "q": "SHOW RETENTION POLICIES"})
        assert [v[0] for v in json.loads(await answer.text())["results"][0]["series"][0][
            "values"]] == ["autogen"]
        answer = await client.post("/query", params={"db": "d", "q": "SELECT * FROM cpu"})
        assert json.loads(await answer.text())["results"][0]["series"][0]["values"] == [
            ["1970-01-01T00:00:00.000000001Z", 1.0]]
