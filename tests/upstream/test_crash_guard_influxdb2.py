"""The lines that crash InfluxDB 1.6.7 (translators/lineprotocol/hazards.py) are kept from
InfluxDB 2.x upstreams too, over real HTTP against the 2.x fake, which records what it stores.

2.x parses and stores points with the same models code as 1.x, so the guard is a precaution
there: no 2.x server runs here to show the crash. The caller gets what a 1.x upstream's
caller gets: the native store's partial write for the same body, in the caller's format.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient

from gateway.config import RouteConfig
from tests.support.fake_upstreams import FakeInfluxDB2
from tests.upstream.test_translation_routes import routed, v2

__all__ = ["routed"]  # the fixture, imported for the tests here

CRASH = b'm f\\\\="=" 2'  # kills 1.6.7 (its store's StringValue panics)
FAIL = b'm f\\\\="=a" 3'  # 1.6.7's 500
GOOD = b"ok v=1 1\nok v=2 4\n"
BODY = GOOD + CRASH + b"\n" + FAIL + b"\nok v=3 5\n"
KEPT = ["ok v=1 1", "ok v=2 4", "ok v=3 5"]

WRITES = [
    pytest.param("/write", "db", id="v1"),
    pytest.param("/api/v2/write", "bucket", id="v2"),
    pytest.param("/api/v3/write_lp", "db", id="v3"),
]


async def answer(client: TestClient, path: str, key: str, database: str, data: object
                 ) -> tuple[int, object]:
    params = {key: database}
    if path == "/api/v3/write_lp":
        params["precision"] = "nanosecond"  # `auto` would read these times as seconds
    async with client.post(path, params=params, data=data) as response:
        body = await response.read()
        return response.status, json.loads(body) if body else None


def on(database: str, *targets: str, mode: str = "single") -> RouteConfig:
    return RouteConfig(database=database, mode=mode, targets=targets)


@pytest.mark.parametrize(("path", "key"), WRITES)
async def test_a_single_route_keeps_the_lines_from_influxdb2(routed, path: str,
                                                             key: str) -> None:
    async with FakeInfluxDB2() as fake:
        client = await routed([v2(fake.url)], [on("telegraf", "two")])
        whole = await answer(client, path, key, "telegraf", BODY)

        async def pieces() -> AsyncIterator[bytes]:  # streamed as it comes
            yield GOOD + b"m f\\\\"
            yield BODY[len(GOOD) + 5:]

        streamed = await answer(client, path, key, "telegraf", pieces())
        native = await answer(client, path, key, "native_db", BODY)
        assert fake.lines["telegraf"] == KEPT * 2
        assert whole == streamed == native
        assert whole[0] == 400
        if path == "/write":
            assert whole[1] == {"error": "partial write: unable to parse 'm f\\\\=\"=\" 2': "
                                "unbalanced quotes\nunable to parse 'm f\\\\=\"=a\" 3': "
                                "invalid boolean dropped=0"}


async def test_a_mirror_and_a_shard_route_keep_the_lines_from_influxdb2(routed) -> None:
    async with FakeInfluxDB2() as first, FakeInfluxDB2() as second:
        client = await routed([v2(first.url, "a"), v2(second.url, "b")],
                              [on("mirrored", "a", "b", mode="mirror"),
                               on("sharded", "a", "b", mode="shard")])
        first.add_bucket("mirrored"), second.add_bucket("mirrored")
        first.add_bucket("sharded"), second.add_bucket("sharded")
        mirrored = await answer(client, "/api/v2/write", "bucket", "mirrored", BODY)
        assert mirrored == await answer(client, "/api/v2/write", "bucket", "native_m", BODY)
        assert mirrored[0] == 400
        assert first.lines["mirrored"] == second.lines["mirrored"] == KEPT
        many = b"".join(b"ok,host=h%d v=%d %d\n" % (i, i, i) for i in range(12))
        sharded = await answer(client, "/api/v3/write_lp", "db", "sharded",
                               many + CRASH + b"\n")
        assert sharded == (400, {"error": "partial write of line protocol occurred", "data": [
            {"original_line": CRASH.decode(), "line_number": 13,
             "error_message": "unbalanced quotes"}]})
        assert first.lines["sharded"] and second.lines["sharded"]  # both shards took some
        assert len(first.lines["sharded"] + second.lines["sharded"]) == 12


@pytest.mark.parametrize(("path", "key"), WRITES[:2])
async def test_influxdb2s_400_for_other_lines_names_the_blanked_ones_first(
        routed, path: str, key: str) -> None:
    """2.x writes nothing of a body with a line it cannot parse, and names that line: the
    blanked-out line is named before it, in the caller's format."""
    async with FakeInfluxDB2() as fake:
        client = await routed([v2(fake.url)], [on("telegraf", "two")])
        status, body = await answer(client, path, key, "telegraf",
                                    GOOD + CRASH + b"\nbad v\n")
        assert fake.lines["telegraf"] == []
        message = ("unable to parse 'm f\\\\=\"=\" 2': unbalanced quotes\n"
                   "unable to parse 'bad v': missing fields")
        assert status == 400
        if path == "/write":
            assert body == {"error": message}
        else:
            assert isinstance(body, dict)
            assert (body["code"], body["message"]) == ("invalid", message)
