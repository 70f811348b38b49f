"""InfluxQL's DROP MEASUREMENT and DROP DATABASE from a 1.x client, on single, shard and mirror
routes whose targets include an InfluxDB 3 (the fake): sent there through its configure API,
not its /query, which documents no DROP. Over real HTTP, the gateway in-process."""

from __future__ import annotations

import pytest

from gateway.config import RouteConfig
from tests.support.fake_upstreams import FakeInfluxDB3
from tests.upstream.test_translation_routes import routed, single, v3

__all__ = ["routed"]  # the fixture, imported for the tests here


async def query(client, text: str, database: str = "") -> tuple[int, dict]:
    answer = await client.post("/query", data={"q": text, "db": database})
    assert answer.headers["Content-Type"].startswith("application/json")
    return answer.status, await answer.json()


def deletes(fake: FakeInfluxDB3, what: str) -> list[dict[str, str]]:
    return [r.query for r in fake.requests_to(f"/api/v3/configure/{what}")
            if r.method == "DELETE"]


async def native_measurements(client, database: str) -> list[str]:
    status, body = await query(client, "SHOW MEASUREMENTS", database)
    assert status == 200, body
    return [row[0] for series in body["results"][0].get("series", [])
            for row in series["values"]]


async def test_a_mirror_route_drops_on_its_influxdb3_mirror_through_the_api(routed) -> None:
    async with FakeInfluxDB3(databases=("twin",)) as fake:
        mirror = RouteConfig(database="*", mode="mirror", targets=("native", "three"))
        client = await routed([v3(fake.url)], [mirror])
        assert (await query(client, "CREATE DATABASE twin"))[0] == 200
        written = await client.post("/write", params={"db": "twin"},
                                    data=b"cpu,host=a v=1 1\nmem v=2 1\ndisk v=3 1")
        assert written.status == 204, await written.text()
        assert fake.tables["twin"] == {"cpu", "mem", "disk"}

        assert await query(client, "DROP MEASUREMENT cpu", "twin") == (
            200, {"results": [{"statement_id": 0}]})
        assert fake.tables["twin"] == {"mem", "disk"}
        assert deletes(fake, "table") == [{"db": "twin", "table": "cpu"}]
        assert await native_measurements(client, "twin") == ["disk", "mem"]
        # Gone from the mirror already (its 404): dropped, as 1.x's DROP MEASUREMENT is.
        fake.tables["twin"].discard("mem")
        assert await query(client, "DROP MEASUREMENT mem", "twin") == (
            200, {"results": [{"statement_id": 0}]})
        assert await native_measurements(client, "twin") == ["disk"]
        # With another statement it has no API form: refused before any target runs it.
        status, body = await query(client, "DROP MEASUREMENT disk; DELETE FROM disk", "twin")
        assert status == 400
        assert "upstream three (InfluxDB 3)" in body["error"]
        assert (fake.tables["twin"], await native_measurements(client, "twin")) == (
            {"disk"}, ["disk"])

        assert await query(client, "DROP DATABASE twin") == (
            200, {"results": [{"statement_id": 0}]})
        assert "twin" not in fake.databases
        assert deletes(fake, "database") == [{"db": "twin"}]
        assert not [r for r in fake.requests_to("/query") if "DROP" in r.query.get("q", "")]


@pytest.mark.parametrize("route", [
    pytest.param(single("three"), id="single"),
    pytest.param(RouteConfig(database="*", mode="shard", targets=("native", "three")),
                 id="shard"),
])
async def test_a_route_to_influxdb3_drops_there_through_the_api(routed, route) -> None:
    async with FakeInfluxDB3(databases=("lake",)) as fake:
        fake.tables["lake"].update({"cpu", "mem"})
        client = await routed([v3(fake.url)], [route])
        assert await query(client, "CREATE DATABASE lake") == (
            200, {"results": [{"statement_id": 0}]})  # on the native shard too
        assert await query(client, "DROP MEASUREMENT cpu", "lake") == (
            200, {"results": [{"statement_id": 0}]})
        assert fake.tables["lake"] == {"mem"}
        assert deletes(fake, "table") == [{"db": "lake", "table": "cpu"}]
        status, body = await query(client, "DROP MEASUREMENT mem; SHOW MEASUREMENTS", "lake")
        assert status == 400
        assert "send each in a request of its own" in body["error"]
        assert fake.tables["lake"] == {"mem"}
        # A measurement missing is dropped (1.x's answer); a database missing is not.
        assert await query(client, "DROP MEASUREMENT cpu", "lake") == (
            200, {"results": [{"statement_id": 0}]})
        if route.mode == "single":
            assert await query(client, "DROP MEASUREMENT cpu", "nosuch") == (
                200, {"results": [{"statement_id": 0, "error": "database not found: nosuch"}]})
        assert await query(client, "DROP DATABASE lake") == (
            200, {"results": [{"statement_id": 0}]})
        assert "lake" not in fake.databases
        status, body = await query(client, "SHOW DATABASES")  # the native shard's too
        assert status == 200 and ["lake"] not in body["results"][0]["series"][0]["values"]
        assert not [r for r in fake.requests_to("/query") if "DROP" in r.query.get("q", "")]
