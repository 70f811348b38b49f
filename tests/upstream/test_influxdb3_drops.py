"""InfluxQL's DROP MEASUREMENT and DROP DATABASE from a 1.x client, on single, shard and mirror
routes whose targets include an InfluxDB 3 (the fake): sent there through its configure API,
not its /query, which documents no DROP. Over real HTTP, the gateway in-process."""

from __future__ import annotations

import pytest

from gateway.api import keys
from gateway.backends.replay import QueuedStatement
from gateway.backends.replayer import Outcome
from gateway.config import RouteConfig
from gateway.services.statement_replay import StatementReplay
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


async def native_points(client, database: str) -> list[list[object]]:
    answer = await client.post("/query", data={"q": "SELECT * FROM cpu", "db": database,
                                               "epoch": "s"})
    body = await answer.json()
    assert answer.status == 200, body
    return [row for series in body["results"][0].get("series", []) for row in series["values"]]


@pytest.mark.parametrize("route", [
    pytest.param(single("three"), id="single"),
    pytest.param(RouteConfig(database="*", mode="shard", targets=("native", "three")),
                 id="shard"),
    pytest.param(RouteConfig(database="*", mode="mirror", targets=("native", "three")),
                 id="mirror"),
])
@pytest.mark.parametrize("text", [
    pytest.param("DELETE FROM cpu WHERE host = 'a'", id="delete"),
    pytest.param("DROP SERIES FROM cpu WHERE host = 'a'", id="drop-series"),
    pytest.param("DELETE WHERE time < now()", id="delete-everywhere"),
    pytest.param("SELECT * FROM cpu; DROP SERIES FROM cpu", id="among-reads"),
])
async def test_point_deletions_are_refused_on_a_route_to_influxdb3(routed, route,
                                                                    text: str) -> None:
    """InfluxDB 3 documents no DELETE or DROP SERIES (its /query reads) and no API that
    deletes points: a 400 naming it, before any target runs the request."""
    async with FakeInfluxDB3(databases=("lake",)) as fake:
        client = await routed([v3(fake.url)], [route])
        assert (await query(client, "CREATE DATABASE lake"))[0] == 200
        written = await client.post("/write", params={"db": "lake", "precision": "s"},
                                    data=b"cpu,host=a v=1 1\ncpu,host=b v=2 2")
        assert written.status == 204, await written.text()
        kept = await native_points(client, "lake") if route.mode != "single" else []

        status, body = await query(client, text, "lake")
        assert status == 400, body
        assert "upstream three (InfluxDB 3)" in body["error"]
        assert "DELETE and DROP SERIES" in body["error"]
        if route.mode != "single":  # the native target deleted nothing either
            assert kept and await native_points(client, "lake") == kept
        if ";" not in text:  # InfluxDB 3's own front door, in its own error shape
            answer = await client.get("/api/v3/query_influxql",
                                      params={"db": "lake", "q": text})
            assert answer.status == 400
            assert "upstream three (InfluxDB 3)" in (await answer.json())["error"]
        assert not [r for r in fake.requests_to("/query")
                    if "DELETE" in r.query.get("q", "") or "DROP" in r.query.get("q", "")]


async def test_a_deletion_bound_for_influxdb3_stops_a_request_over_several_databases(
        routed) -> None:
    """A request whose statements each go to their own database's route is refused whole when
    one is a DELETE bound for an InfluxDB 3: the statements before it do not run either."""
    async with FakeInfluxDB3(databases=("lake",)) as fake:
        client = await routed([v3(fake.url)], [single("three", database="lake")])
        assert (await query(client, "CREATE DATABASE local"))[0] == 200
        status, body = await query(client, "DROP DATABASE local; DELETE FROM cpu", "lake")
        assert status == 400, body
        assert "upstream three (InfluxDB 3)" in body["error"]
        status, body = await query(client, "SHOW DATABASES")
        assert ["local"] in body["results"][0]["series"][0]["values"]
        assert not [r for r in fake.requests_to("/query") if "DELETE" in r.query.get("q", "")]


async def test_a_shard_route_sends_policy_statements_to_its_shards_that_have_policies(
        routed) -> None:
    """Retention-policy statements reach every shard that has policies; an InfluxDB 3 shard
    has none and is not sent them (as an InfluxDB 3 mirror is not), even beside a read."""
    async with FakeInfluxDB3(databases=("lake",)) as fake:
        route = RouteConfig(database="*", mode="shard", targets=("native", "three"))
        client = await routed([v3(fake.url)], [route])
        assert (await query(client, "CREATE DATABASE lake"))[0] == 200
        ok = (200, {"results": [{"statement_id": 0}]})
        assert await query(
            client, 'CREATE RETENTION POLICY "short" ON "lake" DURATION 2h REPLICATION 1') == ok
        assert await query(client, 'ALTER RETENTION POLICY "short" ON "lake" DEFAULT') == ok

        async def policies() -> list[list[object]]:  # the first shard's: the native store's
            status, body = await query(client, 'SHOW RETENTION POLICIES ON "lake"')
            assert status == 200, body
            return body["results"][0]["series"][0]["values"]

        assert ["short", "2h0m0s", "1h0m0s", 1, True] in await policies()
        status, body = await query(
            client, 'DROP RETENTION POLICY "short" ON "lake"; SELECT * FROM cpu', "lake")
        assert status == 200, body
        assert body["results"][0] == {"statement_id": 0}
        assert [p[0] for p in await policies()] == ["autogen"]
        assert [r.query["q"] for r in fake.requests_to("/query")] == ["SELECT * FROM cpu"]


async def test_a_replayed_point_deletion_for_influxdb3_is_refused_not_sent(routed) -> None:
    """A DELETE or DROP SERIES queued for an InfluxDB 3 mirror (by a gateway from before routes
    refused them) is rejected on replay with the live refusal's words, never sent to its /query;
    a statement of a kind this gateway does not know is rejected by name."""
    async with FakeInfluxDB3(databases=("twin",)) as fake:
        mirror = RouteConfig(database="*", mode="mirror", targets=("native", "three"))
        client = await routed([v3(fake.url)], [mirror])
        app = client.server.app
        replay = StatementReplay(app[keys.ROUTER], app[keys.INFLUXQL], app[keys.ADMIN])
        for text in ("DELETE FROM cpu WHERE host = 'a'", "DROP SERIES FROM cpu"):
            delivery = await replay.deliver("three", QueuedStatement("twin", None, text, 1))
            assert delivery.outcome is Outcome.REJECTED
            assert "cannot reach upstream three (InfluxDB 3)" in delivery.detail
        assert fake.requests_to("/query") == []
        later = QueuedStatement("twin", None, "{}", 1, kind="configure/retention")
        delivery = await replay.deliver("three", later)
        assert delivery.outcome is Outcome.REJECTED
        assert "'configure/retention'" in delivery.detail


async def test_a_replayed_drop_measurement_where_the_mirror_lacks_the_database_is_refused(
        routed) -> None:
    """Replayed, DROP MEASUREMENT answers as it does live and as on a 1.x mirror: a table
    InfluxDB 3 does not have is dropped (1.x's DROP MEASUREMENT succeeds for a measurement
    missing), but its 404 for a database it lacks is refused with 1.x's `database not found`,
    so the mirror's divergence is counted and logged, as 1.x's answer is on replay."""
    async with FakeInfluxDB3(databases=("twin",)) as fake:
        fake.tables["twin"].add("cpu")
        mirror = RouteConfig(database="*", mode="mirror", targets=("native", "three"))
        client = await routed([v3(fake.url)], [mirror])
        app = client.server.app
        replay = StatementReplay(app[keys.ROUTER], app[keys.INFLUXQL], app[keys.ADMIN])
        for database, table, outcome in (("twin", "cpu", Outcome.DELIVERED),
                                         ("twin", "cpu", Outcome.DELIVERED),  # gone already
                                         ("absent", "cpu", Outcome.REJECTED)):
            entry = QueuedStatement(database, None, f"DROP MEASUREMENT {table}", 1)
            delivery = await replay.deliver("three", entry)
            assert delivery.outcome is outcome, delivery
        assert delivery.detail == "database not found: absent"
        assert fake.tables["twin"] == set()
        assert deletes(fake, "table") == [{"db": "twin", "table": "cpu"}] * 2 + [
            {"db": "absent", "table": "cpu"}]
